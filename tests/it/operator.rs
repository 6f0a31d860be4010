//! Operator schedule management, end to end: the real server on a real port with its real
//! SQLite store, a real HTTP client, and the real `backend` executable killed mid-flight.
//! Fixtures are the sample network zipped in the test, with small edits: version 2 prefixes
//! every trip headsign with "V2 ", so a departure board says which version served it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use api_types::operator::{AuditLog, FeedVersion, VersionList, VersionState};
use api_types::{DeparturesResponse, ErrorBody, ValidationReport};
use backend::clock::Clock;
use backend::config::FeedConfig;
use backend::schedule::FeedId;
use backend::server::Application;
use backend::store::Store;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::support::{self, repo_root};
// Shared with the end-to-end journeys (tests/e2e), which include `support`.
pub(crate) use crate::support::{add_operator, sample_files, zip_of};

pub(crate) const FEED: &str = "binh-duong";
const MONDAY_7AM: &str = "2026-11-23T07:00:00+07:00";
const BOARD: &str = "/api/v1/stops/binh-duong:BD2081/departures?from=2026-11-23T07:00:00%2B07:00&minutes=120&lang=vi";

// ---------------------------------------------------------------------------------------
// Fixtures

/// `files` with every trip headsign prefixed by `prefix`.
fn with_headsigns(files: Vec<(String, Vec<u8>)>, prefix: &str) -> Vec<(String, Vec<u8>)> {
    prefixed(files, "trip_headsign", prefix)
}

/// `files` with every value of `column`, in every file that has it, prefixed by `prefix`.
fn prefixed(
    mut files: Vec<(String, Vec<u8>)>,
    column: &str,
    prefix: &str,
) -> Vec<(String, Vec<u8>)> {
    for (_, data) in &mut files {
        let mut reader = csv::Reader::from_reader(data.as_slice());
        let headers = reader.headers().expect("header").clone();
        let Some(col) = headers.iter().position(|h| h == column) else {
            continue;
        };
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&headers).expect("write");
        for record in reader.records() {
            let record = record.expect("row");
            let row: Vec<String> = record
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    if i == col {
                        format!("{prefix}{v}")
                    } else {
                        v.to_owned()
                    }
                })
                .collect();
            writer.write_record(&row).expect("write");
        }
        *data = writer.into_inner().expect("flush");
    }
    files
}

pub(crate) fn v1_zip() -> Vec<u8> {
    zip_of(&sample_files())
}

fn v2_zip() -> Vec<u8> {
    zip_of(&with_headsigns(sample_files(), "V2 "))
}

/// `files` with `name` replaced by `data`.
fn replacing(name: &str, data: Vec<u8>) -> Vec<(String, Vec<u8>)> {
    sample_files()
        .into_iter()
        .map(|(n, d)| if n == name { (n, data.clone()) } else { (n, d) })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Harness

fn sample_feed() -> FeedConfig {
    FeedConfig {
        id: FeedId::new(FEED).expect("valid id"),
        gtfs: repo_root().join("feeds/binh-duong"),
    }
}

fn data_dir(dirs: &tempfile::TempDir) -> PathBuf {
    dirs.path().join("data")
}

/// A clock the test moves.
#[derive(Clone)]
pub(crate) struct TestClock(Arc<AtomicI64>);

impl TestClock {
    pub(crate) fn new() -> Self {
        TestClock(Arc::new(AtomicI64::new(support::at(MONDAY_7AM))))
    }

    fn clock(&self) -> Clock {
        let now = self.0.clone();
        Clock::from_fn(move || {
            jiff::Timestamp::from_second(now.load(Ordering::SeqCst)).expect("valid instant")
        })
    }

    fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }

    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::from_second(self.0.load(Ordering::SeqCst)).expect("valid instant")
    }
}

pub(crate) struct Server {
    pub(crate) base: String,
    pub(crate) http: reqwest::Client,
    pub(crate) token: String,
    _running: support::Running,
}

pub(crate) async fn start(dirs: &tempfile::TempDir, clock: &TestClock, token: &str) -> Server {
    start_with(dirs, clock, token, |_| {}).await
}

async fn start_with(
    dirs: &tempfile::TempDir,
    clock: &TestClock,
    token: &str,
    edit: impl FnOnce(&mut backend::config::Config),
) -> Server {
    let mut config = support::test_config(dirs, vec![sample_feed()]);
    edit(&mut config);
    let app = Application::build(&config, clock.clock())
        .await
        .expect("the server starts");
    let running = support::run(app);
    Server {
        base: running.base.clone(),
        http: support::http_client(),
        token: token.to_owned(),
        _running: running,
    }
}

