//! `GET /api/v1/stops/{stop_id}/departures`: the stop's departure board.
//!
//! Query parameters: `from` (RFC 3339, default now), `minutes` (window length, default 60,
//! 1–1440), `limit` (default 100, 1–1000), `lang` (else `Accept-Language`, else the feed's
//! language). A station id covers all its platforms.
//!
//! Realtime comes from the published snapshot, used only when it was computed against the
//! schedule being served. Each scheduled call is matched to its trip instance's prediction:
//! a live call gets predicted times, basis, vehicle, data age, delay and uncertainty; a
//! cancelled trip or skipped stop stays listed at its scheduled time with that status; a call
//! the vehicle has already made is dropped. The board keeps the departures *expected* in the
//! window and sorts them by expected time: calls predicted into the window from outside it
//! (a late bus scheduled before `from`, an early one after `to`) are found by scanning the
//! snapshot's predictions at this stop, so no margin has to be guessed. When every realtime
//! source of the feed has failed (`degraded`), the board is the timetable (plus announced
//! cancellations) and says so in `realtime`.

use api_types::{
    Basis, Departure, DepartureStatus, DeparturesResponse, GlobalId, Headway, RealtimeStatus,
    RouteRef, StopRef,
};
use axum::extract::{Path, State};
use rustc_hash::FxHashSet;
use serde::Deserialize;

use super::error::{ApiError, Query};
// Not axum's: the same response, serialized into a `Vec` (see `json`).
use super::json::Json;
use crate::predict::{FeedSnapshot, StopPrediction, TripPrediction, TripStatus};
use crate::realtime::TripInstance;
use crate::schedule::time::{format_date, format_rfc3339};
use crate::schedule::{Availability, Call, RouteIdx, Schedule, StopIdx};
use crate::state::AppState;

const DEFAULT_MINUTES: u32 = 60;
const MAX_MINUTES: u32 = 24 * 60;
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Params {
    /// Start of the window, RFC 3339 (e.g. `2026-11-23T07:00:00+07:00`); default now.
    #[param(format = DateTime)]
    from: Option<String>,
    /// Length of the window in minutes, 1 to 1440 (default 60).
    #[param(minimum = 1, maximum = 1440)]
    minutes: Option<u32>,
    /// Most departures to return, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
    /// Language of names: `vi`, `en` or `ja`; default from `Accept-Language`, else the feed's.
    lang: Option<String>,
}

/// The departure board of a stop (a station covers its platforms): departures expected in the
/// window, timetable merged with realtime predictions, sorted by expected time.
#[utoipa::path(
    get,
    path = "/stops/{stop_id}/departures",
    tag = "departures",
    params(("stop_id" = String, Path, description = "Global stop id, `feed:stop_id`"), Params),
    responses(
        (status = 200, description = "The board", body = DeparturesResponse),
        (status = 400, description = "Invalid parameter", body = api_types::ErrorBody),
        (status = 404, description = "No such stop", body = api_types::ErrorBody),
    ),
)]
pub async fn departures(
    State(state): State<AppState>,
    Path(stop_id): Path<String>,
    headers: axum::http::HeaderMap,
    Query(params): Query<Params>,
) -> Result<Json<DeparturesResponse>, ApiError> {
    departures_now(&state, &stop_id, &headers, &params).map(Json)
}

