//! The departure board of many distinct stops on the 1.16 M stop_times feed, with 1,000 live
//! vehicles: what `scripts/loadtest.sh`'s "2,000 busiest stops in turn" run costs the server,
//! without the network and without wrk.
//!
//! ```text
//! cargo bench -p backend --bench board
//! ```
//! Feed: `../shared/data/gtfs-bench/large/` (or `REALTIME_BENCH_FEED=path.zip`), skipped with
//! a message when absent. The realtime snapshot is the pipeline's after following the vehicles
//! of `realtime_cycle` for five minutes (see `common`). Measured, one stop after the other among
//! the 2,000 with the most calls:
//! - `board + JSON`: `departures::board` for the next 60 minutes, then `serde_json` to bytes;
//! - `index of publishable calls`: what the engine adds to each snapshot for the boards;
//! - `HTTP GET (cache miss)`: the whole router (`server::app`: ops layers, board cache, handler)
//!   answering `GET /api/v1/stops/{id}/departures`, body read; every request misses the cache,
//!   as in the load test.
//!
//! `BOARD_BENCH_DUMP=FILE` writes the boards (JSON lines) instead of timing them: compare two
//! builds' files to check that an optimisation changed no byte.
//!
//! For instruction counts, `BOARD_BENCH_PASSES=N` skips criterion and, N times, builds the
//! 2,000 boards in `boards_pass` and requests them in `http_pass`, so that callgrind can count
//! those functions alone (the difference is the request path: router, layers, cache):
//! ```text
//! BOARD_BENCH_PASSES=1 valgrind --tool=callgrind --toggle-collect='*boards_pass*' \
//!     --toggle-collect='*http_pass*' target/release/deps/board-HASH --bench
//! ```

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use arc_swap::ArcSwap;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use backend::api::departures::{BoardQuery, board};
use backend::catalog::{Catalog, FeedEntry};
use backend::clock::Clock;
use backend::predict::{FeedSnapshot, Snapshot};
use backend::schedule::{Schedule, StopIdx};
use backend::server::{app, leptos_options};
use backend::state::AppState;
use common::{feed_path, followed, setup};
use criterion::{Criterion, criterion_group, criterion_main};
use tower::ServiceExt as _;

/// Stops on the board run, as in the load test.
const STOPS: usize = 2000;
/// Minutes of the board's window (the API's default).
const MINUTES: i64 = 60;
/// Lines per board (the API's default).
const LIMIT: usize = 100;

/// The `n` stops with the most calls, busiest first.
fn busiest_stops(s: &Schedule, n: usize) -> Vec<StopIdx> {
    let mut calls = vec![0u32; s.stops.len()];
    for st in &s.stop_times {
        calls[st.stop.index()] += 1;
    }
    let mut stops: Vec<StopIdx> = (0..s.stops.len() as u32).map(StopIdx).collect();
    stops.sort_by_key(|st| std::cmp::Reverse(calls[st.index()]));
    stops.truncate(n);
    stops
}

/// One board as the API renders it: the view model, then its JSON.
fn board_json(s: &Schedule, rt: Option<&FeedSnapshot>, stop: StopIdx, now: i64) -> Vec<u8> {
    let lang = s.lang.as_deref().unwrap_or("en");
    let q = BoardQuery {
        stop,
        more_stops: &[],
        routes: None,
        now,
        from: now,
        to: now + MINUTES * 60,
        lang,
        limit: LIMIT,
        arrivals: false,
    };
    serde_json::to_vec(&board(s, rt, &q)).unwrap_or_default()
}

/// One board of each stop in turn; the bytes written, so that nothing is optimised away.
#[inline(never)]
fn boards_pass(s: &Schedule, rt: Option<&FeedSnapshot>, stops: &[StopIdx], now: i64) -> usize {
    stops
        .iter()
        .map(|&stop| black_box(board_json(s, rt, stop, now)).len())
        .sum()
}

/// Every board of the run, and those of windows starting 10 minutes earlier and 30 minutes
/// later, with and without realtime, one JSON document a line: two builds that write the same
/// file render the same bytes.
fn dump(
    s: &Schedule,
    rt: Option<&FeedSnapshot>,
    stops: &[StopIdx],
    now: i64,
    file: &std::ffi::OsStr,
) {
    let mut out = Vec::new();
    for rt in [rt, None] {
        for shift in [0, -600, 1800] {
            for &stop in stops {
                let lang = s.lang.as_deref().unwrap_or("en");
                let q = BoardQuery {
                    stop,
                    more_stops: &[],
                    routes: None,
                    now,
                    from: now + shift,
                    to: now + shift + MINUTES * 60,
                    lang,
                    limit: LIMIT,
                    arrivals: false,
                };
                out.extend(serde_json::to_vec(&board(s, rt, &q)).unwrap_or_default());
                out.push(b'\n');
            }
        }
    }
    std::fs::write(file, &out).expect("the dump file is writable");
    eprintln!(
        "board: wrote {} boards, {} bytes",
        stops.len() * 6,
        out.len()
    );
}

