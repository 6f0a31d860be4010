//! The validation report of broken and suspicious feeds (`tests/fixtures/gtfs/invalid-*/`,
//! `warnings-*/`) and of feeds in zip archives. Each finding must name its code, its file and,
//! where the code points at a row, the exact line (the header is line 1), so an operator can
//! go straight to it.

use api_types::{Severity, ValidationReport};
use backend::feed::{self, Source};
use backend::schedule::FeedId;

use crate::support::{fixture, report, today};

type Place = (String, String, Option<u64>);

/// `(code, file, line)` of the findings of one severity, sorted.
fn findings(r: &ValidationReport, severity: Severity) -> Vec<Place> {
    let mut out: Vec<Place> = r
        .findings
        .iter()
        .filter(|f| f.severity == severity)
        .map(|f| (f.code.clone(), f.file.clone(), f.line))
        .collect();
    out.sort();
    out
}

fn place(code: &str, file: &str, line: Option<u64>) -> Place {
    (code.to_owned(), file.to_owned(), line)
}

fn message<'a>(r: &'a ValidationReport, code: &str, line: Option<u64>) -> &'a str {
    &r.findings
        .iter()
        .find(|f| f.code == code && f.line == line)
        .unwrap_or_else(|| panic!("no {code} at line {line:?}: {:#?}", r.findings))
        .message
}

#[test]
fn broken_references_are_reported_at_their_line() {
    // stops.txt line 5: D's parent_station GA-MA does not exist.
    // trips.txt line 3: T2's route R404 does not exist; line 4: T3's service HOLIDAY neither.
    // stop_times.txt line 4: T1 calls at X9, not a stop; line 10: trip T9 does not exist.
    // Lines 6–9 (stop times of the rejected T2 and T3) are not reported again.
    let r = report("invalid-references");
    assert!(!r.valid);
    assert_eq!(
        findings(&r, Severity::Error),
        [
            place("unknown_parent_station", "stops.txt", Some(5)),
            place("unknown_route_id", "trips.txt", Some(3)),
            place("unknown_service_id", "trips.txt", Some(4)),
            place("unknown_stop_id", "stop_times.txt", Some(4)),
            place("unknown_trip_id", "stop_times.txt", Some(10)),
        ]
    );
    assert!(message(&r, "unknown_parent_station", Some(5)).contains("GA-MA"));
    assert!(message(&r, "unknown_route_id", Some(3)).contains("R404"));
    assert!(message(&r, "unknown_service_id", Some(4)).contains("HOLIDAY"));
    assert!(message(&r, "unknown_stop_id", Some(4)).contains("X9"));
    assert!(message(&r, "unknown_trip_id", Some(10)).contains("T9"));
    assert!(r.findings.iter().all(|f| !f.fix.is_empty()));
}

#[test]
fn unparsable_values_are_invalid_rows_at_their_line() {
    // stop_times.txt line 3: arrival_time "8:5:00" (minutes need two digits); line 4:
    // stop_sequence "abc". The other rows are read: T1 keeps A (1) and C (4).
    let r = report("invalid-rows");
    assert!(!r.valid);
    assert_eq!(
        findings(&r, Severity::Error),
        [
            place("invalid_row", "stop_times.txt", Some(3)),
            place("invalid_row", "stop_times.txt", Some(4)),
        ]
    );
    let time = message(&r, "invalid_row", Some(3));
    assert!(time.contains("8:5:00"), "{time}");
    let sequence = message(&r, "invalid_row", Some(4));
    assert!(sequence.contains("column stop_sequence"), "{sequence}");
    assert_eq!(r.summary.stop_times, 2);
}

#[test]
fn an_unparsable_time_names_its_column() {
    // stop_times.txt line 3 has arrival_time "8:5:00": gtfs-structures rejects it with a
    // custom serde error, for which csv knows no column; the report still names it.
    let r = report("invalid-rows");
    let time = message(&r, "invalid_row", Some(3));
    assert!(time.contains("column arrival_time"), "{time}");
}

#[test]
fn a_missing_required_file_is_an_error() {
    // No stops.txt at all: that is the one error. T1's two stop times (lines 2 and 3) call
    // at stops that therefore do not exist, but saying so row by row would bury the cause.
    let r = report("invalid-missing-file");
    assert!(!r.valid);
    assert_eq!(
        findings(&r, Severity::Error),
        [place("missing_required_file", "stops.txt", None)]
    );
}

