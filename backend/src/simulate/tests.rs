//! The simulator on the sample network (`feeds/binh-duong`): where buses are, how they move,
//! what they report, and how often they misbehave.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use gtfs_rt::{FeedMessage, trip_descriptor, vehicle_position};
use jiff::civil::{Date, date};
use rustc_hash::{FxHashMap, FxHashSet};

use super::Simulator;
use super::generator::day_number;
use crate::feed::{self, Source};
use crate::schedule::time::service_day_start;
use crate::schedule::{FeedId, LatLon, Schedule};

/// Monday 2026-11-23 in Binh Duong: weekday service.
const MONDAY: &str = "2026-11-23T00:00:00+07:00";

fn sample() -> Arc<Schedule> {
    static SAMPLE: OnceLock<Arc<Schedule>> = OnceLock::new();
    SAMPLE
        .get_or_init(|| {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../feeds/binh-duong");
            let id = FeedId::new("binh-duong").expect("valid id");
            match feed::load(Source::Path(&dir), id, date(2026, 11, 23)) {
                Ok(loaded) => Arc::new(loaded.schedule),
                Err(report) => panic!("the sample feed loads: {report:?}"),
            }
        })
        .clone()
}

/// Unix seconds of `hh:mm` local on Monday 2026-11-23 (hours may exceed 23).
fn monday(hh: i64, mm: i64) -> i64 {
    let midnight: jiff::Timestamp = MONDAY.parse().expect("instant");
    midnight.as_second() + hh * 3600 + mm * 60
}

fn monday_date() -> Date {
    date(2026, 11, 23)
}

fn trip_id(e: &gtfs_rt::FeedEntity) -> Option<&str> {
    e.vehicle.as_ref()?.trip.as_ref()?.trip_id.as_deref()
}

fn off_shape_m(s: &Schedule, trip: &str, p: LatLon) -> f64 {
    let trip = s.trip(s.trip_by_id(trip).expect("known trip"));
    let line = &s.shapes[trip.shape.expect("every trip has a shape").index()].line;
    line.candidates(p, 1)[0].off_m
}

#[test]
fn positions_lie_near_the_trips_shape() {
    let s = sample();
    let mut sim = Simulator::new(s.clone(), 1);
    for now in [monday(8, 0), monday(12, 30), monday(17, 45), monday(21, 10)] {
        let message = sim.snapshot(now);
        assert!(
            message.entity.len() > 10,
            "{} at {now}",
            message.entity.len()
        );
        for e in &message.entity {
            let v = e.vehicle.as_ref().expect("vehicle positions only");
            let p = v.position.as_ref().expect("a position");
            let p = LatLon::new(f64::from(p.latitude), f64::from(p.longitude));
            if let Some(trip) = trip_id(e) {
                // 15 m of GPS noise at most, plus f32 rounding.
                let off = off_shape_m(&s, trip, p);
                assert!(off < 16.0, "{} on {trip} is {off:.1} m off its shape", e.id);
            }
        }
    }
}

#[test]
fn successive_snapshots_move_forward_along_each_trip() {
    let mut sim = Simulator::new(sample(), 3);
    let mut last: FxHashMap<(u64, u32, Date), (i64, f64)> = FxHashMap::default();
    let mut last_report: FxHashMap<u64, i64> = FxHashMap::default();
    let (mut moved, mut stood) = (0, 0);
    for i in 0..180 {
        let now = monday(7, 30) + i * 10;
        for v in sim.vehicles(now) {
            let key = (v.number, v.run, v.service_date);
            if let Some(&(t, along)) = last.get(&key) {
                assert!(v.reported_at >= t, "{key:?} went back in time");
                assert!(v.motion.along_m >= along, "{key:?} went backwards");
                if v.motion.along_m > along {
                    moved += 1;
                } else {
                    stood += 1;
                }
            }
            last.insert(key, (v.reported_at, v.motion.along_m));
            // A vehicle's reports never go back, across its trips too.
            let previous = last_report.insert(v.number, v.reported_at);
            assert!(previous.is_none_or(|p| p <= v.reported_at), "{}", v.number);
        }
    }
    assert!(moved > 2000 && stood > 200, "moved {moved}, stood {stood}");
}

#[test]
fn the_same_seed_gives_the_same_feed_whatever_came_before() {
    let s = sample();
    let now = monday(8, 0);
    let fresh = Simulator::new(s.clone(), 9).snapshot(now);
    let mut used = Simulator::new(s.clone(), 9);
    used.snapshot(now + 7200);
    used.snapshot(now - 30 * 3600);
    used.trip_updates(now + 600);
    assert_eq!(used.snapshot(now), fresh);
    assert_eq!(
        used.trip_updates(now),
        Simulator::new(s.clone(), 9).trip_updates(now)
    );
    assert_ne!(Simulator::new(s, 10).snapshot(now), fresh);
}

