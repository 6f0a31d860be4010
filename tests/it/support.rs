//! Helpers shared by the test modules.

use std::path::{Path, PathBuf};

use api_types::ValidationReport;
use backend::feed::{self, Source};
use backend::schedule::{FeedId, Schedule};
use jiff::civil::Date;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("backend/ has a parent")
        .to_path_buf()
}

/// A hand-made feed under `tests/fixtures/gtfs/`.
pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures/gtfs").join(name)
}

/// The date fixtures are validated against (a Monday).
pub fn today() -> Date {
    jiff::civil::date(2026, 11, 23)
}

fn load_fixture(name: &str) -> Result<feed::Loaded, Box<ValidationReport>> {
    feed::load(
        Source::Path(&fixture(name)),
        FeedId::new(name).expect("fixture names are valid feed ids"),
        today(),
    )
}

/// Loads a fixture that must be valid; panics with the report otherwise.
pub fn load(name: &str) -> Schedule {
    match load_fixture(name) {
        Ok(loaded) => loaded.schedule,
        Err(report) => panic!(
            "fixture {name} should load:\n{}",
            backend::cli::format_report(&report)
        ),
    }
}

/// The validation report of a fixture, valid or not.
pub fn report(name: &str) -> ValidationReport {
    match load_fixture(name) {
        Ok(loaded) => loaded.report,
        Err(report) => *report,
    }
}

/// Unix seconds of an RFC 3339 instant.
pub fn at(rfc3339: &str) -> i64 {
    rfc3339
        .parse::<jiff::Timestamp>()
        .expect("valid RFC 3339 in test")
        .as_second()
}

/// `../shared/data` next to the repository, when this machine has it. Tests that need it
/// return early, saying so, when it is absent (a user's clone never has it).
pub fn shared_data(test: &str) -> Option<PathBuf> {
    let dir = repo_root().join("../shared/data");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("{test}: skipped, ../shared/data is absent");
        None
    }
}

/// An HTTP client for the tests. reqwest is built without a default TLS crypto provider
/// (`rustls-no-provider`), so one must be installed first: ring, as in the workspace manifest.
pub fn http_client() -> reqwest::Client {
    // Err means a provider is already installed (another test did it): fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
