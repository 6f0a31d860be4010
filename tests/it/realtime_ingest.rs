//! Realtime ingest end to end: the real server (port 0) polls a local HTTP server that serves
//! GTFS-Realtime payloads, and accepts pushes; `/health` shows what each source did. With
//! `../shared/data`, the published GTFS-Realtime conformance vectors go through the same path.
//!
//! No timed assertions: every state change is awaited by polling `/health` with a deadline.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_types::{ErrorBody, Health, PushResponse, RealtimeSourceHealth, Severity};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use backend::clock::Clock;
use backend::config::{Config, FeedConfig, RealtimeConfig, RealtimeKind};
use backend::schedule::FeedId;
use backend::server::Application;
use gtfs_rt::{
    FeedEntity, FeedHeader, FeedMessage, Message as _, Position, TripDescriptor, VehicleDescriptor,
    VehiclePosition, feed_header,
};

use crate::support::{fixture, shared_data};

/// How long a state change may take before the test fails (generous: CI machines are slow).
const DEADLINE: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------------
// A local GTFS-Realtime server.

#[derive(Clone)]
enum Route {
    /// 200 with this body; with an ETag, answers 304 to a matching If-None-Match.
    Payload {
        body: Bytes,
        etag: Option<String>,
    },
    Status(u16),
    /// Never answers (well, not for a minute).
    Hang,
}

#[derive(Debug, Clone)]
struct Hit {
    path: String,
    if_none_match: Option<String>,
    status: u16,
}

