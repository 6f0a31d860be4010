//! `GET /api/v1/trips/{trip_id}`: one trip instance with every call, its scheduled times and,
//! when realtime has the instance, its predicted times, and the vehicle serving it.
//!
//! Which instance: `date` (the service date, default: the instance running now, else the next
//! one today, else today's last) and, for frequency-based trips, `start` (the run's first
//! departure; default as for the date). Each call is read from the published snapshot the way
//! the departure board reads it ([`departures::line`]): calls the vehicle has made are
//! `passed`, a cancelled trip or skipped stop keeps its scheduled time with that status.

use api_types::{DepartureStatus, GlobalId, RealtimeStatus, TripDetail, TripStop, Vehicle};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use jiff::civil::Date;
use serde::Deserialize;

use super::departures::{self, stop_ref};
use super::error::{ApiError, Query};
use super::lang::negotiate;
use super::network;
use crate::predict::{FeedSnapshot, TripStatus};
use crate::realtime::TripInstance;
use crate::realtime::validate::parse_start_time;
use crate::schedule::time::{format_gtfs_time, format_rfc3339, local_date};
use crate::schedule::{DirectionType, Schedule, TripIdx};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Params {
    /// Service date of the instance, `YYYY-MM-DD`; default: the instance running now, else
    /// the next one today, else today's last.
    #[param(format = Date)]
    date: Option<String>,
    /// Frequency-based trips only: the run's first departure, `HH:MM:SS` of the service day
    /// (within one of the trip's frequency windows); default as for `date`.
    start: Option<String>,
    /// Language of names: `vi`, `en` or `ja`; default from `Accept-Language`, else `vi`.
    lang: Option<String>,
}

