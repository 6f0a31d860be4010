//! The pure generator: a schedule, a seed and an instant in, GTFS-Realtime messages out.
//!
//! At construction every trip instance template is turned into a [`Run`] (one per timetabled
//! trip, one per departure of a frequency window) with the window of time of day outside which
//! it can never be on the feed, and runs are indexed by 10-minute buckets of that window. A
//! snapshot looks, for each service date that can reach `now`, at the one bucket holding `now`:
//! it never scans every trip.
//!
//! Each candidate instance is planned once ([`Plan`], cached) and the vehicle's state is read
//! off the plan at its report time. Vehicles of a block are one vehicle: its id is the block's,
//! a late trip delays the next one, and the bus stays on the feed through short layovers.

use std::fmt;
use std::sync::Arc;

use gtfs_rt::{
    FeedEntity, FeedHeader, FeedMessage, Position, TripDescriptor, TripUpdate, VehicleDescriptor,
    VehiclePosition, feed_header, trip_descriptor, vehicle_position,
};
use jiff::civil::Date;
use rustc_hash::FxHashMap;

use crate::schedule::time::{format_gtfs_time, service_day_start};
use crate::schedule::{DirectionType, LatLon, Polyline, Schedule, TripIdx};

use super::hash::{self, Draws, Topic};
use super::motion::{self, Motion, Plan, SHOW_LAYOVER_MAX, Timetable};

/// Width of the buckets of the run index, in seconds.
const BUCKET_S: i64 = 600;
/// Share of trip instances cancelled.
const CANCEL_SHARE: f64 = 0.02;
/// Shares of vehicles that send only a route_id, or no trip at all.
const ROUTE_ONLY_SHARE: f64 = 0.025;
const NO_TRIP_SHARE: f64 = 0.025;
/// Share of vehicles that report every 20–60 s rather than every 5–12 s.
const SLOW_REPORTER_SHARE: f64 = 0.15;
/// Cancellations are announced this long before the trip's scheduled departure.
const CANCEL_LOOKAHEAD: i64 = 5400;
/// Vehicle numbers start here (fleet numbers look like `1042`).
const VEHICLE_BASE: u64 = 1000;
const NO_RUN: u32 = u32::MAX;

/// One trip instance template: a timetabled trip, or one departure of a frequency window.
/// Times in seconds since the start of the service day.
#[derive(Debug, Clone, Copy)]
pub(super) struct Run {
    pub(super) trip: TripIdx,
    /// Frequency-based instance: its first departure.
    pub(super) start: Option<u32>,
    pub(super) first_departure: u32,
    pub(super) last_arrival: i64,
    /// The run is never on the feed outside `[from, to)`.
    pub(super) from: i64,
    pub(super) to: i64,
    /// The vehicle (before the day's parity, see [`Simulator::vehicle_number`]).
    pub(super) slot: u32,
}

/// Runs by buckets of time of day: bucket `b` lists every run whose window meets
/// `[base + b·BUCKET_S, base + (b+1)·BUCKET_S)`.
#[derive(Debug, Default)]
struct RunIndex {
    base: i64,
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl RunIndex {
    fn build(runs: &[Run]) -> Self {
        let Some(base) = runs.iter().map(|r| r.from).min() else {
            return RunIndex::default();
        };
        let base = base.div_euclid(BUCKET_S) * BUCKET_S;
        let end = runs.iter().map(|r| r.to).max().unwrap_or(base);
        let buckets = ((end - base) / BUCKET_S + 1) as usize;
        let span = |r: &Run| {
            let first = ((r.from - base) / BUCKET_S) as usize;
            let last = ((r.to - 1).max(r.from) - base) as usize / BUCKET_S as usize;
            first..=last
        };
        let mut offsets = vec![0u32; buckets + 1];
        for r in runs {
            for b in span(r) {
                offsets[b + 1] += 1;
            }
        }
        for b in 0..buckets {
            offsets[b + 1] += offsets[b];
        }
        let mut fill = offsets.clone();
        let mut items = vec![0u32; offsets[buckets] as usize];
        for (i, r) in runs.iter().enumerate() {
            for b in span(r) {
                items[fill[b] as usize] = i as u32;
                fill[b] += 1;
            }
        }
        RunIndex {
            base,
            offsets,
            items,
        }
    }

    fn bucket(&self, t: i64) -> Option<usize> {
        let b = usize::try_from((t - self.base).div_euclid(BUCKET_S)).ok()?;
        (b + 1 < self.offsets.len()).then_some(b)
    }

    fn get(&self, b: usize) -> &[u32] {
        match (self.offsets.get(b), self.offsets.get(b + 1)) {
            (Some(&a), Some(&z)) => &self.items[a as usize..z as usize],
            _ => &[],
        }
    }

    /// Runs whose window may hold `t`.
    fn at(&self, t: i64) -> &[u32] {
        self.bucket(t).map_or(&[], |b| self.get(b))
    }
}

/// What a vehicle says about the trip it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TripReport {
    Full,
    /// Only the route: the consumer must find the trip.
    RouteOnly,
    /// Position only.
    Nothing,
}

