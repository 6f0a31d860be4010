//! One component per page.

mod home;
mod stop;
// Operator console
mod operator;

pub use home::HomePage;
pub use stop::StopPage;
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
