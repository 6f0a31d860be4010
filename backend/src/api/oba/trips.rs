//! Trips: `trip/{id}`, `trip-details/{id}`, `trip-for-vehicle/{id}`, `trips-for-route/{id}`,
//! `block/{id}`, and the `tripStatus` element every realtime answer carries: where the trip
//! instance's vehicle is (or, without one, where the timetable puts the trip), its deviation,
//! phase and status, from the published realtime snapshot.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::refs::{Refs, Trip, service_date_ms, stop_id};
use super::{
    Answer, Ctx, EntryData, LangParam, ListData, ObaError, Query, entry, feed_scoped, json_id,
    list, ms, parse_time, trip_situation_ids,
};
use crate::predict::{FeedSnapshot, TripStatus as Status, VehicleView};
use crate::realtime::TripInstance;
use crate::schedule::time::{local_date, service_day_start};
use crate::schedule::{Schedule, TripIdx};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Position {
    pub lat: f64,
    pub lon: f64,
}

/// OneBusAway's `tripStatus`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TripStatus {
    pub active_trip_id: String,
    pub block_trip_sequence: usize,
    pub service_date: i64,
    /// `in_progress`, `layover_before` (waiting to start), or `scheduled` (no vehicle).
    pub phase: &'static str,
    /// `default`, or `CANCELED` when the agency cancelled the trip.
    pub status: &'static str,
    pub predicted: bool,
    /// Seconds late (negative: early).
    pub schedule_deviation: i64,
    pub distance_along_trip: f64,
    pub scheduled_distance_along_trip: f64,
    pub last_known_distance_along_trip: f64,
    pub total_distance_along_trip: f64,
    pub closest_stop: String,
    pub closest_stop_time_offset: i64,
    pub next_stop: Option<String>,
    pub next_stop_time_offset: Option<i64>,
    pub position: Option<Position>,
    pub last_known_location: Option<Position>,
    /// Degrees counter-clockwise from east, as OneBusAway has it.
    pub orientation: Option<f64>,
    pub last_known_orientation: Option<f64>,
    pub last_update_time: i64,
    pub last_location_update_time: i64,
    pub vehicle_id: String,
    pub occupancy_capacity: i32,
    pub occupancy_count: i32,
    pub occupancy_status: String,
    pub situation_ids: Vec<String>,
}

/// Seconds since service-day start of a stop time of `instance` (frequency-based trips are
/// shifted to the instance's start).
fn shift(s: &Schedule, i: &TripInstance) -> i64 {
    let first = s
        .trip_stop_times(i.trip)
        .first()
        .map_or(0, |st| i64::from(st.departure));
    i.start.map_or(0, |start| i64::from(start) - first)
}

/// 0-based position of the trip among the trips of its block that run on `date`.
pub fn block_trip_sequence(s: &Schedule, trip: TripIdx, date: Date) -> usize {
    let Some(b) = s.trip(trip).block else {
        return 0;
    };
    s.blocks[b.index()]
        .trips
        .iter()
        .filter(|&&t| s.service_active(s.trip(t).service, date))
        .position(|&t| t == trip)
        .unwrap_or(0)
}

/// The trips before and after `trip` in its block on `date`.
fn block_neighbours(s: &Schedule, trip: TripIdx, date: Date) -> (Option<TripIdx>, Option<TripIdx>) {
    let Some(b) = s.trip(trip).block else {
        return (None, None);
    };
    let running: Vec<TripIdx> = s.blocks[b.index()]
        .trips
        .iter()
        .copied()
        .filter(|&t| s.service_active(s.trip(t).service, date))
        .collect();
    let Some(pos) = running.iter().position(|&t| t == trip) else {
        return (None, None);
    };
    (
        pos.checked_sub(1).map(|p| running[p]),
        running.get(pos + 1).copied(),
    )
}

/// GTFS bearing (clockwise from north) → OneBusAway orientation (counter-clockwise from east).
fn orientation(bearing: f32) -> f64 {
    (90.0 - f64::from(bearing)).rem_euclid(360.0)
}

