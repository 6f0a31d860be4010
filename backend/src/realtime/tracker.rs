//! Vehicles, matched to trip instances, with their progress along the trip and the calls they
//! make at stops.
//!
//! The chain of stages for each position (after TheTransitClock's): **match** the vehicle to
//! a trip instance (the feed's trip_id when valid, otherwise route, position along the shape
//! and schedule time), **progress** along the trip's shape (monotone, searched near where the
//! vehicle was, so loops and out-and-back routes work), **detect** arrivals and departures at
//! the stops passed since the previous position, interpolated in time between the two.

use std::sync::Arc;

use jiff::civil::Date;
use rustc_hash::{FxHashMap, FxHashSet};

use super::TripInstance;
use crate::predict::ObservedCall;
use crate::schedule::time::service_day_start;
use crate::schedule::{FeedId, LatLon, RouteIdx, Schedule, StopIdx, StopTime, TripIdx};

/// A position farther than this from the trip's line is off route.
pub const OFF_ROUTE_M: f64 = 200.0;
/// Backward movement along the line tolerated as GPS noise.
const BACK_TOLERANCE_M: f64 = 50.0;
/// The arrival at a stop counts this far before it (along the line); leaving, this far after.
pub const ARRIVE_RADIUS_M: f64 = 30.0;
/// Calls are only observed between positions at most this far apart in time.
const MAX_GAP_S: i64 = 300;
/// Fastest plausible speed of a bus, for rejecting jumps along the line.
const MAX_SPEED_MPS: f64 = 40.0;
/// A vehicle that has not moved this far in `STUCK_AFTER_S` (and is not at a terminal) is stuck.
const STUCK_M: f64 = 30.0;
const STUCK_AFTER_S: i64 = 300;

/// How a vehicle got its trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// The feed named the trip.
    Feed,
    /// We found it from the route, the position and the schedule.
    Inferred,
    /// The vehicle finished its previous trip and continues with the next of its block.
    Block,
}

/// A vehicle's trip and where it is on it.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub instance: TripInstance,
    pub matched_by: MatchKind,
    /// Metres along the trip's shape; never decreases.
    pub progress_m: f64,
    /// Vehicle time of that progress (unix seconds).
    pub at: i64,
    /// Index (within the trip's stop times) of the first call not yet reached.
    pub next_call: usize,
    /// The call the vehicle arrived at and has not left yet (index within the trip's stop
    /// times, and the observation to complete with its departure). `None` when the arrival
    /// was not observed reliably.
    pub pending: Option<(usize, ObservedCall)>,
    /// Schedule deviation at the last position, seconds (positive: late).
    pub delay: i32,
    /// Unix seconds of the instance's service-day start plus the frequency offset: add a stop
    /// time's `arrival` to get the scheduled instant.
    pub origin: i64,
    /// Where and when the vehicle last moved noticeably (for stuck detection).
    pub moved: (f64, i64),
}

impl Assignment {
    pub fn scheduled_arrival(&self, st: &StopTime) -> i64 {
        self.origin + i64::from(st.arrival)
    }

    pub fn scheduled_departure(&self, st: &StopTime) -> i64 {
        self.origin + i64::from(st.departure)
    }

    /// The trip has not left its first stop yet.
    pub fn before_start(&self, stops: &[StopTime]) -> bool {
        stops
            .first()
            .is_none_or(|st| self.progress_m < f64::from(st.dist_m) + ARRIVE_RADIUS_M)
    }
}

/// Trip descriptor fields as the feed sent them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TripHint {
    pub trip_id: Option<String>,
    pub route_id: Option<String>,
    pub direction_id: Option<u32>,
    pub start_date: Option<Date>,
    /// Seconds since service-day start.
    pub start_time: Option<u32>,
    pub canceled: bool,
}

/// One vehicle's latest position and what we make of it.
#[derive(Debug, Clone)]
pub struct Vehicle {
    pub feed: FeedId,
    pub id: String,
    pub label: Option<String>,
    pub position: LatLon,
    pub bearing: Option<f32>,
    pub speed: Option<f32>,
    /// The vehicle's own timestamp of `position`.
    pub timestamp: i64,
    pub hint: TripHint,
    pub assignment: Option<Assignment>,
    pub off_route: bool,
    pub stuck: bool,
}

