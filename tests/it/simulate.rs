//! The GTFS-Realtime simulator over real HTTP: in-process (`simulate::spawn`, as the server
//! runs it) and as the `backend simulate` executable. Feeds decode with `gtfs_rt`; ETags give
//! `304 Not Modified`.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use backend::clock::Clock;
use backend::feed::{self, Source};
use backend::schedule::{FeedId, Schedule};
use backend::simulate;
use gtfs_rt::{FeedMessage, Message as _, trip_descriptor};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{at, repo_root, today};

/// Monday 2026-11-23 08:00 in Binh Duong: weekday morning peak.
const MONDAY_8AM: &str = "2026-11-23T08:00:00+07:00";

/// reqwest is built without a default TLS provider; the server installs ring at start-up.
fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn sample() -> Arc<Schedule> {
    install_tls_provider();
    let loaded = feed::load(
        Source::Path(&repo_root().join("feeds/binh-duong")),
        FeedId::new("binh-duong").expect("valid id"),
        today(),
    )
    .expect("the sample feed loads");
    Arc::new(loaded.schedule)
}

/// Starts a simulator of `schedule` on port 0, its clock stopped at `now`; returns its base URL.
async fn spawn(schedule: Arc<Schedule>, now: &str) -> String {
    let clock = Clock::fixed(now.parse().expect("instant"));
    let (address, _) = simulate::spawn(schedule, 7, "127.0.0.1:0".parse().expect("addr"), clock)
        .await
        .expect("the simulator starts");
    format!("http://{address}")
}

async fn decode(response: reqwest::Response) -> FeedMessage {
    let bytes = response.bytes().await.expect("body");
    FeedMessage::decode(bytes.as_ref()).expect("a GTFS-Realtime FeedMessage")
}

#[tokio::test]
async fn the_spawned_simulator_serves_vehicle_positions_with_etags() {
    let base = spawn(sample(), MONDAY_8AM).await;
    let client = reqwest::Client::new();
    let url = format!("{base}/vehicle-positions.pb");

    let response = client.get(&url).send().await.expect("reachable");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[CONTENT_TYPE].to_str().ok(),
        Some("application/x-protobuf")
    );
    let etag = response.headers()[ETAG].clone();
    let message = decode(response).await;
    assert_eq!(message.header.gtfs_realtime_version, "2.0");
    assert_eq!(message.header.timestamp, Some(at(MONDAY_8AM) as u64));
    assert!(message.entity.len() > 40, "{}", message.entity.len());
    let with_trip = message
        .entity
        .iter()
        .filter(|e| {
            e.vehicle
                .as_ref()
                .and_then(|v| v.trip.as_ref())
                .is_some_and(|t| t.trip_id.is_some())
        })
        .count();
    assert!(with_trip * 10 > message.entity.len() * 8);
    for e in &message.entity {
        let v = e.vehicle.as_ref().expect("vehicle positions only");
        assert!(v.position.is_some() && v.vehicle.is_some(), "{}", e.id);
        assert!(v.timestamp.is_some_and(|t| t <= at(MONDAY_8AM) as u64));
    }

    // Same tick, same bytes: the poller's conditional request is answered 304.
    let again = client
        .get(&url)
        .header(IF_NONE_MATCH, etag.clone())
        .send()
        .await
        .expect("reachable");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[ETAG], etag);

    let json: serde_json::Value = client
        .get(format!("{url}?format=json"))
        .send()
        .await
        .expect("reachable")
        .json()
        .await
        .expect("JSON");
    assert_eq!(json["header"]["incrementality"], "FULL_DATASET");
    assert_eq!(
        json["entity"].as_array().map(Vec::len),
        Some(message.entity.len())
    );

    let bad = client
        .get(format!("{url}?format=xml"))
        .send()
        .await
        .expect("reachable");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_spawned_simulator_announces_cancelled_trips() {
    // Seed 7 cancels some trips of the day; over the day, the trip updates feed shows them.
    let schedule = sample();
    let mut cancelled = 0;
    for hour in [6, 9, 12, 15, 18] {
        let base = spawn(
            schedule.clone(),
            &format!("2026-11-23T{hour:02}:00:00+07:00"),
        )
        .await;
        let message = decode(
            reqwest::get(format!("{base}/trip-updates.pb"))
                .await
                .expect("reachable"),
        )
        .await;
        for e in &message.entity {
            let update = e.trip_update.as_ref().expect("trip updates only");
            assert_eq!(
                update.trip.schedule_relationship,
                Some(trip_descriptor::ScheduleRelationship::Canceled as i32)
            );
            assert_eq!(update.trip.start_date.as_deref(), Some("20261123"));
            assert!(update.trip.trip_id.is_some());
        }
        cancelled += message.entity.len();
    }
    assert!(cancelled > 0);
}

#[tokio::test]
async fn backend_simulate_runs_alone_and_prints_its_urls() {
    install_tls_provider();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_backend"))
        .current_dir(repo_root())
        .args([
            "simulate",
            "--gtfs",
            "feeds/binh-duong",
            "--listen",
            "127.0.0.1:0",
            "--seed",
            "3",
        ])
        .env_remove("RTPI_LOG")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("piped");
    let mut lines = BufReader::new(stdout).lines();
    let url = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.expect("reads stdout") {
            if let Some(url) = line.strip_prefix("vehicle positions: ") {
                return url.trim().to_owned();
            }
        }
        panic!("backend simulate exited before printing its URLs");
    })
    .await
    .expect("the simulator starts within a minute");
    assert!(url.ends_with("/vehicle-positions.pb"), "{url}");

    let response = reqwest::get(&url).await.expect("reachable");
    assert_eq!(response.status(), StatusCode::OK);
    let message = decode(response).await;
    assert_eq!(message.header.gtfs_realtime_version, "2.0");
    let trip_updates = reqwest::get(url.replace("vehicle-positions", "trip-updates"))
        .await
        .expect("reachable");
    assert_eq!(trip_updates.status(), StatusCode::OK);
    child.kill().await.expect("stops");
}
