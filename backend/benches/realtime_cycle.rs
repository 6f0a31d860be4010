//! One realtime cycle with 1,000 vehicles on the 1.16 M stop_times feed: decode a
//! VehiclePositions payload, ingest it (validate, match, progress, detect calls, learn) and
//! build the predictions snapshot; next to prost's decode of the same payload alone.
//!
//! ```text
//! cargo bench -p backend --bench realtime_cycle
//! ```
//! Feed: `../shared/data/gtfs-bench/large/` (or `REALTIME_BENCH_FEED=path.zip`), skipped with
//! a message when absent. The vehicles run 1,000 trip instances active on Tuesday
//! 2026-11-24 at 08:00 local time, each exactly on its schedule, one position every 30 s.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use backend::catalog::{Catalog, FeedEntry};
use backend::pipeline::Pipeline;
use backend::predict::{History, Settings};
use backend::schedule::time::service_day_start;
use backend::schedule::{FeedId, Schedule, StopTime, TripIdx};
use criterion::{Criterion, criterion_group, criterion_main};
use gtfs_rt::{
    FeedEntity, FeedHeader, FeedMessage, Message as _, Position, TripDescriptor, VehicleDescriptor,
    VehiclePosition, feed_header,
};

const VEHICLES: usize = 1000;
const STEP_S: i64 = 30;

fn feed_path() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("REALTIME_BENCH_FEED") {
        return Some(PathBuf::from(p));
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/gtfs-bench/large");
    std::fs::read_dir(&dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "zip"))
}

/// Metres along the trip at `t` seconds of its service day, running exactly on schedule.
fn along_at(stops: &[StopTime], t: u32) -> f64 {
    let i = stops.partition_point(|s| s.departure <= t);
    if i == 0 {
        return f64::from(stops[0].dist_m);
    }
    if i >= stops.len() {
        return f64::from(stops[stops.len() - 1].dist_m);
    }
    let (a, b) = (&stops[i - 1], &stops[i]);
    if t <= a.departure || b.arrival <= a.departure {
        return f64::from(a.dist_m);
    }
    let f = f64::from(t - a.departure) / f64::from(b.arrival - a.departure);
    f64::from(a.dist_m) + f.min(1.0) * f64::from(b.dist_m - a.dist_m)
}

struct Setup {
    schedule: Arc<Schedule>,
    trips: Vec<TripIdx>,
    day: i64,
    start: i64,
}

fn message(s: &Setup, t: i64) -> Vec<u8> {
    let tod = u32::try_from(t - s.day).unwrap_or(0);
    let entity = s
        .trips
        .iter()
        .enumerate()
        .filter_map(|(i, &trip)| {
            let stops = s.schedule.trip_stop_times(trip);
            let shape = s.schedule.trip(trip).shape?;
            let p = s.schedule.shapes[shape.index()]
                .line
                .point_at(along_at(stops, tod))?;
            Some(FeedEntity {
                id: format!("v{i}"),
                vehicle: Some(VehiclePosition {
                    trip: Some(TripDescriptor {
                        trip_id: Some(s.schedule.trip(trip).id.to_string()),
                        ..Default::default()
                    }),
                    vehicle: Some(VehicleDescriptor {
                        id: Some(format!("v{i}")),
                        ..Default::default()
                    }),
                    position: Some(Position {
                        latitude: p.lat as f32,
                        longitude: p.lon as f32,
                        ..Default::default()
                    }),
                    timestamp: Some(t as u64),
                    ..Default::default()
                }),
                ..Default::default()
            })
        })
        .collect();
    FeedMessage {
        header: FeedHeader {
            gtfs_realtime_version: "2.0".into(),
            incrementality: Some(feed_header::Incrementality::FullDataset as i32),
            timestamp: Some(t as u64),
            ..Default::default()
        },
        entity,
    }
    .encode_to_vec()
}

