//! `/stops/{stop_id}`: the stop's live departure board. Rendered on the server with the board
//! of the moment (usable before, and without, the bundle); once hydrated, it follows the
//! board's Server-Sent Events (`/api/v1/stops/{id}/departures/stream`) and counts minutes down
//! by itself. An unknown stop is the not-found page with status 404.

use api_types::{Departure, DepartureStatus, DeparturesResponse};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::NotFound;
use crate::api::{self, Api};
use crate::favourites;
use crate::format::{self, unix_seconds};
use crate::freshness::{self, BoardData, Shown};
use crate::i18n::{Key, Lang, t};
use crate::ui::{RouteLink, WarningIcon, icon};
use crate::{use_hydrated, use_lang};

/// Sets the HTTP status of the page being rendered on the server (a no-op in the browser).
#[derive(Clone)]
pub(super) struct HttpStatus {
    #[cfg(feature = "ssr")]
    response: Option<leptos_axum::ResponseOptions>,
}

impl HttpStatus {
    pub(super) fn new() -> Self {
        HttpStatus {
            #[cfg(feature = "ssr")]
            response: use_context::<leptos_axum::ResponseOptions>(),
        }
    }

    pub(super) fn set(&self, code: u16) {
        #[cfg(feature = "ssr")]
        if let (Some(r), Ok(s)) = (&self.response, http::StatusCode::from_u16(code)) {
            r.set_status(s);
        }
        #[cfg(not(feature = "ssr"))]
        let _ = code;
    }
}

