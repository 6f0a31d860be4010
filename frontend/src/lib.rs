//! The web app, written once and built twice:
//! - for the host with feature `ssr`: linked into the backend, which renders every page to
//!   HTML on the server (pages work before, and without, WebAssembly);
//! - for `wasm32-unknown-unknown` with feature `hydrate`: the browser bundle that takes over
//!   the server's HTML (`.ci/build-web` runs cargo and wasm-bindgen; no cargo-leptos).
//!
//! Modules: [`api`] every call to the server (and how server rendering gets its data in
//! process); [`i18n`] every interface string in vi/en/ja and the language choice; [`format`]
//! times and minutes per language; [`favourites`] the stops kept in the browser; `pages` one
//! component per page; `ui` pieces shared by pages (header, badges, icons).

// Each browser bundle leaves the other's pages out (`bundle_for`), so in a bundle their code is
// unused on purpose; the host build (which has every page) still reports dead code.
#![cfg_attr(
    all(feature = "hydrate", not(feature = "ssr")),
    allow(dead_code, unused_imports)
)]

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

pub mod api;
#[cfg(feature = "hydrate")]
mod browser;
pub mod colour;
// Route pages and maps: what moves on the server-drawn maps, once hydrated.
pub mod favourites;
pub mod format;
// Stop displays and boards: one truth about how current a board is.
pub mod freshness;
pub mod i18n;
#[cfg(feature = "hydrate")]
mod live;
// Route pages and maps: the projection of the SVG maps.
pub mod map;
mod pages;
mod ui;

use i18n::{Key, Lang, t};

/// The style sheet, inlined in every page: one request less, nothing external.
const STYLE: &str = include_str!("style.css");

/// The whole HTML document. Only ever rendered on the server.
pub fn shell(mut options: LeptosOptions) -> impl IntoView {
    let lang = server_language();
    options.output_name = bundle_for(&request_path()).into();
    provide_context(ServerLang(lang));
    let site = server_site_name();
    provide_context(site.clone());
    let [vi, en, ja] = site.0;
    // The site's name in each language rides on `<body>`, so the bundle hydrates (and switches
    // language) with the same names.
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                // No icon to fetch (browsers ask for /favicon.ico otherwise).
                <link rel="icon" href="data:,"/>
                <style inner_html=STYLE></style>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body data-site-vi=vi data-site-en=en data-site-ja=ja>
                <App/>
            </body>
        </html>
    }
}

/// The language the server renders in (see [`i18n`]): `?lang=`, the cookie, the browser's
/// preference. A `?lang=` also sets the cookie, so the choice sticks.
#[cfg(feature = "ssr")]
fn server_language() -> Lang {
    use http::header;
    let parts = use_context::<http::request::Parts>();
    let header_str = |name| {
        parts
            .as_ref()
            .and_then(|p| p.headers.get(name))
            .and_then(|v| v.to_str().ok())
    };
    let query = parts.as_ref().and_then(|p| p.uri.query()).and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "lang")
            .map(|(_, v)| v.to_owned())
    });
    let preferred = header_str(header::ACCEPT_LANGUAGE).and_then(|accept| {
        use_context::<api::server::ServerApi>().and_then(|s| s.0.preferred_language(accept))
    });
    let lang = i18n::choose(query.as_deref(), header_str(header::COOKIE), preferred);
    if let Some(asked) = query.as_deref().and_then(Lang::parse)
        && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(value) = http::HeaderValue::from_str(&i18n::cookie(asked))
    {
        response.append_header(header::SET_COOKIE, value);
    }
    lang
}

/// The site's name in each language, from the backend (configured `site_name`, else the main
/// agency's name); the interface's own name when rendered without a backend.
#[cfg(feature = "ssr")]
fn server_site_name() -> SiteName {
    let api = use_context::<api::server::ServerApi>();
    SiteName(Lang::ALL.map(|l| match &api {
        Some(api) => api.0.site_name(l),
        None => t(l, Key::AppName).to_owned(),
    }))
}

#[cfg(not(feature = "ssr"))]
fn server_site_name() -> SiteName {
    SiteName(Lang::ALL.map(|l| t(l, Key::AppName).to_owned()))
}

/// The site's name in vi, en and ja (see [`site_name`]).
#[derive(Debug, Clone)]
pub struct SiteName(pub [String; 3]);

/// The site's name in `lang`, as the header and every page title show it: the deployment's
/// (from the server), never a name hard-coded for one agency.
pub fn site_name(lang: Lang) -> String {
    use_site_name()(lang)
}

/// [`site_name`] read once, where the component is made: title closures run later, where the
/// context may not be reachable (leptos_meta renders `<title>` from the shell's `<head>`).
pub fn use_site_name() -> impl Fn(Lang) -> String + Clone + Send + Sync + 'static {
    let site = use_context::<SiteName>();
    move |lang: Lang| {
        let i = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
        match &site {
            Some(site) => site.0[i].clone(),
            None => t(lang, Key::AppName).to_owned(),
        }
    }
}

/// The path of the page being rendered (empty outside a request).
#[cfg(feature = "ssr")]
fn request_path() -> String {
    use_context::<http::request::Parts>()
        .map(|p| p.uri.path().to_owned())
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
fn request_path() -> String {
    String::new()
}

/// The browser bundle a page loads (`/pkg/{name}.js`, `/pkg/{name}_bg.wasm`). There are two, so
/// riders never download the operator console: `console` (built with the `console-bundle`
/// feature) hydrates `/operator`; `frontend` hydrates every other page. Each is the same [`App`]
/// with the other's pages left out ([`pages::LoadFromServer`] stands in for them), so together
/// they weigh what one would, yet each page's share stays under the 400 KB budget.
pub fn bundle_for(path: &str) -> &'static str {
    if path == "/operator" || path.starts_with("/operator/") {
        "console"
    } else {
        "frontend"
    }
}