#[test]
fn a_day_has_about_one_cancelled_trip_in_fifty_and_five_percent_vehicles_without_trip_id() {
    let s = sample();
    let mut sim = Simulator::new(s.clone(), 1);
    let day = monday_date();
    let instances: Vec<u32> = (0..sim.runs.len() as u32)
        .filter(|&r| s.service_active(s.trip(sim.runs[r as usize].trip).service, day))
        .collect();
    let cancelled = instances.iter().filter(|&&r| sim.cancelled(r, day)).count();
    let share = cancelled as f64 / instances.len() as f64;
    assert!(
        instances.len() > 500 && (0.008..0.04).contains(&share),
        "{cancelled} of {} cancelled",
        instances.len()
    );

    // Distinct vehicles over the day, as the feed shows them.
    let mut seen: FxHashMap<String, (bool, bool)> = FxHashMap::default();
    let mut now = monday(4, 0);
    while now < monday(25, 0) {
        for e in sim.snapshot(now).entity {
            let v = e.vehicle.expect("vehicle");
            let has_trip = v.trip.as_ref().is_some_and(|t| t.trip_id.is_some());
            let has_route = v.trip.as_ref().is_some_and(|t| t.route_id.is_some());
            if !has_trip {
                assert!(v.current_stop_sequence.is_none() && v.stop_id.is_none());
            }
            seen.insert(e.id, (has_trip, has_route));
        }
        now += 120;
    }
    let without: Vec<_> = seen.values().filter(|(trip, _)| !trip).collect();
    let route_only = without.iter().filter(|(_, route)| *route).count();
    let share = without.len() as f64 / seen.len() as f64;
    assert!(
        (0.02..0.09).contains(&share) && route_only > 0 && route_only < without.len(),
        "{} of {} vehicles without trip_id, {route_only} with a route",
        without.len(),
        seen.len()
    );
}

#[test]
fn cancelled_trips_have_no_bus_and_are_announced_as_canceled() {
    let s = sample();
    let mut sim = Simulator::new(s.clone(), 1);
    let day = monday_date();
    let start = service_day_start(day, &s.timezone);
    let r = (0..sim.runs.len() as u32)
        .find(|&r| {
            let run = sim.runs[r as usize];
            run.start.is_none()
                && run.first_departure > 6 * 3600
                && s.service_active(s.trip(run.trip).service, day)
                && sim.cancelled(r, day)
        })
        .expect("a cancelled timetabled trip on Monday");
    let run = sim.runs[r as usize];
    let trip = &s.trip(run.trip).id;
    let departure = start + i64::from(run.first_departure);

    let announced = |m: &FeedMessage| {
        m.entity.iter().any(|e| {
            e.trip_update.as_ref().is_some_and(|u| {
                u.trip.trip_id.as_deref() == Some(trip)
                    && u.trip.start_date.as_deref() == Some("20261123")
                    && u.trip.schedule_relationship
                        == Some(trip_descriptor::ScheduleRelationship::Canceled as i32)
            })
        })
    };
    assert!(announced(&sim.trip_updates(departure - 3600)));
    assert!(announced(&sim.trip_updates(departure + 60)));
    assert!(!announced(&sim.trip_updates(departure - 3 * 3600)));
    assert!(!announced(&sim.trip_updates(start + run.last_arrival + 60)));
    for t in (departure - 600..start + run.last_arrival).step_by(60) {
        assert!(
            sim.vehicles(t).iter().all(|v| v.run != r),
            "a bus runs cancelled {trip}"
        );
    }
}

#[test]
fn frequency_based_brt_trips_have_buses_with_start_times() {
    let s = sample();
    let mut sim = Simulator::new(s.clone(), 1);
    let message = sim.snapshot(monday(8, 0));
    let mut starts: FxHashSet<(String, String)> = FxHashSet::default();
    for e in &message.entity {
        let Some(trip) = e.vehicle.as_ref().and_then(|v| v.trip.as_ref()) else {
            continue;
        };
        if let Some(id) = trip.trip_id.as_deref().filter(|t| t.starts_with("BRT_WD_")) {
            let start = trip
                .start_time
                .clone()
                .expect("frequency trips give start_time");
            assert!(
                starts.insert((id.to_owned(), start)),
                "one bus per departure"
            );
        }
    }
    // 62 min each way every 5 min: a dozen buses per direction, some late, some in layover.
    assert!((20..=40).contains(&starts.len()), "{}", starts.len());
}

