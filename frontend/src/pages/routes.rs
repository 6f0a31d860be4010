//! `/routes`: every route; `/routes/{route_id}`: a route's map and its stops with their next
//! arrivals. Both are rendered on the server with the data of the moment (usable before, and
//! without, the bundle). Once hydrated, the route page polls the route's vehicles every
//! [`POLL`] (markers glide to their new positions by a CSS transition) and its arrivals every
//! [`ARRIVALS_EVERY`] polls, and counts minutes down. An unknown route is the not-found page
//! with status 404.
//!
//! The SVG pieces (shapes, stops, vehicle markers) and the polling are shared with the network
//! map (`pages::network`).

use api_types::{
    Departure, DepartureStatus, RouteArrivalsResponse, RouteDetail, StopArrivals, Vehicle,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::NotFound;
use super::stop::HttpStatus;
use crate::api::{self, Api, Failure};
use crate::format::{self, unix_seconds};
use crate::i18n::{Key, Lang, t};
use crate::map::{self, Projection};
use crate::ui::{CancelIcon, ClockIcon, LiveIcon, RouteBadge, css_color, route_href};
use crate::use_lang;

/// How often the vehicles are asked for again.
#[cfg(feature = "hydrate")]
const POLL: std::time::Duration = std::time::Duration::from_secs(5);
/// The arrivals are asked for again every this many polls (30 s).
#[cfg(feature = "hydrate")]
const ARRIVALS_EVERY: u32 = 6;
/// The map's viewBox: this wide, at most this tall (user units ≈ CSS px on a phone).
pub(super) const MAP_WIDTH: f64 = 400.0;
pub(super) const MAP_MAX_HEIGHT: f64 = 440.0;
const MAP_MARGIN: f64 = 14.0;

#[component]
pub fn RoutesPage() -> impl IntoView {
    let lang = use_lang();
    let client = Api::new();
    let status = HttpStatus::new();
    let routes = Resource::new_blocking(move || lang.get(), move |lang| api::routes(&client, lang));
    view! {
        <Title text=move || format!("{} · {}", t(lang.get(), Key::RoutesTitle), t(lang.get(), Key::AppName))/>
        <h1>{move || t(lang.get(), Key::RoutesTitle)}</h1>
        <Suspense fallback=move || loading(lang)>
            {move || {
                let status = status.clone();
                Suspend::new(async move {
                    match routes.await {
                        Ok(r) if r.routes.is_empty() => {
                            view! { <p>{move || t(lang.get(), Key::NoRoutes)}</p> }.into_any()
                        }
                        Ok(r) => {
                            let items = r
                                .routes
                                .into_iter()
                                .map(|route| {
                                    view! {
                                        <li>
                                            <a class="route-item" href=route_href(&route.id)>
                                                <RouteBadge short_name=route.short_name color=route.color text_color=route.text_color/>
                                                <span class="route-name">{route.long_name}</span>
                                                <span class="muted agency">{route.agency_name}</span>
                                            </a>
                                        </li>
                                    }
                                })
                                .collect_view();
                            view! { <ul class="routes">{items}</ul> }.into_any()
                        }
                        Err(e) => failure(&status, lang, e).into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn RoutePage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let route_id = Memo::new(move |_| params.read().get("route_id").unwrap_or_default());
    let client = Api::new();
    let status = HttpStatus::new();
    let data = Resource::new_blocking(
        move || (route_id.get(), lang.get()),
        move |(id, lang)| {
            let detail = api::route(&client, &id, lang);
            let arrivals = api::route_arrivals(&client, &id, lang);
            async move { Ok::<_, Failure>((detail.await?, arrivals.await?)) }
        },
    );
    view! {
        <Suspense fallback=move || loading(lang)>
            {move || {
                let status = status.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok((detail, arrivals)) => view! { <RouteView detail arrivals/> }.into_any(),
                        Err(e) => failure(&status, lang, e).into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// "Loading…", while a page's data comes (in the browser only: the server waits for it).
pub(super) fn loading(lang: RwSignal<Lang>) -> impl IntoView {
    view! { <p class="muted">{t(lang.get_untracked(), Key::Loading)}</p> }
}

/// A refused request as a page: the not-found page for a 404, else the API's message; the
/// HTTP status follows.
pub(super) fn failure(status: &HttpStatus, lang: RwSignal<Lang>, e: Failure) -> impl IntoView {
    if e.is_not_found() {
        status.set(404);
        view! { <NotFound/> }.into_any()
    } else {
        status.set(if e.status >= 400 { e.status } else { 502 });
        view! {
            <p class="notice" role="alert">{t(lang.get_untracked(), Key::LoadError)}" "{e.message}</p>
        }
        .into_any()
    }
}

/// A route's page once its data is here.
#[component]
fn RouteView(detail: RouteDetail, arrivals: RouteArrivalsResponse) -> impl IntoView {
    let lang = use_lang();
    let route = detail.route.clone();
    // The server's now, in unix seconds: minutes are counted against it.
    let now = RwSignal::new(unix_seconds(&arrivals.now).unwrap_or_default());
    let vehicles = RwSignal::new(detail.vehicles.clone());
    let arrivals = RwSignal::new(arrivals);
    // Vehicle answers received since the page loaded (also read by the end-to-end tests).
    let updates = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    follow(
        Some(route.id.clone()),
        lang,
        vehicles,
        Some(arrivals),
        now,
        updates,
    );

    let points = detail
        .directions
        .iter()
        .flat_map(|d| {
            d.shape
                .iter()
                .copied()
                .chain(d.stops.iter().filter_map(|s| Some([s.lat?, s.lon?])))
        })
        .collect::<Vec<_>>();
    let projection = Projection::fit(points, MAP_WIDTH, MAP_MAX_HEIGHT, MAP_MARGIN);
    let color = css_color(&route.color, "2b6cb0");
    let title = format!("{} {}", route.short_name, route.long_name);
    let map = projection.map(|p| {
        let shapes = detail
            .directions
            .iter()
            .map(|d| p.path(&d.shape))
            .filter(|d| !d.is_empty())
            .map(|d| view! { <path class="shape" d=d stroke=color.clone()/> })
            .collect_view();
        // Each stop once (both directions may share some).
        let mut seen = Vec::new();
        let stops = detail
            .directions
            .iter()
            .flat_map(|d| &d.stops)
            .filter(|s| {
                let new = !seen.contains(&s.id);
                seen.push(s.id.clone());
                new
            })
            .filter_map(|s| {
                let (x, y) = p.project(s.lat?, s.lon?);
                let href = format!("/stops/{}", s.id);
                let name = s.name.clone();
                Some(view! {
                    <g>
                        <a href=href tabindex="-1">
                            <title>{name}</title>
                            <circle class="stop-dot" cx=x cy=y r="4"/>
                        </a>
                    </g>
                })
            })
            .collect_view();
        view! {
            <figure class="map-figure">
                <svg
                    class="map"
                    viewBox=p.view_box()
                    role="group"
                    aria-label=move || format!("{}: {}", t(lang.get(), Key::RouteMapLabel), title)
                >
                    <g class="shapes">{shapes}</g>
                    <g class="stops">{stops}</g>
                    <VehicleMarkers projection=p vehicles/>
                </svg>
                <figcaption class="muted">{move || t(lang.get(), Key::MapLegend)}</figcaption>
            </figure>
        }
        .into_any()
    });

    view! {
        <Title text=move || format!("{} {} · {}", route.short_name, route.long_name, t(lang.get(), Key::AppName))/>
        <div class="route-head">
            <RouteBadge short_name=detail.route.short_name.clone() color=detail.route.color.clone() text_color=detail.route.text_color.clone()/>
            <h1>{detail.route.long_name.clone()}</h1>
        </div>
        <p class="muted">{detail.route.agency_name.clone()}</p>
        {map}
        <VehicleList vehicles updates/>
        <section class="route-stops" aria-labelledby="stops-h">
            <h2 id="stops-h">{move || t(lang.get(), Key::StopsAndArrivals)}</h2>
            {move || {
                let lang = lang.get();
                arrivals
                    .read()
                    .directions
                    .iter()
                    .enumerate()
                    .map(|(i, d)| {
                        let heading = format!(
                            "{} {}",
                            t(lang, Key::Towards),
                            d.headsign.clone().unwrap_or_default()
                        );
                        let stops = d
                            .stops
                            .iter()
                            .map(|s| stop_row(lang, s.clone(), now))
                            .collect_view();
                        view! {
                            <section class="direction" aria-labelledby=format!("dir-{i}")>
                                <h3 id=format!("dir-{i}")>{heading}</h3>
                                <ol class="stop-list">{stops}</ol>
                            </section>
                        }
                        .into_any()
                    })
                    .collect_view()
            }}
        </section>
    }
    .into_any()
}

/// The live vehicles on a map: one marker each, kept across updates (keyed by id) so that a
/// new position moves it (CSS transition) instead of replacing it.
#[component]
pub(super) fn VehicleMarkers(
    projection: Projection,
    vehicles: RwSignal<Vec<Vehicle>>,
) -> impl IntoView {
    let ids = move || vehicles.with(|vs| vs.iter().map(|v| v.id.clone()).collect::<Vec<_>>());
    view! {
        <g class="vehicles">
            <For each=ids key=|id| id.clone() let:id>
                {vehicle_marker(projection, vehicles, id)}
            </For>
        </g>
    }
}

fn vehicle_marker(p: Projection, vehicles: RwSignal<Vec<Vehicle>>, id: String) -> impl IntoView {
    let lang = use_lang();
    let found = id.clone();
    let v = Memo::new(move |_| vehicles.with(|vs| vs.iter().find(|v| v.id == found).cloned()));
    let style = move || {
        v.with(|v| {
            v.as_ref()
                .map(|v| format!("transform:{}", p.translate(v.lat, v.lon)))
                .unwrap_or_default()
        })
    };
    let fill = move || {
        v.with(|v| {
            let color = v
                .as_ref()
                .and_then(|v| v.route.as_ref())
                .map(|r| r.color.as_str());
            css_color(color.unwrap_or(""), "2b6cb0")
        })
    };
    let heading = move || {
        v.with(|v| {
            v.as_ref()
                .and_then(|v| v.bearing)
                .map(map::rotate)
                .unwrap_or_else(|| "scale(0)".to_owned())
        })
    };
    let label = move || {
        v.with(|v| {
            v.as_ref()
                .map(|v| vehicle_label(lang.get(), v))
                .unwrap_or_default()
        })
    };
    view! {
        <g class="vehicle" data-vehicle=id style=style>
            <title>{label}</title>
            <path class="heading" d="M0 -15L6 -6H-6Z" transform=heading/>
            <circle r="7" fill=fill/>
        </g>
    }
    .into_any()
}

/// What a vehicle is, in words: "Xe 51 · KAZE 17 · trạm kế Hikari".
fn vehicle_label(lang: Lang, v: &Vehicle) -> String {
    let mut text = t(lang, Key::Bus).to_owned();
    if let Some(r) = &v.route {
        text.push(' ');
        text.push_str(&r.short_name);
    }
    if let Some(label) = &v.label {
        text.push_str(" · ");
        text.push_str(label);
    }
    if let Some(next) = &v.next_stop {
        text.push_str(" · ");
        text.push_str(t(lang, Key::NextStop));
        text.push(' ');
        text.push_str(&next.name);
    }
    text
}

/// The vehicles as a list: what the markers say, for those who do not see the map.
#[component]
fn VehicleList(vehicles: RwSignal<Vec<Vehicle>>, updates: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="vehicle-list" aria-labelledby="buses-h" data-updates=move || updates.get()>
            <h2 id="buses-h">{move || t(lang.get(), Key::BusesNow)}</h2>
            {move || {
                let lang = lang.get();
                vehicles.with(|vs| {
                    if vs.is_empty() {
                        view! { <p>{t(lang, Key::NoBusesNow)}</p> }.into_any()
                    } else {
                        let items = vs
                            .iter()
                            .map(|v| view! { <li>{vehicle_label(lang, v)}</li> })
                            .collect_view();
                        view! { <ul class="buses">{items}</ul> }.into_any()
                    }
                })
            }}
        </section>
    }
}

/// A stop of the list: its name (a link to its board) and the route's next buses there.
fn stop_row(lang: Lang, s: StopArrivals, now: RwSignal<i64>) -> impl IntoView {
    let href = format!("/stops/{}", s.stop.id);
    let arrivals = if s.arrivals.is_empty() {
        view! { <p class="muted none">{t(lang, Key::NoArrivals)}</p> }.into_any()
    } else {
        let items = s
            .arrivals
            .into_iter()
            .map(|d| arrival(lang, d, now))
            .collect_view();
        view! { <ul class="arrivals">{items}</ul> }.into_any()
    };
    view! {
        <li class="route-stop">
            <a href=href>{s.stop.name}</a>
            {arrivals}
        </li>
    }
    .into_any()
}

/// One coming bus: minutes (or its struck time when it will not come) and live vs timetable
/// by icon and word, as on the stop's board.
fn arrival(lang: Lang, d: Departure, now: RwSignal<i64>) -> impl IntoView {
    let (class, icon, word) = match d.status {
        DepartureStatus::Live => ("live", view! { <LiveIcon/> }.into_any(), Key::Live),
        DepartureStatus::Scheduled => (
            "scheduled",
            view! { <ClockIcon/> }.into_any(),
            Key::Scheduled,
        ),
        DepartureStatus::Cancelled => (
            "cancelled",
            view! { <CancelIcon/> }.into_any(),
            Key::Cancelled,
        ),
        DepartureStatus::Skipped => ("skipped", view! { <CancelIcon/> }.into_any(), Key::Skipped),
    };
    let at = expected_time(&d).to_owned();
    let when = if matches!(
        d.status,
        DepartureStatus::Cancelled | DepartureStatus::Skipped
    ) {
        view! { <s>{format::clock(&at).to_owned()}</s> }.into_any()
    } else {
        view! { <strong>{move || format::countdown_text(lang, now.get(), &at)}</strong> }.into_any()
    };
    view! {
        <li class=format!("arrival {class}") data-status=class>
            {when}" "{icon}" "<span class="word">{t(lang, word)}</span>
        </li>
    }
}

/// When riders should expect the bus: predicted, else scheduled (arrival at a trip's last
/// stop, where there is no departure to speak of, is the same time in GTFS).
fn expected_time(d: &Departure) -> &str {
    d.predicted_departure
        .as_deref()
        .or(d.predicted_arrival.as_deref())
        .unwrap_or(&d.scheduled_departure)
}

/// Polls the vehicles (and the arrivals, when given) for as long as the page is shown,
/// starting once hydrated; `updates` counts the vehicle answers.
#[cfg(feature = "hydrate")]
pub(super) fn follow(
    route_id: Option<String>,
    lang: RwSignal<Lang>,
    vehicles: RwSignal<Vec<Vehicle>>,
    arrivals: Option<RwSignal<RouteArrivalsResponse>>,
    now: RwSignal<i64>,
    updates: RwSignal<u32>,
) {
    use leptos::task::spawn_local;
    let client = Api::new();
    Effect::new(move |_| {
        let lang = lang.get_untracked();
        let route_id = route_id.clone();
        let polls = std::rc::Rc::new(std::cell::Cell::new(0u32));
        let tick = set_interval_with_handle(
            move || {
                polls.set(polls.get() + 1);
                let id = route_id.clone();
                spawn_local(async move {
                    if let Ok(r) = api::vehicles(&client, id.as_deref(), lang).await {
                        if let Some(server_now) = unix_seconds(&r.now) {
                            now.try_set(server_now);
                        }
                        vehicles.try_set(r.vehicles);
                        updates.try_update(|n| *n += 1);
                    }
                });
                if let (Some(arrivals), Some(id)) = (arrivals, route_id.clone())
                    && polls.get().is_multiple_of(ARRIVALS_EVERY)
                {
                    spawn_local(async move {
                        if let Ok(a) = api::route_arrivals(&client, &id, lang).await {
                            arrivals.try_set(a);
                        }
                    });
                }
            },
            POLL,
        )
        .ok();
        on_cleanup(move || {
            if let Some(tick) = tick {
                tick.clear();
            }
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vehicle() -> Vehicle {
        Vehicle {
            id: "binh-duong:bus-17".to_owned(),
            label: Some("KAZE 17".to_owned()),
            lat: 11.05,
            lon: 106.65,
            bearing: Some(90.0),
            speed: None,
            trip_id: None,
            route: Some(api_types::RouteBadge {
                id: "binh-duong:51".to_owned(),
                short_name: "51".to_owned(),
                color: "009B4E".to_owned(),
                text_color: "FFFFFF".to_owned(),
            }),
            next_stop: Some(api_types::StopRef {
                id: "binh-duong:BD2081".to_owned(),
                code: None,
                name: "Hikari".to_owned(),
                lat: None,
                lon: None,
                parent_station: None,
                wheelchair_boarding: None,
            }),
            at_stop: false,
            timestamp: "2026-11-23T07:39:40+07:00".to_owned(),
            data_age_s: 20,
            off_route: false,
            stuck: false,
            layover: false,
        }
    }

    #[test]
    fn a_vehicle_is_said_with_its_route_label_and_next_stop() {
        assert_eq!(
            vehicle_label(Lang::En, &vehicle()),
            "Bus 51 · KAZE 17 · next stop Hikari"
        );
        let bare = Vehicle {
            label: None,
            route: None,
            next_stop: None,
            ..vehicle()
        };
        assert_eq!(vehicle_label(Lang::Vi, &bare), "Xe");
    }

    /// Renders a marker as the server does (needs `ssr`).
    #[cfg(feature = "ssr")]
    #[test]
    fn a_marker_is_placed_by_a_css_transform_and_turned_by_its_bearing() {
        let owner = Owner::new();
        owner.set();
        let p = Projection::fit([[11.0, 106.6], [11.1, 106.7]], 400.0, 400.0, 0.0).expect("points");
        let vehicles = RwSignal::new(vec![vehicle()]);
        let html = vehicle_marker(p, vehicles, "binh-duong:bus-17".to_owned()).to_html();
        assert!(
            html.contains(r#"data-vehicle="binh-duong:bus-17""#),
            "{html}"
        );
        assert!(
            html.contains(&format!("transform:{}", p.translate(11.05, 106.65))),
            "{html}"
        );
        assert!(html.contains(r#"transform="rotate(90)""#), "{html}");
        assert!(html.contains("#009B4E"), "{html}");
        assert!(html.contains("<title>"), "{html}");
    }
}