#[test]
fn a_missing_required_column_is_an_error_on_the_header() {
    // trips.txt has no trip_id column: the header (line 1) is wrong and no trip is read.
    // The stop times of T1 (lines 2 and 3) then refer to an unknown trip, which is not
    // repeated row by row: the header is the one thing to fix.
    let r = report("invalid-missing-column");
    assert!(!r.valid);
    assert_eq!(
        findings(&r, Severity::Error),
        [place("missing_required_column", "trips.txt", Some(1))]
    );
    assert!(message(&r, "missing_required_column", Some(1)).contains("trip_id"));
}

#[test]
fn a_file_that_is_not_utf8_is_an_encoding_error() {
    // stops.txt line 5 is "Z,Cà Mau,…" written in Latin-1 (à = byte 0xE0). Z is the last row
    // and serves no trip, so nothing else is missing.
    let r = report("invalid-encoding");
    assert!(!r.valid);
    assert_eq!(
        findings(&r, Severity::Error),
        [place("invalid_encoding", "stops.txt", Some(5))]
    );
    assert_eq!(r.summary.stops, 3, "the rows before the bad one are read");
}

#[test]
fn warnings_do_not_make_a_feed_invalid() {
    // - stops.txt line 5: U serves no trip (unused_stop).
    // - stops.txt line 3: B is 0.0027° of latitude (300 m) north of shape S1, which runs
    //   along 11° N (stop_far_from_shape, reported once for both trips).
    // - stop_times.txt: T2 reaches C at 09:10 after leaving B at 09:20 (times_go_backwards,
    //   about a trip, so no line).
    // - calendar.txt: the only service ended on 2020-12-31 (feed_expired, no line).
    // - trips.txt line 2: T1 (and T2) have no headsign of any kind (missing_headsign).
    let r = report("warnings-only");
    assert!(r.valid, "{:#?}", r.findings);
    assert_eq!(findings(&r, Severity::Error), []);
    assert_eq!(
        findings(&r, Severity::Warning),
        [
            place("feed_expired", "calendar.txt", None),
            place("missing_headsign", "trips.txt", Some(2)),
            place("stop_far_from_shape", "stops.txt", Some(3)),
            place("times_go_backwards", "stop_times.txt", None),
            place("unused_stop", "stops.txt", Some(5)),
        ]
    );
    let far = message(&r, "stop_far_from_shape", Some(3));
    assert!(far.contains("300 m"), "{far}");
    assert!(message(&r, "times_go_backwards", None).contains("\"T2\""));
    assert!(message(&r, "feed_expired", None).contains("2020-12-31"));
    assert_eq!(r.summary.last_service_date.as_deref(), Some("2020-12-31"));
}

#[test]
fn a_zip_with_its_files_in_a_folder_and_macos_junk_loads() {
    // zipped-in-folder.zip holds the after-midnight feed under gtfs/, a gtfs/ directory entry,
    // and the AppleDouble files __MACOSX/._stops.txt and __MACOSX/gtfs/._stops.txt, which
    // must be ignored without a finding. The version is the SHA-256 of the archive, so
    // reading the same bytes from memory gives the same version.
    let path = fixture("zipped-in-folder.zip");
    let id = || FeedId::new("zipped-in-folder").expect("valid feed id");
    let loaded = feed::load(Source::Path(&path), id(), today())
        .unwrap_or_else(|r| panic!("the zip should load:\n{}", backend::cli::format_report(&r)));
    assert!(loaded.report.valid);
    assert_eq!(loaded.report.findings, []);
    let s = &loaded.schedule;
    assert_eq!(s.stops.len(), 3);
    assert_eq!(s.stop_times.len(), 3);
    assert!(s.trip_by_id("T-LATE").is_some());
    assert_eq!(s.version.len(), 64);
    assert!(s.version.bytes().all(|b| b.is_ascii_hexdigit()));

    let bytes = std::fs::read(&path).expect("the fixture zip is readable");
    let from_memory = feed::load(Source::Zip(&bytes), id(), today()).unwrap_or_else(|r| {
        panic!(
            "the zip bytes should load:\n{}",
            backend::cli::format_report(&r)
        )
    });
    assert_eq!(from_memory.schedule.version, s.version);
}

#[test]
fn bytes_that_are_not_a_zip_are_reported_as_such() {
    let r = match feed::load(
        Source::Zip(b"not a zip"),
        FeedId::new("upload").expect("valid feed id"),
        today(),
    ) {
        Ok(_) => panic!("nine bytes of text are not a feed"),
        Err(r) => r,
    };
    assert!(!r.valid);
    assert_eq!(
        findings(&r, Severity::Error),
        [place("not_a_zip", "", None)]
    );
    assert_eq!(r.findings.len(), 1);
}
