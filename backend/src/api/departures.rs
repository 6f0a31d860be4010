//! `GET /api/v1/stops/{stop_id}/departures`: the stop's departure board.
//!
//! Query parameters: `from` (RFC 3339, default now), `minutes` (window length, default 60,
//! 1–1440), `limit` (default 100, 1–1000), `lang` (default: the feed's language). A station
//! id covers all its platforms.

use api_types::{
    Departure, DepartureStatus, DeparturesResponse, GlobalId, Headway, RouteRef, StopRef,
};
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

use super::error::{ApiError, Query};
use crate::schedule::time::format_rfc3339;
use crate::schedule::{Availability, Call, Schedule, StopIdx};
use crate::server::AppState;

const DEFAULT_MINUTES: u32 = 60;
const MAX_MINUTES: u32 = 24 * 60;
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

#[derive(Debug, Deserialize)]
pub struct Params {
    from: Option<String>,
    minutes: Option<u32>,
    limit: Option<usize>,
    lang: Option<String>,
}

pub async fn departures(
    State(state): State<AppState>,
    Path(stop_id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Json<DeparturesResponse>, ApiError> {
    let catalog = state.catalog.load();
    let (schedule, stop) = catalog
        .resolve_stop(&stop_id)
        .ok_or_else(|| ApiError::stop_not_found(&stop_id))?;
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
    let lang = params
        .lang
        .or_else(|| schedule.lang.as_deref().map(str::to_owned))
        .unwrap_or_else(|| "en".to_owned());
    let to = from + i64::from(minutes) * 60;
    Ok(Json(board(schedule, stop, now, from, to, &lang, limit)))
}

/// The board view model, from one schedule snapshot.
fn board(
    s: &Schedule,
    stop: StopIdx,
    now: i64,
    from: i64,
    to: i64,
    lang: &str,
    limit: usize,
) -> DeparturesResponse {
    let mut calls = s.departures(&s.stop_and_children(stop), from, to);
    calls.truncate(limit);
    DeparturesResponse {
        stop: stop_ref(s, stop, lang),
        now: format_rfc3339(now, &s.timezone),
        from: format_rfc3339(from, &s.timezone),
        to: format_rfc3339(to, &s.timezone),
        time_zone: s.timezone_name.to_string(),
        lang: lang.to_owned(),
        departures: calls.iter().map(|c| departure(s, c, lang)).collect(),
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
    }
}

fn departure(s: &Schedule, call: &Call, lang: &str) -> Departure {
    let st = &s.stop_times[call.stop_time as usize];
    let trip = s.trip(call.trip);
    let route = s.route(trip.route);
    let headway = call.frequency.map(|(f, _)| {
        let f = &s.frequencies[f as usize];
        Headway {
            headway_secs: f.headway_secs,
            exact_times: f.exact_times,
        }
    });
    Departure {
        trip_id: global(s, &trip.id),
        service_date: call.service_date.to_string(),
        route: RouteRef {
            id: global(s, &route.id),
            short_name: s.route_short_name(trip.route).to_owned(),
            long_name: s.route_long_name(trip.route, lang).to_owned(),
            color: route.color.hex(),
            text_color: route.text_color.hex(),
        },
        headsign: s.headsign_in(st, lang).map(str::to_owned),
        stop_id: global(s, &s.stop(st.stop).id),
        stop_sequence: st.stop_sequence,
        scheduled_departure: format_rfc3339(call.departure, &s.timezone),
        scheduled_arrival: format_rfc3339(call.arrival, &s.timezone),
        status: DepartureStatus::Scheduled,
        headway,
        wheelchair_accessible: availability(trip.wheelchair_accessible),
    }
}