/// A position report, from a GTFS-Realtime VehiclePosition.
#[derive(Debug, Clone)]
pub struct Report {
    pub id: String,
    pub label: Option<String>,
    pub position: LatLon,
    pub bearing: Option<f32>,
    pub speed: Option<f32>,
    pub timestamp: i64,
    pub hint: TripHint,
}

/// Every tracked vehicle, keyed by (feed, vehicle id).
#[derive(Debug, Default)]
pub struct Tracker {
    vehicles: FxHashMap<(FeedId, String), Vehicle>,
    /// Per feed (and schedule version): a coarse grid of stops → routes, for matching vehicles
    /// that do not say their trip or route.
    route_grids: FxHashMap<FeedId, Arc<RouteGrid>>,
}

impl Tracker {
    pub fn vehicles(&self) -> impl Iterator<Item = &Vehicle> {
        self.vehicles.values()
    }

    pub fn len(&self) -> usize {
        self.vehicles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vehicles.is_empty()
    }

    /// Forgets vehicles silent for longer than `timeout` seconds.
    pub fn expire(&mut self, now: i64, timeout: i64) {
        self.vehicles.retain(|_, v| now - v.timestamp <= timeout);
    }

    /// Drops every assignment of `feed` (its schedule changed: indexes mean something else).
    pub fn reset_feed(&mut self, feed: &FeedId) {
        self.route_grids.remove(feed);
        for v in self.vehicles.values_mut().filter(|v| &v.feed == feed) {
            v.assignment = None;
        }
    }

    /// Applies one position report. Returns the calls the vehicle completed since its previous
    /// position; a report older than what we have is ignored.
    pub fn update(
        &mut self,
        schedule: &Schedule,
        report: Report,
        out: &mut Vec<ObservedCall>,
    ) -> bool {
        let key = (schedule.feed_id.clone(), report.id.clone());
        if let Some(v) = self.vehicles.get(&key)
            && report.timestamp < v.timestamp
        {
            return false;
        }
        let grid = self
            .route_grids
            .entry(schedule.feed_id.clone())
            .or_insert_with(|| Arc::new(RouteGrid::new(schedule)))
            .clone();
        let previous = self.vehicles.remove(&key);
        let same_time = previous
            .as_ref()
            .is_some_and(|p| p.timestamp == report.timestamp && p.position == report.position);
        let mut vehicle = Vehicle {
            feed: schedule.feed_id.clone(),
            id: report.id,
            label: report.label,
            position: report.position,
            bearing: report.bearing,
            speed: report.speed,
            timestamp: report.timestamp,
            hint: report.hint,
            assignment: previous.as_ref().and_then(|p| p.assignment.clone()),
            off_route: previous.as_ref().is_some_and(|p| p.off_route),
            stuck: previous.as_ref().is_some_and(|p| p.stuck),
        };
        if !same_time {
            locate(schedule, &grid, &mut vehicle, out);
        }
        self.vehicles.insert(key, vehicle);
        true
    }
}