/// Which version a departure board came from: every headsign "V2 …" or none.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Served {
    V1,
    V2,
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) fn operator(&self, path: &str) -> String {
        self.url(&format!("/api/v1/operator{path}"))
    }

    pub(crate) async fn upload_as(
        &self,
        token: Option<&str>,
        zip: Vec<u8>,
        query: &str,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .post(self.operator(&format!("/feeds/{FEED}/versions{query}")))
            .header("content-type", "application/zip")
            .body(zip);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("upload sent")
    }

    pub(crate) async fn upload(&self, zip: Vec<u8>) -> FeedVersion {
        let response = self.upload_as(Some(&self.token), zip, "").await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.expect("version JSON")
    }

    pub(crate) async fn post(
        &self,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> reqwest::Response {
        let mut request = self.http.post(self.operator(path)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request sent")
    }

    async fn activate(&self, id: i64) -> FeedVersion {
        let response = self
            .post(&format!("/feeds/{FEED}/versions/{id}/activate"), None)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("version JSON")
    }

    async fn versions(&self) -> VersionList {
        let response = self
            .http
            .get(self.operator(&format!("/feeds/{FEED}/versions")))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("list sent");
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("list JSON")
    }

    async fn served(&self) -> Served {
        served_at(&self.http, &self.base).await
    }
}

async fn served_at(http: &reqwest::Client, base: &str) -> Served {
    let response = http
        .get(format!("{base}{BOARD}"))
        .send()
        .await
        .expect("departures");
    assert_eq!(response.status(), StatusCode::OK);
    let board: DeparturesResponse = response.json().await.expect("board JSON");
    classify(&board)
}

fn classify(board: &DeparturesResponse) -> Served {
    assert!(!board.departures.is_empty(), "the board has departures");
    let v2 = board
        .departures
        .iter()
        .filter(|d| d.headsign.as_deref().is_some_and(|h| h.starts_with("V2 ")))
        .count();
    match v2 {
        0 => Served::V1,
        n if n == board.departures.len() => Served::V2,
        _ => panic!("a board mixes two versions: {:#?}", board.departures),
    }
}

async fn error_code(response: reqwest::Response) -> String {
    response
        .json::<ErrorBody>()
        .await
        .expect("JSON error")
        .error
}

// ---------------------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn upload_validate_activate_change_departures_and_rollback_restores_them() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let token = add_operator(&dirs, "ana", &[FEED], false);
    let clock = TestClock::new();
    let server = start(&dirs, &clock, &token).await;
    assert_eq!(server.served().await, Served::V1);

    // A dry run answers the report and keeps nothing.
    let dry = server
        .upload_as(Some(&token), v2_zip(), "?validate_only=true")
        .await;
    assert_eq!(dry.status(), StatusCode::OK);
    let report: ValidationReport = dry.json().await.expect("report JSON");
    assert!(report.valid);
    assert!(report.summary.trips > 100, "{:?}", report.summary);
    assert!(server.versions().await.versions.is_empty());
    assert!(
        std::fs::read_dir(data_dir(&dirs).join("uploads"))
            .expect("uploads dir")
            .next()
            .is_none(),
        "the dry run's temporary file is gone"
    );

    let v1 = server.upload(v1_zip()).await;
    let v2 = server.upload(v2_zip()).await;
    assert_eq!(v2.state, VersionState::Validated);
    assert_eq!(v2.uploaded_by, "ana");
    assert_eq!(v2.report.summary.trips, report.summary.trips);
    assert!(v2.first_service_date.is_some());
    assert!(
        data_dir(&dirs)
            .join("feeds")
            .join(format!("{}.zip", v2.sha256))
            .is_file(),
        "kept under its hash"
    );
    assert_eq!(
        server.served().await,
        Served::V1,
        "uploading serves nothing new"
    );

    assert_eq!(server.activate(v1.id).await.state, VersionState::Active);
    assert_eq!(server.served().await, Served::V1);
    let active = server.activate(v2.id).await;
    assert_eq!(active.state, VersionState::Active);
    assert_eq!(server.served().await, Served::V2);
    let health: api_types::Health = server
        .http
        .get(server.url("/health"))
        .send()
        .await
        .expect("health")
        .json()
        .await
        .expect("health JSON");
    assert!(v2.sha256.starts_with(&health.feeds[0].schedule_version));

    let list = server.versions().await;
    let states: Vec<(i64, VersionState)> = list.versions.iter().map(|v| (v.id, v.state)).collect();
    assert_eq!(
        states,
        [
            (v2.id, VersionState::Active),
            (v1.id, VersionState::Retired)
        ]
    );
    assert!(list.versions.iter().all(|v| v.report.valid));

    // The active version cannot be deleted.
    let refused = server
        .http
        .delete(server.operator(&format!("/feeds/{FEED}/versions/{}", v2.id)))
        .bearer_auth(&token)
        .send()
        .await
        .expect("delete sent");
    assert_eq!(refused.status(), StatusCode::CONFLICT);

    // Rollback, in one call.
    let back = server.post(&format!("/feeds/{FEED}/rollback"), None).await;
    assert_eq!(back.status(), StatusCode::OK);
    let back: FeedVersion = back.json().await.expect("version JSON");
    assert_eq!(back.id, v1.id);
    assert_eq!(server.served().await, Served::V1);

    // Now v2 is retired: deleting it removes its file too.
    let deleted = server
        .http
        .delete(server.operator(&format!("/feeds/{FEED}/versions/{}", v2.id)))
        .bearer_auth(&token)
        .send()
        .await
        .expect("delete sent");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert!(
        !data_dir(&dirs)
            .join("feeds")
            .join(format!("{}.zip", v2.sha256))
            .exists()
    );
    assert_eq!(server.versions().await.versions.len(), 1);
    // A deleted version's number is never given again.
    let v3 = server.upload(v2_zip()).await;
    assert!(v3.id > v2.id, "version {} after deleting {}", v3.id, v2.id);

    let audit: AuditLog = server
        .http
        .get(server.operator("/audit"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("audit")
        .json()
        .await
        .expect("audit JSON");
    let actions: Vec<(&str, &str)> = audit
        .entries
        .iter()
        .rev()
        .map(|e| (e.action.as_str(), e.outcome.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("validate", "ok"),
            ("upload", "ok"),
            ("upload", "ok"),
            ("activate", "ok"),
            ("activate", "ok"),
            ("delete", "conflict"),
            ("rollback", "ok"),
            ("delete", "ok"),
            ("upload", "ok"),
        ]
    );
    assert!(audit.entries.iter().all(|e| e.operator == "ana"));
}

#[tokio::test]
async fn operator_endpoints_need_a_valid_token_of_the_feed() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let own = add_operator(&dirs, "ana", &[FEED], false);
    let other = add_operator(&dirs, "bao", &["other-feed"], false);
    let admin = add_operator(&dirs, "root", &[], true);
    let revoked = add_operator(&dirs, "cu", &[FEED], false);
    Store::open(&data_dir(&dirs))
        .expect("store")
        .revoke_operator("cu", 1)
        .expect("revoked");
    let clock = TestClock::new();
    let server = start(&dirs, &clock, &own).await;
    let list = format!("/feeds/{FEED}/versions");

    let missing = server
        .http
        .get(server.operator(&list))
        .send()
        .await
        .expect("sent");
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert!(missing.headers().contains_key("www-authenticate"));
    assert_eq!(error_code(missing).await, "missing_token");
    for bad in ["rtpi_0000", revoked.as_str()] {
        let invalid = server
            .http
            .get(server.operator(&list))
            .bearer_auth(bad)
            .send()
            .await
            .expect("sent");
        assert_eq!(invalid.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(error_code(invalid).await, "invalid_token");
    }
    // A version id that is not a number: a JSON error that says so.
    let bad_id = server
        .http
        .get(server.operator(&format!("/feeds/{FEED}/versions/latest")))
        .bearer_auth(&own)
        .send()
        .await
        .expect("sent");
    assert_eq!(bad_id.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(bad_id).await, "invalid_path");
    // An upload without a token is refused before its body is read.
    let anonymous = server.upload_as(None, v2_zip(), "").await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let forbidden = server.upload_as(Some(&other), v2_zip(), "").await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let message = forbidden.json::<ErrorBody>().await.expect("JSON").message;
    assert!(
        message.contains("bao") && message.contains(FEED),
        "{message}"
    );
    let rollback = server
        .http
        .post(server.operator(&format!("/feeds/{FEED}/rollback")))
        .bearer_auth(&other)
        .send()
        .await
        .expect("sent");
    assert_eq!(rollback.status(), StatusCode::FORBIDDEN);

    let by_admin = server.upload_as(Some(&admin), v2_zip(), "").await;
    assert_eq!(by_admin.status(), StatusCode::CREATED);
    let mine = server
        .http
        .get(server.operator(&list))
        .bearer_auth(&own)
        .send()
        .await
        .expect("sent");
    assert_eq!(mine.status(), StatusCode::OK);
    assert!(server.versions().await.versions.len() == 1);
    assert!(
        Store::open(&data_dir(&dirs))
            .expect("store")
            .audit_log(None, 100)
            .expect("audit")
            .iter()
            .any(|e| e.operator == "bao" && e.outcome == "forbidden_feed"),
        "refusals are audited"
    );
}

/// What an upload's refusal says: status and the report's first error code.
async fn refused(server: &Server, zip: Vec<u8>) -> (StatusCode, String) {
    let response = server.upload_as(Some(&server.token), zip, "").await;
    let status = response.status();
    let body: serde_json::Value = response.json().await.expect("JSON answer");
    let code = body["findings"]
        .as_array()
        .and_then(|f| f.first())
        .and_then(|f| f["code"].as_str())
        .or_else(|| body["error"].as_str())
        .unwrap_or_default()
        .to_owned();
    (status, code)
}

#[tokio::test]
async fn hostile_and_broken_uploads_are_refused_and_change_nothing() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let token = add_operator(&dirs, "ana", &[FEED], false);
    let clock = TestClock::new();
    let server = start_with(&dirs, &clock, &token, |c| c.max_upload_bytes = 2 << 20).await;
    let v2 = v2_zip();

    assert_eq!(
        refused(&server, b"PK\x03\x04 not really a zip".to_vec()).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "not_a_zip".to_owned())
    );
    let truncated = v2[..v2.len() / 2].to_vec();
    assert_eq!(
        refused(&server, truncated).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "not_a_zip".to_owned())
    );
    // 64 MB of one byte deflates to ~64 kB: refused from the archive's directory, unread.
    let bomb = {
        let mut files = sample_files();
        files.push(("stop_times.txt".to_owned(), vec![b'a'; 64 << 20]));
        files.retain(|(n, d)| n != "stop_times.txt" || d.len() > 1_000_000);
        zip_of(&files)
    };
    assert!(bomb.len() < 2 << 20, "the bomb itself is small");
    assert_eq!(
        refused(&server, bomb).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "zip_bomb".to_owned())
    );
    let many: Vec<(String, Vec<u8>)> = (0..1_500)
        .map(|i| (format!("junk/{i}.txt"), Vec::new()))
        .chain(sample_files())
        .collect();
    assert_eq!(
        refused(&server, zip_of(&many)).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_entries".to_owned()
        )
    );
    // Latin-1 bytes where UTF-8 is required.
    let mut stops = sample_files()
        .into_iter()
        .find(|(n, _)| n == "stops.txt")
        .expect("stops")
        .1;
    stops.extend_from_slice(b"X1,,Caf\xe9 Tr\xe0,,11.0,106.6,0,,0,\n");
    assert_eq!(
        refused(&server, zip_of(&replacing("stops.txt", stops))).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_encoding".to_owned()
        )
    );
    // UTF-16, as some spreadsheet exports write.
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "stop_id,stop_name,stop_lat,stop_lon\nA,Bến xe,11.0,106.6\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    assert_eq!(
        refused(&server, zip_of(&replacing("stops.txt", utf16))).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_encoding".to_owned()
        )
    );
    // Broken CSV: an opening quote never closed swallows the rest of the file into one field;
    // reported on its file and line.
    let trips = sample_files()
        .into_iter()
        .find(|(n, _)| n == "trips.txt")
        .expect("trips")
        .1;
    let third_line = trips
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(1)
        .expect("three lines")
        .0
        + 1;
    let trips = [&trips[..third_line], b"\"", &trips[third_line..]].concat();
    let response = server
        .upload_as(Some(&token), zip_of(&replacing("trips.txt", trips)), "")
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let report: ValidationReport = response.json().await.expect("report JSON");
    assert!(
        report
            .errors()
            .any(|f| f.file == "trips.txt" && f.line.is_some()),
        "{:#?}",
        report.findings
    );
    assert_eq!(
        refused(&server, Vec::new()).await,
        (StatusCode::BAD_REQUEST, "empty_upload".to_owned())
    );
    // Over the limit by Content-Length: refused before the body is read.
    let big: Vec<u8> = (0..3u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert_eq!(
        refused(&server, big).await,
        (StatusCode::PAYLOAD_TOO_LARGE, "upload_too_large".to_owned())
    );
    assert!(server.versions().await.versions.is_empty(), "nothing kept");
    assert_eq!(server.served().await, Served::V1);

    // Entry names are compared, never used as paths: traversal names land nowhere.
    let traversal: Vec<(String, Vec<u8>)> = with_headsigns(sample_files(), "V2 ")
        .into_iter()
        .map(|(n, d)| (format!("../../{n}"), d))
        .chain([
            ("../../../escaped.sh".to_owned(), b"echo pwned".to_vec()),
            ("/tmp/absolute.txt".to_owned(), b"x".to_vec()),
        ])
        .collect();
    let accepted = server.upload(zip_of(&traversal)).await;
    assert!(accepted.report.valid);
    assert!(!dirs.path().join("escaped.sh").exists());
    assert!(
        !dirs
            .path()
            .parent()
            .expect("parent")
            .join("escaped.sh")
            .exists()
    );
    let kept: Vec<String> = std::fs::read_dir(data_dir(&dirs).join("feeds"))
        .expect("feeds dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(kept, [format!("{}.zip", accepted.sha256)]);
    assert!(
        std::fs::read_dir(data_dir(&dirs).join("uploads"))
            .expect("uploads dir")
            .next()
            .is_none(),
        "no temporary file left"
    );
    server.activate(accepted.id).await;
    assert_eq!(server.served().await, Served::V2);
}

#[tokio::test]
async fn broken_feeds_from_the_shared_vectors_are_reported_and_not_kept() {
    let Some(shared) = support::shared_data("broken_feeds_from_the_shared_vectors") else {
        return;
    };
    let dir = shared.join("gtfs-rt-vectors/invalid/static-gtfs");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    };
    let dirs = tempfile::tempdir().expect("temp dir");
    let token = add_operator(&dirs, "ana", &[FEED], false);
    let server = start(&dirs, &TestClock::new(), &token).await;
    let mut checked = 0;
    for entry in entries {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "zip") {
            continue;
        }
        let response = server
            .upload_as(Some(&token), std::fs::read(&path).expect("readable"), "")
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            path.display()
        );
        let report: ValidationReport = response.json().await.expect("report JSON");
        assert!(!report.valid);
        assert!(
            report
                .errors()
                .all(|f| !f.message.is_empty() && !f.fix.is_empty()),
            "{}: every error says what to fix",
            path.display()
        );
        checked += 1;
    }
    assert!(checked > 0, "no zip in {}", dir.display());
    assert!(server.versions().await.versions.is_empty());
    assert_eq!(server.served().await, Served::V1);
}