#[test]
fn timestamps_are_never_after_now_and_some_vehicles_report_less_often() {
    let mut sim = Simulator::new(sample(), 5);
    let (mut fresh, mut stale) = (0, 0);
    for i in 0..200 {
        let now = monday(16, 0) + i * 17;
        let message = sim.snapshot(now);
        assert_eq!(message.header.timestamp, Some(now as u64));
        assert_eq!(message.header.gtfs_realtime_version, "2.0");
        for e in &message.entity {
            let t = e
                .vehicle
                .as_ref()
                .and_then(|v| v.timestamp)
                .expect("timestamp") as i64;
            assert!(
                t <= now && t > now - 70,
                "{} reported at {t}, now {now}",
                e.id
            );
            if now - t <= 16 {
                fresh += 1;
            } else {
                stale += 1;
            }
        }
    }
    assert!(
        fresh > 5 * stale && stale > 0,
        "{fresh} fresh, {stale} stale"
    );
}

#[test]
fn a_trip_past_midnight_runs_after_midnight_on_its_service_date() {
    let s = sample();
    let trip = s.trip_by_id("51_WD_0_2330").expect("the late trip");
    let day = monday_date();
    let after_midnight = monday(24, 5);
    let mut checked = 0;
    for seed in 0..6 {
        let mut sim = Simulator::new(s.clone(), seed);
        let run = sim.run_of_trip[trip.index()];
        if sim.cancelled(run, day) {
            continue;
        }
        let v = sim
            .vehicles(after_midnight)
            .into_iter()
            .find(|v| v.trip == trip)
            .expect("the 23:30 bus is still out at 00:05");
        assert_eq!(v.service_date, day);
        assert!(!v.motion.stopped || v.motion.call > 0);
        checked += 1;
    }
    assert!(checked >= 4);
}

#[test]
fn buses_run_late_some_early_and_wait_at_the_first_stop() {
    let s = sample();
    let mut sim = Simulator::new(s.clone(), 2);
    let day = monday_date();
    let start = service_day_start(day, &s.timezone);
    let active = sim.active_services(day);
    let (mut runs, mut on_time_start, mut late_start, mut early_somewhere) = (0, 0, 0, 0);
    for r in 0..sim.runs.len() as u32 {
        let run = sim.runs[r as usize];
        if !active[s.trip(run.trip).service.index()] || sim.cancelled(r, day) {
            continue;
        }
        let plan = sim.plan(r, day, start, &active);
        let sts = s.trip_stop_times(run.trip);
        let offset = start + i64::from(run.first_departure) - i64::from(sts[0].departure);
        let delay0 = plan.calls[0].depart - (offset + i64::from(sts[0].departure));
        assert!(delay0 >= 0, "no bus leaves its first stop early");
        runs += 1;
        if delay0 <= 180 {
            on_time_start += 1;
        }
        if delay0 >= 300 {
            late_start += 1;
        }
        let early = plan
            .calls
            .iter()
            .zip(sts)
            .any(|(c, st)| c.arrive <= offset + i64::from(st.arrival) - 60);
        if early {
            early_somewhere += 1;
        }
        for (c, st) in plan.calls.iter().zip(sts).skip(1).take(sts.len() - 2) {
            if st.timepoint {
                assert!(
                    c.depart >= offset + i64::from(st.departure),
                    "held at timepoints"
                );
            }
            assert!(c.depart >= c.arrive);
        }
        // The index never misses a plan.
        assert!(plan.visible_from >= start + run.from && plan.visible_to <= start + run.to);
        assert!(plan.visible_from < plan.calls[0].depart);
    }
    let share = |n: i32| f64::from(n) / f64::from(runs);
    assert!(share(on_time_start) > 0.65, "{on_time_start} of {runs}");
    assert!((0.03..0.25).contains(&share(late_start)), "{late_start}");
    assert!(share(early_somewhere) > 0.02, "{early_somewhere}");
}

#[test]
fn plans_never_leave_the_window_the_index_files_them_under() {
    let s = sample();
    for (seed, day) in (0..12)
        .map(|seed| (seed, monday_date()))
        .chain([(0, date(2026, 11, 28))])
    {
        let mut sim = Simulator::new(s.clone(), seed);
        let start = service_day_start(day, &s.timezone);
        let active = sim.active_services(day);
        for r in 0..sim.runs.len() as u32 {
            let run = sim.runs[r as usize];
            if !active[s.trip(run.trip).service.index()] || sim.cancelled(r, day) {
                continue;
            }
            let plan = sim.plan(r, day, start, &active);
            assert!(
                plan.visible_from >= start + run.from && plan.visible_to <= start + run.to,
                "seed {seed}: {} {day}",
                s.trip(run.trip).id
            );
        }
    }
}