/// One vehicle on the feed, before it is written as GTFS-Realtime.
#[derive(Debug, Clone)]
pub(super) struct Vehicle {
    pub number: u64,
    pub run: u32,
    pub trip: TripIdx,
    pub service_date: Date,
    /// When the position was taken (never after `now`).
    pub reported_at: i64,
    /// Where the bus really is (the position adds GPS noise).
    pub motion: Motion,
    pub position: LatLon,
    pub bearing: Option<f64>,
    pub speed_mps: f64,
    pub report: TripReport,
}

/// Generates realistic GTFS-Realtime vehicle positions (and cancellations) for one schedule.
///
/// Pure: no clock, no IO. `now` is passed in, and every random choice is a hash of the seed and
/// of what it is about, so a snapshot is a function of (schedule, seed, now) alone. `&mut self`
/// only caches plans of trip instances.
pub struct Simulator {
    schedule: Arc<Schedule>,
    seed: u64,
    pub(super) runs: Vec<Run>,
    /// Per trip: hash of its id (stable across feed versions, unlike its index).
    trip_hash: Vec<u64>,
    /// Per trip: its run, for timetabled trips.
    pub(super) run_of_trip: Vec<u32>,
    /// Per trip: its position in its block.
    block_pos: Vec<u32>,
    /// Per stop: busy (longer dwells, never passed).
    busy: Vec<bool>,
    index: RunIndex,
    /// How far past the schedule's latest time of day a run can be on the feed.
    overrun: i64,
    plans: FxHashMap<(u32, Date), Arc<Plan>>,
    plans_kept: usize,
    /// Which services run on recent dates.
    services: Vec<(Date, Arc<[bool]>)>,
    /// Runs looked at by the last snapshot (the index's work, for tests).
    pub(super) examined: usize,
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("feed", &self.schedule.feed_id)
            .field("seed", &self.seed)
            .field("runs", &self.runs.len())
            .field("cached_plans", &self.plans.len())
            .finish()
    }
}

impl Simulator {
    /// Prepares the simulation of `schedule`: one pass over its trips and stop times.
    pub fn new(schedule: Arc<Schedule>, seed: u64) -> Self {
        let s = &*schedule;
        let trip_hash = s
            .trips
            .iter()
            .map(|t| hash::fnv1a(t.id.as_bytes()))
            .collect();
        let mut block_pos = vec![0u32; s.trips.len()];
        for block in &s.blocks {
            for (i, t) in block.trips.iter().enumerate() {
                block_pos[t.index()] = i as u32;
            }
        }
        let blocks = u32::try_from(s.blocks.len()).unwrap_or(u32::MAX);
        let trips = u32::try_from(s.trips.len()).unwrap_or(u32::MAX);
        let mut next_slot = blocks.saturating_add(trips);
        let mut runs = Vec::new();
        let mut run_of_trip = vec![NO_RUN; s.trips.len()];
        let busy = busy_stops(s);
        for (i, trip) in s.trips.iter().enumerate() {
            let idx = TripIdx(i as u32);
            let sts = s.trip_stop_times(idx);
            let (Some(first), Some(last)) = (sts.first(), sts.last()) else {
                continue;
            };
            if !trip.usable || sts.len() < 2 || trip.shape.is_none() {
                continue;
            }
            let duration = i64::from(last.arrival) - i64::from(first.departure);
            let in_block = trip.block.is_some() && !trip.is_frequency_based();
            let reach = motion::reach(sts, &busy, in_block);
            let run = |start: u32, slot: u32, frequency: bool| Run {
                trip: idx,
                start: frequency.then_some(start),
                first_departure: start,
                last_arrival: i64::from(start) + duration,
                from: i64::from(start) - SHOW_LAYOVER_MAX,
                to: i64::from(start) + reach,
                slot,
            };
            if trip.is_frequency_based() {
                for w in s.trip_frequencies(idx) {
                    let mut start = w.start;
                    while start < w.end {
                        runs.push(run(start, next_slot, true));
                        next_slot = next_slot.saturating_add(1);
                        start = start.saturating_add(w.headway_secs.max(1));
                    }
                }
            } else {
                run_of_trip[i] = runs.len() as u32;
                let slot = match trip.block {
                    Some(b) => b.0,
                    None => blocks.saturating_add(i as u32),
                };
                runs.push(run(first.departure, slot, false));
            }
        }
        let index = RunIndex::build(&runs);
        let overrun = runs
            .iter()
            .map(|r| r.to - i64::from(s.max_time_of_day()))
            .max()
            .unwrap_or(0)
            .max(0);
        Simulator {
            seed,
            runs,
            trip_hash,
            run_of_trip,
            block_pos,
            busy,
            index,
            overrun,
            plans: FxHashMap::default(),
            plans_kept: 0,
            services: Vec::new(),
            examined: 0,
            schedule,
        }
    }

