//! End-to-end journeys of the web app in a real headless Chromium, driven over WebDriver
//! (chromedriver) against the real server: the sample network, simulated vehicles, a clock
//! running from a weekday morning, and the real browser bundle that `.ci/build-web` built
//! into `target/site`. Each journey saves a screenshot under `target/e2e/` for review.
//!
//! Run by `make test` (`cargo test --test e2e`), not by a plain `cargo test`: it needs Debian's
//! `chromium` and `chromium-driver` (installed by `.ci/setup`) and the bundle (`make web`).
//! When either is missing the tests fail and say so; they never pass silently.

#[allow(dead_code)]
#[path = "../it/support.rs"]
mod support;

// Operator console
mod console;
mod rider;
// Route pages and maps.
mod route;
// Stop display setup, accessibility, near me, page figures
mod access;
mod cdp;
mod display;
mod figures;
mod near;
// Stations and bays, stop displays through failures, one truth about staleness
mod bays;
mod outage;
mod signs;
mod stale;
// Issue 12: real feeds (headsign fallback, default colours, site name, loops) on a phone.
mod real_feeds;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use backend::clock::Clock;
use backend::config::FeedConfig;
use backend::schedule::FeedId;
use backend::server::Application;
use fantoccini::{Client, ClientBuilder, Locator};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A weekday morning in Binh Duong: buses on every route. The clock runs from here.
const MONDAY_MORNING: &str = "2026-11-23T07:40:00+07:00";

/// A phone's window (CSS px), and a desktop's (operator console).
const PHONE: (u32, u32) = (412, 915);
const DESKTOP: (u32, u32) = (1100, 1000);

/// How long a page may take to show what a journey waits for (a debug server on a shared
/// 2-core machine, a wasm bundle to compile).
const PATIENCE: Duration = Duration::from_secs(30);

/// The colour scheme the browser prefers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Dark = 0,
    Light = 1,
}

/// One journey's world: the server, a chromedriver and a browser session.
pub struct Journey {
    pub browser: Client,
    pub base: String,
    name: &'static str,
    /// `None` for a journey against a server it does not own ([`Journey::against`]).
    _server: Option<support::Running>,
    _driver: tokio::process::Child,
    _dirs: tempfile::TempDir,
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|d| {
            if d.is_absolute() {
                d
            } else {
                support::repo_root().join(d)
            }
        })
        .unwrap_or_else(|| support::repo_root().join("target"))
}

fn require(path: &Path, what: &str, fix: &str) {
    assert!(
        path.exists(),
        "e2e: {} is missing ({what}); {fix}",
        path.display()
    );
}