#[test]
fn a_block_is_one_vehicle_through_its_trips_and_layovers() {
    let s = sample();
    let mut sim = Simulator::new(s.clone(), 4);
    let block = s
        .blocks
        .iter()
        .position(|b| &*b.id == "51_WD_B01")
        .expect("block");
    let mut numbers = FxHashSet::default();
    let mut trips = FxHashSet::default();
    let mut now = monday(5, 0);
    while now < monday(23, 0) {
        let vehicles = sim.vehicles(now);
        let mut ids: Vec<u64> = vehicles.iter().map(|v| v.number).collect();
        ids.dedup();
        assert_eq!(ids.len(), vehicles.len(), "one entity per vehicle");
        for v in vehicles {
            if s.trip(v.trip).block.map(|b| b.index()) == Some(block) {
                numbers.insert(v.number);
                trips.insert(v.trip);
            }
        }
        now += 60;
    }
    assert_eq!(numbers.len(), 1, "{numbers:?}");
    assert!(trips.len() > 3, "{}", trips.len());
}

#[test]
fn buses_stand_at_stops_and_move_between_them() {
    let mut sim = Simulator::new(sample(), 6);
    let message = sim.snapshot(monday(10, 0));
    let (mut stopped, mut moving) = (0, 0);
    for e in &message.entity {
        let v = e.vehicle.as_ref().expect("vehicle");
        let speed = v.position.as_ref().and_then(|p| p.speed).expect("speed");
        match v.current_status {
            Some(s) if s == vehicle_position::VehicleStopStatus::StoppedAt as i32 => {
                assert!(speed == 0.0);
                stopped += 1;
            }
            Some(_) => {
                assert!(speed < 25.0);
                moving += 1;
            }
            None => assert!(trip_id(e).is_none()),
        }
        assert!(v.vehicle.as_ref().and_then(|d| d.label.as_ref()).is_some());
    }
    assert!(
        stopped > 0 && moving > stopped,
        "{stopped} stopped, {moving} moving"
    );

    // Buses come on the feed at their first stop a few minutes before leaving it, and go
    // off it once they reach their last stop.
    let s = sample();
    let now = monday(10, 0);
    let waiting = sim
        .vehicles(now)
        .into_iter()
        .filter(|v| v.motion.call == 0)
        .inspect(|v| assert!(v.motion.stopped && v.speed_mps == 0.0))
        .count();
    assert!(waiting > 0);
    let mut arrived = 0;
    for v in sim.vehicles(now) {
        let last = s.trip_stop_times(v.trip).len() - 1;
        if v.motion.call == last && v.motion.stopped {
            arrived += 1;
            assert!(sim.vehicles(now + 61).iter().all(|w| w.run != v.run));
        }
    }
    assert!(arrived > 0);
}

#[test]
fn a_snapshot_looks_only_at_the_trips_near_now() {
    let mut sim = Simulator::new(sample(), 1);
    let vehicles = sim.vehicles(monday(8, 0)).len();
    assert!(
        sim.examined < sim.runs.len() / 4,
        "{} of {} runs examined for {vehicles} vehicles",
        sim.examined,
        sim.runs.len()
    );
    let started = std::time::Instant::now();
    for i in 0..50 {
        sim.snapshot(monday(8, 0) + i * 5);
    }
    assert!(
        started.elapsed().as_millis() < 1500,
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn day_numbers_count_from_1970() {
    assert_eq!(day_number(date(1970, 1, 1)), 0);
    assert_eq!(day_number(date(2000, 3, 1)), 11_017);
    assert_eq!(
        day_number(date(2026, 11, 24)) - day_number(date(2026, 11, 23)),
        1
    );
    assert_eq!(
        day_number(date(2027, 1, 1)) - day_number(date(2026, 12, 31)),
        1
    );
}

#[test]
fn peak_traffic_makes_buses_later_than_at_midday() {
    let s = sample();
    let mut sim = Simulator::new(s.clone(), 1);
    let day = monday_date();
    let start = service_day_start(day, &s.timezone);
    let active = sim.active_services(day);
    // Delay halfway along the trip, for trips leaving in the morning peak and at midday.
    let (mut peak, mut midday) = (Vec::new(), Vec::new());
    for r in 0..sim.runs.len() as u32 {
        let run = sim.runs[r as usize];
        if !active[s.trip(run.trip).service.index()] || sim.cancelled(r, day) {
            continue;
        }
        let plan = sim.plan(r, day, start, &active);
        let sts = s.trip_stop_times(run.trip);
        let offset = start + i64::from(run.first_departure) - i64::from(sts[0].departure);
        let m = sts.len() / 2;
        let delay = plan.calls[m].arrive - (offset + i64::from(sts[m].arrival));
        match run.first_departure / 3600 {
            7 | 8 => peak.push(delay),
            11..=13 => midday.push(delay),
            _ => {}
        }
    }
    let median = |v: &mut Vec<i64>| {
        v.sort_unstable();
        v[v.len() / 2]
    };
    let (peak, midday) = (median(&mut peak), median(&mut midday));
    assert!(
        (0..600).contains(&midday) && peak > midday + 60 && peak < 900,
        "median delays: peak {peak} s, midday {midday} s"
    );
}
