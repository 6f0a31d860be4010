//! Operations on the real server: Prometheus metrics, CORS, rate limiting, compression and
//! request ids.

use std::sync::Arc;
use std::time::Duration;

use api_types::ErrorBody;
use backend::clock::Clock;
use backend::config::{Config, FeedConfig, Limits, RealtimeConfig, RealtimeKind};
use backend::feed::{self, Source};
use backend::schedule::FeedId;
use backend::server::Application;
use backend::simulate::Simulator;
use prost::Message as _;
use reqwest::{StatusCode, header};

use crate::support::{repo_root, today};

/// Monday 2026-11-23 07:00 in Binh Duong: morning peak, many buses out.
const MONDAY_7AM: &str = "2026-11-23T07:00:00+07:00";
const TOKEN: &str = "ops-test-token";
const PUSH_SOURCE: &str = "bd-push";
const DEPARTURES: &str = "/api/v1/stops/binh-duong:ST_HIKARI/departures";

struct TestApp {
    base: String,
    client: reqwest::Client,
    _server: crate::support::Running,
    _dirs: tempfile::TempDir,
}

impl TestApp {
    fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.get(format!("{}{path}", self.base))
    }

    async fn send(request: reqwest::RequestBuilder) -> reqwest::Response {
        request.send().await.expect("request reaches the server")
    }

    async fn metrics(&self) -> String {
        let response = Self::send(self.get("/metrics")).await;
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()[header::CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(
            content_type.starts_with("application/openmetrics-text"),
            "{content_type}"
        );
        response.text().await.expect("body")
    }

    async fn push(&self, body: Vec<u8>) -> reqwest::Response {
        Self::send(
            self.client
                .post(format!("{}/api/v1/realtime/{PUSH_SOURCE}", self.base))
                .header(header::ORIGIN, "https://example.org")
                .bearer_auth(TOKEN)
                .body(body),
        )
        .await
    }
}

fn sample_feed() -> FeedConfig {
    FeedConfig {
        id: FeedId::new("binh-duong").expect("valid id"),
        gtfs: repo_root().join("feeds/binh-duong"),
    }
}

/// The server on port 0 with the sample network, a push source and `limits`.
async fn spawn(limits: Limits) -> TestApp {
    let dirs = tempfile::tempdir().expect("temp dir");
    let config = Config {
        realtime: vec![RealtimeConfig {
            id: PUSH_SOURCE.to_owned(),
            feed: FeedId::new("binh-duong").expect("valid id"),
            kind: RealtimeKind::VehiclePositions,
            url: None,
            token: Some(TOKEN.to_owned()),
            headers: Vec::new(),
            interval: Duration::from_secs(15),
            timeout: Duration::from_secs(10),
        }],
        limits,
        ..crate::support::test_config(&dirs, vec![sample_feed()])
    };
    let clock = Clock::fixed(MONDAY_7AM.parse().expect("valid instant"));
    let app = Application::build(&config, clock)
        .await
        .expect("the server starts");
    let server = crate::support::run(app);
    TestApp {
        base: server.base.clone(),
        client: crate::support::http_client(),
        _server: server,
        _dirs: dirs,
    }
}

/// Simulated vehicle positions of the sample network at 07:00, as bytes.
fn simulated_positions() -> Vec<u8> {
    let loaded = feed::load(
        Source::Path(&repo_root().join("feeds/binh-duong")),
        FeedId::new("binh-duong").expect("valid id"),
        today(),
    )
    .unwrap_or_else(|report| panic!("the sample feed loads: {report:?}"));
    let now: jiff::Timestamp = MONDAY_7AM.parse().expect("valid instant");
    Simulator::new(Arc::new(loaded.schedule), 7)
        .snapshot(now.as_second())
        .encode_to_vec()
}

