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

/// An estimate (not live): a clock drawn with a broken line.
#[component]
pub fn EstimateIcon() -> impl IntoView {
    view! { <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false" inner_html=icon::ESTIMATE></svg> }
}

/// Alerts and warnings: a triangle.
#[component]
pub fn WarningIcon() -> impl IntoView {
    view! { <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false" inner_html=icon::WARNING></svg> }
}

/// A stop in a list: its name as a link, then in one muted line its bay (a bay listed alone),
/// distance, number of bays and code — labelled, so "· 10 m · mã 2085" never reads as one
/// number —, and its routes. A station lists its bays under it, each a link to its own board
/// with its routes.
#[component]
pub fn StopItem(
    stop: api_types::StopSummary,
    #[prop(optional)] distance: Option<String>,
) -> impl IntoView {
    // The list is made again when the language changes (its results are in it).
    let lang = use_lang().get_untracked();
    let href = format!("/stops/{}", stop.id);
    let mut about = String::new();
    for part in [
        stop.bay.as_deref().map(|b| crate::format::bay(lang, b)),
        distance,
        (!stop.platforms.is_empty()).then(|| crate::format::bays(lang, stop.platforms.len())),
        stop.code
            .as_deref()
            .map(|c| crate::format::stop_code(lang, c)),
    ]
    .into_iter()
    .flatten()
    {
        about.push_str(" · ");
        about.push_str(&part);
    }
    let bays = (!stop.platforms.is_empty()).then(|| {
        let items = stop
            .platforms
            .into_iter()
            .map(|p| {
                let label = p
                    .bay
                    .as_deref()
                    .map_or_else(|| p.name.clone(), |b| crate::format::bay(lang, b));
                let href = format!("/stops/{}", p.id);
                let distance = p
                    .distance_m
                    .map(|m| format!(" · {}", crate::format::distance(lang, m)))
                    .unwrap_or_default();
                view! {
                    <li>
                        <a href=href>{label}</a>
                        <span class="muted">{distance}</span>
                        <RouteBadges routes=p.routes/>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="bays" aria-label=t(lang, Key::StationBays)>{items}</ul> }
    });
    view! {
        <li class="stop-item">
            <a href=href>{stop.name}</a>
            <span class="muted">{about}</span>
            <RouteBadges routes=stop.routes/>
            {bays}
        </li>
    }
    // Types erased: nested views otherwise overflow the compiler's depth limit in the bundle.
    .into_any()
}

#[component]
fn RouteBadges(routes: Vec<api_types::RouteBadge>) -> impl IntoView {
    view! {
        <span class="badges">
            {routes
                .into_iter()
                .map(|r| view! { <RouteBadge short_name=r.short_name color=r.color text_color=r.text_color/> })
                .collect_view()}
        </span>
    }
    .into_any()
}

/// The icons' drawings (the inside of a 24×24 `<svg>`, in the text colour), shared by the
/// components above and the parts of pages written as HTML strings (the operator console).
pub mod icon {
    pub const LIVE: &str = r#"<circle cx="12" cy="12" r="2.5" fill="currentColor"/><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M7.8 7.8a6 6 0 0 0 0 8.4M16.2 7.8a6 6 0 0 1 0 8.4M4.9 4.9a10 10 0 0 0 0 14.2M19.1 4.9a10 10 0 0 1 0 14.2"/>"#;
    pub const CLOCK: &str = r#"<circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2"/><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M12 7v5l3 2"/>"#;
    pub const CANCEL: &str = r#"<circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2"/><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M8 8l8 8M16 8l-8 8"/>"#;
    pub const ESTIMATE: &str = r#"<circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2" stroke-dasharray="3 2.5"/><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M12 7v5l3 2"/>"#;
    pub const WARNING: &str = r#"<path fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" d="M12 3 2 21h20L12 3z"/><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M12 10v5M12 18v.5"/>"#;

    /// An icon as HTML: `drawing` in its `<svg>` (decorative: a word is always next to it).
    pub fn svg(drawing: &str) -> String {
        format!(
            r#"<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">{drawing}</svg>"#
        )
    }
}