fn setup(path: &Path) -> Setup {
    let date = jiff::civil::date(2026, 11, 24);
    let loaded = backend::feed::load(
        backend::feed::Source::Path(path),
        FeedId::new("bench").expect("valid id"),
        date,
    )
    .unwrap_or_else(|r| panic!("the bench feed must load: {} errors", r.error_count()));
    let schedule = Arc::new(loaded.schedule);
    let day = service_day_start(date, &schedule.timezone);
    let at = 8 * 3600;
    let mut trips: Vec<TripIdx> = (0..schedule.trips.len() as u32)
        .map(TripIdx)
        .filter(|&t| {
            let trip = schedule.trip(t);
            let stops = schedule.trip_stop_times(t);
            trip.usable
                && !trip.is_frequency_based()
                && schedule.service_active(trip.service, date)
                && stops.first().is_some_and(|s| s.departure <= at)
                && stops.last().is_some_and(|s| s.arrival >= at + 1800)
        })
        .collect();
    trips.truncate(VEHICLES);
    eprintln!(
        "{} trips active at 08:00 with 30 min to run; using {}",
        trips.len(),
        trips.len().min(VEHICLES)
    );
    Setup {
        schedule,
        trips,
        day,
        start: day + i64::from(at),
    }
}

fn pipeline(s: &Setup) -> Pipeline {
    let catalog = Catalog::new(vec![FeedEntry {
        schedule: s.schedule.clone(),
        source: "bench".into(),
        loaded_at: jiff::Timestamp::now(),
        report: Arc::new(api_types::ValidationReport::default()),
    }])
    .expect("one feed");
    Pipeline::new(&catalog, History::default(), Settings::default())
}

fn bench(c: &mut Criterion) {
    let Some(path) = feed_path() else {
        eprintln!("realtime_cycle: skipped, ../shared/data/gtfs-bench/large is absent");
        return;
    };
    let s = setup(&path);
    let feed = s.schedule.feed_id.clone();
    let first = message(&s, s.start);
    eprintln!("payload: {} vehicles, {} bytes", s.trips.len(), first.len());

    c.bench_function("prost decode (1000 vehicles)", |b| {
        b.iter(|| FeedMessage::decode(black_box(first.as_slice())))
    });

    // Positions 30 s apart, made before timing; each measured cycle ingests the next one.
    let cycles = 60;
    let payloads: Vec<Vec<u8>> = (1..=cycles)
        .map(|k| message(&s, s.start + k * STEP_S))
        .collect();
    let mut group = c.benchmark_group("realtime cycle");
    group.sample_size(20);
    group.bench_function("decode + ingest + predict (1000 vehicles)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut done = 0;
            while done < iters {
                let mut p = pipeline(&s);
                p.ingest_bytes("bench", &feed, &first, s.start);
                p.snapshot(s.start);
                for (k, payload) in payloads.iter().enumerate() {
                    if done == iters {
                        break;
                    }
                    let now = s.start + (k as i64 + 1) * STEP_S;
                    let started = Instant::now();
                    let report = p.ingest_bytes("bench", &feed, payload, now);
                    let snapshot = p.snapshot(now);
                    total += started.elapsed();
                    black_box((report, snapshot));
                    done += 1;
                }
            }
            total
        })
    });
    group.finish();

    // What the cycle produced, once, for the record.
    let mut p = pipeline(&s);
    p.ingest_bytes("bench", &feed, &first, s.start);
    for (k, payload) in payloads.iter().take(10).enumerate() {
        p.ingest_bytes("bench", &feed, payload, s.start + (k as i64 + 1) * STEP_S);
    }
    let snap = p.snapshot(s.start + 10 * STEP_S);
    let f = snap.feed(&feed).expect("bench feed");
    let matched = f.vehicles.iter().filter(|v| v.trip.is_some()).count();
    let stops: usize = f.trips.iter().map(|t| t.stops.len()).sum();
    eprintln!(
        "after 10 cycles: {} vehicles, {matched} matched, {} trip predictions, {stops} stop predictions",
        f.vehicles.len(),
        f.trips.len()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