#[cfg(not(feature = "ssr"))]
fn server_language() -> Lang {
    Lang::default()
}

/// The language the server chose for this request (context of [`shell`]).
#[derive(Debug, Clone, Copy)]
struct ServerLang(Lang);

/// The page's language, shared by every component (a signal: switching needs no reload).
#[derive(Debug, Clone, Copy)]
pub struct UiLang(pub RwSignal<Lang>);

pub fn use_lang() -> RwSignal<Lang> {
    use_context::<UiLang>()
        .map(|l| l.0)
        .unwrap_or_else(|| RwSignal::new(Lang::default()))
}

/// Whether the wasm bundle has taken over (false on the server and while hydrating): parts
/// that only work with it (favourite star, "near me") are shown once it has.
#[derive(Debug, Clone, Copy)]
pub struct Hydrated(pub ReadSignal<bool>);

pub fn use_hydrated() -> ReadSignal<bool> {
    use_context::<Hydrated>()
        .map(|h| h.0)
        .unwrap_or_else(|| signal(false).0)
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // On the server, the language was chosen by `shell`; in the browser, the server wrote it
    // into `<html lang>`, so hydration starts from the same one.
    let initial = use_context::<ServerLang>().map(|l| l.0);
    #[cfg(feature = "hydrate")]
    let initial = initial.or_else(browser::document_language);
    let lang = RwSignal::new(initial.unwrap_or_default());
    provide_context(UiLang(lang));
    // In the browser, the names the server wrote on `<body>`.
    #[cfg(feature = "hydrate")]
    if let Some(site) = browser::site_names() {
        provide_context(SiteName(site));
    }
    let site = use_site_name();
    // Effects run only in the browser, once hydrated: `data-hydrated` tells end-to-end
    // tests (and curious developers) that the wasm bundle has taken over.
    let (hydrated, set_hydrated) = signal(false);
    provide_context(Hydrated(hydrated));
    // The `hydrated` performance mark is when the page became interactive (figures for the
    // stop page's time to interactive read it).
    Effect::new(move |_| {
        set_hydrated.set(true);
        #[cfg(feature = "hydrate")]
        browser::mark("hydrated");
    });
    view! {
        <Title text=move || site(lang.get())/>
        <Router>
            <Layout/>
        </Router>
    }
}

/// Header, main region and the routes.
#[component]
fn Layout() -> impl IntoView {
    let lang = use_lang();
    let hydrated = use_hydrated();
    // A `?lang=` (the switch's links) changes the language in place and is remembered.
    let query = leptos_router::hooks::use_query_map();
    Effect::new(move |_| {
        let Some(asked) = query.read().get("lang").as_deref().and_then(Lang::parse) else {
            return;
        };
        if asked != lang.get_untracked() {
            lang.set(asked);
        }
        #[cfg(feature = "hydrate")]
        browser::remember_language(asked);
    });
    view! {
        <ui::Header/>
        <main id="main" tabindex="-1" data-hydrated=move || hydrated.get().then_some("true")>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/") view=rider::HomePage ssr=SsrMode::Async/>
                <Route path=path!("/stops/:stop_id") view=rider::StopPage ssr=SsrMode::Async/>
                // Route pages and maps.
                <Route path=path!("/routes") view=pages::RoutesPage ssr=SsrMode::Async/>
                <Route path=path!("/routes/:route_id") view=pages::RoutePage ssr=SsrMode::Async/>
                <Route path=path!("/map") view=pages::NetworkMapPage ssr=SsrMode::Async/>
                <Route path=path!("/alerts") view=pages::AlertsPage ssr=SsrMode::Async/>
                // Stop display setup
                <Route path=path!("/displays/new") view=rider::DisplaySetupPage ssr=SsrMode::Async/>
                // Operator console
                <Route path=path!("/operator") view=console::OperatorPage ssr=SsrMode::Async/>
            </Routes>
        </main>
        // Operator console: its link (the header's navigation belongs to the rider pages).
        <footer class="foot">
            <a href="/operator" rel="external">{move || t(lang.get(), Key::OpFooterLink)}</a>
        </footer>
    }
}

/// The pages of the riders' bundle (all of them on the server); in the console's bundle, each
/// is loaded from the server instead (see [`bundle_for`]). The route, map and alerts pages are
/// drawn on the server only and cost neither bundle anything.
mod rider {
    #[cfg(any(feature = "ssr", not(feature = "console-bundle")))]
    pub use crate::pages::{DisplaySetupPage, HomePage, StopPage};
    #[cfg(not(any(feature = "ssr", not(feature = "console-bundle"))))]
    pub use crate::pages::{
        LoadFromServer as DisplaySetupPage, LoadFromServer as HomePage, LoadFromServer as StopPage,
    };
}

/// The operator console: in the console's bundle (and on the server) only.
mod console {
    #[cfg(not(any(feature = "ssr", feature = "console-bundle")))]
    pub use crate::pages::LoadFromServer as OperatorPage;
    #[cfg(any(feature = "ssr", feature = "console-bundle"))]
    pub use crate::pages::OperatorPage;
}

/// Browser entry point: the script `<HydrationScripts>` emits calls `hydrate()`.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    hydrate_body(App);
}