/// `GET /api/v1/stops/{stop_id}/departures/stream`: the same board as Server-Sent Events.
/// The current board is sent at once (so a client that reconnects has it), then again each
/// time its departures, realtime state or alerts change (checked every [`STREAM_CHECK`]); comments
/// keep idle connections alive. The parameters are those of the board; a bad one or an unknown
/// stop is refused before the stream starts, as a JSON error.
#[utoipa::path(
    get,
    path = "/stops/{stop_id}/departures/stream",
    tag = "departures",
    params(("stop_id" = String, Path, description = "Global stop id, `feed:stop_id`"), Params),
    responses(
        (status = 200, description = "Server-Sent Events: `board` events whose data is a \
            `DeparturesResponse` (JSON), sent at once and whenever the board changes",
            content_type = "text/event-stream", body = String),
        (status = 400, description = "Invalid parameter", body = api_types::ErrorBody),
        (status = 404, description = "No such stop", body = api_types::ErrorBody),
    ),
)]
pub async fn departures_stream(
    State(state): State<AppState>,
    Path(stop_id): Path<String>,
    headers: axum::http::HeaderMap,
    Query(params): Query<Params>,
) -> Result<
    axum::response::sse::Sse<
        impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
    >,
    ApiError,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let first = departures_now(&state, &stop_id, &headers, &params)?;
    struct Stream {
        state: AppState,
        stop_id: String,
        headers: axum::http::HeaderMap,
        params: Params,
        pending: Option<DeparturesResponse>,
        shown: String,
    }
    let start = Stream {
        state,
        stop_id,
        headers,
        params,
        pending: Some(first),
        shown: String::new(),
    };
    let events = futures_util::stream::unfold(start, |mut s| async move {
        loop {
            let board = match s.pending.take() {
                Some(board) => board,
                None => {
                    tokio::time::sleep(STREAM_CHECK).await;
                    match departures_now(&s.state, &s.stop_id, &s.headers, &s.params) {
                        Ok(board) => board,
                        // The stop vanished with a new schedule: end the stream.
                        Err(_) => return None,
                    }
                }
            };
            // What riders see changed? (`now` changes every second and does not count.)
            let seen = serde_json::to_string(&(&board.departures, &board.realtime, &board.alerts))
                .unwrap_or_default();
            if seen == s.shown {
                continue;
            }
            s.shown = seen;
            let event = Event::default()
                .event("board")
                .json_data(&board)
                .unwrap_or_else(|_| Event::default().event("board"));
            return Some((Ok(event), s));
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// How often a stream checks whether its board changed.
const STREAM_CHECK: std::time::Duration = std::time::Duration::from_secs(2);

/// The board of `stop_id` as of now.
fn departures_now(
    state: &AppState,
    stop_id: &str,
    headers: &axum::http::HeaderMap,
    params: &Params,
) -> Result<DeparturesResponse, ApiError> {
    let catalog = state.catalog.load();
    let (schedule, stop) = catalog
        .resolve_stop(stop_id)
        .ok_or_else(|| ApiError::stop_not_found(stop_id))?;
    let now = state.clock.now().as_second();
    let from = match &params.from {
        Some(text) => text
            .parse::<jiff::Timestamp>()
            .map_err(|e| {
                ApiError::invalid_parameter(
                    "from",
                    format!("{e}; give an RFC 3339 time such as 2026-11-23T07:00:00+07:00"),
                )
            })?
            .as_second(),
        None => now,
    };
    let minutes = params.minutes.unwrap_or(DEFAULT_MINUTES);
    if !(1..=MAX_MINUTES).contains(&minutes) {
        return Err(ApiError::invalid_parameter(
            "minutes",
            format!("{minutes} is out of range; use 1 to {MAX_MINUTES}"),
        ));
    }
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_parameter(
            "limit",
            format!("{limit} is out of range; use 1 to {MAX_LIMIT}"),
        ));
    }
    let lang = super::lang::requested(params.lang.as_deref(), headers)
        .or_else(|| schedule.lang.as_deref().map(str::to_owned))
        .unwrap_or_else(|| "en".to_owned());
    let to = from + i64::from(minutes) * 60;
    let realtime = state.realtime.load();
    let query = BoardQuery {
        stop,
        more_stops: &[],
        routes: None,
        now,
        from,
        to,
        lang: &lang,
        limit,
        arrivals: false,
    };
    Ok(board(schedule, realtime.for_schedule(schedule), &query))
}

/// What one board shows: stops of one schedule, a window, a language, at most `limit` lines.
#[derive(Debug, Clone, Copy)]
pub struct BoardQuery<'a> {
    /// The stop the board is named after; a station covers its platforms.
    pub stop: StopIdx,
    /// Further stops merged into the same board (signage for several stops at once).
    pub more_stops: &'a [StopIdx],
    /// Only these routes, when given.
    pub routes: Option<&'a [RouteIdx]>,
    pub now: i64,
    pub from: i64,
    pub to: i64,
    pub lang: &'a str,
    pub limit: usize,
    /// Also the calls where riders cannot board (a trip's last stop, `pickup_type=1`):
    /// OneBusAway lists arrivals as well as departures.
    pub arrivals: bool,
}