/// Sends a chunked upload by hand: `chunks` of `chunk` bytes, then the end unless `cut`.
async fn raw_upload(base: &str, token: &str, chunk: &[u8], chunks: usize, cut: bool) -> String {
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let head = format!(
        "POST /api/v1/operator/feeds/{FEED}/versions HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/zip\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    for _ in 0..chunks {
        let sent = async {
            stream
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            stream.write_all(chunk).await?;
            stream.write_all(b"\r\n").await
        };
        if sent.await.is_err() {
            break; // the server answered and closed
        }
    }
    if cut {
        return String::new();
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn uploads_stop_at_the_limit_while_streaming_and_interrupted_ones_leave_nothing() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let token = add_operator(&dirs, "ana", &[FEED], false);
    let server = start_with(&dirs, &TestClock::new(), &token, |c| {
        c.max_upload_bytes = 1 << 20;
    })
    .await;
    // No Content-Length: the limit applies as the bytes arrive.
    let answer = raw_upload(&server.base, &token, &[7u8; 64 << 10], 40, false).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("upload_too_large"), "{answer}");

    // The client goes away mid-upload.
    let v2 = v2_zip();
    let _ = raw_upload(&server.base, &token, &v2[..v2.len() / 3], 1, true).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let uploads = data_dir(&dirs).join("uploads");
    let left: Vec<_> = std::fs::read_dir(&uploads)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "temporary files left: {left:?}");
    assert!(server.versions().await.versions.is_empty());
    assert_eq!(server.served().await, Served::V1);
    // And a whole chunked upload works.
    let answer = raw_upload(&server.base, &token, &v2, 1, false).await;
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
}

