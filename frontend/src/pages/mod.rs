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
    // The router's location is the page asked for (the browser's may still be the last one).
    #[cfg(feature = "hydrate")]
    {
        let location = leptos_router::hooks::use_location();
        Effect::new(move |_| load_from_server(&location));
    }
}

/// Loads the page the router is at from the server (a full page load), for pages this bundle
/// does not draw. The router's location, not the browser's: when the router follows a link,
/// the browser's address may still be the last page's.
#[cfg(feature = "hydrate")]
pub(crate) fn load_from_server(location: &leptos_router::location::Location) {
    let mut asked = location.pathname.get_untracked();
    let search = location.search.get_untracked();
    if !search.is_empty() {
        asked.push('?');
        asked.push_str(&search);
    }
    let hash = location.hash.get_untracked();
    if !hash.is_empty() && !hash.starts_with('#') {
        asked.push('#');
    }
    asked.push_str(&hash);
    let _ = window().location().replace(&asked);
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
