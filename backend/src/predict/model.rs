//! The prediction model: arrival and departure times at every downstream stop of each tracked
//! vehicle's trip, and of the next trips of its block.
//!
//! From the vehicle's last position (at its own timestamp, not at `now`), the time to each
//! stop ahead is the sum of the expected running times of the segments between, plus the
//! dwell at the stops passed. A segment's expected running time blends, by how much evidence
//! each has, the schedule's running time scaled by the route's observed pace, the segment's
//! recent runs, and its runs at this hour on other days ([`super::history`]). A bus waits at
//! its first stop and at timepoints until the scheduled departure.
//!
//! Published times lean early by a margin that grows with the horizon: a rider who is early
//! catches the bus, one who is late misses it. The margin puts the expected arrival inside
//! the ETA accuracy windows riders' apps are judged by (−30…+90 s near, −1.5…+4.5 min at
//! 15 minutes).

use rustc_hash::FxHashMap;

use super::history::{FeedHistory, hour_of};
use super::snapshot::{
    Basis, FeedSnapshot, StopPrediction, TripPrediction, TripStatus, VehicleView,
};
use crate::realtime::TripInstance;
use crate::realtime::tracker::{ARRIVE_RADIUS_M, Assignment, Vehicle};
use crate::realtime::trip_updates::AgencyTrip;
use crate::schedule::time::service_day_start;
use crate::schedule::{RouteIdx, Schedule, StopTime};

/// Tunable limits of the engine (not fitted to any data set).
#[derive(Debug, Clone)]
pub struct Settings {
    /// A vehicle silent for longer stops producing live predictions (seconds).
    pub vehicle_timeout: i64,
    /// A realtime source failing or silent for longer degrades its feed to the timetable.
    pub feed_degrade_after: i64,
    /// Predictions reach this far ahead (seconds).
    pub horizon: i64,
    /// Next trips of a block predicted after the current one.
    pub block_trips_ahead: usize,
    /// Shortest turnaround at a terminal between two trips of a block (seconds).
    pub min_layover: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            vehicle_timeout: 600,
            feed_degrade_after: 300,
            horizon: 3 * 3600,
            block_trips_ahead: 2,
            min_layover: 60,
        }
    }
}

/// Weight of the schedule-based prior, in observations.
const PRIOR_WEIGHT: f64 = 2.0;
/// Weight of one same-hour observation from history relative to a recent one.
const HOUR_WEIGHT: f64 = 0.5;

/// Predictions for one vehicle: its current trip and the next trips of its block.
pub fn predict_vehicle(
    schedule: &Schedule,
    history: Option<&FeedHistory>,
    vehicle: &Vehicle,
    vehicle_index: u32,
    settings: &Settings,
    now: i64,
    out: &mut Vec<TripPrediction>,
) {
    let Some(a) = vehicle.assignment.as_ref() else {
        return;
    };
    let model = Model { schedule, history };
    let stops = schedule.trip_stop_times(a.instance.trip);
    if a.next_call >= stops.len() {
        // Finished: only the next trips of its block remain.
        let end = vehicle.timestamp.max(a.at);
        propagate(
            &model,
            vehicle,
            vehicle_index,
            a,
            end,
            0.0,
            settings,
            now,
            out,
        );
        return;
    }
    let mut calls = Vec::with_capacity(stops.len() - a.next_call);
    let (end, var) = model.run_trip(a, a.at, now, &mut calls);
    out.push(TripPrediction {
        instance: a.instance,
        status: TripStatus::Live,
        vehicle: Some(vehicle_index),
        data_time: vehicle.timestamp,
        delay: Some(a.delay),
        stops: finish(calls, now, Basis::Realtime),
    });
    propagate(
        &model,
        vehicle,
        vehicle_index,
        a,
        end,
        var,
        settings,
        now,
        out,
    );
}