/// A trip instance: route, headsign, direction, block, shape, every call with scheduled and
/// predicted times and status, and the vehicle serving it.
#[utoipa::path(
    get,
    path = "/trips/{trip_id}",
    tag = "network",
    params(("trip_id" = String, Path, description = "Global trip id, `feed:trip_id`"), Params),
    responses(
        (status = 200, description = "The trip instance", body = TripDetail),
        (status = 400, description = "Invalid `date` or `start`", body = api_types::ErrorBody),
        (status = 404, description = "No such trip, or it does not run on that date", body = api_types::ErrorBody),
    ),
)]
pub async fn trip(
    State(state): State<AppState>,
    Path(trip_id): Path<String>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Json<TripDetail>, ApiError> {
    let lang = negotiate(params.lang.as_deref(), &headers);
    let catalog = state.catalog.load();
    let (s, t) = catalog.resolve_trip(&trip_id).ok_or_else(|| {
        ApiError::NotFound(
            "trip_not_found",
            format!(
                "No trip has the id {trip_id:?}. Trip ids look like \"feed:trip_id\"; \
                 departures and vehicles name them."
            ),
        )
    })?;
    let date = params
        .date
        .as_deref()
        .map(|d| {
            d.parse::<Date>().map_err(|e| {
                ApiError::invalid_parameter("date", format!("{e}; give a date as YYYY-MM-DD"))
            })
        })
        .transpose()?;
    let frequency_based = s.trip(t).is_frequency_based();
    let start = match params.start.as_deref() {
        None => None,
        Some(_) if !frequency_based => {
            return Err(ApiError::invalid_parameter(
                "start",
                "only frequency-based trips have several runs a day; leave start out",
            ));
        }
        Some(text) => Some(parse_start_time(text).ok_or_else(|| {
            ApiError::invalid_parameter("start", format!("{text:?}: give a time as HH:MM:SS"))
        })?),
    };
    if let Some(start) = start
        && !s
            .trip_frequencies(t)
            .iter()
            .any(|f| (f.start..f.end).contains(&start))
    {
        return Err(ApiError::invalid_parameter(
            "start",
            format!(
                "no run of this trip starts at {}; the windows are {}",
                format_gtfs_time(start),
                s.trip_frequencies(t)
                    .iter()
                    .map(|f| format!("{}–{}", format_gtfs_time(f.start), format_gtfs_time(f.end)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let now = state.clock.now().as_second();
    let realtime = state.realtime.load();
    let rt = realtime.for_schedule(s);
    let instance = pick_instance(s, t, rt, date, start, now).ok_or_else(|| {
        let when = date.map_or_else(|| "today".to_owned(), |d| format!("on {d}"));
        ApiError::NotFound(
            "trip_not_in_service",
            format!(
                "Trip {trip_id:?} does not run {when}; give ?date=YYYY-MM-DD of a day its \
                 service runs."
            ),
        )
    })?;
    Ok(Json(detail(s, t, rt, instance, now, lang)))
}

/// The instance asked for: among the runs of the candidate dates (the given one; else
/// yesterday's, still running after midnight, and today's), the first not yet over at `now`,
/// else the last of the asked-for day. Frequency-based runs include those realtime tracks
/// between the timetable's nominal starts.
fn pick_instance(
    s: &Schedule,
    t: TripIdx,
    rt: Option<&FeedSnapshot>,
    date: Option<Date>,
    start: Option<u32>,
    now: i64,
) -> Option<TripInstance> {
    let today = local_date(now, &s.timezone);
    let dates = match date {
        Some(d) => vec![d],
        None => vec![today.yesterday().ok()?, today],
    };
    let last = s.trip_stop_times(t).len().checked_sub(1)?;
    let first_st = s.trip(t).stop_times.start;
    let mut runs: Vec<(TripInstance, i64)> = Vec::new();
    for d in dates {
        let mut starts = s.run_starts(t, d);
        if starts.is_empty() {
            continue;
        }
        if s.trip(t).is_frequency_based() {
            let tracked = rt
                .into_iter()
                .flat_map(|fs| &fs.trips)
                .map(|tp| tp.instance)
                .filter(|i| i.trip == t && i.service_date == d)
                .map(|i| i.start);
            starts.extend(tracked);
            if let Some(start) = start {
                starts = vec![Some(start)];
            }
            starts.sort_unstable();
            starts.dedup();
        }
        for run in starts {
            let end = s.call_of(t, first_st + last as u32, d, run)?.arrival;
            runs.push((
                TripInstance {
                    trip: t,
                    service_date: d,
                    start: run,
                },
                end,
            ));
        }
    }
    let asked = date.unwrap_or(today);
    runs.iter()
        .find(|(_, end)| *end >= now)
        .or_else(|| runs.iter().rev().find(|(i, _)| i.service_date == asked))
        .map(|(i, _)| *i)
}

fn detail(
    s: &Schedule,
    t: TripIdx,
    rt: Option<&FeedSnapshot>,
    instance: TripInstance,
    now: i64,
    lang: String,
) -> TripDetail {
    let trip = s.trip(t);
    let time = |unix: i64| format_rfc3339(unix, &s.timezone);
    let prediction = rt.and_then(|fs| fs.trip(&instance));
    let stops: Vec<TripStop> = trip
        .stop_times
        .range()
        .filter_map(|i| {
            let call = s.call_of(t, i as u32, instance.service_date, instance.start)?;
            let st = &s.stop_times[i];
            let line = departures::line(rt, &call);
            let predicted = line.as_ref().and_then(|l| l.predicted);
            Some(TripStop {
                stop: stop_ref(s, st.stop, &lang),
                stop_sequence: st.stop_sequence,
                scheduled_arrival: time(call.arrival),
                scheduled_departure: time(call.departure),
                predicted_arrival: predicted.and_then(|p| p.arrival).map(time),
                predicted_departure: predicted.and_then(|p| p.departure).map(time),
                status: line.as_ref().map_or(DepartureStatus::Live, |l| l.status),
                basis: line
                    .as_ref()
                    .map_or(api_types::Basis::Realtime, |l| l.basis),
                passed: line.is_none(),
                uncertainty_s: predicted.map(|p| p.uncertainty),
            })
        })
        .collect();
    let status = match prediction {
        Some(tp) if tp.status == TripStatus::Cancelled => DepartureStatus::Cancelled,
        _ if stops
            .iter()
            .any(|st| st.status == DepartureStatus::Live || st.passed) =>
        {
            DepartureStatus::Live
        }
        _ => DepartureStatus::Scheduled,
    };
    let vehicle = vehicle(s, rt, &instance, now, &lang);
    let headway = s
        .call_of(
            t,
            trip.stop_times.start,
            instance.service_date,
            instance.start,
        )
        .and_then(|first| departures::headway(s, &first));
    TripDetail {
        id: GlobalId::format(s.feed_id.as_str(), &trip.id),
        route: network::badge(s, trip.route),
        headsign: s.trip_headsign_in(instance.trip, &lang).map(str::to_owned),
        direction_id: trip.direction.map(|d| match d {
            DirectionType::Outbound => 0,
            DirectionType::Inbound => 1,
        }),
        block_id: trip
            .block
            .and_then(|b| s.blocks.get(b.index()))
            .map(|b| GlobalId::format(s.feed_id.as_str(), &b.id)),
        service_date: instance.service_date.to_string(),
        shape_id: trip
            .shape
            .and_then(|sh| s.shapes.get(sh.index()))
            .and_then(|sh| sh.id.as_deref())
            .map(|id| GlobalId::format(s.feed_id.as_str(), id)),
        frequency_based: trip.is_frequency_based(),
        start_time: instance.start.map(format_gtfs_time),
        headway,
        time_zone: s.timezone_name.to_string(),
        realtime: match rt {
            None => RealtimeStatus::Unavailable,
            Some(fs) if fs.degraded => RealtimeStatus::Degraded,
            Some(_) => RealtimeStatus::Live,
        },
        status,
        vehicle,
        stops,
        lang,
    }
}

/// The vehicle of a live instance: the one its prediction names (perhaps still on the trip
/// before, same block), else one realtime matched to the instance.
fn vehicle(
    s: &Schedule,
    rt: Option<&FeedSnapshot>,
    instance: &TripInstance,
    now: i64,
    lang: &str,
) -> Option<Vehicle> {
    let fs = rt.filter(|fs| !fs.degraded)?;
    let named = fs
        .trip(instance)
        .filter(|tp| tp.status == TripStatus::Live)
        .and_then(|tp| tp.vehicle)
        .and_then(|i| fs.vehicles.get(i as usize));
    named
        .or_else(|| fs.vehicles.iter().find(|v| v.trip == Some(*instance)))
        .map(|v| network::vehicle(s, v, now, lang))
}
