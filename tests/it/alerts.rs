//! Service alerts end to end: GTFS-Realtime Alerts pushed to (or polled by) the real server,
//! then read back from `/api/v1/alerts`, the departure board, signage and the display page.

use std::time::Duration;

use api_types::{Alert, AlertsResponse, DeparturesResponse, ErrorBody, SignageBoard};
use axum::http::{StatusCode, header};
use backend::clock::Clock;
use backend::config::{Config, FeedConfig, RealtimeConfig, RealtimeKind};
use backend::schedule::FeedId;
use backend::server::Application;
use gtfs_rt::translated_string::Translation;
use gtfs_rt::{
    Alert as RtAlert, EntitySelector, FeedEntity, FeedHeader, FeedMessage, Message as _, TimeRange,
    TranslatedString, TripDescriptor, alert, feed_header,
};

use crate::support::{fixture, http_client, repo_root, run, test_config};

/// 2026-11-23 07:50 in Binh Duong: LOOP-1 leaves L1 at 08:00 and calls at L2 at 08:05.
const NOW: i64 = 1_795_395_000;
const DEADLINE: Duration = Duration::from_secs(60);
const TOKEN: &str = "alert-token";

struct App {
    base: String,
    client: reqwest::Client,
    _server: crate::support::Running,
    _dirs: tempfile::TempDir,
}

impl App {
    async fn start(
        feed: FeedConfig,
        realtime: Vec<RealtimeConfig>,
        simulate: bool,
        now: i64,
    ) -> App {
        let dirs = tempfile::tempdir().expect("temp dir");
        let config = Config {
            realtime,
            simulate,
            ..test_config(&dirs, vec![feed])
        };
        let clock = Clock::fixed(jiff::Timestamp::from_second(now).expect("instant"));
        let app = Application::build(&config, clock)
            .await
            .expect("the server starts");
        let server = run(app);
        App {
            base: server.base.clone(),
            client: http_client(),
            _server: server,
            _dirs: dirs,
        }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("the server answers")
    }

    async fn json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.json().await.expect("JSON")
    }

    async fn alerts(&self, path: &str) -> Vec<Alert> {
        self.json::<AlertsResponse>(path).await.alerts
    }
}

fn texts(pairs: &[(&str, &str)]) -> Option<TranslatedString> {
    Some(TranslatedString {
        translation: pairs
            .iter()
            .map(|(lang, text)| Translation {
                text: (*text).to_owned(),
                language: Some((*lang).to_owned()),
            })
            .collect(),
    })
}

fn period(start: i64, end: i64) -> TimeRange {
    TimeRange {
        start: Some(start as u64),
        end: Some(end as u64),
    }
}

fn entity(id: &str, alert: RtAlert) -> FeedEntity {
    FeedEntity {
        id: id.into(),
        alert: Some(alert),
        ..Default::default()
    }
}

fn at_stop(stop: &str) -> Vec<EntitySelector> {
    vec![EntitySelector {
        stop_id: Some(stop.into()),
        ..Default::default()
    }]
}