/// Matches the vehicle and moves it along its trip.
fn locate(schedule: &Schedule, grid: &RouteGrid, v: &mut Vehicle, out: &mut Vec<ObservedCall>) {
    if !v.position.is_plausible() {
        return;
    }
    let hinted = v
        .hint
        .trip_id
        .as_deref()
        .and_then(|id| schedule.trip_by_id(id))
        .filter(|&t| schedule.trip(t).usable);
    // 1. Continue the current trip when the feed agrees (or says nothing).
    if let Some(mut a) = v.assignment.take() {
        let keep = match hinted {
            Some(t) => t == a.instance.trip,
            None => v.hint.trip_id.is_none(),
        };
        if !keep && let Some((_, call)) = a.pending.take() {
            out.push(call);
        }
        if keep {
            match advance(schedule, v, a, out) {
                Advance::Moved(a) => {
                    v.assignment = Some(a);
                    return;
                }
                Advance::Finished(a) => {
                    // Past the end of its trip: the next trip of its block, if the feed does
                    // not say otherwise.
                    if hinted.is_none()
                        && let Some(next) = next_in_block(schedule, &a)
                        && let Advance::Moved(n) = advance(schedule, v, next, out)
                    {
                        v.assignment = Some(n);
                        return;
                    }
                    v.assignment = Some(a);
                    return;
                }
                Advance::Lost(a) => {
                    if hinted.is_some() {
                        v.assignment = Some(a);
                        return;
                    }
                    // An inferred match that no longer fits: look again below.
                }
            }
        }
    }
    // 2. A new match.
    let candidates: Vec<TripIdx> = match hinted {
        Some(t) => vec![t],
        None => candidate_trips(schedule, grid, v),
    };
    let kind = if hinted.is_some() {
        MatchKind::Feed
    } else {
        MatchKind::Inferred
    };
    let best = best_instance(schedule, v, &candidates, hinted.is_some());
    match best {
        Some(fit) => {
            v.off_route = fit.off_m > OFF_ROUTE_M;
            let trip_stops = schedule.trip_stop_times(fit.instance.trip);
            let next_call = trip_stops
                .partition_point(|st| f64::from(st.dist_m) - ARRIVE_RADIUS_M <= fit.along_m);
            v.assignment = Some(Assignment {
                instance: fit.instance,
                matched_by: kind,
                progress_m: fit.along_m,
                at: v.timestamp,
                next_call,
                pending: None,
                delay: fit.delay,
                origin: fit.origin,
                moved: (fit.along_m, v.timestamp),
            });
            v.stuck = false;
        }
        None => {
            v.off_route = hinted.is_some();
        }
    }
}

enum Advance {
    Moved(Assignment),
    /// At or past the last stop.
    Finished(Assignment),
    /// Off the trip's line.
    Lost(Assignment),
}

/// Moves an assignment to the vehicle's new position, recording the calls passed.
fn advance(
    schedule: &Schedule,
    v: &mut Vehicle,
    mut a: Assignment,
    out: &mut Vec<ObservedCall>,
) -> Advance {
    let trip = schedule.trip(a.instance.trip);
    let Some(shape) = trip.shape.map(|s| &schedule.shapes[s.index()].line) else {
        return Advance::Lost(a);
    };
    let stops = schedule.trip_stop_times(a.instance.trip);
    let dt = (v.timestamp - a.at).max(0);
    let reach = MAX_SPEED_MPS * dt as f64 + 150.0;
    let lo = a.progress_m - BACK_TOLERANCE_M * 4.0;
    let hi = a.progress_m + reach;
    let cands = shape.candidates_within(v.position, lo, hi, 4);
    // The pass nearest the line, preferring forward moves that a bus could make.
    let pick = cands
        .iter()
        .filter(|c| c.off_m <= OFF_ROUTE_M)
        .min_by(|x, y| {
            let cost = |c: &crate::schedule::geo::Projection| {
                let back = (a.progress_m - c.along_m - BACK_TOLERANCE_M).max(0.0);
                c.off_m + back * 2.0
            };
            cost(x).total_cmp(&cost(y))
        })
        .copied();
    let Some(p) = pick else {
        v.off_route = true;
        return Advance::Lost(a);
    };
    v.off_route = false;
    let new_progress = p.along_m.max(a.progress_m);
    let (t0, p0) = (a.at, a.progress_m);
    let t1 = v.timestamp;
    // Arrivals and departures between the two positions, in order along the line.
    let reliable = t1 - t0 <= MAX_GAP_S;
    let last = stops.len() - 1;
    while a.next_call <= last {
        let k = a.next_call;
        let arrive_at = f64::from(stops[k].dist_m) - ARRIVE_RADIUS_M;
        if new_progress < arrive_at {
            break;
        }
        if let Some((j, mut call)) = a.pending.take() {
            let leave_at = (f64::from(stops[j].dist_m) + ARRIVE_RADIUS_M).min(arrive_at);
            call.departure =
                Some(interpolate(t0, p0, t1, new_progress, leave_at).max(call.arrival));
            out.push(call);
        }
        if reliable && p0 < arrive_at {
            let arrival = interpolate(t0, p0, t1, new_progress, arrive_at);
            a.pending = Some((k, observed(schedule, v, &a, k, arrival)));
        }
        a.next_call += 1;
    }
    if let Some((j, call)) = a.pending.take() {
        let leave_at = f64::from(stops[j].dist_m) + ARRIVE_RADIUS_M;
        if new_progress >= leave_at || !reliable {
            let mut call = call;
            if reliable {
                call.departure =
                    Some(interpolate(t0, p0, t1, new_progress, leave_at).max(call.arrival));
            }
            out.push(call);
        } else {
            a.pending = Some((j, call));
        }
    }
    if (new_progress - a.moved.0).abs() > STUCK_M {
        a.moved = (new_progress, t1);
    }
    let at_terminal = a.next_call > last || a.before_start(stops);
    v.stuck = !at_terminal && t1 - a.moved.1 > STUCK_AFTER_S;
    a.progress_m = new_progress;
    a.at = t1;
    a.delay = delay_at(stops, &a, new_progress, t1);
    if a.next_call > last {
        // The last stop has no departure.
        if let Some((_, call)) = a.pending.take() {
            out.push(call);
        }
        Advance::Finished(a)
    } else {
        Advance::Moved(a)
    }
}