/// The vehicle of a trip instance: the one on it, else the one due to run it next.
pub fn vehicle_of<'f>(fs: Option<&'f FeedSnapshot>, i: &TripInstance) -> Option<&'f VehicleView> {
    let fs = fs?;
    fs.vehicles
        .iter()
        .find(|v| v.trip.as_ref() == Some(i))
        .or_else(|| {
            fs.trip(i)
                .filter(|tp| tp.status == Status::Live)
                .and_then(|tp| tp.vehicle)
                .and_then(|v| fs.vehicles.get(v as usize))
        })
}

/// Index in the trip of the first stop time the timetable has not reached at `now`.
fn next_scheduled(s: &Schedule, i: &TripInstance, now: i64) -> usize {
    let day = service_day_start(i.service_date, &s.timezone) + shift(s, i);
    let times = s.trip_stop_times(i.trip);
    times
        .iter()
        .position(|st| day + i64::from(st.arrival) >= now)
        .unwrap_or(times.len().saturating_sub(1))
}

/// Index in the trip of the next call of instance `i`: the vehicle's next stop when it runs
/// the trip, the first stop when it will run it after its current trip, else the timetable's.
pub fn next_index(
    s: &Schedule,
    vehicle: Option<&VehicleView>,
    i: &TripInstance,
    now: i64,
) -> usize {
    let first_index = s.trip(i.trip).stop_times.start;
    let next = match vehicle {
        Some(v) if v.trip.as_ref() == Some(i) => v
            .next_stop_time
            .map_or(0, |st| st.saturating_sub(first_index) as usize),
        Some(_) => 0,
        None => next_scheduled(s, i, now),
    };
    next.min(s.trip_stop_times(i.trip).len().saturating_sub(1))
}