#[component]
pub fn StopPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let stop_id = Memo::new(move |_| params.read().get("stop_id").unwrap_or_default());
    let client = Api::new();
    let status = HttpStatus::new();
    // Keyed by the stop only: a language switch is followed by the board itself (its event
    // stream reopens in the new language), so the board is not torn down while its views
    // still react to the switch.
    let board = Resource::new_blocking(
        move || stop_id.get(),
        move |id| api::board(&client, &id, lang.get_untracked()),
    );
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t(lang.get_untracked(), Key::Loading)}</p> }>
            {move || {
                let status = status.clone();
                Suspend::new(async move {
                    match board.await {
                        Ok(initial) => view! { <Board initial/> }.into_any(),
                        Err(e) if e.is_not_found() => {
                            status.set(404);
                            view! { <NotFound/> }.into_any()
                        }
                        Err(e) => {
                            status.set(if e.status >= 400 { e.status } else { 502 });
                            view! {
                                <p class="notice" role="alert">
                                    {t(lang.get_untracked(), Key::LoadError)}" "{e.message}
                                </p>
                            }
                            .into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

/// The board of one stop: starts from the server's and follows its event stream.
#[component]
fn Board(initial: DeparturesResponse) -> impl IntoView {
    let lang = use_lang();
    let stop_id = initial.stop.id.clone();
    let stop_code = initial.stop.code.clone();
    // Stop display setup
    let stop_id_for_display = initial.stop.id.clone();
    // The server's now, in unix seconds: minutes are counted against it, never against a
    // phone clock that may be wrong.
    let now = RwSignal::new(unix_seconds(&initial.now).unwrap_or_default());
    let board = RwSignal::new(initial);
    // Board events received since the page loaded (also read by the end-to-end tests).
    let updates = RwSignal::new(0u32);
    let connected = RwSignal::new(true);
    #[cfg(feature = "hydrate")]
    follow(stop_id.clone(), lang, board, now, updates, connected);

    // How each line is shown as of now: the list is drawn again when one of them changes
    // (a line's data growing old), not at every tick.
    let shown = Memo::new(move |_| {
        let now = now.get();
        board.with(|b| lines_shown(b, now))
    });
    let name = move || board.with(|b| b.stop.name.clone());
    // A bay's own board names its bay once, here; a station's board names it on every line.
    let own_bay = move || board.with(|b| b.stop.bay.clone());
    let site = crate::use_site_name();
    view! {
        <Title text=move || format!("{} · {}", name(), site(lang.get()))/>
        <div class="stop-head">
            <h1>{name}</h1>
            <FavouriteStar id=stop_id name=Signal::derive(name)/>
        </div>
        {move || own_bay().map(|bay| view! { <p class="stop-bay">{format::bay(lang.get(), &bay)}</p> })}
        {stop_code.map(|code| view! {
            <p class="muted">{move || t(lang.get(), Key::StopCode)}": "{code.clone()}</p>
        })}
        // Stop display setup
        <p class="display-link">
            <a href=format!("/displays/new?stop={}", format::url_encode(&stop_id_for_display))>
                {move || t(lang.get(), Key::ShowOnDisplay)}
            </a>
        </p>
        {move || banner(lang.get(), &board.read(), now.get(), connected.get())}
        {move || alerts(lang.get(), &board.read())}
        <section class="board" aria-labelledby="board-h" data-updates=move || updates.get()>
            <h2 id="board-h">{move || t(lang.get(), Key::Departures)}</h2>
            // Announced when a new board comes; the age beside it grows with the clock.
            <p class="meta">
                <span aria-live="polite" aria-atomic="true">{move || updated(lang.get(), &board.read())}</span>
                {move || data_age(lang.get(), &board.read(), now.get())}
            </p>
            {move || {
                let lang = lang.get();
                let shown = shown.get();
                let b = board.read();
                let bays = b.stop.bay.is_none();
                if b.departures.is_empty() {
                    view! { <p>{t(lang, Key::NoDepartures)}</p> }.into_any()
                } else {
                    view! {
                        <ol class="departures">
                            {b.departures.iter().zip(shown).map(|(d, shown)| row(lang, d.clone(), now, shown, bays)).collect_view()}
                        </ol>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

/// Opens the board's event stream (again when the language changes: its first event is the
/// board in that language) and ticks the clock, for as long as the board is shown.
#[cfg(feature = "hydrate")]
fn follow(
    stop_id: String,
    lang: RwSignal<Lang>,
    board: RwSignal<DeparturesResponse>,
    now: RwSignal<i64>,
    updates: RwSignal<u32>,
    connected: RwSignal<bool>,
) {
    use crate::browser::{EventStream, now_seconds};
    Effect::new(move |_| {
        let lang = lang.get();
        // The server's clock minus ours, from the last board.
        let skew = std::rc::Rc::new(std::cell::Cell::new(
            unix_seconds(&board.get_untracked().now).unwrap_or_default() as f64 - now_seconds(),
        ));
        let on_board = {
            let skew = skew.clone();
            move |data: String| {
                let Ok(next) = serde_json::from_str::<DeparturesResponse>(&data) else {
                    return;
                };
                // `try_`: an event may arrive while the board is being taken down.
                if let Some(server_now) = unix_seconds(&next.now) {
                    skew.set(server_now as f64 - now_seconds());
                    now.try_set(server_now);
                }
                board.try_set(next);
                updates.try_update(|n| *n += 1);
            }
        };
        let url = api::board_stream_url(&stop_id, lang);
        let stream = EventStream::open(&url, "board", on_board, move |ok| {
            connected.try_set(ok);
        });
        let tick = set_interval_with_handle(
            move || {
                now.try_set((now_seconds() + skew.get()) as i64);
            },
            std::time::Duration::from_secs(10),
        )
        .ok();
        let held = send_wrapper::SendWrapper::new(stream);
        on_cleanup(move || {
            drop(held);
            if let Some(tick) = tick {
                tick.clear();
            }
        });
    });
}

/// What riders should expect: the prediction when there is one, else the timetable.
fn expected(d: &Departure) -> &str {
    d.predicted_departure
        .as_deref()
        .unwrap_or(&d.scheduled_departure)
}

/// How each line of `b` is shown as of `now` ([`freshness::line`]).
fn lines_shown(b: &DeparturesResponse, now: i64) -> Vec<Shown> {
    let elapsed = freshness::elapsed(b, now);
    b.departures
        .iter()
        .map(|d| freshness::line(d, elapsed))
        .collect()
}

/// One line of the board, its time `shown` as [`lines_shown`] says; `bays`: name the bay (a
/// station's board).
fn row(lang: Lang, d: Departure, now: RwSignal<i64>, shown: Shown, bays: bool) -> impl IntoView {
    let status = match d.status {
        DepartureStatus::Live => "live",
        DepartureStatus::Scheduled => "scheduled",
        DepartureStatus::Cancelled => "cancelled",
        DepartureStatus::Skipped => "skipped",
    };
    let gone = matches!(
        d.status,
        DepartureStatus::Cancelled | DepartureStatus::Skipped
    );
    let at = expected(&d).to_owned();
    let clock = format::clock(&at).to_owned();
    let when = if gone {
        // Not coming: the scheduled time, struck through, and no countdown.
        view! { <s class="when">{clock.clone()}</s> }.into_any()
    } else {
        let at = at.clone();
        let interval = d.earliest_arrival.clone().zip(d.latest_arrival.clone());
        // The uncertainty as a range where it is wide.
        let text = move || {
            let now = now.get();
            interval
                .as_ref()
                .and_then(|(lo, hi)| format::countdown_range(lang, now, lo, hi))
                .unwrap_or_else(|| format::countdown_text(lang, now, &at))
        };
        view! {
            <span class="when">
                <strong>{text}</strong>
                <span class="muted">" "{clock.clone()}</span>
            </span>
        }
        .into_any()
    };
    // One drawing and one word per reading (an icon and a word, not colour alone).
    let (drawing, word) = match shown {
        Shown::Live => (icon::LIVE, Key::Live),
        Shown::Estimate => (icon::ESTIMATE, Key::Estimate),
        Shown::Stale => (icon::ESTIMATE, Key::StaleLine),
        Shown::Timetable => (icon::CLOCK, Key::Scheduled),
        Shown::Cancelled => (icon::CANCEL, Key::Cancelled),
        Shown::Skipped => (icon::CANCEL, Key::Skipped),
    };
    let headsign = d
        .headsign
        .clone()
        .unwrap_or_else(|| d.route.long_name.clone());
    let headway = d
        .headway
        .filter(|h| !h.exact_times)
        .map(|h| format::headway(lang, h.headway_secs));
    let delay = (d.status == DepartureStatus::Live)
        .then(|| d.delay_s.and_then(|s| format::delay(lang, s)))
        .flatten();
    let bay = d
        .bay
        .as_deref()
        .filter(|_| bays)
        .map(|b| format::bay(lang, b));
    let class = format!("departure {}", shown_class(shown));
    view! {
        <li class=class data-status=status>
            <RouteLink id=d.route.id short_name=d.route.short_name color=d.route.color text_color=d.route.text_color/>
            <span class="headsign">{headsign}</span>
            {when}
            <span class="status">
                <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false" inner_html=drawing></svg>
                " "{t(lang, word)}{delay.map(|d| format!(" · {d}"))}
            </span>
            {bay.map(|b| view! { <span class="bay">{b}</span> })}
            {headway.map(|h| view! { <span class="headway">{h}</span> })}
        </li>
    }
}

/// The row's class: how its time is shown (the colour of its label follows).
fn shown_class(shown: Shown) -> &'static str {
    match shown {
        Shown::Live => "live",
        Shown::Estimate => "estimate",
        Shown::Stale => "stale",
        Shown::Timetable => "scheduled",
        Shown::Cancelled => "cancelled",
        Shown::Skipped => "skipped",
    }
}

/// Degraded, timetable-only, stale or disconnected: said in words above the board, from
/// the same reading of the board ([`freshness::board`]) as the age beside "updated" and the
/// rows' labels.
fn banner(lang: Lang, b: &DeparturesResponse, now: i64, connected: bool) -> impl IntoView + use<> {
    let mut lines: Vec<String> = Vec::new();
    if !connected {
        lines.push(t(lang, Key::ConnectionLost).to_owned());
    }
    match freshness::board(b, now) {
        BoardData::Degraded => lines.push(t(lang, Key::DegradedBanner).to_owned()),
        BoardData::Unavailable => lines.push(t(lang, Key::UnavailableBanner).to_owned()),
        BoardData::Old { age } => lines.push(format!(
            "{}: {}",
            t(lang, Key::StaleBanner),
            format::age(lang, age)
        )),
        BoardData::Live { .. } => {}
    }
    (!lines.is_empty()).then(|| {
        view! {
            <div class="banner" role="status">
                <WarningIcon/>
                <div>{lines.into_iter().map(|l| view! { <p>{l}</p> }).collect_view()}</div>
            </div>
        }
    })
}

/// "Updated at": when the board was made (the live region's text: it changes with the board).
fn updated(lang: Lang, b: &DeparturesResponse) -> String {
    format!(
        "{} {}",
        t(lang, Key::UpdatedAt),
        format::clock_seconds(&b.now)
    )
}

/// The age of the bus positions as of `now`: the banner's, grown with the clock.
fn data_age(lang: Lang, b: &DeparturesResponse, now: i64) -> Option<String> {
    let age = freshness::board(b, now).age()?;
    Some(format!(" · {}", format::positions_age(lang, age)))
}

fn alerts(lang: Lang, b: &DeparturesResponse) -> impl IntoView + use<> {
    (!b.alerts.is_empty()).then(|| {
        let items = b
            .alerts
            .iter()
            .map(|a| {
                let class = format!("alert sev-{}", a.severity);
                let (header, description) = (a.header.clone(), a.description.clone());
                view! {
                    <li class=class>
                        <WarningIcon/>
                        <div>
                            <strong>{header}</strong>
                            {description.map(|d| view! { <p>{d}</p> })}
                        </div>
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="alerts" aria-labelledby="alerts-h">
                <h2 id="alerts-h">{t(lang, Key::Alerts)}</h2>
                <ul>{items}</ul>
            </section>
        }
    })
}

/// The star that keeps this stop in the browser's favourites (shown once hydrated).
#[component]
fn FavouriteStar(id: String, name: Signal<String>) -> impl IntoView {
    let lang = use_lang();
    let hydrated = use_hydrated();
    let starred = RwSignal::new(false);
    let check_id = id.clone();
    Effect::new(move |_| starred.set(favourites::contains(&favourites::load(), &check_id)));
    let toggle = move |_| {
        let list = favourites::toggle(favourites::load(), &id, &name.get_untracked());
        favourites::save(&list);
        starred.set(favourites::contains(&list, &id));
    };
    view! {
        <Show when=move || hydrated.get()>
            <button
                type="button"
                class="star"
                aria-pressed=move || if starred.get() { "true" } else { "false" }
                on:click=toggle.clone()
            >
                <span aria-hidden="true">{move || if starred.get() { "★ " } else { "☆ " }}</span>
                {move || t(lang.get(), if starred.get() { Key::RemoveFavourite } else { Key::AddFavourite })}
            </button>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use api_types::RealtimeStatus;

    fn departure(status: DepartureStatus, age: Option<i64>) -> Departure {
        Departure {
            trip_id: "bd:T1".to_owned(),
            service_date: "2026-11-23".to_owned(),
            route: api_types::RouteRef {
                id: "bd:51".to_owned(),
                short_name: "51".to_owned(),
                long_name: "Becamex Tower – Hikari".to_owned(),
                color: "0A7D3B".to_owned(),
                text_color: "FFFFFF".to_owned(),
            },
            headsign: None,
            stop_id: "bd:S".to_owned(),
            bay: None,
            stop_sequence: 3,
            scheduled_departure: "2026-11-23T07:05:00+07:00".to_owned(),
            scheduled_arrival: "2026-11-23T07:05:00+07:00".to_owned(),
            predicted_departure: age.map(|_| "2026-11-23T07:07:00+07:00".to_owned()),
            predicted_arrival: None,
            status,
            basis: api_types::Basis::Realtime,
            vehicle_id: None,
            data_age_s: age,
            delay_s: None,
            uncertainty_s: None,
            freshness: None,
            earliest_arrival: None,
            latest_arrival: None,
            headway: None,
            wheelchair_accessible: None,
        }
    }

    fn board(departures: Vec<Departure>) -> DeparturesResponse {
        DeparturesResponse {
            stop: api_types::StopRef {
                id: "bd:S".to_owned(),
                code: None,
                name: "Hikari".to_owned(),
                lat: None,
                lon: None,
                parent_station: None,
                wheelchair_boarding: None,
                bay: None,
            },
            now: "2026-11-23T07:00:00+07:00".to_owned(),
            from: "2026-11-23T07:00:00+07:00".to_owned(),
            to: "2026-11-23T08:00:00+07:00".to_owned(),
            time_zone: "Asia/Ho_Chi_Minh".to_owned(),
            lang: "vi".to_owned(),
            realtime: RealtimeStatus::Live,
            departures,
            alerts: Vec::new(),
        }
    }

    #[test]
    fn the_data_age_is_the_freshest_live_departures_and_grows_with_time() {
        let b = board(vec![
            departure(DepartureStatus::Live, Some(40)),
            departure(DepartureStatus::Live, Some(12)),
            departure(DepartureStatus::Scheduled, None),
        ]);
        let board_now = unix_seconds(&b.now).expect("valid");
        let age = |b: &DeparturesResponse, now| freshness::board(b, now).age();
        assert_eq!(age(&b, board_now), Some(12));
        assert_eq!(age(&b, board_now + 100), Some(112));
        assert_eq!(
            age(
                &board(vec![departure(DepartureStatus::Scheduled, None)]),
                board_now
            ),
            None
        );
        assert_eq!(updated(Lang::En, &b), "Updated at 07:00:00");
        assert_eq!(
            data_age(Lang::En, &b, board_now).as_deref(),
            Some(" · Bus positions from 12 s ago")
        );
        assert_eq!(expected(&b.departures[0]), "2026-11-23T07:07:00+07:00");
        assert_eq!(expected(&b.departures[2]), "2026-11-23T07:05:00+07:00");
    }

    /// one_truth_about_staleness: 97 s after a board whose freshest bus was 8 s old, the
    /// banner, the age beside "updated" and every row say the same: old (the board once said
    /// "Live data is old: 105 s" above "Bus positions from 8 s ago" and green "Live" rows).
    #[cfg(feature = "ssr")]
    #[test]
    fn banner_age_line_and_rows_agree_when_the_data_gets_old() {
        let owner = Owner::new();
        owner.set();
        let b = board(vec![
            departure(DepartureStatus::Live, Some(8)),
            departure(DepartureStatus::Live, Some(30)),
        ]);
        let made = unix_seconds(&b.now).expect("valid");
        let later = made + 97;
        let banner = banner(Lang::En, &b, later, true).to_html();
        assert!(banner.contains("Live data is old: 105 s"), "{banner}");
        assert_eq!(
            data_age(Lang::En, &b, later).as_deref(),
            Some(" · Bus positions from 105 s ago")
        );
        let now = RwSignal::new(later);
        for (d, shown) in b.departures.iter().zip(lines_shown(&b, later)) {
            let html = row(Lang::En, d.clone(), now, shown, true).to_html();
            assert!(html.contains("Estimate, old data"), "{html}");
            assert!(
                !html.contains(">Live<") && html.contains("departure stale"),
                "{html}"
            );
        }
        // Fresh again: no banner, live rows.
        now.set(made + 5);
        assert!(!banner_html(&b, made + 5).contains("banner"));
        let shown = lines_shown(&b, made + 5)[0];
        let html = row(Lang::En, b.departures[0].clone(), now, shown, true).to_html();
        assert!(
            html.contains("departure live") && html.contains("Live"),
            "{html}"
        );
    }

    #[cfg(feature = "ssr")]
    fn banner_html(b: &DeparturesResponse, now: i64) -> String {
        banner(Lang::En, b, now, true).to_html()
    }

    /// A line predicted from the bus's previous trip is an estimate; a wide interval is a
    /// range; a station's line names its bay.
    #[cfg(feature = "ssr")]
    #[test]
    fn previous_trip_lines_are_estimates_wide_intervals_ranges_and_bays_named() {
        let owner = Owner::new();
        owner.set();
        let made = unix_seconds("2026-11-23T07:00:00+07:00").expect("valid");
        let now = RwSignal::new(made);
        let mut d = departure(DepartureStatus::Live, Some(10));
        d.basis = api_types::Basis::Propagated;
        d.bay = Some("3".to_owned());
        d.earliest_arrival = Some("2026-11-23T07:05:00+07:00".to_owned());
        d.latest_arrival = Some("2026-11-23T07:11:00+07:00".to_owned());
        let shown = freshness::line(&d, 0);
        let html = row(Lang::Vi, d.clone(), now, shown, true).to_html();
        assert!(
            html.contains("Ước tính") && !html.contains("Trực tiếp"),
            "{html}"
        );
        assert!(html.contains("5–11 phút"), "{html}");
        assert!(html.contains(r#"<span class="bay">Bến 3</span>"#), "{html}");
        let own_board = row(Lang::Vi, d, now, shown, false).to_html();
        assert!(
            !own_board.contains("Bến 3"),
            "a bay's own board names it once: {own_board}"
        );
    }

    /// Renders rows to HTML, as the server does (needs `ssr`: `cargo test --workspace` or
    /// `-p frontend --features ssr`).
    #[cfg(feature = "ssr")]
    #[test]
    fn cancelled_trips_are_struck_and_said_live_and_timetable_by_icon_and_word() {
        let owner = Owner::new();
        owner.set();
        let now = RwSignal::new(unix_seconds("2026-11-23T07:00:00+07:00").expect("valid"));
        let html = |d: Departure| {
            let shown = freshness::line(&d, 0);
            row(Lang::Vi, d, now, shown, true).to_html()
        };
        let cancelled = html(departure(DepartureStatus::Cancelled, None));
        assert!(
            cancelled.contains(r#"<s class="when">07:05</s>"#),
            "{cancelled}"
        );
        assert!(cancelled.contains("Đã hủy"), "{cancelled}");
        assert!(
            !cancelled.contains("phút"),
            "no countdown for a bus that will not come"
        );
        let live = html(departure(DepartureStatus::Live, Some(10)));
        assert!(
            live.contains("7 phút") && live.contains("Trực tiếp"),
            "{live}"
        );
        assert!(live.contains("<svg"), "an icon, not colour alone: {live}");
        let mut frequent = departure(DepartureStatus::Scheduled, None);
        frequent.headway = Some(api_types::Headway {
            headway_secs: 480,
            exact_times: false,
        });
        let frequent = html(frequent);
        assert!(
            frequent.contains("Theo lịch") && frequent.contains("8 phút một chuyến"),
            "{frequent}"
        );
    }

    /// The banner says in words when the times are not live, or live but old.
    #[cfg(feature = "ssr")]
    #[test]
    fn degraded_timetable_only_stale_and_disconnected_boards_say_so() {
        let owner = Owner::new();
        owner.set();
        let live = board(vec![departure(DepartureStatus::Live, Some(30))]);
        let now = unix_seconds(&live.now).expect("valid");
        let html = |b: &DeparturesResponse, now: i64, connected: bool| {
            banner(Lang::En, b, now, connected).to_html()
        };
        assert!(
            !html(&live, now, true).contains("banner"),
            "fresh live data: no banner"
        );
        let stale = html(&live, now + 120, true);
        assert!(stale.contains("Live data is old: 2 min"), "{stale}");
        let degraded = DeparturesResponse {
            realtime: RealtimeStatus::Degraded,
            ..live.clone()
        };
        assert!(html(&degraded, now, true).contains("showing the timetable"));
        let unavailable = DeparturesResponse {
            realtime: RealtimeStatus::Unavailable,
            ..live.clone()
        };
        assert!(html(&unavailable, now, true).contains("No live data for this stop"));
        assert!(html(&live, now, false).contains("Connection lost"));
    }
}
