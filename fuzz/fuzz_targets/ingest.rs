//! Arbitrary bytes as a pushed or polled GTFS-Realtime payload: decode, validate, ingest, and
//! build the snapshot, against the `loop-route` fixture feed. Nothing may panic.
//!
//! Each input is ingested twice by a fresh pipeline (the second time 30 s later), so that the
//! paths that compare a message with the previous one (stale headers, known vehicles) run too.

#![no_main]

use std::path::Path;
use std::sync::{Arc, OnceLock};

use backend::catalog::{Catalog, FeedEntry};
use backend::feed::{Source, load};
use backend::pipeline::Pipeline;
use backend::schedule::FeedId;
use libfuzzer_sys::fuzz_target;

/// 2026-11-23 08:05 in Binh Duong: the fixture's trip is running.
const NOW: i64 = 1_795_395_900;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/gtfs/loop-route");
        let loaded = load(
            Source::Path(&dir),
            FeedId::new("loop").expect("valid id"),
            jiff::civil::date(2026, 11, 23),
        )
        .expect("the fixture loads");
        Catalog::new(vec![FeedEntry {
            schedule: Arc::new(loaded.schedule),
            source: dir.display().to_string(),
            loaded_at: jiff::Timestamp::UNIX_EPOCH,
            report: Arc::new(loaded.report),
        }])
        .expect("one feed")
    })
}

fuzz_target!(|data: &[u8]| {
    let catalog = catalog();
    let feed = FeedId::new("loop").expect("valid id");
    let mut pipeline = Pipeline::new(catalog, Default::default(), Default::default());
    for now in [NOW, NOW + 30] {
        let report = pipeline.ingest_bytes("fuzz", &feed, data, now);
        std::hint::black_box(&report);
        let snapshot = pipeline.snapshot(now);
        std::hint::black_box(&snapshot);
    }
    std::hint::black_box(pipeline.sources());
});