/// The board view model, from one schedule and the realtime computed against it (if any):
/// the one place the timetable and predictions are merged, for the JSON API, signage and the
/// display page alike.
pub fn board(s: &Schedule, rt: Option<&FeedSnapshot>, q: &BoardQuery<'_>) -> DeparturesResponse {
    let BoardQuery {
        now,
        from,
        to,
        lang,
        ..
    } = *q;
    let stops = board_stops(s, q);
    let lines = lines_at(s, rt, q, &stops);
    let trips = lines.iter().map(|l| l.call.trip);
    let alerts = super::alerts::for_board(s, rt, &stops, trips, now, to, lang);
    DeparturesResponse {
        stop: stop_ref(s, q.stop, lang),
        now: format_rfc3339(now, &s.timezone),
        from: format_rfc3339(from, &s.timezone),
        to: format_rfc3339(to, &s.timezone),
        time_zone: s.timezone_name.to_string(),
        lang: lang.to_owned(),
        realtime: realtime_status(rt),
        departures: lines
            .iter()
            .map(|l| departure(s, rt, l, now, lang))
            .collect(),
        alerts,
    }
}

/// The lines of the board of `q`, in the order shown (expected time): the timetable merged
/// with realtime, before they are rendered (the board's JSON, OneBusAway's arrivals).
pub fn lines<'a>(s: &Schedule, rt: Option<&'a FeedSnapshot>, q: &BoardQuery<'_>) -> Vec<Line<'a>> {
    lines_at(s, rt, q, &board_stops(s, q))
}

/// [`lines`], for the board's stops ([`board_stops`]) already listed.
fn lines_at<'a>(
    s: &Schedule,
    rt: Option<&'a FeedSnapshot>,
    q: &BoardQuery<'_>,
    stops: &[StopIdx],
) -> Vec<Line<'a>> {
    let BoardQuery {
        from, to, limit, ..
    } = *q;
    let mut calls = if q.arrivals {
        s.calls(stops, from, to)
    } else {
        s.departures(stops, from, to)
    };
    let live = rt.filter(|fs| !fs.degraded);
    if let Some(fs) = live {
        let moved_in = predicted_into_window(s, fs, stops, from, to, &calls, q.arrivals);
        calls.extend(moved_in);
    }
    if let Some(routes) = q.routes {
        calls.retain(|c| routes.contains(&s.trip(c.trip).route));
    }
    let mut lines: Vec<Line<'_>> = calls
        .iter()
        .filter_map(|c| line(rt, c))
        .filter(|l| (from..to).contains(&l.expected))
        .collect();
    drop_nominal_runs_of_live_headway_trips(s, &mut lines);
    lines.sort_by_key(|l| (l.expected, l.call.departure, l.call.trip, l.call.stop_time));
    lines.truncate(limit);
    lines
}

/// How far ahead [`route_arrivals`] looks.
pub const ROUTE_ARRIVALS_WINDOW_S: i64 = 2 * 60 * 60;

