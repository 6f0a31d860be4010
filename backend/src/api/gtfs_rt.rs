//! GTFS-Realtime output: `GET /gtfs-rt/trip-updates.pb` and `GET /gtfs-rt/vehicle-positions.pb`.
//!
//! Query parameters:
//! - `feed`: the static feed the realtime refers to. GTFS-Realtime ids (trip, route, stop ids)
//!   are the agency's own ids of one GTFS feed, not our global `feed:id`s, so one message
//!   covers exactly one feed: with one feed loaded `feed` may be left out; with several it is
//!   required (400 `feed_required` otherwise, listing the feeds), one URL per feed.
//! - `format`: `pb` (default, `application/x-protobuf`) or `json`: the same message in the
//!   protobuf JSON mapping (enum names, camelCase fields), for humans.
//!
//! What we publish (GTFS-Realtime spec and best practices):
//! - `FULL_DATASET`; the header timestamp is the snapshot's, which never decreases; the
//!   header's `feed_version` is the static feed's `feed_info.feed_version`.
//! - TripUpdates: one entity per predicted trip instance, id `{trip_id}/{YYYYMMDD}` (plus
//!   `/{HH:MM:SS}` for frequency-based trips), stable while the instance runs. The
//!   TripDescriptor has trip_id, route_id, direction_id, start_date and start_time (the
//!   instance's start for frequency-based trips, the first departure otherwise).
//!   StopTimeUpdates are sorted by stop_sequence, each with stop_sequence and stop_id; event
//!   times are absolute, strictly increasing from stop to stop, departure never before
//!   arrival, each with the prediction's uncertainty. `delay` and `timestamp` (the data time)
//!   are on the TripUpdate.
//! - Cancelled trips are `CANCELED` (kept, so consumers show them cancelled); skipped stops are
//!   `SKIPPED`. Calls whose basis is the timetable are `NO_DATA` (we never publish the schedule
//!   as if it were a prediction), and a trip with nothing but timetable is left out.
//! - Frequency-based trips without exact times (`exact_times=0`) are `UNSCHEDULED`, and so are
//!   all their StopTimeUpdates (the spec requires it; it forbids `SKIPPED` and `NO_DATA`
//!   there, so such calls are left out); they carry no `delay`.
//! - A feed whose realtime sources all failed (`degraded`) publishes no predictions and no
//!   vehicles, only the cancellations the agency announced.
//! - VehiclePositions: one entity per vehicle, id = vehicle id, with trip, vehicle, position,
//!   next stop and status, and the vehicle's own timestamp.
//!
//! Caching: `ETag` from the feed, the header timestamp, the schedule version and the format;
//! `If-None-Match` (or `If-Modified-Since` against `Last-Modified`) answers 304. `Cache-Control:
//! max-age` is a few seconds: the engine refreshes more often than consumers should poll.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gtfs_rt::trip_update::{StopTimeEvent, StopTimeUpdate, stop_time_update};
use gtfs_rt::vehicle_position::VehicleStopStatus;
use gtfs_rt::{
    FeedEntity, FeedHeader, FeedMessage, Message as _, Position, TripDescriptor, TripUpdate,
    VehicleDescriptor, VehiclePosition, feed_header, trip_descriptor,
};
use serde::Deserialize;

use super::error::{ApiError, Query};
use crate::catalog::{Catalog, FeedEntry};
use crate::predict::{Basis, FeedSnapshot, Snapshot, StopPrediction, TripStatus, VehicleView};
use crate::realtime::TripInstance;
use crate::schedule::time::format_gtfs_time;
use crate::schedule::{DirectionType, Schedule};
use crate::server::AppState;

/// Seconds consumers may reuse a response without asking again.
const MAX_AGE_SECS: u32 = 5;

#[derive(Debug, Deserialize)]
pub struct Params {
    feed: Option<String>,
    format: Option<String>,
}

/// The two feeds we publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    TripUpdates,
    VehiclePositions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Protobuf,
    Json,
}

pub async fn trip_updates_feed(
    State(state): State<AppState>,
    Query(params): Query<Params>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    serve(&state, &params, &headers, Kind::TripUpdates)
}

pub async fn vehicle_positions_feed(
    State(state): State<AppState>,
    Query(params): Query<Params>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    serve(&state, &params, &headers, Kind::VehiclePositions)
}

