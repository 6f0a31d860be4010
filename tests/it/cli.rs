//! The real `backend` executable: `validate` exit codes and output, and `serve` started as a
//! process (configuration file, environment, SIGTERM shutdown).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use api_types::{Health, ValidationReport};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::repo_root;

pub(crate) fn backend() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_backend"));
    c.current_dir(repo_root())
        .env_remove("RUST_LOG")
        .env_remove("RTPI_LOG");
    for var in [
        "RTPI_CONFIG",
        "RTPI_LISTEN",
        "RTPI_DATA_DIR",
        "RTPI_SITE_DIR",
        "RTPI_GTFS",
        "RTPI_REALTIME",
        "RTPI_SIMULATE",
    ] {
        c.env_remove(var);
    }
    c
}

fn sample_feed() -> PathBuf {
    repo_root().join("feeds/binh-duong")
}

/// A copy of the sample feed in a temp dir, with `extra` appended to `file`.
fn broken_copy(file: &str, extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(sample_feed()).expect("sample feed") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "txt") {
            std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
        }
    }
    let target = dir.path().join(file);
    let mut text = std::fs::read_to_string(&target).expect("read");
    text.push_str(extra);
    std::fs::write(&target, text).expect("write");
    dir
}

fn line_count(path: &Path) -> usize {
    std::fs::read_to_string(path).expect("read").lines().count()
}

#[test]
fn validate_accepts_the_sample_network() {
    let out = backend()
        .args(["validate", "feeds/binh-duong", "--today", "2026-11-23"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("binh-duong: 0 error(s), 0 warning(s)"),
        "{stdout}"
    );
    assert!(stdout.contains("valid: the feed can be served"), "{stdout}");
}

#[test]
fn validate_reports_a_broken_reference_with_file_line_and_fix_and_exits_1() {
    let dir = broken_copy(
        "stop_times.txt",
        "51_WD_0_0500,23:59:00,23:59:00,NO_SUCH_STOP,99,0,0,0,\n",
    );
    let line = line_count(&dir.path().join("stop_times.txt"));
    let out = backend()
        .arg("validate")
        .arg(dir.path())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "error[unknown_stop_id] stop_times.txt:{line}: stop_id \"NO_SUCH_STOP\""
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("fix: Correct the stop_id or add the stop to stops.txt."),
        "{stdout}"
    );
    assert!(stdout.contains("INVALID"), "{stdout}");
}

#[test]
fn validate_json_is_the_report_type() {
    let out = backend()
        .args([
            "validate",
            "--json",
            "--today",
            "2026-11-23",
            "--feed-id",
            "bd",
        ])
        .arg(sample_feed())
        .output()
        .expect("runs");
    assert!(out.status.success());
    let report: ValidationReport = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert!(report.valid);
    assert_eq!(report.feed_id, "bd");
    assert_eq!(report.summary.routes, 6);
    assert_eq!(report.summary.frequencies, 18);
    assert_eq!(
        report.summary.last_service_date.as_deref(),
        Some("2030-12-31")
    );
}

#[test]
fn validate_a_missing_path_says_so() {
    let out = backend()
        .args(["validate", "no/such/feed.zip"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.contains("error[feed_not_found]"), "{stdout}");
    assert!(stdout.contains("no/such/feed.zip"), "{stdout}");
}

#[test]
fn serve_refuses_to_start_with_a_broken_feed_and_shows_the_report() {
    let dir = broken_copy("trips.txt", "NO_ROUTE,WD,extra_trip,X,0,,,1\n");
    let data = tempfile::tempdir().expect("temp dir");
    let out = backend()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .arg("--data-dir")
        .arg(data.path())
        .arg("--gtfs")
        .arg(format!("bd={}", dir.path().display()))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("feed bd"), "{stderr}");
    assert!(
        stderr.contains("error[unknown_route_id] trips.txt:"),
        "{stderr}"
    );
}

/// Starts `backend` with `args` and `env`, waits for its "listening on" log line.
pub(crate) async fn start(
    args: &[&str],
    env: &[(&str, String)],
) -> (tokio::process::Child, String) {
    let mut cmd = tokio::process::Command::from(backend());
    cmd.args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().expect("starts");
    let stderr = child.stderr.take().expect("piped");
    let mut lines = BufReader::new(stderr).lines();
    let address = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.expect("reads stderr") {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                return rest.trim().to_owned();
            }
        }
        panic!("the server exited before listening");
    })
    .await
    .expect("the server starts within a minute");
    // Keep draining stderr so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, address)
}