fn interpolate(t0: i64, p0: f64, t1: i64, p1: f64, at: f64) -> i64 {
    if p1 <= p0 || at <= p0 {
        return t0.max(t1.min(t0));
    }
    let f = ((at - p0) / (p1 - p0)).clamp(0.0, 1.0);
    t0 + (f * (t1 - t0) as f64).round() as i64
}

fn observed(
    schedule: &Schedule,
    v: &Vehicle,
    a: &Assignment,
    call: usize,
    arrival: i64,
) -> ObservedCall {
    let stops = schedule.trip_stop_times(a.instance.trip);
    let st = &stops[call];
    ObservedCall {
        trip_id: schedule.trip(a.instance.trip).id.to_string(),
        service_date: a.instance.service_date,
        stop_sequence: st.stop_sequence,
        stop_id: schedule.stop(st.stop).id.to_string(),
        vehicle_id: v.id.clone(),
        arrival,
        departure: None,
        scheduled_arrival: a.scheduled_arrival(st),
    }
}

/// Scheduled instant at which the trip is `along` metres along its shape.
pub fn scheduled_time_at(stops: &[StopTime], origin: i64, along: f64) -> i64 {
    let i = stops.partition_point(|st| f64::from(st.dist_m) <= along);
    if i == 0 {
        return origin + i64::from(stops[0].departure);
    }
    if i >= stops.len() {
        return origin + i64::from(stops[stops.len() - 1].arrival);
    }
    let (a, b) = (&stops[i - 1], &stops[i]);
    let (da, db) = (f64::from(a.dist_m), f64::from(b.dist_m));
    let f = if db > da {
        (along - da) / (db - da)
    } else {
        0.0
    };
    let (ta, tb) = (
        f64::from(a.departure),
        f64::from(b.arrival.max(a.departure)),
    );
    origin + (ta + f * (tb - ta)).round() as i64
}