#[tokio::test]
async fn multipart_uploads_are_accepted() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let token = add_operator(&dirs, "ana", &[FEED], false);
    let server = start(&dirs, &TestClock::new(), &token).await;
    let boundary = "rtpi-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"gtfs.zip\"\r\n\
         Content-Type: application/zip\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&v2_zip());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let response = server
        .http
        .post(server.operator(&format!("/feeds/{FEED}/versions")))
        .bearer_auth(&token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::CREATED);
    let version: FeedVersion = response.json().await.expect("version JSON");
    server.activate(version.id).await;
    assert_eq!(server.served().await, Served::V2);
}

#[tokio::test]
async fn scheduled_activation_fires_by_the_server_clock_also_after_a_restart() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let token = add_operator(&dirs, "ana", &[FEED], false);
    let clock = TestClock::new();
    let server = start(&dirs, &clock, &token).await;
    let v2 = server.upload(v2_zip()).await;

    let in_an_hour = clock.now() + jiff::SignedDuration::from_hours(1);
    let scheduled = server
        .post(
            &format!("/feeds/{FEED}/versions/{}/activate", v2.id),
            Some(serde_json::json!({ "at": in_an_hour.to_string() })),
        )
        .await;
    assert_eq!(scheduled.status(), StatusCode::OK);
    let scheduled: FeedVersion = scheduled.json().await.expect("JSON");
    assert_eq!(scheduled.state, VersionState::Scheduled);
    assert_eq!(
        scheduled.activate_at.as_deref(),
        Some(in_an_hour.to_string().as_str())
    );
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert_eq!(server.served().await, Served::V1, "not before its time");

    clock.advance(3_600);
    let fired = wait_for(|| async { server.served().await == Served::V2 }).await;
    assert!(fired, "the scheduled version became active");
    assert_eq!(
        server.versions().await.versions[0].state,
        VersionState::Active
    );

    // Scheduled again (back to v1 = a new upload), the server stops before the time, and the
    // activation happens after it starts again.
    let v1 = server.upload(v1_zip()).await;
    let later = clock.now() + jiff::SignedDuration::from_hours(2);
    let response = server
        .post(
            &format!("/feeds/{FEED}/versions/{}/activate", v1.id),
            Some(serde_json::json!({ "at": later.to_string() })),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    drop(server);
    clock.advance(3 * 3_600);
    let server = start(&dirs, &clock, &token).await;
    let fired = wait_for(|| async { server.served().await == Served::V1 }).await;
    assert!(
        fired,
        "the activation due while the server was down happened at start"
    );

    let bad = server
        .post(
            &format!("/feeds/{FEED}/versions/{}/activate", v2.id),
            Some(serde_json::json!({ "at": "tomorrow" })),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

/// Polls `check` for up to 10 s.
pub(crate) async fn wait_for<F, Fut>(check: F) -> bool
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    wait_up_to(Duration::from_secs(10), check).await
}

/// Polls `check` every 100 ms until it holds or `deadline` has passed.
async fn wait_up_to<F, Fut>(deadline: Duration, check: F) -> bool
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let until = tokio::time::Instant::now() + deadline;
    while tokio::time::Instant::now() < until {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn the_active_version_is_served_again_after_a_restart() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let token = add_operator(&dirs, "ana", &[FEED], false);
    let clock = TestClock::new();
    let server = start(&dirs, &clock, &token).await;
    let v2 = server.upload(v2_zip()).await;
    server.activate(v2.id).await;
    drop(server);

    let server = start(&dirs, &clock, &token).await;
    assert_eq!(server.served().await, Served::V2);
    assert_eq!(
        server.versions().await.versions[0].state,
        VersionState::Active
    );

    // Without any configured feed the stored one is served (the sample is only a default).
    let mut config = support::test_config(&dirs, Vec::new());
    config.feeds.clear();
    let app = Application::build(&config, clock.clock())
        .await
        .expect("starts from the store alone");
    let running = support::run(app);
    assert_eq!(served_at(&server.http, &running.base).await, Served::V2);
}

#[tokio::test]
async fn departures_never_fail_during_repeated_activations() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let token = add_operator(&dirs, "ana", &[FEED], false);
    let server = start(&dirs, &TestClock::new(), &token).await;
    let v1 = server.upload(v1_zip()).await;
    let v2 = server.upload(v2_zip()).await;

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..4 {
        let (http, base, stop) = (server.http.clone(), server.base.clone(), stop.clone());
        readers.push(tokio::spawn(async move {
            let mut seen = (0usize, 0usize);
            while !stop.load(Ordering::SeqCst) {
                match served_at(&http, &base).await {
                    Served::V1 => seen.0 += 1,
                    Served::V2 => seen.1 += 1,
                }
            }
            seen
        }));
    }
    for round in 0..3 {
        server.activate(v2.id).await;
        assert_eq!(server.served().await, Served::V2, "round {round}");
        server.activate(v1.id).await;
        assert_eq!(server.served().await, Served::V1, "round {round}");
    }
    stop.store(true, Ordering::SeqCst);
    let mut total = (0, 0);
    for reader in readers {
        // A failed request panics its reader: the join says so.
        let seen = reader.await.expect("every request succeeded");
        total = (total.0 + seen.0, total.1 + seen.1);
    }
    eprintln!(
        "boards read during activations: {} v1, {} v2",
        total.0, total.1
    );
    assert!(total.0 + total.1 > 0);
}