fn serve(
    state: &AppState,
    params: &Params,
    request: &HeaderMap,
    kind: Kind,
) -> Result<Response, ApiError> {
    let format = match params.format.as_deref() {
        None | Some("pb" | "protobuf") => Format::Protobuf,
        Some("json") => Format::Json,
        Some(other) => {
            return Err(ApiError::invalid_parameter(
                "format",
                format!("{other:?} is not a format; use pb (the default) or json"),
            ));
        }
    };
    let catalog = state.catalog.load();
    let entry = select_feed(&catalog, params.feed.as_deref())?;
    let schedule = &entry.schedule;
    let snapshot = state.realtime.load();
    let cache = CacheHeaders::new(kind, format, schedule, snapshot.header_timestamp);
    if cache.not_modified(request) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        cache.apply(response.headers_mut());
        return Ok(response);
    }
    let message = match kind {
        Kind::TripUpdates => trip_updates(schedule, &snapshot),
        Kind::VehiclePositions => vehicle_positions(schedule, &snapshot),
    };
    let bytes = message.encode_to_vec();
    let mut response = match format {
        Format::Protobuf => {
            let mut r = Response::new(Body::from(bytes));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-protobuf"),
            );
            r
        }
        Format::Json => match gtfs_rt::feed_message_json(&bytes) {
            Ok(json) => Json(json).into_response(),
            Err(e) => {
                tracing::error!("{e}");
                let body = api_types::ErrorBody {
                    error: "internal".to_owned(),
                    message: e.to_string(),
                };
                return Ok((StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response());
            }
        },
    };
    cache.apply(response.headers_mut());
    Ok(response)
}