#[allow(clippy::too_many_arguments)]
fn propagate(
    model: &Model<'_>,
    vehicle: &Vehicle,
    vehicle_index: u32,
    a: &Assignment,
    mut end: i64,
    mut var: f64,
    settings: &Settings,
    now: i64,
    out: &mut Vec<TripPrediction>,
) {
    let schedule = model.schedule;
    let mut trip = a.instance.trip;
    for _ in 0..settings.block_trips_ahead {
        let Some(next) = schedule.next_trip_in_block(trip, a.instance.service_date) else {
            return;
        };
        if schedule.trip(next).is_frequency_based() {
            return;
        }
        let stops = schedule.trip_stop_times(next);
        let origin = service_day_start(a.instance.service_date, &schedule.timezone);
        let first_dep = origin + i64::from(stops[0].departure);
        if first_dep - now > settings.horizon {
            return;
        }
        let leave = first_dep.max(end + settings.min_layover);
        let next_assignment = Assignment {
            instance: TripInstance {
                trip: next,
                service_date: a.instance.service_date,
                start: None,
            },
            matched_by: crate::realtime::tracker::MatchKind::Block,
            progress_m: f64::from(stops[0].dist_m),
            at: leave,
            next_call: 0,
            pending: None,
            delay: (leave - first_dep) as i32,
            origin,
            moved: (0.0, leave),
        };
        let mut calls = Vec::with_capacity(stops.len());
        let (e, v) = model.run_trip(&next_assignment, leave, now, &mut calls);
        var += v;
        for c in &mut calls {
            c.var += var - v;
        }
        out.push(TripPrediction {
            instance: next_assignment.instance,
            status: TripStatus::Live,
            vehicle: Some(vehicle_index),
            data_time: vehicle.timestamp,
            delay: Some(next_assignment.delay),
            stops: finish(calls, now, Basis::Propagated),
        });
        end = e;
        trip = next;
    }
}

/// A predicted call before publication.
#[derive(Debug, Clone, Copy)]
struct Predicted {
    stop_time: u32,
    st: StopTime,
    arrival: i64,
    departure: i64,
    /// Variance of the arrival, s².
    var: f64,
}

struct Model<'a> {
    schedule: &'a Schedule,
    history: Option<&'a FeedHistory>,
}

impl Model<'_> {
    /// Runs the vehicle forward from its position at `start` through the rest of the trip.
    /// Returns the predicted arrival at the last stop and its variance.
    fn run_trip(
        &self,
        a: &Assignment,
        start: i64,
        now: i64,
        out: &mut Vec<Predicted>,
    ) -> (i64, f64) {
        let schedule = self.schedule;
        let trip = schedule.trip(a.instance.trip);
        let base = trip.stop_times.start;
        let stops = schedule.trip_stop_times(a.instance.trip);
        let route = trip.route;
        let hour = hour_of(schedule, a.instance.service_date, start);
        // Hold at timepoints only when the feed tells timepoints from other stops.
        let has_timepoints = stops.iter().any(|s| !s.timepoint && !s.interpolated);
        let arrive = |st: &StopTime| f64::from(st.dist_m) - ARRIVE_RADIUS_M;

        let k0 = a.next_call;
        let (mut t, mut var, first) = if a.before_start(stops) {
            // At (or before) the first stop: it leaves at the scheduled time, or as late as
            // buses of this route usually do, and not before it is seen to.
            let st0 = &stops[0];
            let sched = a.scheduled_departure(st0);
            let usual = self.terminal_delay(route, now).max(0.0) as i64;
            let leave = (sched + usual).max(start).max(now);
            if k0 == 0 {
                out.push(Predicted {
                    stop_time: base,
                    st: *st0,
                    arrival: start,
                    departure: leave,
                    var: 0.0,
                });
            }
            let run = self.run_time(a, 0, hour, now);
            (leave + run.0 as i64, 60.0 * 60.0 + run.1, 1)
        } else {
            let j = k0 - 1;
            let run = self.run_time(a, j, hour, now);
            let (aj, ak) = (arrive(&stops[j]), arrive(&stops[k0]));
            let f = ((ak - a.progress_m) / (ak - aj).max(1.0)).clamp(0.0, 1.0);
            let mut t = start + (f * run.0) as i64;
            if let Some((_, call)) = &a.pending {
                t = t.max(call.arrival + run.0 as i64);
            }
            (t, f * run.1 + 15.0 * 15.0, k0)
        };
        for (i, st) in stops.iter().enumerate().skip(first) {
            let arrival = t;
            let arrival_var = var;
            let mut departure = arrival;
            if i + 1 < stops.len() {
                let dwell = self.dwell(st, now).0 as i64;
                departure = arrival + dwell;
                let run = self.run_time(a, i, hour, now);
                // Timepoint holding: an early bus waits for its scheduled departure.
                let mut held = 0;
                if has_timepoints && st.timepoint {
                    let hold_until = a.scheduled_departure(st);
                    held = (hold_until - departure).max(0);
                    departure += held;
                }
                t = arrival + run.0 as i64 + held;
                var += run.1;
            }
            out.push(Predicted {
                stop_time: base + i as u32,
                st: *st,
                arrival,
                departure,
                var: arrival_var,
            });
        }
        (t, var)
    }

    /// Expected running time from arriving at call `j` (leaving, for the first) to arriving
    /// at call `j + 1`, dwell included, and its variance.
    fn run_time(&self, a: &Assignment, j: usize, hour: usize, now: i64) -> (f64, f64) {
        let stops = self.schedule.trip_stop_times(a.instance.trip);
        let (from, to) = (&stops[j], &stops[j + 1]);
        let left = if j == 0 { from.departure } else { from.arrival };
        let scheduled = f64::from(to.arrival.saturating_sub(left));
        let route = self.schedule.trip(a.instance.trip).route;
        let ratio = self.route_ratio(route, now);
        let prior = scheduled * ratio;
        let prior_var = (0.25 * prior + 20.0).powi(2);
        let Some(seg) = self
            .history
            .and_then(|h| h.segments.get(&(from.stop, to.stop)))
        else {
            return (prior, prior_var);
        };
        let w_recent = seg.recent.weight_at(now);
        let hourly = &seg.by_hour[hour];
        let w_hour = hourly.n * HOUR_WEIGHT;
        let total = PRIOR_WEIGHT + w_recent + w_hour;
        let mean =
            (PRIOR_WEIGHT * prior + w_recent * seg.recent.mean + w_hour * hourly.mean) / total;
        let var =
            (PRIOR_WEIGHT * prior_var + w_recent * seg.recent.var + w_hour * hourly.var()) / total;
        (mean.max(0.0), var.max(25.0))
    }

    fn dwell(&self, st: &StopTime, now: i64) -> (f64, f64) {
        let scheduled = match self.history.map(|h| &h.dwell_all) {
            Some(all) if all.weight_at(now) > 5.0 => all.mean,
            _ => f64::from(st.departure.saturating_sub(st.arrival)),
        };
        match self.history.and_then(|h| h.dwell.get(&st.stop)) {
            Some(d) => {
                let w = d.weight_at(now);
                let mean = (PRIOR_WEIGHT * scheduled + w * d.mean) / (PRIOR_WEIGHT + w);
                (mean, d.var)
            }
            None => (scheduled, 100.0),
        }
    }

    fn route_ratio(&self, route: RouteIdx, now: i64) -> f64 {
        match self.history.and_then(|h| h.route_ratio.get(&route)) {
            Some(r) => {
                let w = r.weight_at(now);
                (PRIOR_WEIGHT + w * r.mean) / (PRIOR_WEIGHT + w)
            }
            None => 1.0,
        }
    }

    fn terminal_delay(&self, route: RouteIdx, now: i64) -> f64 {
        match self.history.and_then(|h| h.terminal_delay.get(&route)) {
            Some(r) => {
                let w = r.weight_at(now);
                w * r.mean / (PRIOR_WEIGHT + w)
            }
            None => 0.0,
        }
    }
}