/// The value of the first sample line that starts with `prefix` (a metric and its labels).
fn sample(metrics: &str, prefix: &str) -> Option<f64> {
    metrics
        .lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_report_feeds() {
    let app = spawn(Limits::off()).await;
    for stop in [
        "binh-duong:ST_HIKARI",
        "binh-duong:BD2081",
        "binh-duong:NOPE",
    ] {
        TestApp::send(app.get(&format!("/api/v1/stops/{stop}/departures"))).await;
    }
    TestApp::send(app.get("/pkg/frontend_bg.wasm")).await;
    TestApp::send(app.get("/no/such/page")).await;
    let accepted = app.push(simulated_positions()).await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let rejected = app.push(b"not protobuf".to_vec()).await;
    assert_eq!(rejected.status(), StatusCode::BAD_REQUEST);

    // The engine answers a push, then publishes the snapshot and the sources' statuses after
    // its batch: wait for both to show.
    let source = "{source=\"bd-push\",feed=\"binh-duong\"}";
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let metrics = loop {
        let metrics = app.metrics().await;
        let published = sample(&metrics, "rtpi_vehicles_tracked{feed=\"binh-duong\"}")
            .is_some_and(|n| n > 0.0)
            && sample(&metrics, &format!("rtpi_realtime_fetches_total{source}")) == Some(2.0);
        if published || std::time::Instant::now() > deadline {
            break metrics;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    let route = "route=\"/api/v1/stops/{stop_id}/departures\"";
    let ok = metrics
        .lines()
        .find(|l| {
            l.starts_with("rtpi_http_requests_total{")
                && l.contains(route)
                && l.contains("status=\"200\"")
        })
        .unwrap_or_else(|| panic!("no request counter for the route:\n{metrics}"));
    assert!(ok.ends_with(" 2"), "{ok}");
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("rtpi_http_requests_total{")
                && l.contains(route)
                && l.contains("status=\"404\"")
                && l.ends_with(" 1")),
        "{metrics}"
    );
    // Raw paths never become labels: the bundle's files share one, unknown paths another.
    assert!(!metrics.contains("ST_HIKARI"), "{metrics}");
    assert!(!metrics.contains("frontend_bg.wasm"), "{metrics}");
    assert!(!metrics.contains("no/such/page"), "{metrics}");
    assert!(
        metrics.contains("route=\"/pkg/{*path}\",status=\"200\""),
        "{metrics}"
    );
    assert!(
        metrics.contains("route=\"unmatched\",status=\"404\""),
        "{metrics}"
    );
    assert!(
        metrics.lines().any(
            |l| l.starts_with("rtpi_http_request_duration_seconds_bucket{")
                && l.contains(route)
                && l.contains("le=\"+Inf\"")
                && l.ends_with(" 3")
        ),
        "{metrics}"
    );
    assert!(metrics.contains("# TYPE rtpi_http_request_duration_seconds histogram"));

    assert_eq!(
        sample(&metrics, &format!("rtpi_realtime_messages_total{source}")),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        sample(&metrics, &format!("rtpi_realtime_errors_total{source}")),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        sample(&metrics, &format!("rtpi_realtime_fetches_total{source}")),
        Some(2.0),
        "{metrics}"
    );
    assert_eq!(
        sample(&metrics, &format!("rtpi_realtime_data_age_seconds{source}")),
        Some(0.0),
        "the clock is stopped: {metrics}"
    );
    let tracked = sample(&metrics, "rtpi_vehicles_tracked{feed=\"binh-duong\"}")
        .unwrap_or_else(|| panic!("{metrics}"));
    let matched = sample(&metrics, "rtpi_vehicles_matched{feed=\"binh-duong\"}")
        .unwrap_or_else(|| panic!("{metrics}"));
    assert!(tracked >= 10.0, "{metrics}");
    assert!(matched > 0.0 && matched <= tracked, "{metrics}");
    assert_eq!(sample(&metrics, "rtpi_schedule_feeds "), Some(1.0));
    assert_eq!(
        sample(&metrics, "rtpi_schedule_stop_times{feed=\"binh-duong\"}"),
        Some(14_742.0)
    );
    assert!(metrics.ends_with("# EOF\n"));
}

#[tokio::test]
async fn the_public_api_allows_any_origin_but_operator_endpoints_do_not() {
    let app = spawn(Limits::off()).await;
    let response = TestApp::send(
        app.get(DEPARTURES)
            .header(header::ORIGIN, "https://example.org"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .expect("ascii")
        .to_ascii_lowercase();
    assert!(exposed.contains("etag"), "{exposed}");

    let feed = TestApp::send(
        app.get("/gtfs-rt/trip-updates.pb")
            .header(header::ORIGIN, "https://example.org"),
    )
    .await;
    assert_eq!(feed.headers()["access-control-allow-origin"], "*");

    // A browser's preflight for a conditional GET.
    let preflight = TestApp::send(
        app.client
            .request(
                reqwest::Method::OPTIONS,
                format!("{}{DEPARTURES}", app.base),
            )
            .header(header::ORIGIN, "https://example.org")
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "if-none-match"),
    )
    .await;
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");

    // Pushing is for the operator's systems, not for web pages.
    let push = app.push(b"not protobuf".to_vec()).await;
    assert_eq!(push.status(), StatusCode::BAD_REQUEST);
    assert!(
        push.headers().get("access-control-allow-origin").is_none(),
        "{:?}",
        push.headers()
    );
    let preflight = TestApp::send(
        app.client
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/api/v1/realtime/{PUSH_SOURCE}", app.base),
            )
            .header(header::ORIGIN, "https://example.org")
            .header("access-control-request-method", "POST"),
    )
    .await;
    assert!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn a_client_over_its_limit_gets_429_with_retry_after() {
    let app = spawn(Limits {
        requests_per_second: 2,
        burst: 3,
        trust_forwarded_for: false,
    })
    .await;
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..6 {
        let response = TestApp::send(app.get(DEPARTURES)).await;
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS && limited.is_none() {
            limited = Some(response);
        }
    }
    // The burst passes; the rate refills one token per 500 ms, far slower than these requests.
    assert!(
        statuses[..3].iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    let limited = limited.unwrap_or_else(|| panic!("never limited: {statuses:?}"));
    let retry_after: u64 = limited.headers()[header::RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert_eq!(
        retry_after, 1,
        "a token every 500 ms, rounded up to whole seconds"
    );
    let body: ErrorBody = limited.json().await.expect("JSON error");
    assert_eq!(body.error, "rate_limited");
    assert!(body.message.contains("retry"), "{}", body.message);

    // 429s are counted too.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let metrics = app.metrics().await;
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("rtpi_http_requests_total{") && l.contains("status=\"429\"")),
        "{metrics}"
    );
}

#[tokio::test]
async fn large_json_is_compressed_and_request_ids_are_echoed() {
    let app = spawn(Limits::default()).await;
    let response = TestApp::send(
        app.get(&format!("{DEPARTURES}?minutes=240"))
            .header(header::ACCEPT_ENCODING, "gzip"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
    let compressed = response.bytes().await.expect("body");
    let plain = TestApp::send(app.get(&format!("{DEPARTURES}?minutes=240"))).await;
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    let plain = plain.bytes().await.expect("body");
    assert!(
        compressed.len() * 3 < plain.len(),
        "{} compressed vs {} plain",
        compressed.len(),
        plain.len()
    );

    let response = TestApp::send(app.get("/health").header("x-request-id", "trace-me-42")).await;
    assert_eq!(response.headers()["x-request-id"], "trace-me-42");
    let response = TestApp::send(app.get("/health")).await;
    let made_up = response.headers()["x-request-id"].to_str().expect("ascii");
    assert_eq!(made_up.len(), 36, "a UUID: {made_up}");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let app = spawn(Limits {
        requests_per_second: 1,
        burst: 2,
        trust_forwarded_for: true,
    })
    .await;
    let from = |client: &str| {
        app.get("/health")
            .header("x-forwarded-for", format!("198.51.100.200, {client}"))
    };
    let mut first = Vec::new();
    for _ in 0..3 {
        first.push(TestApp::send(from("203.0.113.1")).await.status());
    }
    assert_eq!(
        first,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    // Another client behind the same proxy (same socket peer) is not affected.
    assert_eq!(
        TestApp::send(from("203.0.113.2")).await.status(),
        StatusCode::OK
    );
}