/// Five alerts against the `loop-route` fixture, seen at [`NOW`].
fn message() -> Vec<u8> {
    FeedMessage {
        header: FeedHeader {
            gtfs_realtime_version: "2.0".into(),
            incrementality: Some(feed_header::Incrementality::FullDataset as i32),
            timestamp: Some(NOW as u64),
            ..Default::default()
        },
        entity: vec![
            // Active now at L2, in three languages.
            entity(
                "moved",
                RtAlert {
                    active_period: vec![period(NOW - 3600, NOW + 3600)],
                    informed_entity: at_stop("L2"),
                    cause: Some(alert::Cause::Construction as i32),
                    effect: Some(alert::Effect::StopMoved as i32),
                    severity_level: Some(alert::SeverityLevel::Warning as i32),
                    header_text: texts(&[
                        ("vi", "Điểm dừng tạm dời"),
                        ("en", "Stop moved <50 m>"),
                        ("ja", "停留所移設"),
                    ]),
                    description_text: texts(&[("en", "Board across the road.")]),
                    ..Default::default()
                },
            ),
            // One trip, no period: always.
            entity(
                "trip",
                RtAlert {
                    informed_entity: vec![EntitySelector {
                        trip: Some(TripDescriptor {
                            trip_id: Some("LOOP-1".into()),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }],
                    effect: Some(alert::Effect::Detour as i32),
                    severity_level: Some(alert::SeverityLevel::Severe as i32),
                    header_text: texts(&[
                        ("vi", "Chuyến 08:00 đi đường vòng"),
                        ("en", "08:00 trip detours"),
                    ]),
                    ..Default::default()
                },
            ),
            // The route, from half an hour from now.
            entity(
                "later",
                RtAlert {
                    active_period: vec![period(NOW + 1800, NOW + 5400)],
                    informed_entity: vec![EntitySelector {
                        route_id: Some("LOOP".into()),
                        ..Default::default()
                    }],
                    severity_level: Some(alert::SeverityLevel::Info as i32),
                    header_text: texts(&[("en", "Later today")]),
                    ..Default::default()
                },
            ),
            // Over a minute ago.
            entity(
                "over",
                RtAlert {
                    active_period: vec![period(NOW - 3600, NOW - 60)],
                    informed_entity: at_stop("L2"),
                    header_text: texts(&[("en", "Over")]),
                    ..Default::default()
                },
            ),
            // Another stop.
            entity(
                "elsewhere",
                RtAlert {
                    informed_entity: at_stop("L4"),
                    header_text: texts(&[("en", "Elsewhere")]),
                    ..Default::default()
                },
            ),
        ],
    }
    .encode_to_vec()
}

fn ids(alerts: &[Alert]) -> Vec<&str> {
    alerts.iter().map(|a| a.id.as_str()).collect()
}

#[tokio::test]
async fn pushed_alerts_reach_the_list_boards_signs_and_display() {
    let feed = FeedConfig {
        id: FeedId::new("loop").expect("id"),
        gtfs: fixture("loop-route"),
    };
    let source = RealtimeConfig {
        id: "alerts".into(),
        feed: feed.id.clone(),
        kind: RealtimeKind::Alerts,
        url: None,
        token: Some(TOKEN.into()),
        headers: Vec::new(),
        interval: Duration::from_secs(30),
        timeout: Duration::from_secs(5),
    };
    let app = App::start(feed, vec![source], false, NOW).await;
    assert!(app.alerts("/api/v1/alerts").await.is_empty());

    let pushed = app
        .client
        .post(format!("{}/api/v1/realtime/alerts", app.base))
        .bearer_auth(TOKEN)
        .header(header::CONTENT_TYPE, "application/x-protobuf")
        .body(message())
        .send()
        .await
        .expect("push");
    assert_eq!(pushed.status(), StatusCode::OK);
    let started = std::time::Instant::now();
    let all = loop {
        let all = app.alerts("/api/v1/alerts?lang=en").await;
        if !all.is_empty() {
            break all;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "the pushed alerts never showed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    // Active now only, most severe first; the expired and the future ones are not listed.
    assert_eq!(
        ids(&all),
        [
            "loop:alerts/trip",
            "loop:alerts/moved",
            "loop:alerts/elsewhere"
        ]
    );
    let moved = &all[1];
    assert_eq!(moved.header, "Stop moved <50 m>");
    assert_eq!(moved.description.as_deref(), Some("Board across the road."));
    assert_eq!(
        (
            moved.cause.as_str(),
            moved.effect.as_str(),
            moved.severity.as_str()
        ),
        ("construction", "stop_moved", "warning")
    );
    assert_eq!(moved.stops, ["loop:L2"]);
    assert!(moved.active);
    assert_eq!(
        moved.active_periods[0].start.as_deref(),
        Some("2026-11-23T06:50:00+07:00")
    );
    // A trip's alert names its route as well.
    assert_eq!(all[0].trips, ["loop:LOOP-1"]);
    assert_eq!(all[0].routes, ["loop:LOOP"]);

    // Languages: ?lang=, Accept-Language, and a fallback when the agency gave no such text.
    let ja = app.alerts("/api/v1/alerts?lang=ja").await;
    assert_eq!(ja[1].header, "停留所移設");
    assert_eq!(
        ja[0].header, "Chuyến 08:00 đi đường vòng",
        "no Japanese: the first text"
    );
    let vi: Vec<Alert> = app
        .client
        .get(format!("{}/api/v1/alerts", app.base))
        .header(header::ACCEPT_LANGUAGE, "vi-VN,vi;q=0.9")
        .send()
        .await
        .expect("answer")
        .json::<AlertsResponse>()
        .await
        .expect("JSON")
        .alerts;
    assert_eq!(vi[1].header, "Điểm dừng tạm dời");

    // Filters: a stop's list has what names it or a route or trip serving it.
    assert_eq!(
        ids(&app.alerts("/api/v1/alerts?stop=loop:L4").await),
        ["loop:alerts/trip", "loop:alerts/elsewhere"]
    );
    assert_eq!(app.alerts("/api/v1/alerts?route=loop:LOOP").await.len(), 3);
    for (path, code) in [
        ("/api/v1/alerts?route=loop:NOPE", "route_not_found"),
        ("/api/v1/alerts?stop=loop:NOPE", "stop_not_found"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body: ErrorBody = response.json().await.expect("JSON error");
        assert_eq!(body.error, code);
    }

    // The board of L2: its stop's alert, the alert of the trip on it, and the route's alert
    // that starts within the window (not active yet); not the other stop's, not the old one.
    let board: DeparturesResponse = app
        .json("/api/v1/stops/loop:L2/departures?lang=en&minutes=60")
        .await;
    assert_eq!(board.departures.len(), 1, "{board:#?}");
    assert_eq!(
        ids(&board.alerts),
        ["loop:alerts/trip", "loop:alerts/moved", "loop:alerts/later"]
    );
    assert_eq!(
        board.alerts.iter().map(|a| a.active).collect::<Vec<_>>(),
        [true, true, false]
    );
    // Outside the trip's time, L2's board has no trip on it: only the stop's alert.
    let late: DeparturesResponse = app
        .json("/api/v1/stops/loop:L2/departures?from=2026-11-23T09:00:00%2B07:00&minutes=10")
        .await;
    assert_eq!(ids(&late.alerts), ["loop:alerts/moved"]);

    // Signs: headlines of the active ones; the text board lists them after the departures.
    let sign: SignageBoard = app.json("/api/v1/signage/loop:L2.json?lang=en").await;
    assert_eq!(sign.alerts, ["08:00 trip detours", "Stop moved <50 m>"]);
    let text = app
        .get("/api/v1/signage/loop:L2.txt?lang=en&width=24")
        .await
        .text()
        .await
        .expect("text");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[lines.len() - 2..],
        [
            format!("{:<24}", "! 08:00 trip detours"),
            format!("{:<24}", "! Stop moved <50 m>")
        ]
    );

    // The display page shows them, escaped.
    let html = app
        .get("/display/loop:L2?lang=en")
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("Stop moved &lt;50 m&gt;"), "{html}");
    assert!(!html.contains("Elsewhere"), "{html}");
    let l1 = app
        .get("/display/loop:L1?lang=en")
        .await
        .text()
        .await
        .expect("html");
    assert!(
        l1.contains("08:00 trip detours") && !l1.contains("Stop moved"),
        "{l1}"
    );
}

#[tokio::test]
async fn the_simulator_announces_rush_hour_delays_and_a_moved_stop() {
    let feed = FeedConfig {
        id: FeedId::new("binh-duong").expect("id"),
        gtfs: repo_root().join("feeds/binh-duong"),
    };
    // 17:00 local: the evening peak.
    let now = crate::support::at("2026-11-23T17:00:00+07:00");
    let app = App::start(feed, Vec::new(), true, now).await;
    let started = std::time::Instant::now();
    let alerts = loop {
        let alerts = app.alerts("/api/v1/alerts?lang=ja").await;
        if alerts.len() == 2 {
            break alerts;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "the simulator's alerts never showed: {alerts:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let effects: Vec<&str> = alerts.iter().map(|a| a.effect.as_str()).collect();
    assert_eq!(effects, ["significant_delays", "stop_moved"]);
    assert!(alerts[0].header.contains("系統"), "{alerts:#?}");
    assert_eq!(alerts[0].routes.len(), 1);
    assert!(
        alerts[0]
            .description
            .as_deref()
            .is_some_and(|d| d.contains("デモ"))
    );
    // The moved stop's board carries its alert.
    let stop = &alerts[1].stops[0];
    let board: DeparturesResponse = app
        .json(&format!("/api/v1/stops/{stop}/departures?lang=en"))
        .await;
    assert!(
        board
            .alerts
            .iter()
            .any(|a| a.effect == "stop_moved" && a.header.contains("road works")),
        "{:#?}",
        board.alerts
    );
}
