//! Pieces shared by the pages: the header (skip link, home link, language switch), route
//! badges, and the icons (inline SVG: nothing fetched from anywhere).

use leptos::prelude::*;
use leptos_router::hooks::use_location;

pub use crate::colour::badge_style;
#[cfg(feature = "ssr")]
pub use crate::colour::css_color;
use crate::i18n::{Key, Lang, t};
use crate::use_lang;

#[component]
pub fn Header() -> impl IntoView {
    let site = crate::use_site_name();
    let lang = use_lang();
    let location = use_location();
    // The same page in another language: the current path and query, `lang` replaced.
    let href = move |l: Lang| {
        let mut query = location.query.get();
        query.replace("lang", l.code().to_owned());
        format!("{}{}", location.pathname.get(), query.to_query_string())
    };
    view! {
        <a class="skip" href="#main">{move || t(lang.get(), Key::SkipToContent)}</a>
        <header class="top">
            <a class="brand" href="/">
                <BusIcon/>
                <span>{move || site(lang.get())}</span>
            </a>
            // Route pages and maps: the main navigation.
            <MainNav/>
            <nav class="langs" aria-label=move || t(lang.get(), Key::Language)>
                <ul>
                    {Lang::ALL
                        .into_iter()
                        .map(|l| {
                            view! {
                                <li>
                                    <a
                                        href=move || href(l)
                                        hreflang=l.code()
                                        lang=l.code()
                                        aria-current=move || (lang.get() == l).then_some("true")
                                    >
                                        {l.endonym()}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
        </header>
    }
}

// Route pages and maps: the main navigation, and route badges that link to the route.

/// The site's sections; the current one is marked (`aria-current="page"`).
#[component]
fn MainNav() -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    // Routes, map and alerts are drawn by the server only: a full page load (`external`),
    // not the router, shows them.
    let items = [
        ("/", Key::NavStops, None),
        ("/routes", Key::NavRoutes, Some("external")),
        ("/map", Key::NavMap, Some("external")),
        ("/alerts", Key::NavAlerts, Some("external")),
    ];
    view! {
        <nav class="main-nav" aria-label=move || t(lang.get(), Key::MainNav)>
            <ul>
                {items
                    .into_iter()
                    .map(|(href, key, rel)| {
                        let current = move || {
                            let path = location.pathname.get();
                            let here = if href == "/" {
                                path == "/" || path.starts_with("/stops/")
                            } else {
                                path == href || path.starts_with(&format!("{href}/"))
                            };
                            here.then_some("page")
                        };
                        view! {
                            <li>
                                <a href=href rel=rel aria-current=current>{move || t(lang.get(), key)}</a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// A route badge that links to the route's page (`/routes/{id}`).
#[component]
pub fn RouteLink(
    id: String,
    short_name: String,
    color: String,
    text_color: String,
) -> impl IntoView {
    let href = route_href(&id);
    // The route page is drawn by the server only: a full page load shows it.
    view! {
        <a class="badge-link" href=href rel="external">
            <RouteBadge short_name color text_color/>
        </a>
    }
}

/// The route page of a route id.
pub fn route_href(id: &str) -> String {
    format!("/routes/{id}")
}

/// A route's short name in its colours (`RRGGBB` from the feed).
#[component]
pub fn RouteBadge(short_name: String, color: String, text_color: String) -> impl IntoView {
    let style = badge_style(&color, &text_color);
    view! { <span class="badge" style=style>{short_name}</span> }
}

#[component]
pub fn BusIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path fill="currentColor" d="M4 16c0 .9.4 1.7 1 2.2V20a1 1 0 0 0 1 1h1a1 1 0 0 0 1-1v-1h8v1a1 1 0 0 0 1 1h1a1 1 0 0 0 1-1v-1.8c.6-.5 1-1.3 1-2.2V6c0-3.5-3.6-4-8-4S4 2.5 4 6v10zm3.5 1a1.5 1.5 0 1 1 0-3 1.5 1.5 0 0 1 0 3zm9 0a1.5 1.5 0 1 1 0-3 1.5 1.5 0 0 1 0 3zM18 11H6V6h12v5z"/>
        </svg>
    }
}

/// Live: radio waves.
#[component]
pub fn LiveIcon() -> impl IntoView {
    view! { <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false" inner_html=icon::LIVE></svg> }
}

/// Timetable: a clock.
#[component]
pub fn ClockIcon() -> impl IntoView {
    view! { <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false" inner_html=icon::CLOCK></svg> }
}

/// Cancelled or skipped: a crossed circle.
#[component]
pub fn CancelIcon() -> impl IntoView {
    view! { <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false" inner_html=icon::CANCEL></svg> }
}

/// Alerts and warnings: a triangle.
#[component]
pub fn WarningIcon() -> impl IntoView {
    view! { <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false" inner_html=icon::WARNING></svg> }
}

/// A stop in a list: its name as a link, code and routes.
#[component]
pub fn StopItem(
    stop: api_types::StopSummary,
    #[prop(optional)] distance: Option<String>,
) -> impl IntoView {
    let href = format!("/stops/{}", stop.id);
    view! {
        <li class="stop-item">
            <a href=href>{stop.name}</a>
            {distance.map(|d| view! { <span class="muted">" · "{d}</span> })}
            {stop.code.map(|c| view! { <span class="muted code">" "{c}</span> })}
            <span class="badges">
                {stop
                    .routes
                    .into_iter()
                    .map(|r| view! { <RouteBadge short_name=r.short_name color=r.color text_color=r.text_color/> })
                    .collect_view()}
            </span>
        </li>
    }
}

/// The icons' drawings (the inside of a 24×24 `<svg>`, in the text colour), shared by the
/// components above and the parts of pages written as HTML strings (the operator console).
pub mod icon {
    pub const LIVE: &str = r#"<circle cx="12" cy="12" r="2.5" fill="currentColor"/><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M7.8 7.8a6 6 0 0 0 0 8.4M16.2 7.8a6 6 0 0 1 0 8.4M4.9 4.9a10 10 0 0 0 0 14.2M19.1 4.9a10 10 0 0 1 0 14.2"/>"#;
    pub const CLOCK: &str = r#"<circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2"/><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M12 7v5l3 2"/>"#;
    pub const CANCEL: &str = r#"<circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2"/><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M8 8l8 8M16 8l-8 8"/>"#;
    pub const WARNING: &str = r#"<path fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" d="M12 3 2 21h20L12 3z"/><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M12 10v5M12 18v.5"/>"#;

    /// An icon as HTML: `drawing` in its `<svg>` (decorative: a word is always next to it).
    pub fn svg(drawing: &str) -> String {
        format!(
            r#"<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">{drawing}</svg>"#
        )
    }
}