fn backend_command(args: &[&str], data: &Path) -> std::process::Output {
    crate::cli::backend()
        .args(args)
        .env("RTPI_DATA_DIR", data)
        .output()
        .expect("backend runs")
}

#[tokio::test]
async fn killed_mid_upload_or_activation_the_server_restarts_with_a_whole_version() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let data = data_dir(&dirs);
    let added = backend_command(&["operator", "add", "ana", "--feed", FEED], &data);
    assert!(added.status.success(), "{added:?}");
    let token = String::from_utf8(added.stdout)
        .expect("utf-8")
        .trim()
        .to_owned();
    assert!(token.starts_with("rtpi_"), "the token is printed: {token}");
    let listed = backend_command(&["operator", "list"], &data);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("ana  binh-duong"));

    let args = [
        "serve",
        "--gtfs",
        "binh-duong=feeds/binh-duong",
        "--listen",
        "127.0.0.1:0",
        "--simulate",
        "false",
        "--rate-limit",
        "0",
    ];
    let env = [("RTPI_DATA_DIR", data.display().to_string())];
    let http = support::http_client();
    let v2 = v2_zip();

    // Killed while an upload is half sent: nothing kept, the sample still served.
    let (mut child, address) = crate::cli::start(&args, &env).await;
    let base = format!("http://{address}");
    let upload = tokio::spawn({
        let (base, token, part) = (base.clone(), token.clone(), v2[..v2.len() / 2].to_vec());
        async move { raw_upload(&base, &token, &part, 1, true).await }
    });
    let _ = upload.await;
    child.start_kill().expect("SIGKILL");
    let _ = child.wait().await;
    let (mut child, address) = crate::cli::start(&args, &env).await;
    let mut base = format!("http://{address}");
    assert_eq!(served_at(&http, &base).await, Served::V1);
    let left = std::fs::read_dir(data.join("uploads"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(left, 0, "the interrupted upload's file was cleaned up");

    // Upload v2, then kill the server at different moments of its activation.
    let version: FeedVersion = http
        .post(format!("{base}/api/v1/operator/feeds/{FEED}/versions"))
        .bearer_auth(&token)
        .body(v2.clone())
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("version JSON");
    let v1: FeedVersion = http
        .post(format!("{base}/api/v1/operator/feeds/{FEED}/versions"))
        .bearer_auth(&token)
        .body(v1_zip())
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("version JSON");
    let mut seen = Vec::new();
    for (round, delay_ms) in [0u64, 150, 400, 2_000].into_iter().enumerate() {
        let target = if round % 2 == 0 { version.id } else { v1.id };
        let request = http
            .post(format!(
                "{base}/api/v1/operator/feeds/{FEED}/versions/{target}/activate"
            ))
            .bearer_auth(&token)
            .send();
        let _ = tokio::time::timeout(Duration::from_millis(delay_ms.max(1)), request).await;
        child.start_kill().expect("SIGKILL");
        let _ = child.wait().await;
        let (next, address) = crate::cli::start(&args, &env).await;
        child = next;
        base = format!("http://{address}");
        // served_at panics on a board mixing versions; any failure to serve fails here too.
        let served = served_at(&http, &base).await;
        let health: api_types::Health = http
            .get(format!("{base}/health"))
            .send()
            .await
            .expect("health")
            .json()
            .await
            .expect("health JSON");
        let sha = &health.feeds[0].schedule_version;
        match served {
            Served::V2 => assert!(version.sha256.starts_with(sha.as_str())),
            // v1 as stored, or the configured directory before any activation committed.
            Served::V1 => assert!(!version.sha256.starts_with(sha.as_str())),
        }
        seen.push((delay_ms, served));
    }
    eprintln!("served after each kill (delay ms, version): {seen:?}");
    child.start_kill().expect("SIGKILL");
    let _ = child.wait().await;
}

/// Runs `backend feeds …` against `server`; (success, stdout, stderr).
async fn feeds_cli(server: &Server, args: &[&str]) -> (bool, String, String) {
    let mut command = tokio::process::Command::from(crate::cli::backend());
    command
        .arg("feeds")
        .args(args)
        .env("RTPI_SERVER", &server.base)
        .env("RTPI_TOKEN", &server.token);
    let out = command.output().await.expect("backend runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_feeds_command_uploads_lists_activates_and_rolls_back() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let token = add_operator(&dirs, "ana", &[FEED], false);
    let server = start(&dirs, &TestClock::new(), &token).await;
    let files = dirs.path().join("zips");
    std::fs::create_dir_all(&files).expect("dir");
    let (v1, v2, bad) = (
        files.join("v1.zip"),
        files.join("v2.zip"),
        files.join("bad.zip"),
    );
    std::fs::write(&v1, v1_zip()).expect("write");
    std::fs::write(&v2, v2_zip()).expect("write");
    std::fs::write(&bad, b"not a zip").expect("write");
    let path = |p: &Path| p.display().to_string();

    let (ok, out, _) = feeds_cli(
        &server,
        &["upload", &path(&v2), "--feed", FEED, "--validate-only"],
    )
    .await;
    assert!(ok && out.contains("valid: the feed can be served"), "{out}");
    assert!(server.versions().await.versions.is_empty());

    let (ok, _, err) = feeds_cli(&server, &["upload", &path(&bad), "--feed", FEED]).await;
    assert!(!ok && err.contains("not_a_zip"), "{err}");

    let (ok, out, err) = feeds_cli(
        &server,
        &["upload", &path(&v1), "--feed", FEED, "--activate"],
    )
    .await;
    assert!(ok, "{err}");
    assert!(out.contains("active"), "{out}");
    let (ok, out, err) = feeds_cli(&server, &["upload", &path(&v2), "--feed", FEED]).await;
    assert!(ok && out.contains("validated"), "{out}{err}");
    let list = server.versions().await;
    let v2_id = list.versions[0].id.to_string();
    let (ok, _, err) = feeds_cli(&server, &["activate", "--feed", FEED, &v2_id]).await;
    assert!(ok, "{err}");
    assert_eq!(server.served().await, Served::V2);

    let (ok, out, _) = feeds_cli(&server, &["list", "--feed", FEED]).await;
    assert!(ok);
    assert_eq!(
        out.lines().filter(|l| l.contains("uploaded")).count(),
        2,
        "{out}"
    );
    assert!(out.contains("active") && out.contains("retired"), "{out}");

    let (ok, _, err) = feeds_cli(&server, &["rollback", "--feed", FEED]).await;
    assert!(ok, "{err}");
    assert_eq!(server.served().await, Served::V1);

    let (ok, _, err) = feeds_cli(&server, &["list", "--feed", "other-feed"]).await;
    assert!(!ok && err.contains("403"), "{err}");
}

/// Departures on the board with a prediction.
async fn predicted_departures(http: &reqwest::Client, base: &str) -> (Served, usize) {
    let board: DeparturesResponse = http
        .get(format!("{base}{BOARD}"))
        .send()
        .await
        .expect("departures")
        .json()
        .await
        .expect("board JSON");
    let live = board
        .departures
        .iter()
        .filter(|d| d.predicted_departure.is_some())
        .count();
    (classify(&board), live)
}

#[tokio::test]
async fn an_activation_hands_the_new_schedule_to_the_realtime_engine() {
    use prost::Message as _;
    let dirs = tempfile::tempdir().expect("temp dir");
    let token = add_operator(&dirs, "ana", &[FEED], false);
    let clock = TestClock::new();
    let server = start_with(&dirs, &clock, &token, |c| {
        c.realtime = vec![backend::config::RealtimeConfig {
            id: "avl".to_owned(),
            feed: FeedId::new(FEED).expect("valid id"),
            kind: backend::config::RealtimeKind::VehiclePositions,
            url: None,
            token: Some("push-secret".to_owned()),
            headers: Vec::new(),
            interval: Duration::from_secs(15),
            timeout: Duration::from_secs(10),
        }];
    })
    .await;
    let schedule = backend::feed::load(
        backend::feed::Source::Path(&sample_feed().gtfs),
        FeedId::new(FEED).expect("valid id"),
        support::today(),
    )
    .expect("the sample loads")
    .schedule;
    let mut buses = backend::simulate::Simulator::new(Arc::new(schedule), 7);
    let mut push = |now: i64| {
        let body = buses.snapshot(now).encode_to_vec();
        let request = server
            .http
            .post(server.url("/api/v1/realtime/avl"))
            .bearer_auth("push-secret")
            .body(body)
            .send();
        async move {
            let response = request.await.expect("push sent");
            assert_eq!(response.status(), StatusCode::OK);
        }
    };
    push(clock.now().as_second()).await;
    let live = wait_for(|| async {
        let (served, predicted) = predicted_departures(&server.http, &server.base).await;
        served == Served::V1 && predicted > 0
    })
    .await;
    assert!(live, "the pushed buses predict departures");

    let v2 = server.upload(v2_zip()).await;
    server.activate(v2.id).await;
    clock.advance(30);
    push(clock.now().as_second()).await;
    // Predictions are only shown against the schedule they were computed with: live V2
    // departures mean the engine has the new schedule and matched the buses against it.
    let rematched = wait_for(|| async {
        let (served, predicted) = predicted_departures(&server.http, &server.base).await;
        served == Served::V2 && predicted > 0
    })
    .await;
    assert!(rematched, "live departures on the new version");
}

/// The trip ids of the vehicles the server shows, and whether the last message of the
/// simulated vehicle feed had entities left out (unknown trips among them).
async fn simulated_vehicles(server: &Server) -> (Vec<String>, bool) {
    let vehicles: api_types::VehiclesResponse = server
        .http
        .get(server.url("/api/v1/vehicles"))
        .send()
        .await
        .expect("vehicles")
        .json()
        .await
        .expect("vehicles JSON");
    let health: api_types::Health = server
        .http
        .get(server.url("/health"))
        .send()
        .await
        .expect("health")
        .json()
        .await
        .expect("health JSON");
    let source = health
        .realtime
        .iter()
        .find(|s| s.source_id == format!("simulator-{FEED}-vehicles"))
        .expect("the simulator's vehicle source");
    let trips = vehicles
        .vehicles
        .into_iter()
        .filter_map(|v| v.trip_id)
        .collect();
    (trips, source.messages > 0 && source.entities_rejected > 0)
}

#[tokio::test]
async fn the_built_in_simulator_follows_an_activated_schedule() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let token = add_operator(&dirs, "ana", &[FEED], false);
    let clock = TestClock::new();
    let server = start_with(&dirs, &clock, &token, |c| c.simulate = true).await;
    // Every trip renamed: a bus still simulating the old version runs only unknown trips.
    let renamed = zip_of(&prefixed(sample_files(), "trip_id", "V2_"));
    let new_trip = format!("{FEED}:V2_");

    let simulated = wait_up_to(Duration::from_secs(60), || async {
        let (trips, rejected) = simulated_vehicles(&server).await;
        !trips.is_empty() && !rejected && !trips.iter().any(|t| t.starts_with(&new_trip))
    })
    .await;
    assert!(simulated, "the simulator's buses run the sample's trips");

    let v2 = server.upload(renamed).await;
    server.activate(v2.id).await;
    clock.advance(30);
    let followed = wait_up_to(Duration::from_secs(90), || async {
        let (trips, rejected) = simulated_vehicles(&server).await;
        !rejected && trips.iter().any(|t| t.starts_with(&new_trip))
    })
    .await;
    let (trips, rejected) = simulated_vehicles(&server).await;
    assert!(
        followed,
        "the simulator's buses run the new version's trips; now: rejected entities {rejected}, \
         trips {trips:?}"
    );
}
