//! The web app, written once and built twice:
//! - for the host with feature `ssr`: linked into the backend, which renders every page to
//!   HTML on the server (pages work before, and without, WebAssembly);
//! - for `wasm32-unknown-unknown` with feature `hydrate`: the browser bundle that takes over
//!   the server's HTML (`.ci/build-web` runs cargo and wasm-bindgen; no cargo-leptos).
//!
//! Data comes from the backend's JSON API, whose types live in `api_types` (no copies here).
//! This crate is a placeholder until the web-app issue: the shell, the router, a home page
//! and a real 404 page, enough to prove the build and hydration wiring end to end.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The whole HTML document. Only ever rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="vi">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser, once hydrated: `data-hydrated` tells end-to-end
    // tests (and curious developers) that the wasm bundle has taken over.
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    view! {
        <Title text="KAZE SHUTTLE · Thông tin xe buýt"/>
        <Router>
            <main data-hydrated=move || hydrated.get().then_some("true")>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage/>
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn HomePage() -> impl IntoView {
    view! {
        <h1>"Thông tin xe buýt"</h1>
        <p lang="en">"Real-time passenger information. The rider app is being built; the APIs are live:"</p>
        <ul>
            <li><a href="/health">"/health"</a>" — schedules served"</li>
            <li><code>"/api/v1/stops/{stop_id}/departures"</code>" — departure board"</li>
        </ul>
    }
}

/// The page for unknown paths; the backend sends it with status 404.
#[component]
fn NotFound() -> impl IntoView {
    view! {
        <h1>"Không tìm thấy trang"</h1>
        <p lang="en">"Page not found."</p>
        <p><a href="/">"Trang chủ / Home"</a></p>
    }
}

/// Browser entry point: the script `<HydrationScripts>` emits calls `hydrate()`.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    hydrate_body(App);
}
