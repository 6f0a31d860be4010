//! One component per page.

// Stop display setup
mod display_setup;
mod home;
mod stop;
// Route pages and maps.
mod alerts;
mod network;
mod routes;
// Operator console
mod operator;

// Stop display setup
pub use display_setup::DisplaySetupPage;
pub use home::HomePage;
pub use stop::StopPage;
// Route pages and maps.
pub use alerts::AlertsPage;
pub use network::NetworkMapPage;
#[cfg(feature = "hydrate")]
pub(crate) use routes::vehicle_label;
pub use routes::{RoutePage, RoutesPage};
// Operator console
pub use operator::OperatorPage;

use leptos::prelude::*;

use crate::i18n::{Key, t};
use crate::use_lang;

/// The page for unknown paths and unknown stops; the server sends it with status 404.
#[component]
pub fn NotFound() -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="not-found">
            <h1>{move || t(lang.get(), Key::NotFoundTitle)}</h1>
            <p>{move || t(lang.get(), Key::NotFoundText)}</p>
            <p><a href="/">{move || t(lang.get(), Key::Home)}</a></p>
        </section>
    }
}
