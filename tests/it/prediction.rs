//! The realtime engine through its pure entry point, `Pipeline`: positions in, tracked
//! vehicles, observed calls and predictions out, on the sample Binh Duong network.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use backend::catalog::{Catalog, FeedEntry};
use backend::pipeline::Pipeline;
use backend::predict::{Basis, History, Settings, Snapshot, TripStatus};
use backend::schedule::{FeedId, Schedule, StopTime, TripIdx};
use gtfs_rt::{
    FeedEntity, FeedHeader, FeedMessage, Position, TripDescriptor, TripUpdate, VehicleDescriptor,
    VehiclePosition, feed_header, trip_descriptor, trip_update,
};

use crate::support::{at, repo_root};

fn sample() -> Arc<Schedule> {
    static SAMPLE: OnceLock<Arc<Schedule>> = OnceLock::new();
    SAMPLE
        .get_or_init(|| {
            let loaded = backend::feed::load(
                backend::feed::Source::Path(&repo_root().join("feeds/binh-duong")),
                FeedId::new("bd").expect("valid id"),
                crate::support::today(),
            )
            .expect("the sample feed loads");
            Arc::new(loaded.schedule)
        })
        .clone()
}

fn pipeline() -> Pipeline {
    let catalog = Catalog::new(vec![FeedEntry {
        schedule: sample(),
        source: "feeds/binh-duong".into(),
        loaded_at: jiff::Timestamp::now(),
        report: Arc::new(api_types::ValidationReport::default()),
    }])
    .expect("one feed");
    Pipeline::new(&catalog, History::default(), Settings::default())
}

fn feed() -> FeedId {
    FeedId::new("bd").expect("valid id")
}

/// Monday 2026-11-23, local time (UTC+7).
fn monday(hms: &str) -> i64 {
    at(&format!("2026-11-23T{hms}+07:00"))
}

fn trip(id: &str) -> TripIdx {
    sample().trip_by_id(id).expect("trip in the sample feed")
}

fn stops_of(id: &str) -> Vec<StopTime> {
    sample().trip_stop_times(trip(id)).to_vec()
}

/// The point `along` metres along trip `id`'s shape.
fn point(id: &str, along: f64) -> Position {
    let s = sample();
    let shape = s.trip(trip(id)).shape.expect("trip has a shape");
    let p = s.shapes[shape.index()]
        .line
        .point_at(along)
        .expect("non-empty shape");
    Position {
        latitude: p.lat as f32,
        longitude: p.lon as f32,
        ..Default::default()
    }
}

