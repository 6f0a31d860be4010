//! `arrivals-and-departures-for-stop/{id}` (`minutesBefore` 5, `minutesAfter` 35 around
//! `time`) and `arrival-and-departure-for-stop/{id}` (one call: `tripId`, `serviceDate`,
//! `stopSequence`, `vehicleId`). The calls are the departure board's ([`departures::lines`],
//! with arrivals at last stops): the timetable merged with the realtime snapshot, so a
//! cancelled trip is `CANCELED`, a timetable-only call has `predicted: false` and predicted
//! times 0, and a bus that has passed the stop is gone.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

use super::refs::{Refs, service_date_ms};
use super::stops::{AreaParams, max_count, resolve_stop};
use super::trips::{
    TripStatus, block_trip_sequence, current_instance, next_index, resolve_trip,
    service_date_param, trip_status, vehicle_of,
};
use super::{
    Answer, Ctx, EntryData, ObaError, Query, entry, feed_scoped, json_id, ms, parse_time,
    situation_ids,
};
use crate::api::alerts::stops_around;
use crate::api::departures::{self, BoardQuery, Line};
use crate::predict::FeedSnapshot;
use crate::realtime::TripInstance;
use crate::realtime::alerts::Concern;
use crate::schedule::{Boarding, Schedule, StopIdx};
use crate::state::AppState;
use api_types::{Basis, DepartureStatus};

const MAX_MINUTES: i64 = 24 * 60;
/// More than any stop sees in 24 hours in practice; the window bounds the answer anyway.
const MAX_ARRIVALS: usize = 1000;

/// OneBusAway's `arrivalAndDeparture`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArrivalAndDeparture {
    route_id: String,
    route_short_name: String,
    route_long_name: String,
    trip_id: String,
    trip_headsign: String,
    service_date: i64,
    stop_id: String,
    /// 0-based index of the call in its trip.
    stop_sequence: usize,
    total_stops_in_trip: usize,
    block_trip_sequence: usize,
    arrival_enabled: bool,
    departure_enabled: bool,
    scheduled_arrival_time: i64,
    scheduled_departure_time: i64,
    /// 0 without realtime.
    predicted_arrival_time: i64,
    predicted_departure_time: i64,
    predicted: bool,
    last_update_time: Option<i64>,
    /// `default`, `CANCELED` (trip cancelled) or `SKIPPED` (the bus will not stop here).
    status: &'static str,
    vehicle_id: String,
    number_of_stops_away: i64,
    distance_from_stop: f64,
    trip_status: Option<TripStatus>,
    situation_ids: Vec<String>,
    /// The bay the bus leaves from (`platform_code`, else the platform's own name): OneBusAway
    /// calls it the track. Empty when the stop has none.
    scheduled_track: String,
    /// The bay realtime assigns instead: we read no such reassignment, so always empty.
    actual_track: String,
}

