//! One component per page.

// Stop display setup
mod display_setup;
mod home;
mod stop;

// Stop display setup
pub use display_setup::DisplaySetupPage;
pub use home::HomePage;
pub use stop::StopPage;

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