/// The one feed a GTFS-Realtime message is about (see the module documentation).
fn select_feed<'a>(catalog: &'a Catalog, feed: Option<&str>) -> Result<&'a FeedEntry, ApiError> {
    let loaded = || {
        catalog
            .feeds()
            .iter()
            .map(|f| f.schedule.feed_id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (feed, catalog.feeds()) {
        (Some(id), _) => catalog.feed(id).ok_or_else(|| {
            ApiError::NotFound(
                "feed_not_found",
                format!(
                    "No feed has the id {id:?}; the loaded feeds are: {}.",
                    loaded()
                ),
            )
        }),
        (None, [only]) => Ok(only),
        (None, []) => Err(ApiError::NotFound(
            "feed_not_found",
            "No feed is loaded.".to_owned(),
        )),
        (None, _) => Err(ApiError::BadRequest(
            "feed_required",
            format!(
                "Several feeds are loaded ({}). GTFS-Realtime ids are those of one GTFS feed, \
                 so each feed has its own GTFS-Realtime URL: add ?feed=FEED_ID.",
                loaded()
            ),
        )),
    }
}

/// `ETag`, `Last-Modified` and `Cache-Control` of one response.
struct CacheHeaders {
    etag: String,
    /// The header timestamp, unix seconds; 0 before the first snapshot.
    modified: u64,
}

impl CacheHeaders {
    fn new(kind: Kind, format: Format, schedule: &Schedule, header_timestamp: u64) -> Self {
        let kind = match kind {
            Kind::TripUpdates => "tu",
            Kind::VehiclePositions => "vp",
        };
        let format = match format {
            Format::Protobuf => "",
            Format::Json => "-json",
        };
        let version: String = schedule.version.chars().take(8).collect();
        CacheHeaders {
            etag: format!(
                "\"{kind}-{}-{header_timestamp}-{version}{format}\"",
                schedule.feed_id
            ),
            modified: header_timestamp,
        }
    }

    fn last_modified(&self) -> Option<String> {
        if self.modified == 0 {
            return None;
        }
        let at = jiff::Timestamp::from_second(i64::try_from(self.modified).ok()?).ok()?;
        jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&at)
            .ok()
    }

    /// RFC 9110: `If-None-Match` wins over `If-Modified-Since`; `*` and weak tags match.
    fn not_modified(&self, request: &HeaderMap) -> bool {
        let inm: Vec<&str> = request
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if !inm.is_empty() {
            return inm.iter().flat_map(|v| v.split(',')).any(|tag| {
                let tag = tag.trim();
                tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == self.etag
            });
        }
        let since = request
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                jiff::fmt::rfc2822::DateTimeParser::new()
                    .parse_timestamp(v)
                    .ok()
            });
        match since {
            Some(since) if self.modified > 0 => {
                i64::try_from(self.modified).is_ok_and(|m| m <= since.as_second())
            }
            _ => false,
        }
    }

    fn apply(&self, headers: &mut HeaderMap) {
        if let Ok(v) = HeaderValue::from_str(&self.etag) {
            headers.insert(header::ETAG, v);
        }
        if let Some(v) = self
            .last_modified()
            .and_then(|m| HeaderValue::from_str(&m).ok())
        {
            headers.insert(header::LAST_MODIFIED, v);
        }
        if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={MAX_AGE_SECS}")) {
            headers.insert(header::CACHE_CONTROL, v);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Snapshot → FeedMessage: pure.

/// The TripUpdates message of `schedule`'s feed.
pub fn trip_updates(schedule: &Schedule, snapshot: &Snapshot) -> FeedMessage {
    let mut entity = Vec::new();
    if let Some(fs) = snapshot.for_schedule(schedule) {
        let mut seen = rustc_hash::FxHashSet::default();
        for tp in &fs.trips {
            let Some(e) = trip_update_entity(schedule, fs, tp) else {
                continue;
            };
            if seen.insert(e.id.clone()) {
                entity.push(e);
            }
        }
    }
    FeedMessage {
        header: feed_header(schedule, snapshot),
        entity,
    }
}

/// The VehiclePositions message of `schedule`'s feed.
pub fn vehicle_positions(schedule: &Schedule, snapshot: &Snapshot) -> FeedMessage {
    let mut entity = Vec::new();
    if let Some(fs) = snapshot.for_schedule(schedule)
        && !fs.degraded
    {
        let mut seen = rustc_hash::FxHashSet::default();
        for v in &fs.vehicles {
            if seen.insert(v.id.as_str()) {
                entity.push(FeedEntity {
                    id: v.id.clone(),
                    vehicle: Some(vehicle_position(schedule, v)),
                    ..Default::default()
                });
            }
        }
    }
    FeedMessage {
        header: feed_header(schedule, snapshot),
        entity,
    }
}

fn feed_header(schedule: &Schedule, snapshot: &Snapshot) -> FeedHeader {
    FeedHeader {
        gtfs_realtime_version: "2.0".to_owned(),
        incrementality: Some(feed_header::Incrementality::FullDataset as i32),
        // 0 only before the engine's first snapshot: better absent than 1970.
        timestamp: (snapshot.header_timestamp > 0).then_some(snapshot.header_timestamp),
        feed_version: schedule.meta.version.as_deref().map(str::to_owned),
    }
}

/// `YYYYMMDD`.
fn start_date(date: jiff::civil::Date) -> String {
    format!("{:04}{:02}{:02}", date.year(), date.month(), date.day())
}

/// The entity id of a trip instance: stable for as long as the instance runs.
fn trip_entity_id(trip_id: &str, instance: &TripInstance) -> String {
    match instance.start {
        Some(start) => format!(
            "{trip_id}/{}/{}",
            start_date(instance.service_date),
            format_gtfs_time(start)
        ),
        None => format!("{trip_id}/{}", start_date(instance.service_date)),
    }
}

/// `true` for an instance of a frequency-based trip without exact times (`exact_times=0`):
/// no timetable, only a headway (GTFS-Realtime `UNSCHEDULED`).
pub(super) fn is_unscheduled(schedule: &Schedule, instance: &TripInstance) -> bool {
    let Some(trip) = schedule.trips.get(instance.trip.index()) else {
        return false;
    };
    schedule
        .call_of(
            instance.trip,
            trip.stop_times.start,
            instance.service_date,
            instance.start,
        )
        .and_then(|c| c.frequency)
        .and_then(|(f, _)| schedule.frequencies.get(f as usize))
        .is_some_and(|f| !f.exact_times)
}

fn trip_descriptor(schedule: &Schedule, instance: &TripInstance) -> Option<TripDescriptor> {
    let trip = schedule.trips.get(instance.trip.index())?;
    let route = schedule.routes.get(trip.route.index())?;
    let start = match instance.start {
        Some(start) if trip.is_frequency_based() => start,
        _ => {
            schedule
                .stop_times
                .get(trip.stop_times.start as usize)?
                .departure
        }
    };
    let relationship = if is_unscheduled(schedule, instance) {
        trip_descriptor::ScheduleRelationship::Unscheduled
    } else {
        trip_descriptor::ScheduleRelationship::Scheduled
    };
    Some(TripDescriptor {
        trip_id: Some(trip.id.to_string()),
        route_id: Some(route.id.to_string()),
        direction_id: trip.direction.map(|d| match d {
            DirectionType::Outbound => 0,
            DirectionType::Inbound => 1,
        }),
        start_time: Some(format_gtfs_time(start)),
        start_date: Some(start_date(instance.service_date)),
        schedule_relationship: Some(relationship as i32),
        modified_trip: None,
    })
}

fn vehicle_descriptor(v: &VehicleView) -> VehicleDescriptor {
    VehicleDescriptor {
        id: Some(v.id.clone()),
        label: v.label.clone(),
        ..Default::default()
    }
}

/// The calls of a prediction as they may be published: in stop_sequence order without
/// repeats; no times for skipped calls and calls based on the timetable; times strictly
/// increasing from call to call and departure never before arrival (a safety net: the engine
/// should already produce them so).
pub(super) fn publishable(stops: &[StopPrediction]) -> Vec<StopPrediction> {
    let mut out = stops.to_vec();
    out.sort_by_key(|s| s.stop_sequence);
    out.dedup_by_key(|s| s.stop_sequence);
    let mut last: Option<i64> = None;
    for sp in &mut out {
        if sp.skipped || sp.basis == Basis::Scheduled {
            sp.arrival = None;
            sp.departure = None;
            continue;
        }
        let floor = last.map(|t| t + 1);
        sp.arrival = sp.arrival.map(|a| floor.map_or(a, |f| a.max(f)));
        let floor = sp.arrival.or(floor);
        sp.departure = sp.departure.map(|d| floor.map_or(d, |f| d.max(f)));
        last = sp.departure.or(sp.arrival).or(last);
    }
    out
}

fn trip_update_entity(
    schedule: &Schedule,
    fs: &FeedSnapshot,
    tp: &crate::predict::TripPrediction,
) -> Option<FeedEntity> {
    let trip = schedule.trips.get(tp.instance.trip.index())?;
    let mut descriptor = trip_descriptor(schedule, &tp.instance)?;
    let id = trip_entity_id(&trip.id, &tp.instance);
    let timestamp = u64::try_from(tp.data_time).ok();
    if tp.status == TripStatus::Cancelled {
        descriptor.schedule_relationship =
            Some(trip_descriptor::ScheduleRelationship::Canceled as i32);
        return Some(FeedEntity {
            id,
            trip_update: Some(TripUpdate {
                trip: descriptor,
                timestamp,
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    if fs.degraded {
        return None;
    }
    let unscheduled = is_unscheduled(schedule, &tp.instance);
    let updates: Vec<StopTimeUpdate> = publishable(&tp.stops)
        .iter()
        .filter_map(|sp| stop_time_update(schedule, sp, unscheduled))
        .collect();
    let informative = updates.iter().any(|u| {
        u.arrival.is_some()
            || u.departure.is_some()
            || u.schedule_relationship
                == Some(stop_time_update::ScheduleRelationship::Skipped as i32)
    });
    if !informative {
        return None;
    }
    let vehicle = tp
        .vehicle
        .and_then(|i| fs.vehicles.get(i as usize))
        .map(vehicle_descriptor);
    Some(FeedEntity {
        id,
        trip_update: Some(TripUpdate {
            trip: descriptor,
            vehicle,
            stop_time_update: updates,
            timestamp,
            // A delay means something against a timetable only.
            delay: if unscheduled { None } else { tp.delay },
            trip_properties: None,
        }),
        ..Default::default()
    })
}

/// One call of a [`publishable`] prediction; `None` when it must be left out.
fn stop_time_update(
    schedule: &Schedule,
    sp: &StopPrediction,
    unscheduled: bool,
) -> Option<StopTimeUpdate> {
    use stop_time_update::ScheduleRelationship as R;
    let stop = schedule.stops.get(sp.stop.index())?;
    let event = |time: Option<i64>| {
        time.map(|t| StopTimeEvent {
            time: Some(t),
            uncertainty: Some(i32::try_from(sp.uncertainty).unwrap_or(i32::MAX)),
            ..Default::default()
        })
    };
    let (arrival, departure) = (event(sp.arrival), event(sp.departure));
    let relationship = match (sp.skipped, arrival.is_some() || departure.is_some()) {
        // UNSCHEDULED trips may carry UNSCHEDULED calls only.
        (true, _) | (false, false) if unscheduled => return None,
        (true, _) => R::Skipped,
        (false, false) => R::NoData,
        (false, true) if unscheduled => R::Unscheduled,
        (false, true) => R::Scheduled,
    };
    Some(StopTimeUpdate {
        stop_sequence: Some(sp.stop_sequence),
        stop_id: Some(stop.id.to_string()),
        arrival,
        departure,
        schedule_relationship: Some(relationship as i32),
        ..Default::default()
    })
}

fn vehicle_position(schedule: &Schedule, v: &VehicleView) -> VehiclePosition {
    let trip = match (&v.trip, v.route) {
        (Some(instance), _) => trip_descriptor(schedule, instance),
        (None, Some(route)) => schedule.routes.get(route.index()).map(|r| TripDescriptor {
            route_id: Some(r.id.to_string()),
            ..Default::default()
        }),
        (None, None) => None,
    };
    let next = v
        .next_stop_time
        .and_then(|i| schedule.stop_times.get(i as usize));
    let status = if v.at_stop {
        VehicleStopStatus::StoppedAt
    } else {
        VehicleStopStatus::InTransitTo
    };
    VehiclePosition {
        trip,
        vehicle: Some(vehicle_descriptor(v)),
        position: Some(Position {
            latitude: v.position.lat as f32,
            longitude: v.position.lon as f32,
            bearing: v.bearing,
            speed: v.speed,
            ..Default::default()
        }),
        current_stop_sequence: next.map(|st| st.stop_sequence),
        stop_id: next
            .and_then(|st| schedule.stops.get(st.stop.index()))
            .map(|s| s.id.to_string()),
        current_status: next.map(|_| status as i32),
        timestamp: u64::try_from(v.timestamp).ok(),
        ..Default::default()
    }
}
