//! `/routes`: every route; `/routes/{route_id}`: a route's map and its stops with their next
//! arrivals. With `/map` (`pages::network`) and `/alerts` (`pages::alerts`), these pages are
//! drawn on the server only ([`ServerPage`]): their HTML is complete without the bundle, and
//! the bundle carries none of their views (they cost the browser nothing to download). What
//! moves on them is done by `live` once hydrated: the vehicle markers follow
//! `/api/v1/vehicles` every 5 s (gliding by a CSS transition), minutes count down, the arrivals
//! are refreshed. An unknown route is the not-found page with status 404.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::stop::HttpStatus;
use crate::i18n::{Key, Lang, t};
use crate::use_lang;

/// A page drawn on the server only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Page {
    Routes,
    Route(String),
    Network,
    Alerts,
}

#[component]
pub fn RoutesPage() -> impl IntoView {
    view! { <ServerPage page=Signal::derive(|| Page::Routes)/> }
}

#[component]
pub fn RoutePage() -> impl IntoView {
    let params = use_params_map();
    let page =
        Signal::derive(move || Page::Route(params.read().get("route_id").unwrap_or_default()));
    view! { <ServerPage page/> }
}

/// A page whose HTML comes from the server: rendered there (`ssr::render`, with the data of the
/// moment, status and title included) and kept as it is by hydration (`inner_html` is not
/// touched when it came from the server). Shown anew in the browser (another route, another
/// language, back and forward), it is loaded again from the server: a full page load.
#[component]
pub(super) fn ServerPage(page: Signal<Page>) -> impl IntoView {
    let lang = use_lang();
    let status = HttpStatus::new();
    #[cfg(feature = "ssr")]
    let client = crate::api::Api::new();
    let node = NodeRef::<leptos::html::Div>::new();
    // Hydrated with the server's HTML: follow what moves on it. Built empty in the browser
    // (a link followed in the browser, back and forward), or asked for another page or
    // language (the router changed the URL): load it from the server.
    #[cfg(feature = "hydrate")]
    let location = leptos_router::hooks::use_location();
    #[cfg(feature = "hydrate")]
    Effect::new(move |shown: Option<Option<(Page, Lang)>>| {
        let asked = (page.get(), lang.get());
        let el = node.get()?;
        let reload = || super::load_from_server(&location);
        match shown.flatten() {
            None if el.child_element_count() == 0 => reload(),
            None => crate::live::follow(asked.1),
            Some(shown) if shown != asked => reload(),
            Some(_) => {}
        }
        Some(asked)
    });
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t(lang.get_untracked(), Key::Loading)}</p> }>
            {move || {
                let (page, lang) = (page.get(), lang.get());
                let status = status.clone();
                #[cfg(feature = "ssr")]
                let client = client.clone();
                Suspend::new(async move {
                    #[cfg(feature = "ssr")]
                    let (code, title, html) = ssr::render(&client, &page, lang).await;
                    #[cfg(not(feature = "ssr"))]
                    let (code, title, html) = {
                        let _ = (page, lang);
                        (200u16, document().title(), String::new())
                    };
                    if code != 200 {
                        status.set(code);
                    }
                    view! {
                        <Title text=title/>
                        <div class="server-page" node_ref=node inner_html=html></div>
                    }
                })
            }}
        </Suspense>
    }
}

