//! The HTTP server: shared state, the router factory, and [`Application`], which loads the
//! feeds, binds (port 0 in tests) and serves until told to shut down.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use arc_swap::ArcSwap;
use axum::Router;
use axum::routing::get;
use jiff::Timestamp;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

use crate::api;
use crate::catalog::{Catalog, FeedEntry};
use crate::config::{Config, FeedConfig};
use crate::feed::{self, Source};

/// Where "now" comes from. The system clock in production; tests and replays set it.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> Timestamp + Send + Sync>);

impl Clock {
    pub fn system() -> Self {
        Clock(Arc::new(Timestamp::now))
    }

    pub fn fixed(at: Timestamp) -> Self {
        Clock(Arc::new(move || at))
    }

    pub fn now(&self) -> Timestamp {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

/// Everything a handler may read. Cheap to clone (all `Arc`s).
#[derive(Clone, Debug)]
pub struct AppState {
    /// The published set of schedules: readers `load()` a snapshot without locking;
    /// writers build a whole new catalog and `store()` it.
    pub catalog: Arc<ArcSwap<Catalog>>,
    pub started_at: Timestamp,
    pub clock: Clock,
}

/// The whole HTTP surface.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/health", get(api::health))
        .nest("/api/v1", api::v1())
        .fallback(not_found)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> api::ApiError {
    api::ApiError::NotFound("not_found", format!("Nothing here: {}", uri.path()))
}

/// Loads one feed, logging what it found. The error is the validation report.
pub fn load_feed(
    cfg: &FeedConfig,
    today: jiff::civil::Date,
) -> Result<FeedEntry, Box<api_types::ValidationReport>> {
    let started = std::time::Instant::now();
    let loaded = feed::load(Source::Path(&cfg.gtfs), cfg.id.clone(), today)?;
    let s = &loaded.schedule;
    tracing::info!(
        feed = %s.feed_id,
        source = %cfg.gtfs.display(),
        stops = s.stops.len(),
        trips = s.trips.len(),
        stop_times = s.stop_times.len(),
        warnings = loaded.report.warning_count(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "schedule loaded"
    );
    Ok(FeedEntry {
        schedule: Arc::new(loaded.schedule),
        source: cfg.gtfs.display().to_string(),
        loaded_at: Timestamp::now(),
        report: Arc::new(loaded.report),
    })
}

/// Loads every configured feed; any failure is fatal at start-up (a typo in a path should
/// stop the server with the report, not start it with nothing to serve).
pub async fn load_catalog(feeds: &[FeedConfig]) -> anyhow::Result<Catalog> {
    let feeds = feeds.to_vec();
    tokio::task::spawn_blocking(move || {
        let today = jiff::Zoned::now().date();
        let mut entries = Vec::new();
        for cfg in &feeds {
            match load_feed(cfg, today) {
                Ok(entry) => entries.push(entry),
                Err(report) => {
                    anyhow::bail!(
                        "feed {} ({}) cannot be served:\n{}",
                        cfg.id,
                        cfg.gtfs.display(),
                        crate::cli::format_report(&report)
                    )
                }
            }
        }
        Catalog::new(entries).map_err(anyhow::Error::msg)
    })
    .await
    .context("loading feeds")?
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    address: SocketAddr,
    state: AppState,
}

impl Application {
    /// Loads the feeds and binds `config.listen`.
    pub async fn build(config: &Config, clock: Clock) -> anyhow::Result<Self> {
        ensure_data_dir(&config.data_dir)?;
        let catalog = load_catalog(&config.feeds).await?;
        Self::with_catalog(config.listen, catalog, clock).await
    }

    /// Binds `listen` and serves `catalog`.
    pub async fn with_catalog(
        listen: SocketAddr,
        catalog: Catalog,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(listen).await.with_context(|| {
            format!(
                "cannot listen on {listen}; is another server using it? Try --listen 127.0.0.1:8081"
            )
        })?;
        let address = listener.local_addr()?;
        let state = AppState {
            catalog: Arc::new(ArcSwap::from_pointee(catalog)),
            started_at: Timestamp::now(),
            clock,
        };
        Ok(Application {
            listener,
            router: app(state.clone()),
            address,
            state,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
    }
}

fn ensure_data_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| {
        format!(
            "cannot create the data directory {}; choose another with --data-dir",
            dir.display()
        )
    })
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
