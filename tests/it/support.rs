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

/// A configuration for a server under test: port 0, its data and site directories in `dirs`
/// (with a stand-in bundle: tests check the wiring, not the wasm build), `feeds`, and no
/// realtime source, simulator or rate limit (tests add what they exercise).
pub fn test_config(
    dirs: &tempfile::TempDir,
    feeds: Vec<backend::config::FeedConfig>,
) -> backend::config::Config {
    let site_dir = dirs.path().join("site");
    std::fs::create_dir_all(site_dir.join("pkg")).expect("site dir");
    std::fs::write(site_dir.join("pkg/frontend_bg.wasm"), b"\0asm\x01\0\0\0").expect("write");
    backend::config::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dirs.path().join("data"),
        site_dir,
        feeds,
        realtime: Vec::new(),
        simulate: false,
        limits: backend::config::Limits::off(),
        oba_keys: Vec::new(),
        max_upload_bytes: backend::config::DEFAULT_MAX_UPLOAD_MB << 20,
        site_name: backend::site::SiteName::default(),
    }
}

/// A server under test, running in the background until this is dropped.
pub struct Running {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Where its realtime snapshots are published (tests publish hand-built ones).
    pub realtime: std::sync::Arc<arc_swap::ArcSwap<backend::predict::Snapshot>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Runs `app` in the background.
pub fn run(app: backend::server::Application) -> Running {
    let base = format!("http://{}", app.address());
    let realtime = app.realtime();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    Running {
        base,
        realtime,
        _stop: stop,
    }
}

/// Compares `value`, as JSON, with the fixture `tests/fixtures/{name}`; `UPDATE_FIXTURES=1`
/// (re)writes the fixture instead. For snapshot tests of whole responses.
pub fn assert_json_snapshot(name: &str, value: &impl serde::Serialize) {
    let path = repo_root().join("tests/fixtures").join(name);
    let actual = serde_json::to_value(value).expect("serialisable");
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("fixture dir");
        let pretty = serde_json::to_string_pretty(&actual).expect("json");
        std::fs::write(&path, pretty + "\n").expect("fixture written");
    }
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; UPDATE_FIXTURES=1 writes it", path.display())),
    )
    .expect("fixture is JSON");
    assert_eq!(
        actual, expected,
        "{name} differs; UPDATE_FIXTURES=1 rewrites it (then review the diff)"
    );
}

// Operator schedule management: fixtures and accounts, shared by `it`'s operator tests and the
// operator console's end-to-end journey.

/// The sample network's GTFS files, by name.
pub fn sample_files() -> Vec<(String, Vec<u8>)> {
    let dir = repo_root().join("feeds/binh-duong");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("sample feed")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let name = path.file_name()?.to_str()?.to_owned();
            name.ends_with(".txt")
                .then(|| (name, std::fs::read(&path).expect("readable")))
        })
        .collect();
    files.sort();
    files
}

/// A zip of `files` (name, content).
pub fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write as _;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        w.start_file(name.as_str(), options).expect("entry");
        w.write_all(data).expect("write");
    }
    w.finish().expect("zip").into_inner()
}

/// An operator added straight into the store of a server configured by [`test_config`] with
/// `dirs` (as `backend operator add` does); its token.
pub fn add_operator(dirs: &tempfile::TempDir, name: &str, feeds: &[&str], admin: bool) -> String {
    let data_dir = dirs.path().join("data");
    std::fs::create_dir_all(&data_dir).expect("data dir");
    let mut store = backend::store::Store::open(&data_dir).expect("store");
    let token = backend::operator::new_token().expect("random token");
    let feeds: Vec<String> = feeds.iter().map(|f| (*f).to_owned()).collect();
    store
        .add_operator(
            name,
            &backend::operator::token_digest(&token),
            admin,
            &feeds,
            0,
        )
        .expect("operator added");
    token
}