/// The server's router in process, answering boards of the snapshot's time; its clock reads
/// `second`.
struct Http {
    router: axum::Router,
    second: Arc<AtomicI64>,
    uris: Vec<String>,
    runtime: tokio::runtime::Runtime,
}

impl Http {
    fn new(schedule: &Arc<Schedule>, snapshot: Snapshot, stops: &[StopIdx], now: i64) -> Self {
        let second = Arc::new(AtomicI64::new(now));
        let clock = {
            let second = second.clone();
            Clock::from_fn(move || {
                jiff::Timestamp::from_second(second.load(Ordering::Relaxed))
                    .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            })
        };
        let catalog = Catalog::new(vec![FeedEntry {
            schedule: schedule.clone(),
            source: "bench".into(),
            loaded_at: jiff::Timestamp::now(),
            report: Arc::new(api_types::ValidationReport::default()),
        }])
        .expect("one feed");
        let realtime = Arc::new(ArcSwap::from_pointee(snapshot));
        let state = AppState {
            catalog: Arc::new(ArcSwap::from_pointee(catalog)),
            realtime: realtime.clone(),
            ingest: backend::ingest::Ingest::new(&[], realtime).handle(),
            started_at: jiff::Timestamp::now(),
            clock,
            leptos: leptos_options(&std::env::temp_dir()),
            ops: backend::ops::Ops::default(),
            oba_keys: Arc::from(Vec::new()),
            operators: None,
            site_name: Arc::default(),
        };
        let uris = stops
            .iter()
            .map(|&st| {
                format!(
                    "/api/v1/stops/{}:{}/departures",
                    schedule.feed_id,
                    schedule.stop(st).id
                )
            })
            .collect();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        Http {
            router: app(state),
            second,
            uris,
            runtime,
        }
    }

    /// `GET uri`, the body's length.
    fn get(&self, uri: &str) -> usize {
        let request = Request::get(uri).body(Body::empty()).expect("a request");
        self.runtime.block_on(async {
            let response = self
                .router
                .clone()
                .oneshot(request)
                .await
                .expect("infallible");
            assert_eq!(response.status(), StatusCode::OK);
            let body = axum::body::to_bytes(response.into_body(), usize::MAX).await;
            body.map(|b| b.len()).unwrap_or(0)
        })
    }
}

/// One request for each stop's board, a second later than the previous pass (so that
/// every request misses the board cache, keyed by path and second).
#[inline(never)]
fn http_pass(http: &Http) -> usize {
    http.second.fetch_add(1, Ordering::Relaxed);
    http.uris.iter().map(|uri| black_box(http.get(uri))).sum()
}

fn bench(c: &mut Criterion) {
    let Some(path) = feed_path() else {
        eprintln!("board: skipped, ../shared/data/gtfs-bench/large is absent");
        return;
    };
    let s = setup(&path);
    let (mut pipeline, now) = followed(&s, 10);
    let snapshot = pipeline.snapshot(now);
    let schedule = &s.schedule;
    let fs = snapshot.for_schedule(schedule);
    let stops = busiest_stops(schedule, STOPS);
    let fs_stats = fs.map_or((0, 0), |f| {
        (f.trips.len(), f.trips.iter().map(|t| t.stops.len()).sum())
    });
    let bytes = boards_pass(schedule, fs, &stops, now);
    eprintln!(
        "snapshot: {} trip predictions, {} stop predictions; {} boards, {} KB of JSON in all",
        fs_stats.0,
        fs_stats.1,
        stops.len(),
        bytes / 1000
    );
    if let Some(file) = std::env::var_os("BOARD_BENCH_DUMP") {
        dump(schedule, fs, &stops, now, &file);
        return;
    }
    let http = Http::new(schedule, snapshot.clone(), &stops, now);
    if let Some(passes) = std::env::var("BOARD_BENCH_PASSES")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    {
        for _ in 0..passes {
            black_box(boards_pass(schedule, fs, &stops, now));
            black_box(http_pass(&http));
        }
        return;
    }

    // What the engine adds to each snapshot so that boards need not scan every prediction.
    if let Some(fs) = fs {
        c.bench_function("index of publishable calls (once per snapshot)", |b| {
            b.iter_batched(
                || FeedSnapshot {
                    published: Default::default(),
                    ..fs.clone()
                },
                |fresh| {
                    fresh.index_published();
                    fresh
                },
                criterion::BatchSize::LargeInput,
            )
        });
    }

    let mut turn = stops.iter().cycle();
    c.bench_function("board + JSON (2000 busiest stops in turn)", |b| {
        b.iter(|| {
            let stop = *turn.next().unwrap_or(&stops[0]);
            black_box(board_json(schedule, fs, stop, now))
        })
    });

    // The whole request path, every request a cache miss (the clock moves one second per
    // round of the stops) while the board stays that of the snapshot's time.
    let mut turn = http.uris.iter().enumerate().cycle();
    c.bench_function(
        "HTTP GET board (2000 busiest stops in turn, cache miss)",
        |b| {
            b.iter(|| {
                let (i, uri) = turn.next().unwrap_or((0, &http.uris[0]));
                if i == 0 {
                    http.second.fetch_add(1, Ordering::Relaxed);
                }
                black_box(http.get(uri))
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