    pub fn schedule(&self) -> &Arc<Schedule> {
        &self.schedule
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The vehicle positions feed at `now` (unix seconds): `FULL_DATASET`, one entity per
    /// vehicle on the road, entity id = vehicle id, sorted by it.
    pub fn snapshot(&mut self, now: i64) -> FeedMessage {
        let vehicles = self.vehicles(now);
        let entity = vehicles.iter().map(|v| self.vehicle_entity(v)).collect();
        FeedMessage {
            header: header(now),
            entity,
        }
    }

    /// The trip updates feed at `now`: every cancelled trip instance from 90 min before its
    /// scheduled departure until its scheduled arrival, as `CANCELED` with its start date.
    pub fn trip_updates(&mut self, now: i64) -> FeedMessage {
        let schedule = self.schedule.clone();
        let mut entity = Vec::new();
        for date in schedule.service_dates_touching(now - self.overrun, now + CANCEL_LOOKAHEAD) {
            let day = service_day_start(date, &schedule.timezone);
            let (t0, t1) = (now - day, now - day + CANCEL_LOOKAHEAD);
            let active = self.active_services(date);
            for r in self.runs_overlapping(t0, t1) {
                let run = self.runs[r as usize];
                let due = i64::from(run.first_departure) <= t1 && run.last_arrival >= t0;
                if !due
                    || !active[schedule.trip(run.trip).service.index()]
                    || !self.cancelled(r, date)
                {
                    continue;
                }
                let mut trip = self.trip_descriptor(r, date);
                trip.schedule_relationship =
                    Some(trip_descriptor::ScheduleRelationship::Canceled as i32);
                let id = format!(
                    "cancel-{}-{}",
                    trip.trip_id.as_deref().unwrap_or_default(),
                    gtfs_date(date)
                );
                let id = match run.start {
                    Some(start) => format!("{id}-{}", format_gtfs_time(start).replace(':', "")),
                    None => id,
                };
                entity.push(FeedEntity {
                    id,
                    trip_update: Some(TripUpdate {
                        trip,
                        timestamp: u64::try_from(now).ok(),
                        ..Default::default()
                    }),
                    ..Default::default()
                });
            }
        }
        entity.sort_by(|a, b| a.id.cmp(&b.id));
        FeedMessage {
            header: header(now),
            entity,
        }
    }

    /// The simulated service alerts at `now` (see `simulate::alerts`).
    pub fn alerts(&self, now: i64) -> FeedMessage {
        super::alerts::alerts(&self.schedule, now)
    }

    /// The vehicles on the feed at `now`, sorted by vehicle number.
    pub(super) fn vehicles(&mut self, now: i64) -> Vec<Vehicle> {
        let schedule = self.schedule.clone();
        let mut candidates: Vec<(u64, i64, u32, Date, Arc<Plan>)> = Vec::new();
        self.examined = 0;
        let dates = schedule.service_dates_touching(now - self.overrun, now + SHOW_LAYOVER_MAX + 1);
        for date in dates {
            let day = service_day_start(date, &schedule.timezone);
            let t = now - day;
            let active = self.active_services(date);
            let found = self.index.at(t).to_vec();
            self.examined += found.len();
            for r in found {
                let run = self.runs[r as usize];
                let runs_today = (run.from..run.to).contains(&t)
                    && active[schedule.trip(run.trip).service.index()];
                if !runs_today || self.cancelled(r, date) {
                    continue;
                }
                let plan = self.plan(r, date, day, &active);
                if plan.visible_from <= now && now < plan.visible_to {
                    let number = self.vehicle_number(run.slot, date);
                    candidates.push((number, plan.visible_from, r, date, plan));
                }
            }
        }
        // One position per vehicle: only feeds whose block trips overlap give a vehicle two
        // trips at once; it runs the earlier one first.
        candidates.sort_by_key(|c| (c.0, c.1));
        candidates.dedup_by_key(|c| c.0);
        self.forget_old_plans(now, candidates.len());
        candidates
            .into_iter()
            .map(|(number, _, r, date, plan)| self.vehicle(number, r, date, &plan, now))
            .collect()
    }

    /// Whether a trip instance is cancelled (no vehicle runs it).
    pub(super) fn cancelled(&self, r: u32, date: Date) -> bool {
        Draws::new(self.seed, Topic::Cancel, &self.instance(r, date)).unit() < CANCEL_SHARE
    }

    /// What the draws of a trip instance are keyed on: trip id, date, frequency start.
    fn instance(&self, r: u32, date: Date) -> [u64; 3] {
        let run = &self.runs[r as usize];
        [
            self.trip_hash[run.trip.index()],
            day_number(date) as u64,
            run.start.map_or(u64::MAX, u64::from),
        ]
    }

    /// Vehicle numbers: the block's (or trip's, or frequency departure's) slot, and the date's
    /// parity, so that a block running past midnight never shares its id with the same block
    /// starting the next morning.
    fn vehicle_number(&self, slot: u32, date: Date) -> u64 {
        VEHICLE_BASE + 2 * u64::from(slot) + (day_number(date) & 1) as u64
    }

    pub(super) fn active_services(&mut self, date: Date) -> Arc<[bool]> {
        if let Some((_, active)) = self.services.iter().find(|(d, _)| *d == date) {
            return active.clone();
        }
        let active: Arc<[bool]> = self
            .schedule
            .services
            .iter()
            .map(|s| s.is_active(date))
            .collect();
        if self.services.len() >= 8 {
            self.services.remove(0);
        }
        self.services.push((date, active.clone()));
        active
    }

    /// Each run whose window meets `[from, to]`, once.
    fn runs_overlapping(&self, from: i64, to: i64) -> Vec<u32> {
        let buckets = self.index.offsets.len().saturating_sub(1);
        let base = self.index.base;
        let last_t = base + buckets as i64 * BUCKET_S - 1;
        let (Some(first), Some(last)) = (
            self.index.bucket(from.max(base)),
            self.index.bucket(to.min(last_t)),
        ) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for b in first..=last {
            for &r in self.index.get(b) {
                // A run spans several buckets: take it from the first one the query sees.
                if b == first || self.index.bucket(self.runs[r as usize].from) == Some(b) {
                    out.push(r);
                }
            }
        }
        out
    }

    /// The plan of a trip instance, computing (and caching) those of earlier trips of its
    /// block first: when a bus ends one trip decides when it can start the next.
    pub(super) fn plan(&mut self, r: u32, date: Date, day: i64, active: &[bool]) -> Arc<Plan> {
        if let Some(plan) = self.plans.get(&(r, date)) {
            return plan.clone();
        }
        let mut earlier = Vec::new();
        let mut previous_end = None;
        let mut at = r;
        while let Some(p) = self.block_predecessor(at, date, active) {
            if let Some(plan) = self.plans.get(&(p, date)) {
                previous_end = Some(plan.visible_to);
                break;
            }
            earlier.push(p);
            at = p;
        }
        for &p in earlier.iter().rev() {
            let plan = Arc::new(self.compute_plan(p, date, day, previous_end));
            previous_end = Some(plan.visible_to);
            self.plans.insert((p, date), plan);
        }
        let plan = Arc::new(self.compute_plan(r, date, day, previous_end));
        self.plans.insert((r, date), plan.clone());
        plan
    }

    /// The trip the same vehicle runs before run `r` on `date`, if any (not cancelled).
    fn block_predecessor(&self, r: u32, date: Date, active: &[bool]) -> Option<u32> {
        let run = &self.runs[r as usize];
        if run.start.is_some() {
            return None;
        }
        let block = &self.schedule.blocks[self.schedule.trip(run.trip).block?.index()];
        let pos = self.block_pos[run.trip.index()] as usize;
        block.trips.get(..pos)?.iter().rev().find_map(|&t| {
            let p = self.run_of_trip[t.index()];
            let runs = p != NO_RUN
                && active[self.schedule.trip(t).service.index()]
                && !self.cancelled(p, date);
            runs.then_some(p)
        })
    }

    fn compute_plan(&self, r: u32, date: Date, day: i64, previous_end: Option<i64>) -> Plan {
        let run = &self.runs[r as usize];
        let sts = self.schedule.trip_stop_times(run.trip);
        let template_first = sts.first().map_or(0, |st| i64::from(st.departure));
        let tt = Timetable {
            stop_times: sts,
            offset: day + i64::from(run.first_departure) - template_first,
            day_start: day,
            busy: &self.busy,
            day_factor: Draws::new(self.seed, Topic::Day, &[day_number(date) as u64])
                .range(0.97, 1.06),
        };
        Plan::compute(self.seed, &self.instance(r, date), &tt, previous_end)
    }

    /// Drops plans of instances long gone (recomputing one gives the same plan).
    fn forget_old_plans(&mut self, now: i64, on_feed: usize) {
        if self.plans.len() > 2 * self.plans_kept.max(on_feed) + 1024 {
            self.plans
                .retain(|_, p| p.visible_to > now - 3 * 3600 && p.visible_from < now + 3 * 3600);
            self.plans_kept = self.plans.len();
        }
    }

    /// The state of vehicle `number` running run `r`, as it last reported before `now`.
    fn vehicle(&self, number: u64, r: u32, date: Date, plan: &Plan, now: i64) -> Vehicle {
        let run = &self.runs[r as usize];
        let mut v = Draws::new(
            self.seed,
            Topic::Vehicle,
            &[number, day_number(date) as u64],
        );
        let kind = v.unit();
        let report = if kind < ROUTE_ONLY_SHARE {
            TripReport::RouteOnly
        } else if kind < ROUTE_ONLY_SHARE + NO_TRIP_SHARE {
            TripReport::Nothing
        } else {
            TripReport::Full
        };
        let (period, lag) = if v.unit() < SLOW_REPORTER_SHARE {
            (v.secs(20, 60), v.secs(1, 6))
        } else {
            (v.secs(5, 12), v.secs(1, 4))
        };
        let phase = v.secs(0, period - 1);
        // The last report time on this vehicle's cadence, but not before it came on the feed.
        let reported_at = (phase + (now - lag - phase).div_euclid(period) * period)
            .max(plan.visible_from)
            .min(now);
        let sts = self.schedule.trip_stop_times(run.trip);
        let motion = plan.motion_at(reported_at, sts);
        let line = self.line(run.trip);
        let on_line = line
            .and_then(|l| l.point_at(motion.along_m))
            .or_else(|| {
                let st = sts.get(motion.call)?;
                self.schedule.stop(st.stop).position
            })
            .unwrap_or(LatLon::new(0.0, 0.0));
        let mut noise = Draws::new(self.seed, Topic::Report, &[number, reported_at as u64]);
        let error_m = noise.range(5.0, 15.0);
        let angle = noise.range(0.0, std::f64::consts::TAU);
        let position = shifted(on_line, error_m * angle.sin(), error_m * angle.cos());
        let mut bearing = line.and_then(|l| l.bearing_at(motion.along_m, 10.0));
        let mut speed_mps = 0.0;
        if !motion.stopped {
            bearing = bearing.map(|b| (b + noise.range(-4.0, 4.0)).rem_euclid(360.0));
            speed_mps = (motion.speed_mps + noise.range(-0.3, 0.3)).max(0.0);
        }
        Vehicle {
            number,
            run: r,
            trip: run.trip,
            service_date: date,
            reported_at,
            motion,
            position,
            bearing,
            speed_mps,
            report,
        }
    }

    fn line(&self, trip: TripIdx) -> Option<&Polyline> {
        let shape = self.schedule.trip(trip).shape?;
        Some(&self.schedule.shapes.get(shape.index())?.line)
    }

    /// Trip id, route, direction, start time and date of an instance.
    fn trip_descriptor(&self, r: u32, date: Date) -> TripDescriptor {
        let run = &self.runs[r as usize];
        let trip = self.schedule.trip(run.trip);
        TripDescriptor {
            trip_id: Some(trip.id.to_string()),
            route_id: Some(self.schedule.route(trip.route).id.to_string()),
            direction_id: trip.direction.map(|d| match d {
                DirectionType::Outbound => 0,
                DirectionType::Inbound => 1,
            }),
            start_time: Some(format_gtfs_time(run.first_departure)),
            start_date: Some(gtfs_date(date)),
            ..Default::default()
        }
    }

    fn vehicle_entity(&self, v: &Vehicle) -> FeedEntity {
        let id = v.number.to_string();
        let trip = match v.report {
            TripReport::Full => Some(self.trip_descriptor(v.run, v.service_date)),
            TripReport::RouteOnly => Some(TripDescriptor {
                route_id: Some(
                    self.schedule
                        .route(self.schedule.trip(v.trip).route)
                        .id
                        .to_string(),
                ),
                ..Default::default()
            }),
            TripReport::Nothing => None,
        };
        let call = (v.report == TripReport::Full)
            .then(|| self.schedule.trip_stop_times(v.trip).get(v.motion.call))
            .flatten();
        let status = if v.motion.stopped {
            vehicle_position::VehicleStopStatus::StoppedAt
        } else {
            vehicle_position::VehicleStopStatus::InTransitTo
        };
        FeedEntity {
            id: id.clone(),
            vehicle: Some(VehiclePosition {
                trip,
                vehicle: Some(VehicleDescriptor {
                    id: Some(id.clone()),
                    label: Some(id),
                    ..Default::default()
                }),
                position: Some(Position {
                    latitude: v.position.lat as f32,
                    longitude: v.position.lon as f32,
                    bearing: v.bearing.map(|b| b as f32),
                    speed: Some(v.speed_mps as f32),
                    ..Default::default()
                }),
                current_stop_sequence: call.map(|st| st.stop_sequence),
                stop_id: call.map(|st| self.schedule.stop(st.stop).id.to_string()),
                current_status: call.map(|_| status as i32),
                timestamp: u64::try_from(v.reported_at).ok(),
                ..Default::default()
            }),
            ..Default::default()
        }
    }
}

pub(super) fn header(now: i64) -> FeedHeader {
    FeedHeader {
        gtfs_realtime_version: "2.0".into(),
        incrementality: Some(feed_header::Incrementality::FullDataset as i32),
        timestamp: u64::try_from(now).ok(),
        ..Default::default()
    }
}

/// Stops where many riders board: stations' platforms and the most served stops.
fn busy_stops(s: &Schedule) -> Vec<bool> {
    let mut visits = vec![0u32; s.stops.len()];
    for st in &s.stop_times {
        if let Some(v) = visits.get_mut(st.stop.index()) {
            *v += 1;
        }
    }
    let used = visits.iter().filter(|&&v| v > 0).count().max(1);
    let mean = visits.iter().map(|&v| f64::from(v)).sum::<f64>() / used as f64;
    s.stops
        .iter()
        .zip(&visits)
        .map(|(stop, &v)| stop.parent.is_some() || f64::from(v) > 2.0 * mean)
        .collect()
}

/// `YYYYMMDD`, as GTFS-Realtime writes dates.
fn gtfs_date(date: Date) -> String {
    format!("{:04}{:02}{:02}", date.year(), date.month(), date.day())
}

/// Days since 1970-01-01 (proleptic Gregorian calendar).
pub(super) fn day_number(date: Date) -> i64 {
    let (y, m, d) = (
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `p` moved by metres east and north.
fn shifted(p: LatLon, east_m: f64, north_m: f64) -> LatLon {
    const M_PER_DEGREE: f64 = 111_195.0;
    LatLon::new(
        p.lat + north_m / M_PER_DEGREE,
        p.lon + east_m / (M_PER_DEGREE * p.lat.to_radians().cos().max(0.01)),
    )
}