fn render(
    s: &Schedule,
    fs: Option<&FeedSnapshot>,
    line: &Line<'_>,
    now: i64,
    refs: &mut Refs<'_>,
) -> ArrivalAndDeparture {
    let call = &line.call;
    let trip = s.trip(call.trip);
    let st = &s.stop_times[call.stop_time as usize];
    let index = (call.stop_time - trip.stop_times.start) as usize;
    let total = trip.stop_times.len();
    let instance = TripInstance {
        trip: call.trip,
        service_date: call.service_date,
        start: call.frequency.map(|(_, start)| start),
    };
    let cancelled = line.status == DepartureStatus::Cancelled;
    let vehicle = if cancelled {
        None
    } else {
        vehicle_of(fs, &instance)
    };
    // A prediction that is only the timetable (basis scheduled) is not one to OneBusAway.
    let predicted = line
        .predicted
        .as_ref()
        .filter(|_| line.basis != Basis::Scheduled);
    let (arrival, departure) = predicted.map_or((0, 0), |p| {
        let a = p.arrival.or(p.departure).unwrap_or_default();
        (ms(a), ms(p.departure.unwrap_or(a)))
    });
    let realtime = line.trip.is_some() || vehicle.is_some();
    let status = realtime.then(|| trip_status(s, fs, &instance, now, refs));
    let on_trip = vehicle.is_some_and(|v| v.trip.as_ref() == Some(&instance));
    let distance_from_stop = match vehicle.and_then(|v| v.progress_m).filter(|_| on_trip) {
        Some(progress) => f64::from(st.dist_m) - progress,
        None => 0.0,
    };
    let track = s.bay(st.stop, refs.lang()).unwrap_or_default().to_owned();
    ArrivalAndDeparture {
        scheduled_track: track,
        actual_track: String::new(),
        route_id: refs.route(s, trip.route),
        route_short_name: s.route_short_name(trip.route).to_owned(),
        route_long_name: s.route_long_name(trip.route, refs.lang()).to_owned(),
        trip_id: refs.trip(s, call.trip),
        trip_headsign: s
            .headsign_in(st, refs.lang())
            .unwrap_or_default()
            .to_owned(),
        service_date: service_date_ms(s, call.service_date),
        stop_id: refs.stop(s, st.stop),
        stop_sequence: index,
        total_stops_in_trip: total,
        block_trip_sequence: block_trip_sequence(s, call.trip, call.service_date),
        arrival_enabled: index > 0 && st.drop_off != Boarding::None,
        departure_enabled: index + 1 < total && st.pickup != Boarding::None,
        scheduled_arrival_time: ms(call.arrival),
        scheduled_departure_time: ms(call.departure),
        predicted_arrival_time: arrival,
        predicted_departure_time: departure,
        predicted: predicted.is_some(),
        last_update_time: line.trip.map(|tp| ms(tp.data_time)),
        status: match line.status {
            DepartureStatus::Cancelled => "CANCELED",
            DepartureStatus::Skipped => "SKIPPED",
            _ => "default",
        },
        vehicle_id: vehicle.map(|v| feed_scoped(s, &v.id)).unwrap_or_default(),
        number_of_stops_away: index as i64 - next_index(s, vehicle, &instance, now) as i64,
        distance_from_stop,
        trip_status: status,
        situation_ids: situation_ids(
            refs,
            s,
            fs,
            &Concern {
                stops: Some(&[st.stop, s.stop(st.stop).parent.unwrap_or(st.stop)]),
                routes: Some(&[trip.route]),
                trips: Some(&[call.trip]),
            },
            now,
        ),
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StopArrivals {
    stop_id: String,
    arrivals_and_departures: Vec<ArrivalAndDeparture>,
    nearby_stop_ids: Vec<String>,
    situation_ids: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Params {
    minutes_before: Option<i64>,
    minutes_after: Option<i64>,
    time: Option<String>,
    lang: Option<String>,
}

fn minutes(name: &str, given: Option<i64>, default: i64) -> Result<i64, ObaError> {
    let m = given.unwrap_or(default);
    if !(0..=MAX_MINUTES).contains(&m) {
        return Err(ObaError::bad(
            name,
            format!("{m} is out of range; use 0 to {MAX_MINUTES} minutes"),
        ));
    }
    Ok(m)
}

pub async fn arrivals_and_departures_for_stop(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<Params>,
) -> Answer<EntryData<StopArrivals>> {
    let id = json_id(&id)?;
    let before = minutes("minutesBefore", p.minutes_before, 5)?;
    let after = minutes("minutesAfter", p.minutes_after, 35)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let at = parse_time(p.time.as_deref(), ctx.now)?;
    let (s, stop) = resolve_stop(&ctx, id)?;
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let stop_id = refs.stop(&s, stop);
    let window = (at - before * 60, at + after * 60);
    let arrivals = board(&ctx, &s, &[stop], at, window, &mut refs);
    let stops = stops_around(&s, &[stop]);
    let index = ctx.catalog.stop_index(&s);
    let routes = index.routes(stop);
    let concern = Concern {
        stops: Some(&stops),
        routes: Some(routes),
        trips: None,
    };
    let situations = situation_ids(&mut refs, &s, ctx.realtime.for_schedule(&s), &concern, at);
    entry(
        ctx.now,
        StopArrivals {
            stop_id,
            arrivals_and_departures: arrivals,
            nearby_stop_ids: Vec::new(),
            situation_ids: situations,
        },
        refs.finish(),
    )
}

/// The arrivals and departures at `stops` (of one feed) in `window` around `at`, by scheduled
/// time: the departure board's lines with arrivals at last stops.
fn board(
    ctx: &Ctx,
    s: &Schedule,
    stops: &[StopIdx],
    at: i64,
    (from, to): (i64, i64),
    refs: &mut Refs<'_>,
) -> Vec<ArrivalAndDeparture> {
    let Some((&stop, more_stops)) = stops.split_first() else {
        return Vec::new();
    };
    let query = BoardQuery {
        stop,
        more_stops,
        routes: None,
        now: at,
        from,
        to,
        lang: &ctx.lang,
        limit: MAX_ARRIVALS,
        arrivals: true,
    };
    let mut lines = departures::lines(s, ctx.realtime.for_schedule(s), &query);
    // OneBusAway orders by scheduled time.
    lines.sort_by_key(|l| (l.call.departure, l.call.trip, l.call.stop_time));
    let fs = ctx.live(s);
    lines.iter().map(|l| render(s, fs, l, at, refs)).collect()
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NearbyStop {
    stop_id: String,
    distance_from_query: f64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationArrivals {
    stop_ids: Vec<String>,
    nearby_stop_ids: Vec<NearbyStop>,
    arrivals_and_departures: Vec<ArrivalAndDeparture>,
    limit_exceeded: bool,
    situation_ids: Vec<String>,
}

/// `arrivals-and-departures-for-location`: the boards of the stops in the area (at most
/// `maxCount` stops, nearest first; default 250), merged by scheduled time.
pub async fn arrivals_and_departures_for_location(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<AreaParams>,
) -> Answer<EntryData<LocationArrivals>> {
    let area = p.area()?;
    let limit = max_count(p.max_count_given(), 250)?;
    let before = minutes("minutesBefore", p.minutes_before, 5)?;
    let after = minutes("minutesAfter", p.minutes_after, 35)?;
    let ctx = Ctx::new(&state, p.lang(), &headers);
    let at = parse_time(p.time.as_deref(), ctx.now)?;
    let mut near = area.stops(&ctx.catalog);
    let limit_exceeded = near.len() > limit;
    near.truncate(limit);
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let mut stop_ids = Vec::new();
    let mut nearby_stop_ids = Vec::new();
    for (d, s, idx) in &near {
        let id = refs.stop(s, *idx);
        stop_ids.push(id.clone());
        nearby_stop_ids.push(NearbyStop {
            stop_id: id,
            distance_from_query: (d * 10.0).round() / 10.0,
        });
    }
    let mut arrivals = Vec::new();
    for f in ctx.catalog.feeds() {
        let s = &f.schedule;
        let stops: Vec<StopIdx> = near
            .iter()
            .filter(|(_, n, _)| n.feed_id == s.feed_id)
            .map(|(_, _, idx)| *idx)
            .collect();
        let window = (at - before * 60, at + after * 60);
        arrivals.extend(board(&ctx, s, &stops, at, window, &mut refs));
    }
    arrivals.sort_by_key(|a| a.scheduled_departure_time);
    let mut situations: Vec<String> = arrivals
        .iter()
        .flat_map(|a| a.situation_ids.iter().cloned())
        .collect();
    situations.sort_unstable();
    situations.dedup();
    entry(
        ctx.now,
        LocationArrivals {
            stop_ids,
            nearby_stop_ids,
            arrivals_and_departures: arrivals,
            limit_exceeded,
            situation_ids: situations,
        },
        refs.finish(),
    )
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OneParams {
    trip_id: Option<String>,
    service_date: Option<i64>,
    vehicle_id: Option<String>,
    stop_sequence: Option<usize>,
    time: Option<String>,
    lang: Option<String>,
}

pub async fn arrival_and_departure_for_stop(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<OneParams>,
) -> Answer<EntryData<ArrivalAndDeparture>> {
    let id = json_id(&id)?;
    let trip_id = p
        .trip_id
        .as_deref()
        .ok_or_else(|| ObaError::bad("tripId", "give the trip, as {agencyId}_{tripId}"))?;
    let service_date = p.service_date.ok_or_else(|| {
        ObaError::bad(
            "serviceDate",
            "give the trip's service date, in milliseconds since the epoch",
        )
    })?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let now = parse_time(p.time.as_deref(), ctx.now)?;
    let (s, stop) = resolve_stop(&ctx, id)?;
    let (ts, trip) = resolve_trip(&ctx, trip_id)?;
    if ts.feed_id != s.feed_id {
        return Err(ObaError::not_found("trip at this stop", trip_id));
    }
    let fs = ctx.live(&s);
    let date = service_date_param(&s, service_date);
    let mut instance = current_instance(&s, fs, trip, Some(date), now);
    // A vehicle named: its instance of the trip (frequency-based trips run several at once).
    if let Some(v) = p.vehicle_id.as_deref().and_then(|v| {
        let (vs, local) = ctx.resolve(v)?;
        (vs.feed_id == s.feed_id).then_some(())?;
        fs?.vehicles.iter().find(|x| x.id == local)
    }) && let Some(i) = v.trip.filter(|i| i.trip == trip && i.service_date == date)
    {
        instance = i;
    }
    let times = s.trip(trip).stop_times;
    let stops = s.stop_and_children(stop);
    let stop_time = match p.stop_sequence {
        Some(seq) => Some(times.start + seq as u32)
            .filter(|&i| i < times.end && stops.contains(&s.stop_times[i as usize].stop)),
        None => (times.start..times.end).find(|&i| stops.contains(&s.stop_times[i as usize].stop)),
    }
    .ok_or_else(|| {
        ObaError::not_found(
            "call of this trip at this stop (check stopSequence, a 0-based index)",
            id,
        )
    })?;
    let call = s
        .call_of(trip, stop_time, instance.service_date, instance.start)
        .ok_or_else(|| ObaError::not_found("call of this trip at this stop", id))?;
    let rt = ctx.realtime.for_schedule(&s);
    // A call the bus has already made is shown from the timetable.
    let line = departures::line(rt, &call).unwrap_or(Line {
        call,
        expected: call.departure,
        status: DepartureStatus::Scheduled,
        basis: Basis::Scheduled,
        trip: None,
        predicted: None,
    });
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let out = render(&s, fs, &line, now, &mut refs);
    entry(ctx.now, out, refs.finish())
}