/// The next arrivals along route `r`: per direction (the patterns of
/// [`super::network::direction_patterns`]), each stop with the route's next `per_stop` buses
/// there in that direction, within [`ROUTE_ARRIVALS_WINDOW_S`]. Each stop's lines are those of
/// its board ([`lines`]) limited to the route, arrivals at a trip's last stop included, so a
/// stop shows the same times here as on its own board.
pub fn route_arrivals(
    s: &Schedule,
    rt: Option<&FeedSnapshot>,
    r: RouteIdx,
    now: i64,
    lang: &str,
    per_stop: usize,
) -> api_types::RouteArrivalsResponse {
    let to = now + ROUTE_ARRIVALS_WINDOW_S;
    let routes = [r];
    let directions = super::network::direction_patterns(s, r)
        .into_iter()
        .map(|(direction, pattern, first)| {
            let stops = pattern
                .iter()
                .enumerate()
                .map(|(k, &stop)| {
                    // A stop the pattern visits twice (a loop's terminal: KAZE 67 leaves from
                    // and returns to Hikari) has a row per visit, and each row shows its own
                    // calls: the departures on the first, the arrivals on the last.
                    let visits = pattern.iter().filter(|&&p| p == stop).count();
                    let visit = pattern[..k].iter().filter(|&&p| p == stop).count();
                    let q = BoardQuery {
                        stop,
                        more_stops: &[],
                        routes: Some(&routes),
                        now,
                        from: now,
                        to,
                        lang,
                        limit: usize::MAX,
                        arrivals: true,
                    };
                    let arrivals = lines_at(s, rt, &q, &[stop])
                        .iter()
                        .filter(|l| super::network::direction_id(s, l.call.trip) == direction)
                        .filter(|l| visits == 1 || visit_of(s, l.call.stop_time) == visit)
                        .take(per_stop)
                        .map(|l| departure(s, rt, l, now, lang))
                        .collect();
                    api_types::StopArrivals {
                        stop: stop_ref(s, stop, lang),
                        arrivals,
                    }
                })
                .collect();
            api_types::DirectionArrivals {
                direction_id: direction,
                headsign: super::network::headsign(s, first, lang),
                stops,
            }
        })
        .collect();
    api_types::RouteArrivalsResponse {
        lang: lang.to_owned(),
        route_id: global(s, &s.route(r).id),
        now: format_rfc3339(now, &s.timezone),
        to: format_rfc3339(to, &s.timezone),
        realtime: realtime_status(rt),
        directions,
    }
}

/// Which visit of its trip to its stop a call is: 0 for the first, 1 for a loop's return…
fn visit_of(s: &Schedule, stop_time: u32) -> usize {
    let Some(st) = s.stop_times.get(stop_time as usize) else {
        return 0;
    };
    let start = s.trip(st.trip).stop_times.start;
    s.stop_times[start as usize..stop_time as usize]
        .iter()
        .filter(|e| e.stop == st.stop)
        .count()
}

/// Whether a board's times include realtime.
fn realtime_status(rt: Option<&FeedSnapshot>) -> RealtimeStatus {
    match rt {
        None => RealtimeStatus::Unavailable,
        Some(fs) if fs.degraded => RealtimeStatus::Degraded,
        Some(_) => RealtimeStatus::Live,
    }
}

/// The stops a board covers: its stops, and the platforms of its stations.
fn board_stops(s: &Schedule, q: &BoardQuery<'_>) -> Vec<StopIdx> {
    let mut stops: Vec<StopIdx> = Vec::new();
    for &stop in std::iter::once(&q.stop).chain(q.more_stops) {
        for idx in s.stop_and_children(stop) {
            if !stops.contains(&idx) {
                stops.push(idx);
            }
        }
    }
    stops
}

/// One call with what realtime says about it: a line of a board, a stop of a trip.
pub struct Line<'a> {
    pub call: Call,
    /// When riders should expect the bus (unix seconds): the predicted departure when there
    /// is one, else the scheduled one.
    pub expected: i64,
    pub status: DepartureStatus,
    pub basis: Basis,
    /// The prediction of the trip, when it decides the status.
    pub trip: Option<&'a TripPrediction>,
    /// The call's prediction, times made publishable (see [`crate::predict::publishable`]), for live
    /// lines.
    pub predicted: Option<StopPrediction>,
}