fn vehicle(
    vehicle: &str,
    trip: Option<&str>,
    route: Option<&str>,
    pos: Position,
    t: i64,
) -> FeedEntity {
    FeedEntity {
        id: vehicle.into(),
        vehicle: Some(VehiclePosition {
            trip: (trip.is_some() || route.is_some()).then(|| TripDescriptor {
                trip_id: trip.map(Into::into),
                route_id: route.map(Into::into),
                ..Default::default()
            }),
            vehicle: Some(VehicleDescriptor {
                id: Some(vehicle.into()),
                ..Default::default()
            }),
            position: Some(pos),
            timestamp: Some(t as u64),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn message(t: i64, entity: Vec<FeedEntity>) -> FeedMessage {
    FeedMessage {
        header: FeedHeader {
            gtfs_realtime_version: "2.0".into(),
            incrementality: Some(feed_header::Incrementality::FullDataset as i32),
            timestamp: Some(t as u64),
            ..Default::default()
        },
        entity,
    }
}

fn live<'a>(snap: &'a Snapshot, trip_id: &str) -> Option<&'a backend::predict::TripPrediction> {
    let t = trip(trip_id);
    snap.feed(&feed())?
        .trips
        .iter()
        .find(|p| p.instance.trip == t)
}

/// A bus running trip 51_WD_0_0600 two minutes late, reporting every 30 s.
/// Returns the calls observed and the time of the last position.
fn run_late_bus(
    p: &mut Pipeline,
    trip_id: &str,
    until_call: usize,
) -> (Vec<backend::predict::ObservedCall>, i64) {
    let stops = stops_of(trip_id);
    let mut observed = Vec::new();
    let origin = monday("00:00:00");
    let late = 120;
    // Walk from the first stop to `until_call`, positions every 30 s of schedule time.
    let start = origin + i64::from(stops[0].departure) + late;
    let end = origin + i64::from(stops[until_call].arrival) + late;
    let mut t = start;
    while t <= end {
        let sched = t - late - origin;
        // Distance along at this schedule time (linear between stops).
        let i = stops
            .partition_point(|s| i64::from(s.departure) <= sched)
            .max(1);
        let (a, b) = (&stops[i - 1], &stops[i.min(stops.len() - 1)]);
        let span = (i64::from(b.arrival) - i64::from(a.departure)).max(1) as f64;
        let f = ((sched - i64::from(a.departure)) as f64 / span).clamp(0.0, 1.0);
        let along = f64::from(a.dist_m) + f * f64::from(b.dist_m - a.dist_m);
        let report = p.ingest(
            "avl",
            &feed(),
            &message(
                t,
                vec![vehicle(
                    "bus-7",
                    Some(trip_id),
                    None,
                    point(trip_id, along),
                    t,
                )],
            ),
            t,
        );
        assert!(report.accepted);
        observed.extend(report.observed);
        t += 30;
    }
    (observed, t - 30)
}

#[test]
fn a_tracked_bus_gets_predictions_for_the_stops_ahead_only() {
    let mut p = pipeline();
    let (observed, last) = run_late_bus(&mut p, "51_WD_0_0600", 6);
    let now = last + 60;
    let snap = p.snapshot(now);
    let pred = live(&snap, "51_WD_0_0600").expect("the trip is predicted");
    assert_eq!(pred.status, TripStatus::Live);
    assert!(pred.vehicle.is_some());
    let delay = pred.delay.expect("delay known");
    assert!(
        (60..=180).contains(&delay),
        "about 2 min late, got {delay} s"
    );
    // Calls already made are not predicted; the rest are, in order, in the future.
    let stops = stops_of("51_WD_0_0600");
    let first = pred.stops.first().expect("stops ahead");
    assert!(first.stop_sequence >= stops[6].stop_sequence);
    assert_eq!(
        pred.stops.last().map(|s| s.stop_sequence),
        stops.last().map(|s| s.stop_sequence)
    );
    let mut previous = now;
    for s in &pred.stops {
        assert_eq!(s.basis, Basis::Realtime);
        let arrival = s.arrival.expect("arrival predicted");
        assert!(arrival >= previous, "times increase along the trip");
        assert!(s.departure.expect("departure") >= arrival);
        previous = arrival;
    }
    // The bus was seen passing stops 2..=6: those calls were observed, about 2 min late.
    assert!(observed.len() >= 4, "observed {observed:?}");
    for call in &observed {
        let late = call.arrival - call.scheduled_arrival;
        assert!((0..=240).contains(&late), "call {call:?} is {late} s late");
    }
    // Predicted delay at the next stop is near the observed one.
    let next =
        &stops[(first.stop_time - sample().trip(trip("51_WD_0_0600")).stop_times.start) as usize];
    let expected = monday("00:00:00") + i64::from(next.arrival) + 120;
    let got = first.arrival.expect("arrival");
    assert!(
        (got - expected).abs() <= 180,
        "next stop predicted {got}, about {expected} expected"
    );
}

#[test]
fn the_next_trip_of_the_block_is_predicted_as_propagated() {
    let mut p = pipeline();
    let (_, last) = run_late_bus(&mut p, "51_WD_0_0600", 10);
    let snap = p.snapshot(last + 30);
    let next = live(&snap, "51_WD_1_0658").expect("next trip of block 51_WD_B01 predicted");
    assert!(next.stops.iter().all(|s| s.basis == Basis::Propagated));
    let first = next
        .stops
        .first()
        .and_then(|s| s.departure)
        .expect("departure");
    assert!(
        first >= monday("06:58:00"),
        "it does not leave before its scheduled time"
    );
}

#[test]
fn a_silent_bus_stops_producing_predictions() {
    let mut p = pipeline();
    let (_, last_seen) = run_late_bus(&mut p, "51_WD_0_0600", 4);
    assert!(live(&p.snapshot(last_seen), "51_WD_0_0600").is_some());
    // The feed itself stays alive (other vehicles), this bus says nothing more.
    let later = last_seen + 11 * 60;
    p.ingest("avl", &feed(), &message(later, Vec::new()), later);
    assert!(
        live(&p.snapshot(later), "51_WD_0_0600").is_none(),
        "no live predictions 11 minutes after the last position"
    );
}

#[test]
fn a_feed_failing_for_five_minutes_degrades_to_the_timetable() {
    let mut p = pipeline();
    let (_, t) = run_late_bus(&mut p, "51_WD_0_0600", 4);
    p.source_failed("avl", &feed(), "GET http://avl: HTTP 503", t);
    let snap = p.snapshot(t + 60);
    assert!(!snap.feed(&feed()).expect("feed").degraded);
    let snap = p.snapshot(t + 6 * 60);
    let f = snap.feed(&feed()).expect("feed");
    assert!(f.degraded, "degraded after 5 min of failures");
    assert!(f.trips.is_empty(), "no old numbers presented as live");
}

#[test]
fn an_older_position_is_ignored() {
    let mut p = pipeline();
    let _ = run_late_bus(&mut p, "51_WD_0_0600", 6);
    let before = p
        .tracker()
        .vehicles()
        .next()
        .map(|v| v.timestamp)
        .expect("tracked");
    let stale = before - 300;
    p.ingest(
        "avl",
        &feed(),
        &message(
            before + 30,
            vec![vehicle(
                "bus-7",
                Some("51_WD_0_0600"),
                None,
                point("51_WD_0_0600", 0.0),
                stale,
            )],
        ),
        before + 30,
    );
    let v = p.tracker().vehicles().next().expect("tracked");
    assert_eq!(
        v.timestamp, before,
        "the older report did not replace the newer one"
    );
}

#[test]
fn a_bus_without_trip_id_is_matched_by_route_position_and_time() {
    let mut p = pipeline();
    let stops = stops_of("51_WD_0_0800");
    let along = f64::from(stops[5].dist_m) + 50.0;
    // At the schedule time of that spot, one minute late.
    let t = monday("00:00:00") + i64::from(stops[5].departure) + 60 + 10;
    p.ingest(
        "avl",
        &feed(),
        &message(
            t,
            vec![vehicle(
                "bus-9",
                None,
                Some("51"),
                point("51_WD_0_0800", along),
                t,
            )],
        ),
        t,
    );
    let v = p.tracker().vehicles().next().expect("tracked");
    let a = v.assignment.as_ref().expect("matched");
    assert_eq!(a.instance.trip, trip("51_WD_0_0800"));
    assert!((a.progress_m - along).abs() < 30.0);
    // And without the route either: routes near it are searched. Routes 51 and 52 share this
    // street at the same times, so either explains one position; the schedule fit must be good.
    let mut p = pipeline();
    p.ingest(
        "avl",
        &feed(),
        &message(
            t,
            vec![vehicle(
                "bus-9",
                None,
                None,
                point("51_WD_0_0800", along),
                t,
            )],
        ),
        t,
    );
    let v = p.tracker().vehicles().next().expect("tracked");
    let a = v
        .assignment
        .as_ref()
        .expect("matched without trip or route");
    assert!(
        a.delay.abs() <= 120,
        "matched to a trip due here now, delay {} s",
        a.delay
    );
}

#[test]
fn a_bus_on_a_frequency_based_line_gets_an_instance_on_its_timetable() {
    let s = sample();
    let brt = s.trip_by_id("BRT_WD_0").expect("BRT template trip");
    let stops = s.trip_stop_times(brt).to_vec();
    let mut p = pipeline();
    // 07:00 + the template's offset to stop 3, a minute late: the 07:00 departure (every 5 min).
    let offset = i64::from(stops[3].departure - stops[0].departure);
    let t = monday("07:00:00") + offset + 60;
    let along = f64::from(stops[3].dist_m) + 40.0;
    p.ingest(
        "avl",
        &feed(),
        &message(
            t,
            vec![vehicle(
                "brt-1",
                Some("BRT_WD_0"),
                None,
                point("BRT_WD_0", along),
                t,
            )],
        ),
        t,
    );
    let v = p.tracker().vehicles().next().expect("tracked");
    let instance = v.assignment.as_ref().expect("matched").instance;
    assert_eq!(instance.trip, brt);
    assert_eq!(instance.start, Some(7 * 3600), "the 07:00 run");
    let snap = p.snapshot(t);
    let pred = snap
        .feed(&feed())
        .and_then(|f| f.trip(&instance))
        .expect("predicted");
    assert!(!pred.stops.is_empty());
}

#[test]
fn agency_cancellations_and_skipped_stops_are_kept() {
    let mut p = pipeline();
    let (_, t) = run_late_bus(&mut p, "51_WD_0_0600", 3);
    let stops = stops_of("51_WD_0_0600");
    let tu = |trip_id: &str, cancel: bool, skip: Option<u32>| FeedEntity {
        id: format!("tu-{trip_id}"),
        trip_update: Some(TripUpdate {
            trip: TripDescriptor {
                trip_id: Some(trip_id.into()),
                start_date: Some("20261123".into()),
                schedule_relationship: cancel
                    .then_some(trip_descriptor::ScheduleRelationship::Canceled as i32),
                ..Default::default()
            },
            stop_time_update: skip
                .map(|seq| trip_update::StopTimeUpdate {
                    stop_sequence: Some(seq),
                    schedule_relationship: Some(
                        trip_update::stop_time_update::ScheduleRelationship::Skipped as i32,
                    ),
                    ..Default::default()
                })
                .into_iter()
                .collect(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let skipped_seq = stops[8].stop_sequence;
    p.ingest(
        "agency-tu",
        &feed(),
        &message(
            t,
            vec![
                tu("51_WD_0_0700", true, None),
                tu("51_WD_0_0600", false, Some(skipped_seq)),
            ],
        ),
        t,
    );
    let snap = p.snapshot(t);
    let cancelled = live(&snap, "51_WD_0_0700").expect("cancelled trip is published");
    assert_eq!(cancelled.status, TripStatus::Cancelled);
    let running = live(&snap, "51_WD_0_0600").expect("running trip");
    let skipped = running
        .stops
        .iter()
        .find(|s| s.stop_sequence == skipped_seq)
        .expect("the skipped stop is listed");
    assert!(skipped.skipped && skipped.arrival.is_none());
    // Our own predictions still fill the stops before the agency's first update.
    assert!(running.stops.iter().any(|s| s.basis == Basis::Realtime));
}

#[test]
fn learned_running_times_slow_down_later_predictions() {
    // Two pipelines: one has watched a bus run the trip twice as slowly as scheduled.
    let stops = stops_of("51_WD_0_0600");
    let mut slow = pipeline();
    let fresh_prediction = {
        let mut p = pipeline();
        let (_, last) = run_late_bus(&mut p, "51_WD_0_0600", 2);
        let snap = p.snapshot(last);
        live(&snap, "51_WD_0_0600")
            .and_then(|t| t.stops.last())
            .and_then(|s| s.arrival)
            .expect("predicted")
    };
    // Bus A ran 51_WD_0_0500 (same stops) at half speed: teach the slow pipeline.
    let origin = monday("00:00:00") - 3600;
    let mut t = origin + i64::from(stops[0].departure);
    let total = i64::from(stops[stops.len() - 1].arrival - stops[0].departure) * 2;
    let end = t + total;
    // Its own source: its run overlaps the late bus's in time, and one source's header
    // timestamps may not go backwards (E018, the message would be refused).
    while t <= end {
        let f = (t - (origin + i64::from(stops[0].departure))) as f64 / total as f64;
        let along = f * f64::from(stops[stops.len() - 1].dist_m);
        slow.ingest(
            "avl-a",
            &feed(),
            &message(
                t,
                vec![vehicle(
                    "bus-a",
                    Some("51_WD_0_0500"),
                    None,
                    point("51_WD_0_0600", along),
                    t,
                )],
            ),
            t,
        );
        t += 30;
    }
    assert!(slow.history().observations() > 10, "calls were learned");
    let (_, last) = run_late_bus(&mut slow, "51_WD_0_0600", 2);
    let snap = slow.snapshot(last);
    let learned_prediction = live(&snap, "51_WD_0_0600")
        .and_then(|t| t.stops.last())
        .and_then(|s| s.arrival)
        .expect("predicted");
    assert!(
        learned_prediction > fresh_prediction + 600,
        "after watching slow runs the end of the trip is predicted later: {learned_prediction} vs {fresh_prediction}"
    );
}

/// `backend replay` (the real executable) on recorded snapshots written to files: one CSV
/// row per live prediction, made at the snapshot's time, arriving within 30 minutes.
#[test]
fn replay_writes_the_predictions_it_would_serve() {
    use gtfs_rt::Message as _;
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshots = dir.path().join("vp");
    std::fs::create_dir(&snapshots).expect("mkdir");
    let stops = stops_of("51_WD_0_0600");
    let origin = monday("00:00:00");
    let start = origin + i64::from(stops[0].departure);
    let mut times = Vec::new();
    // Ten snapshots 30 s apart, on schedule, written out of order (replay sorts them).
    for k in (0..10).rev() {
        let t = start + 60 + 30 * k;
        let along = f64::from(stops[1].dist_m) * (0.2 + 0.15 * k as f64);
        let m = message(
            t,
            vec![vehicle(
                "bus-1",
                Some("51_WD_0_0600"),
                None,
                point("51_WD_0_0600", along),
                t,
            )],
        );
        std::fs::write(snapshots.join(format!("vp_{t}.pb")), m.encode_to_vec()).expect("write");
        times.push(t);
    }
    std::fs::write(snapshots.join("notes.txt"), "not a snapshot").expect("write");
    let out = dir.path().join("predictions.csv");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_backend"))
        .args(["replay", "--gtfs"])
        .arg(repo_root().join("feeds/binh-duong"))
        .arg("--vehicle-positions")
        .arg(&snapshots)
        .arg("--out")
        .arg(&out)
        .status()
        .expect("backend runs");
    assert!(status.success());
    let csv = std::fs::read_to_string(&out).expect("csv written");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("made_at,trip_id,stop_id,stop_sequence,predicted_arrival")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(!rows.is_empty());
    let mut made: Vec<i64> = rows
        .iter()
        .map(|r| r[0].parse().expect("made_at"))
        .collect();
    made.dedup();
    times.sort();
    assert_eq!(made, times, "rows after every snapshot, in time order");
    for r in &rows {
        let (made_at, arrival): (i64, i64) = (r[0].parse().expect("n"), r[4].parse().expect("n"));
        assert!(arrival >= made_at && arrival - made_at <= 30 * 60, "{r:?}");
        let seq: u32 = r[3].parse().expect("stop_sequence");
        let st = stops
            .iter()
            .find(|s| s.stop_sequence == seq)
            .expect("a stop of the trip");
        assert_eq!(r[2], &*sample().stop(st.stop).id);
        assert!(
            r[1] == "51_WD_0_0600" || r[1].starts_with("51_WD_1_"),
            "this trip or the next of its block"
        );
    }
}

/// Replay with `--data-dir`: what one replay observed is stored in SQLite and learned by the
/// next one before its first snapshot.
#[test]
fn replay_learning_survives_in_the_data_dir() {
    use gtfs_rt::Message as _;
    let dir = tempfile::tempdir().expect("temp dir");
    let stops = stops_of("51_WD_0_0600");
    let origin = monday("00:00:00");
    let write_run = |folder: &str, day_offset: i64| {
        let d = dir.path().join(folder);
        std::fs::create_dir(&d).expect("mkdir");
        let start = origin + day_offset + i64::from(stops[0].departure);
        for k in 0..40 {
            let t = start + 30 * k;
            let tod = (t - origin - day_offset) as u32;
            let along = {
                let i = stops
                    .partition_point(|s| s.departure <= tod)
                    .max(1)
                    .min(stops.len() - 1);
                let (a, b) = (&stops[i - 1], &stops[i]);
                let f = (f64::from(tod.saturating_sub(a.departure))
                    / f64::from((b.arrival - a.departure).max(1)))
                .min(1.0);
                f64::from(a.dist_m) + f * f64::from(b.dist_m - a.dist_m)
            };
            let m = message(
                t,
                vec![vehicle(
                    "bus-1",
                    Some("51_WD_0_0600"),
                    None,
                    point("51_WD_0_0600", along),
                    t,
                )],
            );
            std::fs::write(d.join(format!("{t}.pb")), m.encode_to_vec()).expect("write");
        }
        d
    };
    let monday_run = write_run("mon", 0);
    let tuesday_run = write_run("tue", 86_400);
    let data = dir.path().join("data");
    let replay = |vp: &Path| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_backend"))
            .args(["replay", "--gtfs"])
            .arg(repo_root().join("feeds/binh-duong"))
            .arg("--vehicle-positions")
            .arg(vp)
            .arg("--out")
            .arg(dir.path().join("p.csv"))
            .arg("--data-dir")
            .arg(&data)
            .output()
            .expect("backend runs");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let first = replay(&monday_run);
    assert!(
        first.contains("(0 learned from the store first)"),
        "{first}"
    );
    assert!(data.join(backend::store::FILE_NAME).is_file());
    let second = replay(&tuesday_run);
    assert!(
        !second.contains("(0 learned from the store first)"),
        "Tuesday learns Monday's calls: {second}"
    );
}