/// The early margin for a prediction `horizon` seconds ahead (see the module docs).
pub fn early_margin(horizon: i64) -> i64 {
    (20 + horizon / 10).clamp(20, 90)
}

/// Clamps to the present, leans early, and converts to published stop predictions.
fn finish(calls: Vec<Predicted>, now: i64, basis: Basis) -> Vec<StopPrediction> {
    let mut out = Vec::with_capacity(calls.len());
    let mut floor = i64::MIN;
    for c in calls {
        // A bus not seen at a stop it was due at has not been there yet (as far as we
        // know): it arrives from now on.
        let expected = c.arrival.max(now + 10);
        let arrival = (expected - early_margin(expected - now))
            .max(now)
            .max(floor);
        let departure = c.departure.max(expected).max(arrival);
        floor = arrival;
        out.push(StopPrediction {
            stop_time: c.stop_time,
            stop: c.st.stop,
            stop_sequence: c.st.stop_sequence,
            arrival: Some(arrival),
            departure: Some(departure),
            basis,
            uncertainty: c.var.sqrt().round() as u32,
            skipped: false,
        });
    }
    out
}

/// The vehicle as the API shows it.
pub fn vehicle_view(schedule: &Schedule, v: &Vehicle) -> VehicleView {
    let a = v.assignment.as_ref();
    let stops = a.map(|a| schedule.trip_stop_times(a.instance.trip));
    VehicleView {
        id: v.id.clone(),
        label: v.label.clone(),
        position: v.position,
        bearing: v.bearing,
        speed: v.speed,
        timestamp: v.timestamp,
        trip: a.map(|a| a.instance),
        route: a.map(|a| schedule.trip(a.instance.trip).route),
        next_stop_time: a.zip(stops).and_then(|(a, s)| {
            (a.next_call < s.len())
                .then(|| schedule.trip(a.instance.trip).stop_times.start + a.next_call as u32)
        }),
        at_stop: a.is_some_and(|a| a.pending.is_some()),
        progress_m: a.map(|a| a.progress_m),
        off_route: v.off_route,
        stuck: v.stuck,
        layover: a.zip(stops).is_some_and(|(a, s)| a.before_start(s)),
    }
}

