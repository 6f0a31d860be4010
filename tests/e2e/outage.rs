//! Failures to put a display or a board through, on loopback only: the real `backend`
//! executable killed (SIGKILL) and started again on the same port ([`Served`]), a network cut
//! where packets vanish and connections hang ([`Proxy`]), a realtime feed that falls silent
//! while the server's clock moves on ([`JumpClock`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use backend::clock::Clock;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::{MONDAY_MORNING, free_port, support};

/// A `backend serve` process with the sample network and its simulated buses, as a display
/// would find it on a real server.
pub struct Served {
    pub port: u16,
    child: Option<tokio::process::Child>,
    data_dir: PathBuf,
    started: Instant,
}

impl Served {
    /// Starts it on a free port, its data in `data_dir`, and waits until it answers.
    pub async fn start(data_dir: &Path) -> Served {
        let mut served = Served {
            port: free_port(),
            child: None,
            data_dir: data_dir.to_path_buf(),
            started: Instant::now(),
        };
        served.restart().await;
        served
    }

    /// Kills it as the kernel would (SIGKILL: no shutdown, connections dropped).
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.expect("the server is killed");
        }
    }

    /// Starts it again on the same port, its clock where it would be had it kept running.
    pub async fn restart(&mut self) {
        let start: jiff::Timestamp = MONDAY_MORNING.parse().expect("valid instant");
        let elapsed = jiff::SignedDuration::try_from(self.started.elapsed()).expect("duration");
        let clock = start.checked_add(elapsed).expect("instant");
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_backend"))
            .arg("serve")
            .arg(format!("--listen=127.0.0.1:{}", self.port))
            .arg(format!("--data-dir={}", self.data_dir.display()))
            .arg(format!(
                "--site-dir={}",
                crate::target_dir().join("site").display()
            ))
            .arg(format!(
                "--gtfs=binh-duong={}",
                support::repo_root().join("feeds/binh-duong").display()
            ))
            .arg("--simulate")
            .arg(format!("--clock-start={clock}"))
            .arg("--rate-limit=0")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(log_file(&self.data_dir.join("server.log")))
            .kill_on_drop(true)
            .spawn()
            .expect("the backend executable starts");
        self.child = Some(child);
        let health = format!("http://127.0.0.1:{}/health", self.port);
        let http = support::http_client();
        let started = Instant::now();
        while !http
            .get(&health)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            assert!(
                started.elapsed() < Duration::from_secs(90),
                "the server did not answer {health} within 90 s"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// The server's log, appended to across restarts (kept with the journey's temp dir).
fn log_file(path: &Path) -> std::process::Stdio {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_or_else(|_| std::process::Stdio::null(), std::process::Stdio::from)
}

/// What the proxy does with traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Forwards every connection.
    Up,
    /// A network cut: connections are accepted and then nothing, ever (requests hang until
    /// the client gives up); connections open when the cut comes are dropped.
    Cut,
}

/// A TCP proxy on loopback in front of `upstream`, which a test cuts and mends.
pub struct Proxy {
    pub port: u16,
    link: watch::Sender<Link>,
}

impl Proxy {
    pub async fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy port");
        let port = listener.local_addr().expect("address").port();
        let (link, watching) = watch::channel(Link::Up);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let mut watching = watching.clone();
                tokio::spawn(async move {
                    let mut client = client;
                    if *watching.borrow_and_update() == Link::Cut {
                        // Held open, never answered, until the link comes back.
                        let _ = watching.wait_for(|l| *l == Link::Up).await;
                        return;
                    }
                    let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = watching.wait_for(|l| *l == Link::Cut) => {}
                    }
                });
            }
        });
        Proxy { port, link }
    }

    pub fn set(&self, link: Link) {
        self.link.send_replace(link);
    }
}

/// A clock running at real speed from Monday morning that a test moves forward at once.
#[derive(Clone)]
pub struct JumpClock {
    ahead_s: Arc<AtomicI64>,
}

impl JumpClock {
    pub fn new() -> (JumpClock, Clock) {
        let ahead_s = Arc::new(AtomicI64::new(0));
        let start: jiff::Timestamp = MONDAY_MORNING.parse().expect("valid instant");
        let started = Instant::now();
        let ahead = ahead_s.clone();
        let clock = Clock::from_fn(move || {
            let run = jiff::SignedDuration::try_from(started.elapsed()).unwrap_or_default()
                + jiff::SignedDuration::from_secs(ahead.load(Ordering::Relaxed));
            start.saturating_add(run).unwrap_or(start)
        });
        (JumpClock { ahead_s }, clock)
    }

    pub fn jump(&self, secs: i64) {
        self.ahead_s.fetch_add(secs, Ordering::Relaxed);
    }
}