/// What a vehicle is, in words: "Xe 51 · KAZE 17 · trạm kế Hikari" (its marker's title, and
/// its line in the list of buses).
pub(crate) fn vehicle_label(lang: Lang, v: &api_types::Vehicle) -> String {
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

/// The server side: every page's view, rendered to HTML with its data.
#[cfg(feature = "ssr")]
pub(super) mod ssr {
    use api_types::{
        Departure, DepartureStatus, RouteArrivalsResponse, RouteDetail, StopArrivals, Vehicle,
    };
    use leptos::prelude::*;

    use super::{Page, vehicle_label};
    use crate::api::{self, Api, Failure};
    use crate::format::{self, unix_seconds};
    use crate::freshness::Shown;
    use crate::i18n::{Key, Lang, t};
    use crate::map::Projection;
    use crate::pages::NotFound;
    use crate::ui::{
        CancelIcon, ClockIcon, EstimateIcon, LiveIcon, RouteBadge, css_color, route_href,
    };

    /// The map's viewBox: this wide, at most this tall (user units ≈ CSS px on a phone).
    pub(crate) const MAP_WIDTH: f64 = 400.0;
    pub(crate) const MAP_MAX_HEIGHT: f64 = 440.0;
    const MAP_MARGIN: f64 = 14.0;

    /// `(status, title, HTML)` of a page.
    pub(crate) async fn render(client: &Api, page: &Page, lang: Lang) -> (u16, String, String) {
        let app = crate::site_name(lang);
        let answer = match page {
            Page::Routes => routes(client, lang).await,
            Page::Route(id) => route(client, id, lang).await,
            Page::Network => crate::pages::network::render(client, lang).await,
            Page::Alerts => crate::pages::alerts::render(client, lang).await,
        };
        match answer {
            Ok((title, html)) => (200, format!("{title} · {app}"), html),
            Err(e) if e.is_not_found() => (
                404,
                format!("{} · {app}", t(lang, Key::NotFoundTitle)),
                view! { <NotFound/> }.to_html(),
            ),
            Err(e) => (
                if e.status >= 400 { e.status } else { 502 },
                app.to_owned(),
                view! {
                    <p class="notice" role="alert">{t(lang, Key::LoadError)}" "{e.message}</p>
                }
                .to_html(),
            ),
        }
    }

    async fn routes(client: &Api, lang: Lang) -> Result<(String, String), Failure> {
        let r = api::routes(client, lang).await?;
        let title = t(lang, Key::RoutesTitle);
        let list = if r.routes.is_empty() {
            view! { <p>{t(lang, Key::NoRoutes)}</p> }.into_any()
        } else {
            let items = r
                .routes
                .into_iter()
                .map(|route| {
                    view! {
                        <li>
                            <a class="route-item" href=route_href(&route.id) rel="external">
                                <RouteBadge short_name=route.short_name color=route.color text_color=route.text_color/>
                                <span class="route-name">{route.long_name}</span>
                                <span class="muted agency">{route.agency_name}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view();
            view! { <ul class="routes">{items}</ul> }.into_any()
        };
        let html = view! { <h1>{title}</h1>{list} }.to_html();
        Ok((title.to_owned(), html))
    }

    async fn route(client: &Api, id: &str, lang: Lang) -> Result<(String, String), Failure> {
        let detail = api::route(client, id, lang).await?;
        let arrivals = api::route_arrivals(client, id, lang).await?;
        let r = &detail.route;
        let title = format!("{} {}", r.short_name, r.long_name);
        let html = view! {
            <div class="route-head">
                <RouteBadge short_name=r.short_name.clone() color=r.color.clone() text_color=r.text_color.clone()/>
                <h1>{r.long_name.clone()}</h1>
            </div>
            <p class="muted">{r.agency_name.clone()}</p>
            {route_map(&detail, lang)}
            {vehicle_list(lang, &detail.vehicles)}
            {route_stops(lang, &arrivals)}
        }
        .to_html();
        Ok((title, html))
    }

    /// The route drawn from its shapes: its line, its stops (links to their boards), its
    /// buses; `data-projection` and `data-route` tell `live` how to move them.
    fn route_map(detail: &RouteDetail, lang: Lang) -> Option<impl IntoView + use<>> {
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
        let p = Projection::fit(points, MAP_WIDTH, MAP_MAX_HEIGHT, MAP_MARGIN)?;
        let color = css_color(&detail.route.color, "2b6cb0");
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
                Some(view! {
                    <g>
                        <a href=format!("/stops/{}", s.id) tabindex="-1">
                            <title>{s.name.clone()}</title>
                            <circle class="stop-dot" cx=x cy=y r="4"/>
                        </a>
                    </g>
                })
            })
            .collect_view();
        let label = format!(
            "{}: {} {}",
            t(lang, Key::RouteMapLabel),
            detail.route.short_name,
            detail.route.long_name
        );
        Some(view! {
            <figure class="map-figure">
                <svg
                    class="map"
                    viewBox=p.view_box()
                    role="group"
                    aria-label=label
                    data-projection=p.to_attr()
                    data-route=detail.route.id.clone()
                >
                    <g class="shapes">{shapes}</g>
                    <g class="stops">{stops}</g>
                    {markers(&p, lang, &detail.vehicles)}
                </svg>
                <figcaption class="muted">{t(lang, Key::MapLegend)}</figcaption>
            </figure>
        })
    }

    /// The vehicles' markers (see [`Projection::marker`]).
    pub(crate) fn markers(
        p: &Projection,
        lang: Lang,
        vehicles: &[Vehicle],
    ) -> impl IntoView + use<> {
        let html: String = vehicles
            .iter()
            .map(|v| p.marker(v, &vehicle_label(lang, v)))
            .collect();
        view! { <g class="vehicles" inner_html=html></g> }
    }

    /// The vehicles as a list: what the markers say, for those who do not see the map.
    fn vehicle_list(lang: Lang, vehicles: &[Vehicle]) -> impl IntoView + use<> {
        let list = if vehicles.is_empty() {
            view! { <p>{t(lang, Key::NoBusesNow)}</p> }.into_any()
        } else {
            let items = vehicles
                .iter()
                .map(|v| view! { <li>{vehicle_label(lang, v)}</li> })
                .collect_view();
            view! { <ul class="buses">{items}</ul> }.into_any()
        };
        view! {
            <section class="vehicle-list" aria-labelledby="buses-h">
                <h2 id="buses-h">{t(lang, Key::BusesNow)}</h2>
                {list}
            </section>
        }
    }

    /// Per direction, each stop with the route's next buses there.
    fn route_stops(lang: Lang, arrivals: &RouteArrivalsResponse) -> impl IntoView + use<> {
        let now = unix_seconds(&arrivals.now).unwrap_or_default();
        let directions = arrivals
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
                    .map(|s| stop_row(lang, s, now))
                    .collect_view();
                view! {
                    <section class="direction" aria-labelledby=format!("dir-{i}")>
                        <h3 id=format!("dir-{i}")>{heading}</h3>
                        <ol class="stop-list">{stops}</ol>
                    </section>
                }
            })
            .collect_view();
        view! {
            <section class="route-stops" aria-labelledby="stops-h" data-now=now>
                <h2 id="stops-h">{t(lang, Key::StopsAndArrivals)}</h2>
                {directions}
            </section>
        }
    }

    /// A stop of the list: its name (a link to its board) and the route's next buses there.
    fn stop_row(lang: Lang, s: &StopArrivals, now: i64) -> impl IntoView + use<> {
        let arrivals = if s.arrivals.is_empty() {
            view! { <p class="muted none">{t(lang, Key::NoArrivals)}</p> }.into_any()
        } else {
            let items = s
                .arrivals
                .iter()
                .map(|d| arrival(lang, d, now))
                .collect_view();
            view! { <ul class="arrivals">{items}</ul> }.into_any()
        };
        view! {
            <li class="route-stop">
                <a href=format!("/stops/{}", s.stop.id)>{s.stop.name.clone()}</a>
                {arrivals}
            </li>
        }
    }

    /// One coming bus: minutes (`data-at`: counted down by `live`), or its struck time when it
    /// will not come; live vs timetable by icon and word, as on the stop's board.
    fn arrival(lang: Lang, d: &Departure, now: i64) -> impl IntoView + use<> {
        // Live only from fresh data of this trip's bus: the one reading of every page.
        let (class, icon, word) = match crate::freshness::line(d, 0) {
            Shown::Live => ("live", view! { <LiveIcon/> }.into_any(), Key::Live),
            Shown::Estimate => (
                "estimate",
                view! { <EstimateIcon/> }.into_any(),
                Key::Estimate,
            ),
            Shown::Stale => (
                "stale",
                view! { <EstimateIcon/> }.into_any(),
                Key::StaleLine,
            ),
            Shown::Timetable => (
                "scheduled",
                view! { <ClockIcon/> }.into_any(),
                Key::Scheduled,
            ),
            Shown::Cancelled => (
                "cancelled",
                view! { <CancelIcon/> }.into_any(),
                Key::Cancelled,
            ),
            Shown::Skipped => ("skipped", view! { <CancelIcon/> }.into_any(), Key::Skipped),
        };
        let at = expected_time(d);
        let when = if matches!(
            d.status,
            DepartureStatus::Cancelled | DepartureStatus::Skipped
        ) {
            view! { <s>{format::clock(at).to_owned()}</s> }.into_any()
        } else {
            view! {
                <strong data-at=at.to_owned()>{format::countdown_text(lang, now, at)}</strong>
            }
            .into_any()
        };
        view! {
            <li class=format!("arrival {class}") data-status=class>
                {when}" "{icon}" "<span class="word">{t(lang, word)}</span>
            </li>
        }
    }

    /// When riders should expect the bus: predicted, else scheduled.
    fn expected_time(d: &Departure) -> &str {
        d.predicted_departure
            .as_deref()
            .or(d.predicted_arrival.as_deref())
            .unwrap_or(&d.scheduled_departure)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// The list of a route's stops as the server writes it: minutes to count down,
        /// cancelled struck, live and timetable by icon and word.
        #[test]
        fn arrivals_are_written_with_their_time_to_count_down_and_their_status_in_words() {
            let owner = Owner::new();
            owner.set();
            let json = r#"{"lang":"en","route_id":"bd:51","now":"2026-11-23T07:40:00+07:00",
                "to":"2026-11-23T09:40:00+07:00","realtime":"live","directions":[{"direction_id":0,
                "headsign":"EIU","stops":[{"stop":{"id":"bd:S1","name":"Hikari"},"arrivals":[
                {"trip_id":"bd:T1","service_date":"2026-11-23","route":{"id":"bd:51","short_name":"51",
                "long_name":"L","color":"009B4E","text_color":"FFFFFF"},"stop_id":"bd:S1",
                "stop_sequence":3,"scheduled_departure":"2026-11-23T07:45:00+07:00",
                "scheduled_arrival":"2026-11-23T07:45:00+07:00",
                "predicted_departure":"2026-11-23T07:47:10+07:00","status":"live","basis":"realtime"},
                {"trip_id":"bd:T2","service_date":"2026-11-23","route":{"id":"bd:51","short_name":"51",
                "long_name":"L","color":"009B4E","text_color":"FFFFFF"},"stop_id":"bd:S1",
                "stop_sequence":3,"scheduled_departure":"2026-11-23T07:55:00+07:00",
                "scheduled_arrival":"2026-11-23T07:55:00+07:00","status":"cancelled","basis":"agency"},
                {"trip_id":"bd:T3","service_date":"2026-11-23","route":{"id":"bd:51","short_name":"51",
                "long_name":"L","color":"009B4E","text_color":"FFFFFF"},"stop_id":"bd:S1",
                "stop_sequence":3,"scheduled_departure":"2026-11-23T08:05:00+07:00",
                "scheduled_arrival":"2026-11-23T08:05:00+07:00",
                "predicted_departure":"2026-11-23T08:07:00+07:00","status":"live","basis":"propagated"}
                ]},{"stop":{"id":"bd:S2","name":"EIU"},"arrivals":[]}]}]}"#;
            let arrivals: RouteArrivalsResponse = serde_json::from_str(json).expect("valid");
            let html = route_stops(Lang::En, &arrivals).to_html();
            assert!(html.contains("Towards EIU"), "{html}");
            assert!(
                html.contains(r#"<strong data-at="2026-11-23T07:47:10+07:00">7 min</strong>"#),
                "{html}"
            );
            assert!(html.contains("Live") && html.contains("<svg"), "{html}");
            assert!(
                html.contains("<s>07:55</s>") && html.contains("Cancelled"),
                "{html}"
            );
            // The bus's previous trip says when it comes: an estimate, not live.
            assert!(
                html.contains(r#"data-status="estimate""#) && html.contains("Estimate"),
                "{html}"
            );
            assert!(html.contains("No buses in the next 2 hours"), "{html}");
            assert!(html.contains(r#"href="/stops/bd:S2""#), "{html}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vehicle_is_said_with_its_route_label_and_next_stop() {
        let v: api_types::Vehicle = serde_json::from_str(
            r#"{"id":"bd:bus-17","label":"KAZE 17","lat":11.05,"lon":106.65,
                "route":{"id":"bd:51","short_name":"51","color":"009B4E","text_color":"FFFFFF"},
                "next_stop":{"id":"bd:S","name":"Hikari"},"at_stop":false,
                "timestamp":"2026-11-23T07:39:40+07:00","data_age_s":20,"off_route":false,
                "stuck":false,"layover":false}"#,
        )
        .expect("valid");
        assert_eq!(
            vehicle_label(Lang::En, &v),
            "Bus 51 · KAZE 17 · next stop Hikari"
        );
        let bare = api_types::Vehicle {
            label: None,
            route: None,
            next_stop: None,
            ..v
        };
        assert_eq!(vehicle_label(Lang::Vi, &bare), "Xe");
    }
}