fn delay_at(stops: &[StopTime], a: &Assignment, along: f64, t: i64) -> i32 {
    let d = t - scheduled_time_at(stops, a.origin, along);
    d.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

fn next_in_block(schedule: &Schedule, a: &Assignment) -> Option<Assignment> {
    let next = schedule.next_trip_in_block(a.instance.trip, a.instance.service_date)?;
    let stops = schedule.trip_stop_times(next);
    let origin = service_day_start(a.instance.service_date, &schedule.timezone);
    Some(Assignment {
        instance: TripInstance {
            trip: next,
            service_date: a.instance.service_date,
            start: None,
        },
        matched_by: MatchKind::Block,
        progress_m: f64::from(stops.first()?.dist_m),
        at: a.at,
        next_call: 0,
        pending: None,
        delay: 0,
        origin,
        moved: (0.0, a.at),
    })
}

/// A candidate trip instance for a position.
#[derive(Debug, Clone, Copy)]
struct Fit {
    instance: TripInstance,
    origin: i64,
    along_m: f64,
    off_m: f64,
    delay: i32,
}

/// The trip instance that best explains the vehicle's position at its timestamp: near the
/// line, with the smallest schedule deviation.
fn best_instance(schedule: &Schedule, v: &Vehicle, trips: &[TripIdx], named: bool) -> Option<Fit> {
    let t = v.timestamp;
    let mut best: Option<(f64, Fit)> = None;
    // The feed's start_date, when valid, decides the service day.
    let dates: Vec<Date> = match v.hint.start_date {
        Some(d) if named => vec![d],
        _ => schedule.service_dates_touching(t - 4 * 3600, t + 4 * 3600),
    };
    let days: Vec<(Date, i64)> = dates
        .iter()
        .map(|&d| (d, service_day_start(d, &schedule.timezone)))
        .collect();
    for &trip_idx in trips {
        let trip = schedule.trip(trip_idx);
        let Some(shape) = trip.shape.map(|s| &schedule.shapes[s.index()].line) else {
            continue;
        };
        let stops = schedule.trip_stop_times(trip_idx);
        if stops.len() < 2 {
            continue;
        }
        if let Some(dir) = v.hint.direction_id
            && !named
            && let Some(td) = trip.direction
            && direction_id(td) != dir
        {
            continue;
        }
        let projections = shape.candidates(v.position, 4);
        for &(date, day) in &days {
            if !named && !schedule.service_active(trip.service, date) {
                continue;
            }
            for origin in instance_origins(schedule, trip_idx, stops, day, t, v.hint.start_time) {
                let (origin, start) = origin;
                for p in &projections {
                    let along = p.along_m.clamp(
                        f64::from(stops[0].dist_m),
                        f64::from(stops[stops.len() - 1].dist_m),
                    );
                    let delay = t - scheduled_time_at(stops, origin, along);
                    // Before its first departure a bus waits at the terminal; allow early
                    // layovers up to 30 min without cost.
                    let first_dep = origin + i64::from(stops[0].departure);
                    let effective = if t < first_dep && along <= f64::from(stops[0].dist_m) + 100.0
                    {
                        ((first_dep - t) - 1800).max(0)
                    } else {
                        delay.abs()
                    };
                    if !named && p.off_m > OFF_ROUTE_M {
                        continue;
                    }
                    if !named
                        && (effective > 3600
                            || t > origin + i64::from(stops[stops.len() - 1].arrival) + 3600)
                    {
                        continue;
                    }
                    let mut cost = effective as f64 + p.off_m * 2.0;
                    // A heading against the line's direction: the other direction's trip.
                    if !named
                        && let Some(bearing) = v.bearing
                        && let Some(heading) = shape.bearing_at(along, 15.0)
                        && angle_between(f64::from(bearing), heading) > 100.0
                    {
                        cost += 1800.0;
                    }
                    if best.as_ref().is_none_or(|(c, _)| cost < *c) {
                        best = Some((
                            cost,
                            Fit {
                                instance: TripInstance {
                                    trip: trip_idx,
                                    service_date: date,
                                    start,
                                },
                                origin,
                                along_m: along,
                                off_m: p.off_m,
                                delay: delay.clamp(-86_400, 86_400) as i32,
                            },
                        ));
                    }
                }
            }
        }
    }
    best.map(|(_, f)| f)
}

fn angle_between(a: f64, b: f64) -> f64 {
    let d = (a - b).rem_euclid(360.0);
    d.min(360.0 - d)
}

pub fn direction_id(d: crate::schedule::DirectionType) -> u32 {
    match d {
        crate::schedule::DirectionType::Outbound => 0,
        crate::schedule::DirectionType::Inbound => 1,
    }
}

/// `(origin, frequency start)` of the instances of a trip on a service day that could be
/// running at `t`: one for a timetabled trip; for a frequency-based trip, the instance whose
/// start is nearest the one implied (or the feed's `start_time`).
fn instance_origins(
    schedule: &Schedule,
    trip: TripIdx,
    stops: &[StopTime],
    day: i64,
    t: i64,
    start_time: Option<u32>,
) -> Vec<(i64, Option<u32>)> {
    let freqs = schedule.trip_frequencies(trip);
    if freqs.is_empty() {
        return vec![(day, None)];
    }
    let first = i64::from(stops[0].departure);
    let duration = i64::from(stops[stops.len() - 1].arrival) - first;
    let mut out = Vec::new();
    for f in freqs {
        let (start, end, h) = (
            i64::from(f.start),
            i64::from(f.end),
            i64::from(f.headway_secs.max(1)),
        );
        if let Some(st) = start_time {
            let st = i64::from(st);
            if st >= start && st < end {
                out.push((day + st - first, Some(st as u32)));
            }
            continue;
        }
        // Instances that started in the last `duration` (plus margin) or start soon.
        let lo = (t - day - duration - 1800).max(start);
        let hi = (t - day + 1800).min(end - 1);
        if lo > hi {
            continue;
        }
        let mut k = (lo - start + h - 1) / h;
        while start + k * h <= hi {
            let s = start + k * h;
            out.push((day + s - first, Some(s as u32)));
            k += 1;
            if out.len() > 200 {
                break;
            }
        }
    }
    out
}

/// Trips that could explain a vehicle without a (valid) trip_id: those of its route, or of
/// routes serving stops near it.
fn candidate_trips(schedule: &Schedule, grid: &RouteGrid, v: &Vehicle) -> Vec<TripIdx> {
    let routes: Vec<RouteIdx> = match v
        .hint
        .route_id
        .as_deref()
        .and_then(|r| schedule.route_by_id(r))
    {
        Some(r) => vec![r],
        None => grid.routes_near(v.position),
    };
    let t = v.timestamp;
    let dates = schedule.service_dates_touching(t - 3 * 3600, t + 3600);
    let mut out = Vec::new();
    for r in routes {
        for &trip in schedule.trips_of_route(r) {
            let tr = schedule.trip(trip);
            if !dates
                .iter()
                .any(|&d| schedule.service_active(tr.service, d))
            {
                continue;
            }
            let stops = schedule.trip_stop_times(trip);
            let (Some(first), Some(last)) = (stops.first(), stops.last()) else {
                continue;
            };
            // Timetabled trips outside every touching day's window cannot match.
            if !tr.is_frequency_based() {
                let fits = dates.iter().any(|&d| {
                    let day = service_day_start(d, &schedule.timezone);
                    let a = day + i64::from(first.departure) - 3600;
                    let b = day + i64::from(last.arrival) + 3600;
                    (a..=b).contains(&t)
                });
                if !fits {
                    continue;
                }
            }
            out.push(trip);
        }
    }
    out
}

/// Stops bucketed in a ~1 km grid, with the routes that serve them.
#[derive(Debug, Default)]
struct RouteGrid {
    cells: FxHashMap<(i32, i32), Vec<RouteIdx>>,
}

const CELL_DEG: f64 = 0.01;

impl RouteGrid {
    fn new(schedule: &Schedule) -> Self {
        let mut sets: FxHashMap<(i32, i32), FxHashSet<RouteIdx>> = FxHashMap::default();
        let mut stop_routes: FxHashMap<StopIdx, FxHashSet<RouteIdx>> = FxHashMap::default();
        for trip in &schedule.trips {
            if !trip.usable {
                continue;
            }
            for st in &schedule.stop_times[trip.stop_times.range()] {
                stop_routes.entry(st.stop).or_default().insert(trip.route);
            }
        }
        for (stop, routes) in stop_routes {
            if let Some(p) = schedule.stop(stop).position {
                sets.entry(cell(p)).or_default().extend(routes);
            }
        }
        RouteGrid {
            cells: sets
                .into_iter()
                .map(|(k, v)| (k, v.into_iter().collect()))
                .collect(),
        }
    }

    fn routes_near(&self, p: LatLon) -> Vec<RouteIdx> {
        let (x, y) = cell(p);
        let mut out: FxHashSet<RouteIdx> = FxHashSet::default();
        for dx in -1..=1 {
            for dy in -1..=1 {
                if let Some(r) = self.cells.get(&(x + dx, y + dy)) {
                    out.extend(r.iter().copied());
                }
            }
        }
        let mut out: Vec<RouteIdx> = out.into_iter().collect();
        out.sort();
        out
    }
}

fn cell(p: LatLon) -> (i32, i32) {
    (
        (p.lat / CELL_DEG).floor() as i32,
        (p.lon / CELL_DEG).floor() as i32,
    )
}