/// A free loopback port for chromedriver (which cannot be given port 0).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// chromedriver on a free port and a headless Chromium session through it (profile in
/// `profile`); for journeys that run their own server (stop displays through a server kill).
pub async fn start_browser(
    profile: &Path,
    scheme: Scheme,
    (width, height): (u32, u32),
) -> (Client, tokio::process::Child) {
    let fix = "run .ci/setup as root (it installs Debian's chromium and chromium-driver)";
    require(Path::new(CHROMIUM), "the browser", fix);
    require(Path::new(CHROMEDRIVER), "the WebDriver server", fix);
    let port = free_port();
    let driver = tokio::process::Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("e2e: cannot start {CHROMEDRIVER}: {e}"));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                // A Vietnamese rider's phone: the app's default language is asked for.
                "--lang=vi", "--accept-lang=vi",
                format!("--window-size={width},{height}"),
                // Blink's preferredColorScheme: 0 dark, 1 light.
                format!("--blink-settings=preferredColorScheme={}", scheme as u8),
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let browser = loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => break client,
            Err(e) if started.elapsed() > PATIENCE => {
                panic!("e2e: no browser session from chromedriver at {url}: {e}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    };
    (browser, driver)
}

impl Journey {
    /// Starts everything; `name` names the screenshots.
    pub async fn start(name: &'static str) -> Journey {
        Journey::start_with(name, Scheme::Light).await
    }

    /// [`Journey::start`] with the browser's colour scheme set (`prefers-color-scheme`).
    pub async fn start_with(name: &'static str, scheme: Scheme) -> Journey {
        Journey::launch(name, scheme, PHONE, |_| {}).await
    }

    /// Operator console: [`Journey::start`] in a desktop-sized window, with one operator account
    /// per `(name, feed)` in the server's store (as `backend operator add` makes them); their
    /// tokens, in order.
    pub async fn start_as_operators(
        name: &'static str,
        accounts: &[(&str, &str)],
    ) -> (Journey, Vec<String>) {
        let mut tokens = Vec::new();
        let journey = Journey::launch(name, Scheme::Light, DESKTOP, |dirs| {
            tokens = accounts
                .iter()
                .map(|(who, feed)| support::add_operator(dirs, who, &[feed], false))
                .collect();
        })
        .await;
        (journey, tokens)
    }

    /// [`Journey::start`] serving the fixtures `names` (`tests/fixtures/gtfs/`, feed id = name)
    /// instead of the sample network.
    pub async fn start_with_fixtures(name: &'static str, names: &[&str]) -> Journey {
        let feeds = names
            .iter()
            .map(|n| FeedConfig {
                id: FeedId::new(n).expect("valid id"),
                gtfs: support::fixture(n),
            })
            .collect();
        Journey::launch_with(name, Scheme::Light, PHONE, feeds, |_| {}).await
    }

    /// Starts everything: `prepare` runs on the server's directories before it starts.
    async fn launch(
        name: &'static str,
        scheme: Scheme,
        size: (u32, u32),
        prepare: impl FnOnce(&tempfile::TempDir),
    ) -> Journey {
        let sample = vec![FeedConfig {
            id: FeedId::new("binh-duong").expect("valid id"),
            gtfs: support::repo_root().join("feeds/binh-duong"),
        }];
        Journey::launch_with(name, scheme, size, sample, prepare).await
    }

    /// [`Journey::launch`] with `feeds`.
    async fn launch_with(
        name: &'static str,
        scheme: Scheme,
        (width, height): (u32, u32),
        feeds: Vec<FeedConfig>,
        prepare: impl FnOnce(&tempfile::TempDir),
    ) -> Journey {
        let site = target_dir().join("site");
        let wasm = site.join("pkg/frontend_bg.wasm");
        require(
            &wasm,
            "the web app's bundle",
            "build it with `make web` (.ci/build-web)",
        );
        let wasm_len = std::fs::metadata(&wasm).map(|m| m.len()).unwrap_or(0);
        assert!(
            wasm_len > 10_000,
            "e2e: {} is not a real bundle; run `make web`",
            wasm.display()
        );

        let dirs = tempfile::tempdir().expect("temp dir");
        prepare(&dirs);
        let mut config = support::test_config(&dirs, feeds);
        config.site_dir = site;
        config.simulate = true;
        let clock = Clock::starting_at(MONDAY_MORNING.parse().expect("valid instant"));
        let app = Application::build(&config, clock)
            .await
            .expect("the server starts");
        let server = support::run(app);

        let profile = dirs.path().join("chromium-profile");
        let (browser, driver) = start_browser(&profile, scheme, (width, height)).await;
        Journey {
            browser,
            base: server.base.clone(),
            name,
            _server: Some(server),
            _driver: driver,
            _dirs: dirs,
        }
    }

    /// A journey in a `size` window against a server it does not own, at `base` (which the
    /// journey kills, restarts or cuts off: stop displays through failures).
    pub async fn against(name: &'static str, base: String, size: (u32, u32)) -> Journey {
        let dirs = tempfile::tempdir().expect("temp dir");
        let profile = dirs.path().join("chromium-profile");
        let (browser, driver) = start_browser(&profile, Scheme::Light, size).await;
        Journey {
            browser,
            base,
            name,
            _server: None,
            _driver: driver,
            _dirs: dirs,
        }
    }

    /// Opens `path` and waits until the bundle has hydrated the page.
    pub async fn open(&self, path: &str) {
        self.browser
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
        self.wait_for("main[data-hydrated]").await;
    }

    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.browser
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
    }

    /// Waits for `css` and clicks it.
    pub async fn click(&self, css: &str) {
        self.wait_for(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// The text of `css` now, if it is there (for [`Journey::eventually`] checks).
    pub async fn text_now(&self, css: &str) -> Option<String> {
        self.browser
            .find(Locator::Css(css))
            .await
            .ok()?
            .text()
            .await
            .ok()
    }

    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css).await.text().await.unwrap_or_default()
    }

    /// Polls `check` until it gives a value, for at most `within`.
    pub async fn eventually<T, F, Fut>(&self, what: &str, within: Duration, mut check: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Option<T>>,
    {
        let started = Instant::now();
        loop {
            if let Some(found) = check().await {
                return found;
            }
            if started.elapsed() > within {
                self.screenshot("FAILED").await;
                panic!("{what}: not within {within:?}");
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Saves the page as `target/e2e/{journey}-{step}.png`.
    pub async fn screenshot(&self, step: &str) {
        let png = self.browser.screenshot().await.expect("a screenshot");
        let dir = target_dir().join("e2e");
        std::fs::create_dir_all(&dir).expect("target/e2e");
        let path = dir.join(format!("{}-{step}.png", self.name));
        std::fs::write(&path, png).expect("screenshot written");
        eprintln!("e2e: saved {}", path.display());
    }

    pub async fn finish(self) {
        let _ = self.browser.close().await;
    }
}
