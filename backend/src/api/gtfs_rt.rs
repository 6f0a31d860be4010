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
//! - A cancelled run of such a trip is left out of TripUpdates. The spec gives such trips
//!   `UNSCHEDULED` and nothing else ("a trip that is running with no schedule associated"):
//!   `CANCELED` is "a trip that existed in the schedule but was removed", and an
//!   `exact_times=0` run never was in a schedule, only its headway was (the MobilityData
//!   validator's E013, "frequency type 0 trip schedule_relationship should be UNSCHEDULED or
//!   empty"; it fired 20 times per 10 fetches on the sample BRT). An `UNSCHEDULED` update
//!   with every call `SKIPPED` is forbidden as well (all its calls must be `UNSCHEDULED`), so
//!   the conformant message for a run that will not happen is none: consumers see the
//!   headway's buses that do run. Our own boards, signs and JSON API still show the run as
//!   cancelled.
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
use crate::predict::{
    FeedSnapshot, Snapshot, StopPrediction, TripPrediction, TripStatus, VehicleView, publishable,
};
use crate::realtime::TripInstance;
use crate::schedule::time::format_gtfs_time;
use crate::schedule::{DirectionType, Schedule};
use crate::state::AppState;

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
fn is_unscheduled(schedule: &Schedule, instance: &TripInstance) -> bool {
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

fn trip_update_entity(
    schedule: &Schedule,
    fs: &FeedSnapshot,
    tp: &TripPrediction,
) -> Option<FeedEntity> {
    let trip = schedule.trips.get(tp.instance.trip.index())?;
    let mut descriptor = trip_descriptor(schedule, &tp.instance)?;
    let id = trip_entity_id(&trip.id, &tp.instance);
    let timestamp = u64::try_from(tp.data_time).ok();
    // A cancelled run of an `exact_times=0` trip: see the module doc (left out, E013).
    if tp.status == TripStatus::Cancelled && is_unscheduled(schedule, &tp.instance) {
        return None;
    }
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use gtfs_rt::trip_descriptor::ScheduleRelationship as TripRel;
    use gtfs_rt::trip_update::stop_time_update::ScheduleRelationship as StopRel;
    use jiff::civil::{Date, date};
    use rustc_hash::FxHashMap;

    use super::*;
    use crate::predict::Basis;
    use crate::schedule::{FeedId, LatLon, StopIdx};

    /// `tests/fixtures/gtfs/frequencies`: trips F-FLEX (A 06:00, B 06:10, C 06:20; every
    /// 900 s 06:00–07:00, exact_times=0) and F-EXACT (A +0, B +5 min, C +15 min; every 600 s
    /// 10:00–10:30, exact_times=1), route R1, stops A, B, C, Asia/Ho_Chi_Minh.
    fn schedule() -> Schedule {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/gtfs/frequencies");
        let feed = FeedId::new("freq").expect("valid id");
        match crate::feed::load(crate::feed::Source::Path(&dir), feed, monday()) {
            Ok(loaded) => loaded.schedule,
            Err(report) => panic!("fixture loads: {report:?}"),
        }
    }

    fn monday() -> Date {
        date(2026, 11, 23)
    }

    /// Unix seconds of Monday 2026-11-23 00:00 in Asia/Ho_Chi_Minh, plus `secs`.
    fn t(secs: i64) -> i64 {
        1_795_366_800 + secs
    }

    fn hms(h: i64, m: i64, s: i64) -> i64 {
        h * 3600 + m * 60 + s
    }

    fn sp(
        stop_time: u32,
        seq: u32,
        arrival: Option<i64>,
        departure: Option<i64>,
    ) -> StopPrediction {
        StopPrediction {
            stop_time,
            stop: StopIdx(0),
            stop_sequence: seq,
            arrival,
            departure,
            basis: Basis::Realtime,
            uncertainty: 30,
            skipped: false,
        }
    }

    /// The three calls of `trip_id`, predicted `shift` seconds after its instance's timetable.
    fn calls(
        s: &Schedule,
        trip_id: &str,
        start: u32,
        shift: i64,
    ) -> (TripInstance, Vec<StopPrediction>) {
        let trip = s.trip_by_id(trip_id).expect("trip in fixture");
        let instance = TripInstance {
            trip,
            service_date: monday(),
            start: Some(start),
        };
        let stops = s
            .trip(trip)
            .stop_times
            .range()
            .map(|i| {
                let call = s
                    .call_of(trip, i as u32, monday(), Some(start))
                    .expect("a call of the trip");
                let st = &s.stop_times[i];
                StopPrediction {
                    stop: st.stop,
                    stop_sequence: st.stop_sequence,
                    ..sp(
                        i as u32,
                        0,
                        Some(call.arrival + shift),
                        Some(call.departure + shift),
                    )
                }
            })
            .collect();
        (instance, stops)
    }

    fn snapshot(s: &Schedule, trips: Vec<TripPrediction>, vehicles: Vec<VehicleView>) -> Snapshot {
        let mut trips = trips;
        trips.sort_by_key(|tp| tp.instance);
        let trip_index = trips
            .iter()
            .enumerate()
            .map(|(i, tp)| (tp.instance, i as u32))
            .collect();
        let mut feeds = FxHashMap::default();
        feeds.insert(
            s.feed_id.clone(),
            FeedSnapshot {
                schedule_version: s.version.clone(),
                trips,
                trip_index,
                vehicles,
                degraded: false,
                data_time: Some(t(hms(6, 20, 0))),
                ..FeedSnapshot::default()
            },
        );
        Snapshot {
            at: t(hms(6, 20, 5)),
            header_timestamp: u64::try_from(t(hms(6, 20, 5))).unwrap_or(0),
            feeds,
        }
    }

    fn live(instance: TripInstance, stops: Vec<StopPrediction>) -> TripPrediction {
        TripPrediction {
            instance,
            status: TripStatus::Live,
            vehicle: Some(0),
            data_time: t(hms(6, 20, 0)),
            delay: Some(120),
            stops,
        }
    }

    fn bus(trip: Option<TripInstance>, next_stop_time: Option<u32>) -> VehicleView {
        VehicleView {
            id: "bus-7".to_owned(),
            label: Some("51B-123.45".to_owned()),
            position: LatLon {
                lat: 11.0,
                lon: 106.605,
            },
            bearing: Some(90.0),
            speed: Some(8.5),
            timestamp: t(hms(6, 20, 0)),
            trip,
            route: None,
            next_stop_time,
            at_stop: false,
            progress_m: Some(550.0),
            off_route: false,
            stuck: false,
            layover: false,
        }
    }

    fn only_update(message: &FeedMessage) -> &TripUpdate {
        assert_eq!(message.entity.len(), 1, "{message:#?}");
        message.entity[0]
            .trip_update
            .as_ref()
            .expect("a trip update")
    }

    #[test]
    fn publishable_calls_are_sorted_unique_and_increasing() {
        let mut skipped = sp(4, 4, Some(900), Some(910));
        skipped.skipped = true;
        let mut timetable = sp(5, 5, Some(1000), Some(1000));
        timetable.basis = Basis::Scheduled;
        let out = publishable(&[
            sp(3, 3, Some(590), Some(580)), // departs before it arrives, and before stop 2
            sp(1, 1, None, Some(100)),
            sp(2, 2, Some(600), Some(620)),
            sp(2, 2, Some(1), Some(2)), // a repeated stop_sequence: the first one is kept
            skipped,
            timetable,
            sp(6, 6, Some(1100), None),
        ]);
        let got: Vec<_> = out
            .iter()
            .map(|s| (s.stop_sequence, s.arrival, s.departure))
            .collect();
        assert_eq!(
            got,
            [
                (1, None, Some(100)),
                (2, Some(600), Some(620)),
                (3, Some(621), Some(621)),
                (4, None, None),
                (5, None, None),
                (6, Some(1100), None),
            ]
        );
    }

    #[test]
    fn ids_and_dates_follow_gtfs_formats() {
        assert_eq!(start_date(date(2026, 1, 5)), "20260105");
        let timetabled = TripInstance {
            trip: crate::schedule::TripIdx(0),
            service_date: date(2026, 11, 23),
            start: None,
        };
        assert_eq!(
            trip_entity_id("51_WD_0_0650", &timetabled),
            "51_WD_0_0650/20261123"
        );
        let run = TripInstance {
            start: Some(hms(25, 5, 0) as u32),
            ..timetabled
        };
        assert_eq!(trip_entity_id("BRT", &run), "BRT/20261123/25:05:00");
    }

    #[test]
    fn a_headway_only_run_is_unscheduled_with_absolute_times_and_no_delay() {
        let s = schedule();
        // The 06:15 run of F-FLEX, 2 minutes behind its nominal times; it skips B.
        let (instance, mut stops) = calls(&s, "F-FLEX", hms(6, 15, 0) as u32, 120);
        stops[1].skipped = true;
        let message = trip_updates(
            &s,
            &snapshot(&s, vec![live(instance, stops)], vec![bus(None, None)]),
        );
        assert_eq!(
            message.header.incrementality,
            Some(feed_header::Incrementality::FullDataset as i32)
        );
        assert_eq!(message.header.timestamp, Some(1_795_389_605));
        assert_eq!(message.entity[0].id, "F-FLEX/20261123/06:15:00");
        let update = only_update(&message);
        let trip = &update.trip;
        assert_eq!(trip.trip_id.as_deref(), Some("F-FLEX"));
        assert_eq!(trip.route_id.as_deref(), Some("R1"));
        assert_eq!(trip.start_time.as_deref(), Some("06:15:00"));
        assert_eq!(trip.start_date.as_deref(), Some("20261123"));
        assert_eq!(
            trip.schedule_relationship,
            Some(TripRel::Unscheduled as i32)
        );
        assert_eq!(update.delay, None);
        assert_eq!(update.timestamp, u64::try_from(t(hms(6, 20, 0))).ok());
        assert_eq!(
            update.vehicle.as_ref().and_then(|v| v.id.as_deref()),
            Some("bus-7")
        );
        // B is skipped, but SKIPPED is not allowed in an UNSCHEDULED trip: left out.
        let got: Vec<_> = update
            .stop_time_update
            .iter()
            .map(|u| {
                (
                    u.stop_sequence,
                    u.stop_id.as_deref(),
                    u.schedule_relationship,
                    u.arrival.and_then(|e| e.time),
                    u.arrival.and_then(|e| e.uncertainty),
                )
            })
            .collect();
        let unscheduled = Some(StopRel::Unscheduled as i32);
        assert_eq!(
            got,
            [
                (
                    Some(1),
                    Some("A"),
                    unscheduled,
                    Some(t(hms(6, 17, 0))),
                    Some(30)
                ),
                (
                    Some(3),
                    Some("C"),
                    unscheduled,
                    Some(t(hms(6, 37, 0))),
                    Some(30)
                ),
            ]
        );
    }

    #[test]
    fn an_exact_times_run_is_scheduled_with_its_delay_and_skipped_stops() {
        let s = schedule();
        let (instance, mut stops) = calls(&s, "F-EXACT", hms(10, 10, 0) as u32, 120);
        stops[1].skipped = true;
        stops[1].arrival = None;
        stops[1].departure = None;
        let message = trip_updates(&s, &snapshot(&s, vec![live(instance, stops)], vec![]));
        let update = only_update(&message);
        assert_eq!(update.trip.start_time.as_deref(), Some("10:10:00"));
        assert_eq!(
            update.trip.schedule_relationship,
            Some(TripRel::Scheduled as i32)
        );
        assert_eq!(update.delay, Some(120));
        // No vehicle 0 in this snapshot: no descriptor rather than a wrong one.
        assert_eq!(update.vehicle, None);
        let rel: Vec<_> = update
            .stop_time_update
            .iter()
            .map(|u| {
                (
                    u.stop_id.as_deref(),
                    u.schedule_relationship,
                    u.departure.and_then(|e| e.time),
                )
            })
            .collect();
        assert_eq!(
            rel,
            [
                (
                    Some("A"),
                    Some(StopRel::Scheduled as i32),
                    Some(t(hms(10, 12, 0)))
                ),
                (Some("B"), Some(StopRel::Skipped as i32), None),
                (
                    Some("C"),
                    Some(StopRel::Scheduled as i32),
                    Some(t(hms(10, 27, 0)))
                ),
            ]
        );
    }

    /// Issue 12, E013: a cancelled run of an `exact_times=0` trip would be `CANCELED` on a
    /// trip that may only be `UNSCHEDULED`; it is left out, the exact-times one kept.
    #[test]
    fn cancelled_runs_of_frequency_trips_without_exact_times_are_left_out_e013() {
        let s = schedule();
        let cancel = |instance| TripPrediction {
            status: TripStatus::Cancelled,
            vehicle: None,
            delay: None,
            ..live(instance, vec![])
        };
        let (flex, _) = calls(&s, "F-FLEX", hms(6, 15, 0) as u32, 0);
        let (exact, _) = calls(&s, "F-EXACT", hms(10, 10, 0) as u32, 0);
        let snap = snapshot(&s, vec![cancel(flex), cancel(exact)], vec![]);
        let message = trip_updates(&s, &snap);
        let update = only_update(&message);
        assert_eq!(update.trip.trip_id.as_deref(), Some("F-EXACT"));
        assert_eq!(
            update.trip.schedule_relationship,
            Some(TripRel::Canceled as i32)
        );
    }

    #[test]
    fn timetable_only_trips_are_left_out_cancelled_ones_kept() {
        let s = schedule();
        let (flex, mut timetable) = calls(&s, "F-FLEX", hms(6, 0, 0) as u32, 0);
        for stop in &mut timetable {
            stop.basis = Basis::Scheduled;
        }
        let (exact, _) = calls(&s, "F-EXACT", hms(10, 0, 0) as u32, 0);
        let cancelled = TripPrediction {
            status: TripStatus::Cancelled,
            vehicle: None,
            delay: None,
            ..live(exact, vec![])
        };
        let snap = snapshot(&s, vec![live(flex, timetable), cancelled], vec![]);
        let update = only_update(&trip_updates(&s, &snap)).clone();
        assert_eq!(update.trip.trip_id.as_deref(), Some("F-EXACT"));
        assert_eq!(
            update.trip.schedule_relationship,
            Some(TripRel::Canceled as i32)
        );
        assert!(update.stop_time_update.is_empty());

        // Degraded: still only the cancellation (no predictions were there anyway).
        let mut degraded = snap.clone();
        for fs in degraded.feeds.values_mut() {
            fs.degraded = true;
        }
        assert_eq!(only_update(&trip_updates(&s, &degraded)), &update);

        // A snapshot computed against another version of the schedule is not used.
        let mut other = snap;
        for fs in other.feeds.values_mut() {
            fs.schedule_version = "an older schedule".to_owned();
        }
        let message = trip_updates(&s, &other);
        assert!(message.entity.is_empty());
        assert_eq!(message.header.timestamp, Some(1_795_389_605));
    }

    #[test]
    fn vehicles_carry_trip_position_next_stop_and_time() {
        let s = schedule();
        let (instance, stops) = calls(&s, "F-FLEX", hms(6, 15, 0) as u32, 120);
        let next = stops[1].stop_time;
        let mut stopped = bus(None, None);
        stopped.id = "bus-8".to_owned();
        stopped.route = s.route_by_id("R1");
        stopped.at_stop = true;
        let snap = snapshot(
            &s,
            vec![live(instance, stops)],
            vec![bus(Some(instance), Some(next)), stopped.clone(), stopped],
        );
        let message = vehicle_positions(&s, &snap);
        // The repeated vehicle id is published once.
        let ids: Vec<&str> = message.entity.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["bus-7", "bus-8"]);
        let v = message.entity[0].vehicle.as_ref().expect("a vehicle");
        let trip = v.trip.as_ref().expect("its trip");
        assert_eq!(trip.trip_id.as_deref(), Some("F-FLEX"));
        assert_eq!(trip.start_time.as_deref(), Some("06:15:00"));
        assert_eq!(
            trip.schedule_relationship,
            Some(TripRel::Unscheduled as i32)
        );
        let descriptor = v.vehicle.as_ref().expect("descriptor");
        assert_eq!(descriptor.label.as_deref(), Some("51B-123.45"));
        let position = v.position.as_ref().expect("position");
        assert!((position.latitude - 11.0).abs() < 1e-5);
        assert_eq!(position.speed, Some(8.5));
        assert_eq!(v.stop_id.as_deref(), Some("B"));
        assert_eq!(v.current_stop_sequence, Some(2));
        assert_eq!(
            v.current_status,
            Some(VehicleStopStatus::InTransitTo as i32)
        );
        assert_eq!(v.timestamp, u64::try_from(t(hms(6, 20, 0))).ok());
        // Without a trip: the route alone, and no stop status without a next stop.
        let v = message.entity[1].vehicle.as_ref().expect("a vehicle");
        assert_eq!(
            v.trip.as_ref().and_then(|t| t.route_id.as_deref()),
            Some("R1")
        );
        assert_eq!(v.trip.as_ref().and_then(|t| t.trip_id.as_deref()), None);
        assert_eq!(v.current_status, None);

        let mut degraded = snap;
        for fs in degraded.feeds.values_mut() {
            fs.degraded = true;
        }
        assert!(vehicle_positions(&s, &degraded).entity.is_empty());
    }

    #[test]
    fn conditional_requests_match_the_etag_or_the_modification_time() {
        let s = schedule();
        let cache = CacheHeaders::new(Kind::TripUpdates, Format::Protobuf, &s, 1_795_389_605);
        let json = CacheHeaders::new(Kind::TripUpdates, Format::Json, &s, 1_795_389_605);
        let later = CacheHeaders::new(Kind::TripUpdates, Format::Protobuf, &s, 1_795_389_635);
        assert_ne!(cache.etag, json.etag);
        assert_ne!(cache.etag, later.etag);
        assert!(
            cache.etag.starts_with("\"tu-freq-1795389605-"),
            "{}",
            cache.etag
        );
        let request = |name: header::HeaderName, value: &str| {
            let mut h = HeaderMap::new();
            h.insert(name, HeaderValue::from_str(value).expect("ascii"));
            h
        };
        let inm = |v: &str| request(header::IF_NONE_MATCH, v);
        assert!(cache.not_modified(&inm(&cache.etag)));
        assert!(cache.not_modified(&inm(&format!("\"x\", W/{}", cache.etag))));
        assert!(cache.not_modified(&inm("*")));
        assert!(!cache.not_modified(&inm(&json.etag)));
        assert!(!later.not_modified(&inm(&cache.etag)));
        assert!(!cache.not_modified(&HeaderMap::new()));

        let modified = cache.last_modified().expect("a time");
        assert_eq!(modified, "Sun, 22 Nov 2026 23:20:05 GMT");
        let ims = |v: &str| request(header::IF_MODIFIED_SINCE, v);
        assert!(cache.not_modified(&ims(&modified)));
        assert!(!later.not_modified(&ims(&modified)));
        // If-None-Match wins.
        let mut both = ims(&modified);
        both.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"other\""));
        assert!(!cache.not_modified(&both));
        // Nothing published yet: no Last-Modified, never "not modified" by date.
        let empty = CacheHeaders::new(Kind::VehiclePositions, Format::Protobuf, &s, 0);
        assert_eq!(empty.last_modified(), None);
        assert!(!empty.not_modified(&ims(&modified)));
    }
}
