//! One realtime cycle with 1,000 vehicles on the 1.16 M stop_times feed: decode a
//! VehiclePositions payload, ingest it (validate, match, progress, detect calls, learn) and
//! build the predictions snapshot; next to prost's decode of the same payload alone.
//!
//! ```text
//! cargo bench -p backend --bench realtime_cycle
//! ```
//! Feed: `../shared/data/gtfs-bench/large/` (or `REALTIME_BENCH_FEED=path.zip`), skipped with
//! a message when absent. The vehicles run the first 1,000 trip instances running from 08:10 to
//! 08:30 local time on the feed's busiest day (waiting at their first stop until they leave),
//! one position every 30 s; the Bronx has ~350 such trips, so each gets up to three vehicles,
//! on time and 4 or 8 minutes late (every vehicle is matched, tracked and predicted alone).

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use common::{STEP_S, feed_path, message, pipeline, setup};
use criterion::{Criterion, criterion_group, criterion_main};
use gtfs_rt::{FeedMessage, Message as _};

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