#[tokio::test]
async fn serve_reads_a_config_file_and_the_environment_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("rtpi.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:9\"\ndata_dir = \"state\"\n\n[[feeds]]\nid = \"demo\"\ngtfs = \"{}\"\n",
            sample_feed().display()
        ),
    )
    .expect("write config");
    // The environment overrides the file's (unusable) port.
    let (mut child, address) = start(
        &["serve"],
        &[
            ("RTPI_CONFIG", config.display().to_string()),
            ("RTPI_LISTEN", "127.0.0.1:0".to_owned()),
        ],
    )
    .await;
    let health: Health = crate::support::http_client()
        .get(format!("http://{address}/health"))
        .send()
        .await
        .expect("reachable")
        .json()
        .await
        .expect("health JSON");
    assert_eq!(health.feeds.len(), 1);
    assert_eq!(health.feeds[0].feed_id, "demo");
    // data_dir is relative to the config file, and created.
    assert!(dir.path().join("state").is_dir());

    let pid = child.id().expect("running");
    let killed = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("shuts down within 10 s")
        .expect("exit status");
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

/// The one-command demo: `backend serve` with nothing configured serves the sample network and
/// its simulated buses, polled over HTTP like a real AVL feed.
#[tokio::test]
async fn serve_with_the_sample_network_polls_its_simulated_vehicles() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let (_child, address) = start(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            &data.display().to_string(),
        ],
        &[],
    )
    .await;
    let client = crate::support::http_client();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let health: Health = client
            .get(format!("http://{address}/health"))
            .send()
            .await
            .expect("reachable")
            .json()
            .await
            .expect("health JSON");
        let sources: Vec<_> = health
            .realtime
            .iter()
            .filter(|s| s.source_id.starts_with("simulator-binh-duong"))
            .collect();
        assert_eq!(
            sources.len(),
            3,
            "vehicle positions, trip updates and alerts: {:?}",
            health.realtime
        );
        if sources
            .iter()
            .all(|s| s.messages > 0 && s.last_error.is_none())
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "simulator not polled: {sources:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Its feed is served back as GTFS-Realtime, whatever the hour (at night it may be empty).
    let vp = client
        .get(format!("http://{address}/gtfs-rt/vehicle-positions.pb"))
        .send()
        .await
        .expect("reachable");
    assert!(vp.status().is_success());
    let bytes = vp.bytes().await.expect("body");
    let message =
        <gtfs_rt::FeedMessage as gtfs_rt::Message>::decode(bytes.as_ref()).expect("protobuf");
    assert!(message.header.timestamp.is_some_and(|t| t > 0));
    assert!(
        data.join(backend::store::FILE_NAME).is_file(),
        "the database is created"
    );
}

/// `--oba-key` (beating `RTPI_OBA_KEYS`) replaces the development key, and `--clock-start`
/// runs the server's clock from the given instant.
#[tokio::test]
async fn serve_takes_oba_keys_and_a_clock_start_from_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_child, address) = start(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            &dir.path().join("data").display().to_string(),
            "--simulate",
            "false",
            "--oba-key",
            "k1",
            "--oba-key",
            "k2",
            "--clock-start",
            "2026-11-23T07:40:00+07:00",
        ],
        &[("RTPI_OBA_KEYS", "from-env".to_owned())],
    )
    .await;
    let client = crate::support::http_client();
    for (key, status) in [("TEST", 401), ("from-env", 401), ("k1", 200), ("k2", 200)] {
        let response = client
            .get(format!(
                "http://{address}/api/where/current-time.json?key={key}"
            ))
            .send()
            .await
            .expect("reachable");
        assert_eq!(response.status().as_u16(), status, "key {key}");
        if status == 200 {
            let body: serde_json::Value = response.json().await.expect("JSON");
            let start = crate::support::at("2026-11-23T07:40:00+07:00") * 1000;
            let time = body["data"]["entry"]["time"].as_i64().expect("time");
            assert!(
                (start..start + 60_000).contains(&time),
                "{time} runs from {start}"
            );
        }
    }
}
