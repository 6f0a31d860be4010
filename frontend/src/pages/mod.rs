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

/// Stands in for a page the running bundle leaves out (see `crate::bundle_for`): reached by a
/// link the router followed in the browser, it loads the page from the server, which sends the
/// bundle that has it.
#[component]
pub fn LoadFromServer() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let location = window().location();
        if let Ok(href) = location.href() {
            let _ = location.replace(&href);
        }
    });
}

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