#[derive(Clone, Default)]
struct FeedServer {
    routes: Arc<Mutex<HashMap<String, Route>>>,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl FeedServer {
    async fn start() -> (Self, String) {
        let server = FeedServer::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the feed server");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let router = axum::Router::new()
            .fallback(serve_feed)
            .with_state(server.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        (server, base)
    }

    fn set(&self, path: &str, route: Route) {
        self.routes
            .lock()
            .expect("lock")
            .insert(path.to_owned(), route);
    }

    fn hits(&self, path: &str) -> Vec<Hit> {
        self.hits
            .lock()
            .expect("lock")
            .iter()
            .filter(|h| h.path == path)
            .cloned()
            .collect()
    }
}

async fn serve_feed(State(server): State<FeedServer>, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().to_owned();
    let if_none_match = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let route = server.routes.lock().expect("lock").get(&path).cloned();
    let response = match route {
        None => StatusCode::NOT_FOUND.into_response(),
        Some(Route::Hang) => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Some(Route::Status(code)) => StatusCode::from_u16(code)
            .expect("valid status")
            .into_response(),
        Some(Route::Payload { body, etag }) => match etag {
            Some(etag) if if_none_match.as_deref() == Some(etag.as_str()) => {
                StatusCode::NOT_MODIFIED.into_response()
            }
            Some(etag) => ([(header::ETAG, etag)], body).into_response(),
            None => body.into_response(),
        },
    };
    server.hits.lock().expect("lock").push(Hit {
        path,
        if_none_match,
        status: response.status().as_u16(),
    });
    response
}

// ---------------------------------------------------------------------------------------------
// The server under test.

struct TestApp {
    base: String,
    client: reqwest::Client,
    realtime: Arc<arc_swap::ArcSwap<backend::predict::Snapshot>>,
    _server: crate::support::Running,
    _dirs: tempfile::TempDir,
}

async fn spawn(feeds: Vec<FeedConfig>, realtime: Vec<RealtimeConfig>, now: i64) -> TestApp {
    let clock = Clock::fixed(jiff::Timestamp::from_second(now).expect("valid instant"));
    spawn_with_clock(feeds, realtime, clock).await
}

async fn spawn_with_clock(
    feeds: Vec<FeedConfig>,
    realtime: Vec<RealtimeConfig>,
    clock: Clock,
) -> TestApp {
    let dirs = tempfile::tempdir().expect("temp dir");
    let config = Config {
        realtime,
        ..crate::support::test_config(&dirs, feeds)
    };
    let app = Application::build(&config, clock)
        .await
        .expect("the server starts");
    let server = crate::support::run(app);
    TestApp {
        base: server.base.clone(),
        client: crate::support::http_client(),
        realtime: server.realtime.clone(),
        _server: server,
        _dirs: dirs,
    }
}

impl TestApp {
    async fn health(&self) -> Health {
        let response = self
            .client
            .get(format!("{}/health", self.base))
            .send()
            .await
            .expect("health answers");
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("health is JSON")
    }

    /// The health of source `id` once `ready` holds, or a failure after [`DEADLINE`].
    async fn source_when(
        &self,
        id: &str,
        what: &str,
        ready: impl Fn(&RealtimeSourceHealth) -> bool,
    ) -> RealtimeSourceHealth {
        let started = std::time::Instant::now();
        loop {
            let health = self.health().await;
            let source = health
                .realtime
                .iter()
                .find(|s| s.source_id == id)
                .unwrap_or_else(|| panic!("/health lists no source {id}: {health:#?}"))
                .clone();
            if ready(&source) {
                return source;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "source {id}: still not {what} after {DEADLINE:?}: {source:#?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn push(&self, source: &str, token: Option<&str>, body: Vec<u8>) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}/api/v1/realtime/{source}", self.base))
            .header(header::CONTENT_TYPE, "application/x-protobuf")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("the push reaches the server")
    }
}

fn source(id: &str, feed: &str, kind: RealtimeKind) -> RealtimeConfig {
    RealtimeConfig {
        id: id.to_owned(),
        feed: FeedId::new(feed).expect("valid feed id"),
        kind,
        url: None,
        token: None,
        headers: Vec::new(),
        interval: Duration::from_millis(200),
        timeout: Duration::from_secs(5),
    }
}

fn polled(id: &str, feed: &str, url: String) -> RealtimeConfig {
    RealtimeConfig {
        url: Some(url),
        ..source(id, feed, RealtimeKind::VehiclePositions)
    }
}

fn pushed(id: &str, feed: &str, token: &str) -> RealtimeConfig {
    RealtimeConfig {
        token: Some(token.to_owned()),
        ..source(id, feed, RealtimeKind::Mixed)
    }
}

// ---------------------------------------------------------------------------------------------
// Hand-made messages against the `loop-route` fixture.

/// 2026-11-23 08:05 in Binh Duong: trip LOOP-1 (08:00–08:20) is running.
const NOW: i64 = 1_795_395_900;

fn loop_feed() -> FeedConfig {
    FeedConfig {
        id: FeedId::new("loop").expect("valid id"),
        gtfs: fixture("loop-route"),
    }
}

/// One bus on LOOP-1, on the shape, at `header` (unix seconds).
fn vehicle_message(header: i64, trip_id: &str) -> Vec<u8> {
    FeedMessage {
        header: FeedHeader {
            gtfs_realtime_version: "2.0".into(),
            incrementality: Some(feed_header::Incrementality::FullDataset as i32),
            timestamp: Some(header as u64),
            ..Default::default()
        },
        entity: vec![FeedEntity {
            id: "bus-7".into(),
            vehicle: Some(VehiclePosition {
                trip: Some(TripDescriptor {
                    trip_id: Some(trip_id.into()),
                    start_date: Some("20261123".into()),
                    ..Default::default()
                }),
                vehicle: Some(VehicleDescriptor {
                    id: Some("bus-7".into()),
                    ..Default::default()
                }),
                position: Some(Position {
                    latitude: 11.0,
                    longitude: 106.605,
                    ..Default::default()
                }),
                timestamp: Some(header as u64 - 1),
                ..Default::default()
            }),
            ..Default::default()
        }],
    }
    .encode_to_vec()
}

fn payload(body: Vec<u8>, etag: Option<&str>) -> Route {
    Route::Payload {
        body: Bytes::from(body),
        etag: etag.map(str::to_owned),
    }
}

#[tokio::test]
async fn polled_sources_conditional_requests_failures_and_pushes() {
    let (feeds, base) = FeedServer::start().await;
    feeds.set(
        "/vp.pb",
        payload(vehicle_message(NOW - 20, "LOOP-1"), Some("\"a\"")),
    );
    feeds.set("/broken.pb", Route::Status(500));
    feeds.set("/slow.pb", Route::Hang);
    let app = spawn(
        vec![loop_feed()],
        vec![
            polled("vp", "loop", format!("{base}/vp.pb")),
            polled("broken", "loop", format!("{base}/broken.pb?key=secret")),
            RealtimeConfig {
                timeout: Duration::from_millis(300),
                ..polled("slow", "loop", format!("{base}/slow.pb"))
            },
            pushed("push", "loop", "s3cret"),
        ],
        NOW,
    )
    .await;

    // The first poll is ingested: one vehicle, nothing wrong with it.
    let vp = app.source_when("vp", "ingested", |s| s.messages >= 1).await;
    assert_eq!(vp.messages, 1);
    assert_eq!((vp.entities, vp.entities_rejected), (1, 0));
    assert_eq!(vp.feed_id, "loop");
    assert_eq!(vp.kind, "vehicle_positions");
    assert!(vp.polled && !vp.push);
    assert_eq!(
        vp.last_success.as_deref(),
        Some("2026-11-23T08:05:00+07:00")
    );
    assert_eq!(vp.age_seconds, Some(0));
    assert_eq!(
        vp.last_header_timestamp.as_deref(),
        Some("2026-11-23T08:04:40+07:00")
    );
    assert_eq!(
        (vp.failing_since.as_ref(), vp.last_error.as_ref()),
        (None, None)
    );
    assert!(vp.findings.is_empty(), "{:#?}", vp.findings);

    // The next polls are conditional and answered 304.
    let started = std::time::Instant::now();
    while feeds
        .hits("/vp.pb")
        .iter()
        .filter(|h| h.status == 304 && h.if_none_match.as_deref() == Some("\"a\""))
        .count()
        < 2
    {
        assert!(
            started.elapsed() < DEADLINE,
            "no conditional request: {:?}",
            feeds.hits("/vp.pb")
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A new payload without an ETag is ingested; then, served again, it is skipped by hash.
    feeds.set("/vp.pb", payload(vehicle_message(NOW - 10, "LOOP-1"), None));
    app.source_when("vp", "at its second message", |s| s.messages >= 2)
        .await;
    let plain_hits = |feeds: &FeedServer| {
        feeds
            .hits("/vp.pb")
            .iter()
            .filter(|h| h.status == 200 && h.if_none_match.is_none())
            .count()
    };
    let seen = plain_hits(&feeds);
    let started = std::time::Instant::now();
    while plain_hits(&feeds) < seen + 2 {
        assert!(
            started.elapsed() < DEADLINE,
            "no repeated poll: {:?}",
            feeds.hits("/vp.pb")
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    feeds.set(
        "/vp.pb",
        payload(vehicle_message(NOW, "LOOP-1"), Some("\"c\"")),
    );
    // Events are handled in order: when the third message shows, the 304s and the repeated
    // payloads before it have been handled too, and none counted as a message or a failure.
    let vp = app
        .source_when("vp", "at its third message", |s| s.messages >= 3)
        .await;
    assert_eq!(vp.messages, 3, "unchanged payloads are not messages");
    assert_eq!((vp.failing_since, vp.last_error), (None, None));

    // The broken source fails, says why (without its query string), and the other source
    // is unaffected.
    let broken = app
        .source_when("broken", "failing", |s| s.failing_since.is_some())
        .await;
    let error = broken.last_error.expect("an error is recorded");
    assert!(error.contains("HTTP 500"), "{error}");
    assert!(
        error.contains("/broken.pb?…") && !error.contains("secret"),
        "{error}"
    );
    assert_eq!(broken.messages, 0);
    assert!(broken.last_success.is_none());
    let slow = app
        .source_when("slow", "timed out", |s| s.failing_since.is_some())
        .await;
    assert_eq!(
        slow.last_error.as_deref(),
        Some(format!("GET {base}/slow.pb: timed out after 300 ms").as_str())
    );

    // The worker publishes snapshots at our clock's time.
    let started = std::time::Instant::now();
    while app.realtime.load().at != NOW {
        assert!(started.elapsed() < DEADLINE, "no snapshot published");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Pushes: authentication first.
    let body = vehicle_message(NOW, "LOOP-1");
    for (source, token, status, code) in [
        ("push", None, StatusCode::UNAUTHORIZED, "missing_token"),
        (
            "push",
            Some("wrong"),
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        ),
        (
            "nope",
            Some("s3cret"),
            StatusCode::NOT_FOUND,
            "source_not_found",
        ),
        (
            "vp",
            Some("s3cret"),
            StatusCode::FORBIDDEN,
            "push_not_enabled",
        ),
    ] {
        let response = app.push(source, token, body.clone()).await;
        assert_eq!(response.status(), status, "{source} {token:?}");
        if status == StatusCode::UNAUTHORIZED {
            let challenge = response
                .headers()
                .get(header::WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            assert!(challenge.starts_with("Bearer"), "{challenge:?}");
        }
        let error: ErrorBody = response.json().await.expect("errors are JSON");
        assert_eq!(error.error, code);
        assert!(!error.message.is_empty());
    }
    // A good message is taken; a bad entity is left out and said why.
    let response = app.push("push", Some("s3cret"), body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: PushResponse = response.json().await.expect("JSON");
    assert_eq!(
        answer,
        PushResponse {
            accepted: true,
            entities: 1,
            findings: vec![],
            findings_omitted: 0
        }
    );
    let response = app
        .push("push", Some("s3cret"), vehicle_message(NOW, "NO-SUCH-TRIP"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: PushResponse = response.json().await.expect("JSON");
    assert!(answer.accepted);
    assert_eq!(answer.entities, 0);
    assert_eq!(answer.findings.len(), 1, "{answer:#?}");
    let finding = &answer.findings[0];
    assert_eq!(
        (finding.code.as_str(), finding.level),
        ("E003", Severity::Error)
    );
    assert_eq!(finding.entity_id.as_deref(), Some("bus-7"));
    assert!(
        finding.message.contains("NO-SUCH-TRIP"),
        "{}",
        finding.message
    );
    // Not protobuf, or nothing at all: 400 saying what to send.
    for (body, code) in [
        (b"{\"header\": {}}".to_vec(), "invalid_message"),
        (Vec::new(), "empty_body"),
    ] {
        let response = app.push("push", Some("s3cret"), body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let error: ErrorBody = response.json().await.expect("JSON");
        assert_eq!(error.error, code, "{}", error.message);
    }
    let push = app
        .source_when("push", "showing the pushes", |s| s.messages >= 2)
        .await;
    assert_eq!((push.entities, push.entities_rejected), (0, 1));
    assert_eq!(push.finding_counts.get("E003"), Some(&1));
    assert!(
        push.failing_since.is_some(),
        "the undecodable push is a failure"
    );
    assert!(
        push.last_error
            .as_deref()
            .is_some_and(|e| e.contains("not a GTFS-Realtime FeedMessage")),
        "{push:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The conformance vectors of `../shared/data/gtfs-rt-vectors`.

/// 2023-11-08 01:11:00 UTC: a minute after the vectors' newest header.
const VECTORS_NOW: i64 = 1_699_405_860;

fn pb_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("vector directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pb"))
        .collect();
    files.sort();
    files
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .expect("UTF-8 file name")
        .to_owned()
}

#[tokio::test]
async fn conformance_vectors_give_their_codes() {
    let Some(data) = shared_data("conformance_vectors_give_their_codes") else {
        return;
    };
    let vectors = data.join("gtfs-rt-vectors");
    let invalid = pb_files(&vectors.join("invalid/transitland-lib-semantic-errors"));
    assert!(invalid.len() >= 30, "{} invalid vectors", invalid.len());
    let (feeds, base) = FeedServer::start().await;
    let valid = vectors.join("valid/transitland-lib");
    let bullrunner = vectors.join("valid/gtfs-rt-validator-bullrunner");
    for (path, file) in [
        ("/ct-vp.pb", valid.join("ct-vehicle-positions.pb")),
        ("/ct-tu.pb", valid.join("ct-trip-updates.pb")),
        ("/ct-alerts.pb", valid.join("ct-service-alerts.pb")),
        (
            "/br-vp.pb",
            bullrunner.join("bullrunner-vehicle-positions.pb"),
        ),
    ] {
        feeds.set(path, payload(std::fs::read(&file).expect("vector"), None));
    }
    let mut sources = vec![
        polled("ct-vp", "ct", format!("{base}/ct-vp.pb")),
        polled("ct-tu", "ct", format!("{base}/ct-tu.pb")),
        polled("ct-alerts", "ct", format!("{base}/ct-alerts.pb")),
        polled("br-vp", "bullrunner", format!("{base}/br-vp.pb")),
        pushed("malformed", "ct", "t"),
    ];
    // One push source per vector, so that no vector's header is judged against another's.
    for file in &invalid {
        sources.push(pushed(&stem(file), "ct", "t"));
    }
    let app = spawn(
        vec![
            FeedConfig {
                id: FeedId::new("ct").expect("id"),
                gtfs: valid.join("ct.zip"),
            },
            FeedConfig {
                id: FeedId::new("bullrunner").expect("id"),
                gtfs: bullrunner.join("bullrunner-gtfs.zip"),
            },
        ],
        sources,
        VECTORS_NOW,
    )
    .await;

    // Valid vectors: accepted whole, no errors. Warnings are expected and justified: W008
    // (the vectors are minutes older than our clock), W001 (bullrunner has no vehicle
    // timestamps), E029 for Caltrain train 311, 196 m off a simplified shape near a station.
    let mut good = Vec::new();
    for id in ["ct-vp", "ct-tu", "ct-alerts", "br-vp"] {
        let s = app
            .source_when(id, "ingested", |s| {
                s.messages >= 1 || s.failing_since.is_some()
            })
            .await;
        assert_eq!((s.messages, s.entities_rejected), (1, 0), "{s:#?}");
        assert!(s.failing_since.is_none(), "{s:#?}");
        assert!(
            s.findings.iter().all(|f| f.level == Severity::Warning),
            "{id}: {:#?}",
            s.findings
        );
        good.push(s);
    }
    assert_eq!(good[0].entities, 14, "Caltrain vehicles");

    // Every invalid vector is taken without a panic and named by its code.
    for file in &invalid {
        let id = stem(file);
        let expected = id.split('.').next().expect("code prefix").to_owned();
        let response = app
            .push(&id, Some("t"), std::fs::read(file).expect("vector"))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{id}");
        let answer: PushResponse = response.json().await.expect("JSON");
        assert!(
            answer.findings.iter().any(|f| f.code == expected),
            "{id}: expected {expected}, got {:#?}",
            answer.findings
        );
        let s = app
            .source_when(&id, "showing its finding", |s| {
                s.finding_counts.contains_key(&expected)
            })
            .await;
        assert!(s.findings.iter().any(|f| f.code == expected), "{s:#?}");
    }

    // The malformed one: 400, and the other sources keep their last good state.
    let malformed = vectors.join("invalid/malformed-protobuf/transitland-lib_invalid.pb");
    let response = app
        .push(
            "malformed",
            Some("t"),
            std::fs::read(malformed).expect("vector"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error: ErrorBody = response.json().await.expect("JSON");
    assert_eq!(error.error, "invalid_message");
    let s = app
        .source_when("malformed", "failing", |s| s.failing_since.is_some())
        .await;
    assert!(s.finding_counts.contains_key("decode"), "{s:#?}");
    let ct = app.source_when("ct-vp", "listed", |_| true).await;
    assert_eq!(
        (
            ct.messages,
            ct.entities,
            &ct.last_success,
            &ct.failing_since
        ),
        (
            good[0].messages,
            good[0].entities,
            &good[0].last_success,
            &None
        )
    );
}

#[tokio::test]
async fn oversized_pushes_get_413_before_the_body_is_read() {
    let app = spawn(
        vec![loop_feed()],
        vec![pushed("push", "loop", "s3cret")],
        NOW,
    )
    .await;
    let body = Bytes::from(vec![0u8; 16 * 1024 * 1024 + 1]);
    // The server answers as soon as it sees Content-Length and closes the connection; the
    // client may still be writing and, rarely, see a reset instead of the answer: retry then.
    for attempt in 1..=5 {
        let sent = app
            .client
            .post(format!("{}/api/v1/realtime/push", app.base))
            .bearer_auth("s3cret")
            .body(body.clone())
            .send()
            .await;
        match sent {
            Ok(response) => {
                assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
                let error: ErrorBody = response.json().await.expect("errors are JSON");
                assert_eq!(error.error, "payload_too_large");
                assert!(error.message.contains("16 MB"), "{}", error.message);
                return;
            }
            Err(e) => eprintln!("attempt {attempt}: {e}"),
        }
    }
    panic!("no answer to an oversized push");
}

// ---------------------------------------------------------------------------------------------
// Predictions through the whole server: polled positions in, departures out.

/// A bus on the sample network's trip 51_WD_0_0600, two minutes late, at `along` metres.
fn bus_message(along: f64, t: i64) -> Bytes {
    let loaded = backend::feed::load(
        backend::feed::Source::Path(&crate::support::repo_root().join("feeds/binh-duong")),
        FeedId::new("bd").expect("id"),
        crate::support::today(),
    )
    .expect("sample loads");
    let s = loaded.schedule;
    let trip = s.trip_by_id("51_WD_0_0600").expect("trip");
    let shape = s.trip(trip).shape.expect("shape");
    let p = s.shapes[shape.index()].line.point_at(along).expect("point");
    let message = FeedMessage {
        header: FeedHeader {
            gtfs_realtime_version: "2.0".into(),
            incrementality: Some(feed_header::Incrementality::FullDataset as i32),
            timestamp: Some(t as u64),
            ..Default::default()
        },
        entity: vec![FeedEntity {
            id: "bus-7".into(),
            vehicle: Some(VehiclePosition {
                trip: Some(TripDescriptor {
                    trip_id: Some("51_WD_0_0600".into()),
                    ..Default::default()
                }),
                vehicle: Some(VehicleDescriptor {
                    id: Some("bus-7".into()),
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
        }],
    };
    Bytes::from(gtfs_rt::Message::encode_to_vec(&message))
}

#[tokio::test]
async fn polled_positions_become_predictions_that_move_then_expire() {
    use std::sync::atomic::{AtomicI64, Ordering};
    let loaded = backend::feed::load(
        backend::feed::Source::Path(&crate::support::repo_root().join("feeds/binh-duong")),
        FeedId::new("bd").expect("id"),
        crate::support::today(),
    )
    .expect("sample loads");
    let s = &loaded.schedule;
    let trip = s.trip_by_id("51_WD_0_0600").expect("trip");
    let stops = s.trip_stop_times(trip).to_vec();
    let target = &*s.stop(stops[12].stop).id;
    let day = crate::support::at("2026-11-23T00:00:00+07:00");
    // Two minutes late, between stops 4 and 5.
    let t0 = day + i64::from(stops[4].departure) + 150;
    let now = Arc::new(AtomicI64::new(t0 + 5));
    let clock = {
        let now = now.clone();
        Clock::from_fn(move || {
            jiff::Timestamp::from_second(now.load(Ordering::SeqCst)).expect("valid instant")
        })
    };
    let (feed_server, base) = FeedServer::start().await;
    let at = |k: usize| f64::from(stops[k].dist_m);
    feed_server.set(
        "/vp.pb",
        Route::Payload {
            body: bus_message((at(4) + at(5)) / 2.0, t0),
            etag: None,
        },
    );
    let source = RealtimeConfig {
        id: "avl".into(),
        feed: FeedId::new("bd").expect("id"),
        kind: RealtimeKind::VehiclePositions,
        url: Some(format!("{base}/vp.pb")),
        token: None,
        headers: Vec::new(),
        interval: Duration::from_millis(100),
        timeout: Duration::from_secs(5),
    };
    let feeds = vec![
        FeedConfig::parse(&format!(
            "bd={}",
            crate::support::repo_root()
                .join("feeds/binh-duong")
                .display()
        ))
        .expect("feed"),
    ];
    let app = spawn_with_clock(feeds, vec![source], clock).await;
    let board = |from: i64| {
        let url = format!(
            "{}/api/v1/stops/bd:{target}/departures?from={}&minutes=60",
            app.base,
            jiff::Timestamp::from_second(from).expect("instant")
        );
        let client = app.client.clone();
        async move {
            let body: serde_json::Value = client
                .get(url)
                .send()
                .await
                .expect("departures answer")
                .json()
                .await
                .expect("json");
            body["departures"]
                .as_array()
                .and_then(|d| {
                    d.iter()
                        .find(|x| x["trip_id"] == "bd:51_WD_0_0600")
                        .cloned()
                })
                .unwrap_or_default()
        }
    };
    // 1. The bus appears: live, with its vehicle and a predicted time.
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let first = loop {
        let d = board(t0).await;
        if d["status"] == "live" {
            break d;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no live prediction: {d}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(first["vehicle_id"], "bd:bus-7");
    assert_eq!(first["basis"], "realtime");
    let predicted = first["predicted_arrival"]
        .as_str()
        .expect("predicted")
        .to_owned();

    // 2. It moves: much further along a minute later, so it is expected earlier.
    let t1 = t0 + 60;
    now.store(t1 + 5, Ordering::SeqCst);
    feed_server.set(
        "/vp.pb",
        Route::Payload {
            body: bus_message(at(9), t1),
            etag: None,
        },
    );
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let d = board(t1).await;
        let p = d["predicted_arrival"].as_str().unwrap_or_default();
        if d["status"] == "live" && p < predicted.as_str() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the prediction did not move: {d}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // 3. It expires: eleven minutes of silence (the feed keeps answering with the old
    // position), and the board shows the timetable again.
    now.store(t1 + 11 * 60, Ordering::SeqCst);
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let d = board(t1 + 11 * 60 - 600).await;
        if d["status"] == "scheduled" && d.get("vehicle_id").is_none_or(serde_json::Value::is_null)
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the silent bus still shows: {d}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The calls the bus made between the two positions were stored in the database.
    let dir = app._dirs.path().join("data");
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let store = backend::store::Store::open(&dir).expect("database opens");
        let calls = store
            .calls_since(&FeedId::new("bd").expect("id"), 0)
            .expect("query");
        if calls.iter().any(|c| c.trip_id == "51_WD_0_0600") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no observed call stored"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