/// The `tripStatus` of trip instance `i` at `now`.
pub fn trip_status(
    s: &Schedule,
    fs: Option<&FeedSnapshot>,
    i: &TripInstance,
    now: i64,
    refs: &mut Refs<'_>,
) -> TripStatus {
    let day = service_day_start(i.service_date, &s.timezone) + shift(s, i);
    let times = s.trip_stop_times(i.trip);
    let first_index = s.trip(i.trip).stop_times.start;
    let total = times.last().map_or(0.0, |st| f64::from(st.dist_m));
    // Where the timetable puts the trip now: between the stop times around `now`.
    let next_scheduled = next_scheduled(s, i, now);
    let scheduled_distance = match next_scheduled
        .checked_sub(1)
        .map(|p| (&times[p], &times[next_scheduled]))
    {
        Some((a, b)) => {
            let (ta, tb) = (day + i64::from(a.departure), day + i64::from(b.arrival));
            let f = if tb > ta {
                ((now - ta) as f64 / (tb - ta) as f64).clamp(0.0, 1.0)
            } else {
                1.0
            };
            f64::from(a.dist_m) + f * f64::from(b.dist_m - a.dist_m)
        }
        None => times.first().map_or(0.0, |st| f64::from(st.dist_m)),
    };
    let prediction = fs.and_then(|fs| fs.trip(i));
    let cancelled = prediction.is_some_and(|tp| tp.status == Status::Cancelled);
    let vehicle = if cancelled { None } else { vehicle_of(fs, i) };
    let on_trip = vehicle.is_some_and(|v| v.trip.as_ref() == Some(i));
    let shape = s.trip(i.trip).shape.and_then(|sh| s.shapes.get(sh.index()));
    let position_at = |d: f64| {
        shape.and_then(|sh| sh.line.point_at(d)).map(|p| Position {
            lat: p.lat,
            lon: p.lon,
        })
    };
    let next = next_index(s, vehicle, i, now);
    let next_time = |idx: usize| -> Option<i64> {
        let st = times.get(idx)?;
        let predicted = prediction
            .and_then(|tp| tp.stop(first_index + idx as u32))
            .and_then(|sp| sp.arrival.or(sp.departure));
        Some(predicted.unwrap_or(day + i64::from(st.arrival)))
    };
    let (distance, position, bearing, updated) = match vehicle {
        Some(v) if on_trip => (
            v.progress_m.unwrap_or(scheduled_distance),
            Some(Position {
                lat: v.position.lat,
                lon: v.position.lon,
            }),
            v.bearing,
            ms(v.timestamp),
        ),
        Some(v) => (
            times.first().map_or(0.0, |st| f64::from(st.dist_m)),
            Some(Position {
                lat: v.position.lat,
                lon: v.position.lon,
            }),
            v.bearing,
            ms(v.timestamp),
        ),
        None => (scheduled_distance, position_at(scheduled_distance), None, 0),
    };
    let closest_stop = times
        .get(next)
        .map(|st| refs.stop(s, st.stop))
        .unwrap_or_default();
    let next_offset = next_time(next).map(|t| t - now);
    let phase = match vehicle {
        Some(v) if on_trip && !v.layover => "in_progress",
        Some(_) => "layover_before",
        None => "scheduled",
    };
    let active_trip = match vehicle.and_then(|v| v.trip) {
        Some(current) if !on_trip => current.trip,
        _ => i.trip,
    };
    TripStatus {
        active_trip_id: refs.trip(s, active_trip),
        block_trip_sequence: block_trip_sequence(s, active_trip, i.service_date),
        service_date: service_date_ms(s, i.service_date),
        phase,
        status: if cancelled { "CANCELED" } else { "default" },
        predicted: vehicle.is_some() && prediction.is_some(),
        schedule_deviation: prediction
            .filter(|_| vehicle.is_some())
            .and_then(|tp| tp.delay)
            .map_or(0, i64::from),
        distance_along_trip: distance,
        scheduled_distance_along_trip: scheduled_distance,
        last_known_distance_along_trip: if vehicle.is_some() { distance } else { 0.0 },
        total_distance_along_trip: total,
        closest_stop,
        closest_stop_time_offset: next_offset.unwrap_or(0),
        next_stop: times.get(next).map(|st| stop_id(s, st.stop)),
        next_stop_time_offset: next_offset,
        position,
        last_known_location: vehicle.and(position),
        orientation: bearing.map(orientation),
        last_known_orientation: bearing.map(orientation),
        last_update_time: updated,
        last_location_update_time: updated,
        vehicle_id: vehicle.map(|v| feed_scoped(s, &v.id)).unwrap_or_default(),
        occupancy_capacity: -1,
        occupancy_count: -1,
        occupancy_status: String::new(),
        situation_ids: trip_situation_ids(refs, s, fs, active_trip, now),
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleStopTime {
    /// Seconds since the service day's start.
    arrival_time: i64,
    departure_time: i64,
    stop_id: String,
    stop_headsign: String,
    distance_along_trip: f64,
    historical_occupancy: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TripSchedule {
    time_zone: String,
    stop_times: Vec<ScheduleStopTime>,
    previous_trip_id: String,
    next_trip_id: String,
}

/// OneBusAway's `tripDetails`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TripDetails {
    trip_id: String,
    service_date: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<TripStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    schedule: Option<TripSchedule>,
    situation_ids: Vec<String>,
}

/// What goes into a `tripDetails`.
#[derive(Debug, Clone, Copy)]
pub struct Include {
    pub trip: bool,
    pub schedule: bool,
    pub status: bool,
}

pub fn details(
    s: &Schedule,
    fs: Option<&FeedSnapshot>,
    i: &TripInstance,
    now: i64,
    include: Include,
    refs: &mut Refs<'_>,
) -> TripDetails {
    let trip_id = if include.trip {
        refs.trip(s, i.trip)
    } else {
        super::refs::trip_id(s, i.trip)
    };
    let schedule = include.schedule.then(|| {
        let shift = shift(s, i);
        let lang = refs.lang();
        let (previous, next) = block_neighbours(s, i.trip, i.service_date);
        let mut id = |t: Option<TripIdx>| t.map(|t| refs.trip(s, t)).unwrap_or_default();
        let (previous_trip_id, next_trip_id) = (id(previous), id(next));
        TripSchedule {
            time_zone: s.timezone_name.to_string(),
            stop_times: s
                .trip_stop_times(i.trip)
                .iter()
                .map(|st| ScheduleStopTime {
                    arrival_time: i64::from(st.arrival) + shift,
                    departure_time: i64::from(st.departure) + shift,
                    stop_id: refs.stop(s, st.stop),
                    stop_headsign: st
                        .stop_headsign
                        .and_then(|_| s.headsign_in(st, lang))
                        .unwrap_or_default()
                        .to_owned(),
                    distance_along_trip: f64::from(st.dist_m),
                    historical_occupancy: String::new(),
                })
                .collect(),
            previous_trip_id,
            next_trip_id,
        }
    });
    TripDetails {
        trip_id,
        service_date: service_date_ms(s, i.service_date),
        status: include.status.then(|| trip_status(s, fs, i, now, refs)),
        schedule,
        situation_ids: trip_situation_ids(refs, s, fs, i.trip, now),
    }
}

pub fn resolve_trip(ctx: &Ctx, id: &str) -> Result<(Arc<Schedule>, TripIdx), ObaError> {
    ctx.resolve(id)
        .and_then(|(s, local)| Some((s.clone(), s.trip_by_id(local)?)))
        .ok_or_else(|| ObaError::not_found("trip", id))
}

/// The service date of a `serviceDate` parameter (the service day's start in ms).
pub fn service_date_param(s: &Schedule, ms_: i64) -> Date {
    // Noon of the service day: clear of daylight-saving shifts around midnight.
    local_date(ms_.div_euclid(1000) + 12 * 3600, &s.timezone)
}

/// The instance of `trip` meant when none is named: the one realtime knows (running or due),
/// else the one the timetable has running at `now`, else today's.
pub fn current_instance(
    s: &Schedule,
    fs: Option<&FeedSnapshot>,
    trip: TripIdx,
    date: Option<Date>,
    now: i64,
) -> TripInstance {
    let wanted = |d: Date| date.is_none_or(|w| w == d);
    if let Some(tp) = fs.and_then(|fs| {
        fs.trips
            .iter()
            .find(|tp| tp.instance.trip == trip && wanted(tp.instance.service_date))
    }) {
        return tp.instance;
    }
    if let Some(&(trip, service_date, start)) =
        s.running(&[trip], now).iter().find(|(_, d, _)| wanted(*d))
    {
        return TripInstance {
            trip,
            service_date,
            start,
        };
    }
    let service_date = date.unwrap_or_else(|| local_date(now, &s.timezone));
    let start = s.trip_frequencies(trip).first().map(|f| f.start);
    TripInstance {
        trip,
        service_date,
        start,
    }
}

pub async fn trip(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<LangParam>,
) -> Answer<EntryData<Trip>> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let (s, t) = resolve_trip(&ctx, id)?;
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let trip = refs.trip_entry(&s, t);
    entry(ctx.now, trip, refs.finish())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailsParams {
    service_date: Option<i64>,
    include_trip: Option<bool>,
    include_schedule: Option<bool>,
    include_status: Option<bool>,
    time: Option<String>,
    lang: Option<String>,
}

pub async fn trip_details(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<DetailsParams>,
) -> Answer<EntryData<TripDetails>> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let now = parse_time(p.time.as_deref(), ctx.now)?;
    let (s, t) = resolve_trip(&ctx, id)?;
    let date = p.service_date.map(|d| service_date_param(&s, d));
    let fs = ctx.live(&s);
    let instance = current_instance(&s, fs, t, date, now);
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let include = Include {
        trip: p.include_trip.unwrap_or(true),
        schedule: p.include_schedule.unwrap_or(true),
        status: p.include_status.unwrap_or(true),
    };
    let details = details(&s, fs, &instance, now, include, &mut refs);
    entry(ctx.now, details, refs.finish())
}

pub async fn trip_for_vehicle(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<DetailsParams>,
) -> Answer<EntryData<TripDetails>> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let now = parse_time(p.time.as_deref(), ctx.now)?;
    let (s, local) = ctx
        .resolve(id)
        .ok_or_else(|| ObaError::not_found("vehicle", id))?;
    let fs = ctx.live(&s);
    let vehicle = fs
        .and_then(|fs| fs.vehicles.iter().find(|v| v.id == local))
        .ok_or_else(|| ObaError::not_found("vehicle", id))?;
    let instance = vehicle.trip.ok_or_else(|| {
        ObaError::not_found("trip of the vehicle (it is not matched to a trip now)", id)
    })?;
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let include = Include {
        trip: p.include_trip.unwrap_or(false),
        schedule: p.include_schedule.unwrap_or(false),
        status: p.include_status.unwrap_or(true),
    };
    let details = details(&s, fs, &instance, now, include, &mut refs);
    entry(ctx.now, details, refs.finish())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForRouteParams {
    include_schedule: Option<bool>,
    time: Option<String>,
    lang: Option<String>,
}

pub async fn trips_for_route(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<ForRouteParams>,
) -> Answer<ListData<TripDetails>> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let now = parse_time(p.time.as_deref(), ctx.now)?;
    let (s, r) = super::routes::resolve_route(&ctx, id)?;
    let fs = ctx.live(&s);
    // Under way by the timetable, plus those realtime has a vehicle for (late or early).
    let mut instances: Vec<TripInstance> = s
        .running(s.trips_of_route(r), now)
        .into_iter()
        .map(|(trip, service_date, start)| TripInstance {
            trip,
            service_date,
            start,
        })
        .collect();
    if let Some(fs) = fs {
        for v in &fs.vehicles {
            if let Some(i) = v.trip.filter(|i| s.trip(i.trip).route == r) {
                instances.push(i);
            }
        }
    }
    instances.sort();
    instances.dedup();
    let include = Include {
        trip: true,
        schedule: p.include_schedule.unwrap_or(false),
        // Always: OneBusAway's clients (and the SDK's model) read every listed trip's status,
        // whatever `includeStatus` says.
        status: true,
    };
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let out = instances
        .iter()
        .map(|i| details(&s, fs, i, now, include, &mut refs))
        .collect();
    list(ctx.now, out, false, refs.finish())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForLocationParams {
    lat: Option<f64>,
    lon: Option<f64>,
    lat_span: Option<f64>,
    lon_span: Option<f64>,
    include_schedule: Option<bool>,
    include_trip: Option<bool>,
    time: Option<String>,
    lang: Option<String>,
}

/// `trips-for-location`: the trips of the vehicles inside the box `latSpan` × `lonSpan`
/// around `lat`, `lon`, each with its status.
pub async fn trips_for_location(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<ForLocationParams>,
) -> Answer<ListData<TripDetails>> {
    let (Some(lat), Some(lon), Some(lat_span), Some(lon_span)) =
        (p.lat, p.lon, p.lat_span, p.lon_span)
    else {
        return Err(ObaError::bad(
            "lat, lon, latSpan, lonSpan",
            "give the box: its centre (lat=, lon=) and size in degrees (latSpan=, lonSpan=)",
        ));
    };
    if !(lat_span > 0.0 && lat_span <= 1.0 && lon_span > 0.0 && lon_span <= 1.0) {
        return Err(ObaError::bad(
            "latSpan, lonSpan",
            "use spans greater than 0 and at most 1 degree",
        ));
    }
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let now = parse_time(p.time.as_deref(), ctx.now)?;
    let include = Include {
        trip: p.include_trip.unwrap_or(true),
        schedule: p.include_schedule.unwrap_or(false),
        status: true,
    };
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let mut out = Vec::new();
    for f in ctx.catalog.feeds() {
        let s = &f.schedule;
        let Some(fs) = ctx.live(s) else { continue };
        let mut instances: Vec<TripInstance> = fs
            .vehicles
            .iter()
            .filter(|v| {
                (v.position.lat - lat).abs() <= lat_span / 2.0
                    && (v.position.lon - lon).abs() <= lon_span / 2.0
            })
            .filter_map(|v| v.trip)
            .collect();
        instances.sort();
        instances.dedup();
        out.extend(
            instances
                .iter()
                .map(|i| details(s, Some(fs), i, now, include, &mut refs)),
        );
    }
    list(ctx.now, out, false, refs.finish())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Block {
    id: String,
    configurations: Vec<BlockConfiguration>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockConfiguration {
    active_service_ids: Vec<String>,
    inactive_service_ids: Vec<String>,
    trips: Vec<BlockTrip>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockTrip {
    trip_id: String,
    distance_along_block: f64,
    accumulated_slack_time: f64,
    block_stop_times: Vec<BlockStopTime>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockStopTime {
    block_sequence: usize,
    distance_along_block: f64,
    accumulated_slack_time: f64,
    stop_time: BlockStopTimeInner,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockStopTimeInner {
    arrival_time: i64,
    departure_time: i64,
    stop_id: String,
    pickup_type: i32,
    drop_off_type: i32,
}

fn boarding(b: crate::schedule::Boarding) -> i32 {
    use crate::schedule::Boarding as B;
    match b {
        B::Regular => 0,
        B::None => 1,
        B::PhoneAgency => 2,
        B::CoordinateWithDriver => 3,
    }
}

/// `block/{id}`: the block's trips, one configuration per service (the trips that run
/// together on the days it is active).
pub async fn block(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<LangParam>,
) -> Answer<EntryData<Block>> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let (s, local) = ctx
        .resolve(id)
        .ok_or_else(|| ObaError::not_found("block", id))?;
    let block = s
        .blocks
        .iter()
        .find(|b| &*b.id == local)
        .ok_or_else(|| ObaError::not_found("block", id))?;
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let mut services: Vec<_> = Vec::new();
    for &t in &block.trips {
        let service = s.trip(t).service;
        if !services.contains(&service) {
            services.push(service);
        }
    }
    let configurations = services
        .iter()
        .map(|&service| {
            let mut along = 0.0;
            let mut sequence = 0;
            let trips = block
                .trips
                .iter()
                .filter(|&&t| s.trip(t).service == service)
                .map(|&t| {
                    let start = along;
                    let block_stop_times = s
                        .trip_stop_times(t)
                        .iter()
                        .map(|st| {
                            sequence += 1;
                            BlockStopTime {
                                block_sequence: sequence - 1,
                                distance_along_block: start + f64::from(st.dist_m),
                                accumulated_slack_time: 0.0,
                                stop_time: BlockStopTimeInner {
                                    arrival_time: i64::from(st.arrival),
                                    departure_time: i64::from(st.departure),
                                    stop_id: refs.stop(&s, st.stop),
                                    pickup_type: boarding(st.pickup),
                                    drop_off_type: boarding(st.drop_off),
                                },
                            }
                        })
                        .collect();
                    along += s
                        .trip_stop_times(t)
                        .last()
                        .map_or(0.0, |st| f64::from(st.dist_m));
                    BlockTrip {
                        trip_id: refs.trip(&s, t),
                        distance_along_block: start,
                        accumulated_slack_time: 0.0,
                        block_stop_times,
                    }
                })
                .collect();
            BlockConfiguration {
                active_service_ids: vec![feed_scoped(&s, &s.services[service.index()].id)],
                inactive_service_ids: Vec::new(),
                trips,
            }
        })
        .collect();
    entry(
        ctx.now,
        Block {
            id: feed_scoped(&s, &block.id),
            configurations,
        },
        refs.finish(),
    )
}