/// What realtime makes of a scheduled call; `None` when the vehicle has already passed it.
/// The one reading of the snapshot for a call, shared by boards, trip details and OneBusAway.
pub fn line<'a>(rt: Option<&'a FeedSnapshot>, call: &Call) -> Option<Line<'a>> {
    let scheduled = Line {
        call: *call,
        expected: call.departure,
        status: DepartureStatus::Scheduled,
        basis: Basis::Scheduled,
        trip: None,
        predicted: None,
    };
    let Some(fs) = rt else {
        return Some(scheduled);
    };
    let instance = TripInstance {
        trip: call.trip,
        service_date: call.service_date,
        start: call.frequency.map(|(_, start)| start),
    };
    let Some(position) = fs.trip_position(&instance) else {
        return Some(scheduled);
    };
    let tp = &fs.trips[position];
    match tp.status {
        TripStatus::Cancelled => {
            return Some(Line {
                status: DepartureStatus::Cancelled,
                basis: Basis::Agency,
                trip: Some(tp),
                ..scheduled
            });
        }
        // Old news from dead sources: the timetable, labelled at the board level.
        TripStatus::Live if fs.degraded => return Some(scheduled),
        TripStatus::Live => {}
    }
    // Calls already made are left out of a live prediction: the bus has gone.
    let sp = *fs
        .published(position)
        .iter()
        .find(|sp| sp.stop_time == call.stop_time)?;
    if sp.skipped {
        return Some(Line {
            status: DepartureStatus::Skipped,
            basis: basis(sp.basis),
            trip: Some(tp),
            ..scheduled
        });
    }
    match sp.departure.or(sp.arrival) {
        Some(expected) => Some(Line {
            expected,
            status: DepartureStatus::Live,
            basis: basis(sp.basis),
            trip: Some(tp),
            predicted: Some(sp),
            ..scheduled
        }),
        // The engine has a vehicle for the trip but only the timetable for this call.
        None => Some(Line {
            trip: Some(tp),
            ..scheduled
        }),
    }
}

/// Calls at `stops` that realtime moves into `[from, to)` from outside it: a late bus
/// scheduled before `from`, an early one scheduled after `to`, or a run of a frequency-based
/// trip whose start is not one of the timetable's (`exact_times=0`). Those already in
/// `scheduled` are not repeated.
fn predicted_into_window(
    s: &Schedule,
    fs: &FeedSnapshot,
    stops: &[StopIdx],
    from: i64,
    to: i64,
    scheduled: &[Call],
    arrivals: bool,
) -> Vec<Call> {
    let key = |c: &Call| {
        (
            c.trip,
            c.stop_time,
            c.service_date,
            c.frequency.map(|(_, start)| start),
        )
    };
    let known: FxHashSet<_> = scheduled.iter().map(key).collect();
    let mut out = Vec::new();
    for &stop in stops {
        for (position, sp) in fs.published_at(stop) {
            let tp = &fs.trips[position];
            if tp.status != TripStatus::Live {
                continue;
            }
            let Some(expected) = sp.departure.or(sp.arrival) else {
                continue;
            };
            if !(from..to).contains(&expected) {
                continue;
            }
            let i = &tp.instance;
            let Some(call) = s.call_of(i.trip, sp.stop_time, i.service_date, i.start) else {
                continue;
            };
            if (arrivals || s.can_board(&call)) && !known.contains(&key(&call)) {
                out.push(call);
            }
        }
    }
    out
}

/// A headway-only trip (`exact_times=0`) run by a tracked bus whose start is between the
/// timetable's nominal ones: the bus stands for the nearest nominal run, which would otherwise
/// be listed as well. Drops nominal runs (no realtime) within half a headway of such a bus.
fn drop_nominal_runs_of_live_headway_trips(s: &Schedule, lines: &mut Vec<Line<'_>>) {
    let headway_only = |c: &Call| {
        c.frequency
            .and_then(|(f, _)| s.frequencies.get(f as usize))
            .filter(|f| !f.exact_times)
    };
    let live: Vec<(Call, u32)> = lines
        .iter()
        .filter(|l| l.trip.is_some())
        .filter_map(|l| Some((l.call, headway_only(&l.call)?.headway_secs)))
        .collect();
    if live.is_empty() {
        return;
    }
    lines.retain(|l| {
        if l.trip.is_some() || headway_only(&l.call).is_none() {
            return true;
        }
        !live.iter().any(|(c, headway)| {
            c.trip == l.call.trip
                && c.stop_time == l.call.stop_time
                && c.service_date == l.call.service_date
                && (c.departure - l.call.departure).unsigned_abs() * 2 < u64::from(*headway)
        })
    });
}

