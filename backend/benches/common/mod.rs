//! What the benches on the 1.16 M stop_times feed share: finding the feed, picking the trips
//! running on its busiest morning, and making the vehicles' VehiclePositions payloads.
//!
//! The vehicles run the first 1,000 trip instances running from 08:10 to 08:30 local time on the
//! feed's busiest day (waiting at their first stop until they leave), one position every 30 s;
//! the Bronx has ~350 such trips, so each gets up to three vehicles, on time and 4 or 8 minutes
//! late (every vehicle is matched, tracked and predicted alone).

// Each bench uses part of this module.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use backend::catalog::{Catalog, FeedEntry};
use backend::pipeline::Pipeline;
use backend::predict::{History, Settings};
use backend::schedule::time::service_day_start;
use backend::schedule::{FeedId, Schedule, StopTime, TripIdx};
use gtfs_rt::{
    FeedEntity, FeedHeader, FeedMessage, Message as _, Position, TripDescriptor, VehicleDescriptor,
    VehiclePosition, feed_header,
};

pub const VEHICLES: usize = 1000;
pub const STEP_S: i64 = 30;

pub fn feed_path() -> Option<PathBuf> {
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

pub struct Setup {
    pub schedule: Arc<Schedule>,
    /// (trip, how late its vehicle runs, seconds): several vehicles per trip when the feed
    /// has fewer than 1,000 trips running at once.
    pub trips: Vec<(TripIdx, i64)>,
    pub day: i64,
    pub start: i64,
}

pub fn message(s: &Setup, t: i64) -> Vec<u8> {
    let tod = u32::try_from(t - s.day).unwrap_or(0);
    let entity = s
        .trips
        .iter()
        .enumerate()
        .filter_map(|(i, &(trip, late))| {
            let stops = s.schedule.trip_stop_times(trip);
            let shape = s.schedule.trip(trip).shape?;
            let tod = tod.saturating_sub(u32::try_from(late).unwrap_or(0));
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

pub fn setup(path: &std::path::Path) -> Setup {
    let loaded = backend::feed::load(
        backend::feed::Source::Path(path),
        FeedId::new("bench").expect("valid id"),
        jiff::civil::date(2026, 11, 24),
    )
    .unwrap_or_else(|r| {
        panic!(
            "the bench feed must load: {}",
            backend::cli::format_report(&r)
        )
    });
    let schedule = Arc::new(loaded.schedule);
    let at = 8 * 3600;
    let running = |date: jiff::civil::Date| -> Vec<TripIdx> {
        (0..schedule.trips.len() as u32)
            .map(TripIdx)
            .filter(|&t| {
                let trip = schedule.trip(t);
                let stops = schedule.trip_stop_times(t);
                trip.usable
                    && !trip.is_frequency_based()
                    && schedule.service_active(trip.service, date)
                    && stops.first().is_some_and(|s| s.departure <= at + 600)
                    && stops.last().is_some_and(|s| s.arrival >= at + 1800)
            })
            .collect()
    };
    // The busiest weekday the feed covers.
    let (first, last) = schedule.service_span.expect("the feed has service");
    let date = first
        .series(jiff::Span::new().days(1))
        .take_while(|d| *d <= last)
        .take(62)
        .max_by_key(|d| running(*d).len())
        .expect("at least one date");
    let running = running(date);
    // One vehicle per trip on time; then more, 4, 8… minutes late, up to 1,000 vehicles.
    let trips: Vec<(TripIdx, i64)> = (0..)
        .flat_map(|k| running.iter().map(move |&t| (t, 240 * k)))
        .take(VEHICLES.min(running.len() * 8))
        .collect();
    eprintln!(
        "{date}: {} trips running from 08:10 to 08:30; {} vehicles",
        running.len(),
        trips.len()
    );
    let day = service_day_start(date, &schedule.timezone);
    Setup {
        schedule,
        trips,
        day,
        start: day + i64::from(at),
    }
}

pub fn pipeline(s: &Setup) -> Pipeline {
    let catalog = Catalog::new(vec![FeedEntry {
        schedule: s.schedule.clone(),
        source: "bench".into(),
        loaded_at: jiff::Timestamp::now(),
        report: Arc::new(api_types::ValidationReport::default()),
    }])
    .expect("one feed");
    Pipeline::new(&catalog, History::default(), Settings::default())
}

/// A pipeline that has followed the vehicles for `cycles` positions after their first: the
/// state a server is in after a few minutes. Returns it with the time of its last message.
pub fn followed(s: &Setup, cycles: i64) -> (Pipeline, i64) {
    let feed = s.schedule.feed_id.clone();
    let mut p = pipeline(s);
    p.ingest_bytes("bench", &feed, &message(s, s.start), s.start);
    for k in 1..=cycles {
        let now = s.start + k * STEP_S;
        p.ingest_bytes("bench", &feed, &message(s, now), now);
    }
    (p, s.start + cycles * STEP_S)
}