/// Builds one feed's snapshot from its vehicles.
pub fn feed_snapshot<'a>(
    schedule: &Schedule,
    history: Option<&FeedHistory>,
    vehicles: impl Iterator<Item = &'a Vehicle>,
    settings: &Settings,
    now: i64,
) -> FeedSnapshot {
    let mut snap = FeedSnapshot {
        schedule_version: schedule.version.clone(),
        ..FeedSnapshot::default()
    };
    let mut trips = Vec::new();
    for v in vehicles {
        if now - v.timestamp > settings.vehicle_timeout {
            continue;
        }
        let index = snap.vehicles.len() as u32;
        snap.vehicles.push(vehicle_view(schedule, v));
        snap.data_time = Some(snap.data_time.map_or(v.timestamp, |d| d.max(v.timestamp)));
        predict_vehicle(schedule, history, v, index, settings, now, &mut trips);
    }
    // One prediction per trip instance: a live one beats a propagated one, then the freshest.
    trips.sort_by(|x, y| {
        x.instance
            .cmp(&y.instance)
            .then(basis_rank(x).cmp(&basis_rank(y)))
            .then(y.data_time.cmp(&x.data_time))
    });
    trips.dedup_by(|later, first| later.instance == first.instance);
    snap.trip_index = trips
        .iter()
        .enumerate()
        .map(|(i, t)| (t.instance, i as u32))
        .collect::<FxHashMap<_, _>>();
    snap.trips = trips;
    snap
}

/// Merges the agency's TripUpdates into a feed snapshot: cancellations and skipped stops
/// always win; the agency's times replace ours from its first updated stop on; our
/// predictions fill the calls it leaves out and the trips it says nothing about.
pub fn merge_agency<'a>(
    schedule: &Schedule,
    snap: &mut FeedSnapshot,
    agency: impl Iterator<Item = &'a AgencyTrip>,
) {
    let mut changed = false;
    for update in agency {
        changed = true;
        let base = schedule.trip(update.instance.trip).stop_times.start;
        let stops = schedule.trip_stop_times(update.instance.trip);
        let ours = snap.trip_index.get(&update.instance).map(|&i| i as usize);
        let vehicle = ours.and_then(|i| snap.trips[i].vehicle).or_else(|| {
            let id = update.vehicle_id.as_deref()?;
            snap.vehicles
                .iter()
                .position(|v| v.id == id)
                .map(|i| i as u32)
        });
        let prediction = if update.canceled {
            TripPrediction {
                instance: update.instance,
                status: TripStatus::Cancelled,
                vehicle: None,
                data_time: update.timestamp,
                delay: None,
                stops: Vec::new(),
            }
        } else {
            let first = update.calls.first().map_or(usize::MAX, |c| c.call);
            let mut merged: Vec<StopPrediction> = ours
                .map(|i| snap.trips[i].stops.clone())
                .unwrap_or_default()
                .into_iter()
                .filter(|s| ((s.stop_time - base) as usize) < first)
                .collect();
            merged.extend(update.calls.iter().map(|c| {
                let st = &stops[c.call];
                StopPrediction {
                    stop_time: base + c.call as u32,
                    stop: st.stop,
                    stop_sequence: st.stop_sequence,
                    arrival: if c.skipped { None } else { c.arrival },
                    departure: if c.skipped { None } else { c.departure },
                    basis: Basis::Agency,
                    uncertainty: c.uncertainty.unwrap_or(60),
                    skipped: c.skipped,
                }
            }));
            TripPrediction {
                instance: update.instance,
                status: TripStatus::Live,
                vehicle,
                data_time: update.timestamp,
                delay: update.delay.or(ours.and_then(|i| snap.trips[i].delay)),
                stops: merged,
            }
        };
        match ours {
            Some(i) => snap.trips[i] = prediction,
            None => {
                snap.trip_index
                    .insert(update.instance, snap.trips.len() as u32);
                snap.trips.push(prediction);
            }
        }
    }
    if changed {
        snap.trips.sort_by_key(|t| t.instance);
        snap.trip_index = snap
            .trips
            .iter()
            .enumerate()
            .map(|(i, t)| (t.instance, i as u32))
            .collect();
    }
}

fn basis_rank(t: &TripPrediction) -> u8 {
    match t.stops.first().map(|s| s.basis) {
        Some(Basis::Agency) => 0,
        Some(Basis::Realtime) => 1,
        Some(Basis::Propagated) => 2,
        _ => 3,
    }
}