fn basis(b: crate::predict::Basis) -> Basis {
    use crate::predict::Basis as B;
    match b {
        B::Realtime => Basis::Realtime,
        B::Propagated => Basis::Propagated,
        B::Scheduled => Basis::Scheduled,
        B::Agency => Basis::Agency,
    }
}

fn global(s: &Schedule, local: &str) -> String {
    GlobalId::format(s.feed_id.as_str(), local)
}

fn availability(a: Availability) -> Option<bool> {
    match a {
        Availability::Available => Some(true),
        Availability::NotAvailable => Some(false),
        Availability::InformationNotAvailable | Availability::Unknown(_) => None,
    }
}

pub fn stop_ref(s: &Schedule, idx: StopIdx, lang: &str) -> StopRef {
    let stop = s.stop(idx);
    StopRef {
        id: global(s, &stop.id),
        code: stop.code.as_deref().map(str::to_owned),
        name: s.stop_name(idx, lang).to_owned(),
        lat: stop.position.map(|p| p.lat),
        lon: stop.position.map(|p| p.lon),
        parent_station: stop.parent.map(|p| global(s, &s.stop(p).id)),
        wheelchair_boarding: availability(stop.wheelchair_boarding),
        bay: s.bay(idx, lang).map(str::to_owned),
    }
}

/// The headway of a frequency-based call's window.
pub(super) fn headway(s: &Schedule, call: &Call) -> Option<Headway> {
    call.frequency
        .and_then(|(f, _)| s.frequencies.get(f as usize))
        .map(|f| Headway {
            headway_secs: f.headway_secs,
            exact_times: f.exact_times,
        })
}

fn departure(
    s: &Schedule,
    rt: Option<&FeedSnapshot>,
    line: &Line<'_>,
    now: i64,
    lang: &str,
) -> Departure {
    let call = &line.call;
    let st = &s.stop_times[call.stop_time as usize];
    let trip = s.trip(call.trip);
    let route = s.route(trip.route);
    let headway = headway(s, call);
    let vehicle_id = line
        .trip
        .filter(|tp| tp.status == TripStatus::Live)
        .and_then(|tp| tp.vehicle)
        .and_then(|i| rt?.vehicles.get(i as usize))
        .map(|v| global(s, &v.id));
    let predicted = line.predicted.as_ref();
    // Late or early against a timetable: not for headway-only runs.
    let delay_s = predicted
        .filter(|_| headway.is_none_or(|h| h.exact_times))
        .and_then(|p| match (p.departure, p.arrival) {
            (Some(d), _) => Some(d - call.departure),
            (None, Some(a)) => Some(a - call.arrival),
            (None, None) => None,
        });
    let (color, text_color) = super::network::colours(route);
    Departure {
        trip_id: global(s, &trip.id),
        service_date: format_date(call.service_date),
        route: RouteRef {
            id: global(s, &route.id),
            short_name: s.route_short_name(trip.route).to_owned(),
            long_name: s.route_long_name(trip.route, lang).to_owned(),
            color,
            text_color,
        },
        headsign: s.headsign_in(st, lang).map(str::to_owned),
        stop_id: global(s, &s.stop(st.stop).id),
        bay: s.bay(st.stop, lang).map(str::to_owned),
        stop_sequence: st.stop_sequence,
        scheduled_departure: format_rfc3339(call.departure, &s.timezone),
        scheduled_arrival: format_rfc3339(call.arrival, &s.timezone),
        predicted_departure: predicted
            .and_then(|p| p.departure)
            .map(|t| format_rfc3339(t, &s.timezone)),
        predicted_arrival: predicted
            .and_then(|p| p.arrival)
            .map(|t| format_rfc3339(t, &s.timezone)),
        status: line.status,
        basis: line.basis,
        vehicle_id,
        data_age_s: line.trip.map(|tp| (now - tp.data_time).max(0)),
        delay_s,
        uncertainty_s: predicted.map(|p| p.uncertainty),
        // Filled by the staleness rules (issue 12) and the learned intervals (issue 16).
        freshness: None,
        earliest_arrival: None,
        latest_arrival: None,
        headway,
        wheelchair_accessible: availability(trip.wheelchair_accessible),
    }
}
