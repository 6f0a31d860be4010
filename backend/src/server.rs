//! The HTTP server: the router factory, and [`Application`], which loads the
//! feeds, binds (port 0 in tests), runs the realtime ingest and serves until told to shut down.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use arc_swap::ArcSwap;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use leptos::config::LeptosOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tower_http::services::ServeDir;

use crate::api;
use crate::catalog::{Catalog, load_catalog};
use crate::clock::Clock;
use crate::config::{Config, RealtimeConfig, RealtimeKind};
use crate::feed;
use crate::ingest::{Ingest, ObservedSink};
use crate::ops::{self, Ops};
use crate::predict::History;
use crate::predict::Snapshot;
use crate::simulate::SimFeed;
use crate::state::{AppState, PKG_DIR};
use crate::store::Store;

/// Leptos settings, built here rather than read from Cargo metadata or cargo-leptos's
/// environment variables. `.ci/build-web` writes `{site_dir}/pkg/frontend.js` and
/// `frontend_bg.wasm` (and the console's `console.js`, `console_bg.wasm`: the shell picks the
/// bundle per page, `frontend::bundle_for`); `<HydrationScripts>` links exactly those names.
pub fn leptos_options(site_dir: &Path) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("frontend")
        .site_root(site_dir.to_string_lossy().into_owned())
        .site_pkg_dir(PKG_DIR)
        .build()
}

/// The whole HTTP surface: JSON API, health, metrics, the web app's pages and its static
/// bundle, wrapped in the operations layers ([`ops::layer`]).
pub fn app(state: AppState) -> Router {
    let pkg_dir = Path::new(&*state.leptos.site_root).join(PKG_DIR);
    let pages = generate_route_list(frontend::App);
    // Every page, the not-found page included, reads the API in process (see [`PagesApi`]).
    let pages_api = frontend::api::server::ServerApi(Arc::new(PagesApi::new(&state)));
    let page_context = move || leptos::prelude::provide_context(pages_api.clone());
    let shell = {
        let options = state.leptos.clone();
        move || frontend::shell(options.clone())
    };
    let not_found = {
        let (page_context, shell) = (page_context.clone(), shell.clone());
        move |req: Request<Body>| page_not_found(page_context, shell, req)
    };
    let router = Router::new()
        .route("/health", get(api::health))
        .route("/metrics", get(ops::metrics::metrics))
        .nest("/api/v1", api::v1())
        .nest("/api/where", api::oba::router(state.clone()))
        .merge(api::gtfs_rt())
        .merge(api::display())
        .leptos_routes_with_context(&state, pages, page_context, shell)
        .nest_service(&format!("/{PKG_DIR}"), ServeDir::new(pkg_dir))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            api::cache::BoardCache::new(state.clone()),
            api::cache::boards,
        ));
    ops::layer(router, &state.ops).with_state(state)
}

/// What the web app's pages read while the server renders them: the JSON API's own router
/// (and `/health`, for the operator console), called in process (no socket, no port: the same handlers, validation and JSON as the
/// browser's `fetch` gets). The app reaches it through Leptos context
/// (`frontend::api::server::ServerApi`), so `frontend` never depends on `backend`.
struct PagesApi {
    /// For the site's name (`AppState::site_name`).
    state: AppState,
    router: Router,
}

impl PagesApi {
    fn new(state: &AppState) -> Self {
        PagesApi {
            state: state.clone(),
            router: Router::new()
                .nest("/api/v1", api::v1())
                // The operator console's health panel.
                .route("/health", get(api::health))
                .with_state(state.clone()),
        }
    }
}

/// Largest API answer a page reads in process (a full board is tens of kilobytes).
const PAGES_API_MAX_BODY: usize = 8 << 20;

impl frontend::api::server::InProcess for PagesApi {
    fn get(
        &self,
        path_and_query: String,
    ) -> std::pin::Pin<Box<dyn Future<Output = (u16, String)> + Send>> {
        use tower::ServiceExt as _;
        let router = self.router.clone();
        Box::pin(async move {
            let request = match Request::get(&path_and_query).body(Body::empty()) {
                Ok(request) => request,
                Err(e) => return (400, api_error_json("invalid_path", &e.to_string())),
            };
            let response = match router.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            let status = response.status().as_u16();
            match axum::body::to_bytes(response.into_body(), PAGES_API_MAX_BODY).await {
                Ok(bytes) => (status, String::from_utf8_lossy(&bytes).into_owned()),
                Err(e) => (500, api_error_json("body_unreadable", &e.to_string())),
            }
        })
    }

    fn preferred_language(&self, accept_language: &str) -> Option<frontend::i18n::Lang> {
        api::lang::from_accept_language(accept_language).and_then(frontend::i18n::Lang::parse)
    }

    fn site_name(&self, lang: frontend::i18n::Lang) -> String {
        self.state.site_name(lang.code())
    }
}

fn api_error_json(error: &str, message: &str) -> String {
    serde_json::to_string(&api_types::ErrorBody {
        error: error.to_owned(),
        message: message.to_owned(),
    })
    .unwrap_or_default()
}

/// Paths no page claims: the app renders its not-found page, sent with status 404.
async fn page_not_found<IV: leptos::IntoView + 'static>(
    page_context: impl Fn() + Clone + Send + Sync + 'static,
    shell: impl Fn() -> IV + Clone + Send + Sync + 'static,
    req: Request<Body>,
) -> Response {
    let render = leptos_axum::render_app_to_stream_with_context(page_context, shell);
    let mut response = render(req).await.into_response();
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    address: SocketAddr,
    state: AppState,
    /// Started by [`Application::run_until`], stopped with the server.
    ingest: Ingest,
    /// The built-in simulators (`config.simulate`), which follow the catalog while serving.
    simulators: Vec<SimFeed>,
}

impl Application {
    /// Loads the feeds and binds `config.listen`.
    pub async fn build(config: &Config, clock: Clock) -> anyhow::Result<Self> {
        ensure_data_dir(&config.data_dir)?;
        let (dir, configured) = (config.data_dir.clone(), config.feeds.clone());
        let feeds =
            tokio::task::spawn_blocking(move || crate::operator::served_feeds(&dir, &configured))
                .await
                .context("reading the stored feed versions")??;
        let catalog = load_catalog(&feeds).await?;
        let mut config = config.clone();
        let mut simulators = Vec::new();
        if config.simulate {
            let (sources, feeds) = start_simulators(&catalog, &clock).await?;
            config.realtime.extend(sources);
            simulators = feeds;
        }
        let (store, history) = open_store(&config.data_dir, &catalog, clock.now()).await?;
        let mut app = Self::bind(&config, catalog, clock, true).await?;
        app.simulators = simulators;
        app.ingest.set_history(history);
        let store = std::sync::Mutex::new(store);
        app.on_observed(Box::new(move |feed, calls| {
            let mut store = store
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Err(e) = store.record_calls(feed, calls) {
                tracing::error!(feed = %feed, "cannot store observed calls: {e}");
            }
        }));
        Ok(app)
    }

    /// Binds `config.listen` and serves `catalog` (the feeds in `config` are not read; its
    /// realtime sources are).
    pub async fn with_catalog(
        config: &Config,
        catalog: Catalog,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        Self::bind(config, catalog, clock, false).await
    }

    /// Binds and sets up the state; with `operators`, the operator service over the store in
    /// the data directory.
    async fn bind(
        config: &Config,
        catalog: Catalog,
        clock: Clock,
        operators: bool,
    ) -> anyhow::Result<Self> {
        let listen = config.listen;
        if !config
            .site_dir
            .join(PKG_DIR)
            .join("frontend_bg.wasm")
            .exists()
        {
            tracing::warn!(
                site_dir = %config.site_dir.display(),
                "the web app bundle is not built: pages work, without interactivity; build it with `make web`"
            );
        }
        let listener = TcpListener::bind(listen).await.with_context(|| {
            format!(
                "cannot listen on {listen}; is another server using it? Try --listen 127.0.0.1:8081"
            )
        })?;
        let address = listener.local_addr()?;
        let realtime = Arc::new(ArcSwap::from_pointee(Snapshot::default()));
        let ingest = Ingest::new(&config.realtime, realtime.clone());
        let catalog = Arc::new(ArcSwap::from_pointee(catalog));
        let operators = if operators {
            let limits = crate::operator::Limits {
                max_upload_bytes: config.max_upload_bytes,
                zip: feed::ZipLimits::default(),
            };
            let (dir, catalog, handle, clock) = (
                config.data_dir.clone(),
                catalog.clone(),
                ingest.handle(),
                clock.clone(),
            );
            let opened = tokio::task::spawn_blocking(move || {
                crate::operator::Operators::open(&dir, limits, catalog, handle, clock)
            })
            .await
            .context("opening the operator store")??;
            Some(opened)
        } else {
            None
        };
        let state = AppState {
            catalog,
            realtime,
            ingest: ingest.handle(),
            started_at: Timestamp::now(),
            clock,
            leptos: leptos_options(&config.site_dir),
            ops: Ops::new(&config.limits),
            oba_keys: api::oba::accepted_keys(&config.oba_keys).into(),
            operators,
            site_name: Arc::new(config.site_name.clone()),
        };
        if config.oba_keys.is_empty() {
            tracing::warn!(
                "the OneBusAway API (/api/where) accepts the development key {:?}: configure \
                 real keys with [oba] keys = [...] in the config file, RTPI_OBA_KEYS or --oba-key",
                api::oba::TEST_KEY
            );
        }
        Ok(Application {
            listener,
            router: app(state.clone()),
            address,
            state,
            ingest,
            simulators: Vec::new(),
        })
    }

    /// Where observed calls (arrivals and departures seen by the engine) go; by default
    /// nowhere.
    pub fn on_observed(&mut self, sink: ObservedSink) {
        self.ingest.on_observed(sink);
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Where realtime snapshots are published (for the ingest task, and tests).
    pub fn realtime(&self) -> Arc<ArcSwap<Snapshot>> {
        self.state.realtime.clone()
    }

    /// Starts the realtime ingest and serves until `shutdown` completes, then lets requests
    /// in flight finish and stops the ingest.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let catalog = self.state.catalog.load_full();
        let ingest = self.ingest.start(&catalog, self.state.clock.clone())?;
        let scheduler = self
            .state
            .operators
            .clone()
            .map(|o| tokio::spawn(o.run_scheduler()));
        let follower = (!self.simulators.is_empty())
            .then(|| tokio::spawn(follow_catalog(self.state.catalog.clone(), self.simulators)));
        // The peer address is the rate limiter's client key.
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await;
        for task in [scheduler, follower].into_iter().flatten() {
            task.abort();
        }
        ingest.shutdown().await;
        served
    }
}

/// Opens the embedded database and learns what it remembers of each feed's vehicles.
async fn open_store(
    data_dir: &Path,
    catalog: &Catalog,
    now: Timestamp,
) -> anyhow::Result<(Store, History)> {
    let dir = data_dir.to_path_buf();
    let schedules: Vec<Arc<crate::schedule::Schedule>> =
        catalog.feeds().iter().map(|f| f.schedule.clone()).collect();
    tokio::task::spawn_blocking(move || {
        let mut store = Store::open(&dir)?;
        let since = now.as_second() - crate::store::HISTORY_DAYS * 86_400;
        let pruned = store.prune(since)?;
        let (history, counts) = store.learn(&schedules, since, i64::MAX)?;
        for (schedule, calls) in schedules.iter().zip(counts) {
            tracing::info!(
                feed = %schedule.feed_id,
                calls,
                pruned,
                "learned from stored observations"
            );
        }
        anyhow::Ok((store, history))
    })
    .await
    .context("opening the database")?
}

/// Starts the vehicle simulator for every feed on a loopback port, and returns the sources
/// that poll it (the demo's buses come in through the same path as a real AVL feed) and the
/// simulators.
async fn start_simulators(
    catalog: &Catalog,
    clock: &Clock,
) -> anyhow::Result<(Vec<RealtimeConfig>, Vec<SimFeed>)> {
    let mut sources = Vec::new();
    let mut simulators = Vec::new();
    for (i, feed) in catalog.feeds().iter().enumerate() {
        let schedule = feed.schedule.clone();
        let id = schedule.feed_id.clone();
        let (addr, simulator) = crate::simulate::spawn(
            schedule,
            7 + i as u64,
            SocketAddr::from(([127, 0, 0, 1], 0)),
            clock.clone(),
        )
        .await
        .context("starting the vehicle simulator")?;
        simulators.push(simulator);
        tracing::info!(feed = %id, "simulated vehicles at http://{addr}/vehicle-positions.pb");
        for (suffix, path, kind) in [
            (
                "vehicles",
                "vehicle-positions.pb",
                RealtimeKind::VehiclePositions,
            ),
            ("trip-updates", "trip-updates.pb", RealtimeKind::TripUpdates),
            ("alerts", "alerts.pb", RealtimeKind::Alerts),
        ] {
            sources.push(RealtimeConfig {
                id: format!("simulator-{id}-{suffix}"),
                feed: id.clone(),
                kind,
                url: Some(format!("http://{addr}/{path}")),
                token: None,
                headers: Vec::new(),
                interval: std::time::Duration::from_secs(10),
                timeout: std::time::Duration::from_secs(5),
            });
        }
    }
    Ok((sources, simulators))
}

/// How often the simulators look for a new schedule version of their feed.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Keeps each simulator on the schedule its feed serves: when an activation (or rollback)
/// publishes another version, the simulator is rebuilt from it, so its buses run the trips
/// the server now matches against. Runs until the task is dropped.
async fn follow_catalog(catalog: Arc<ArcSwap<Catalog>>, simulators: Vec<SimFeed>) {
    let mut ticks = tokio::time::interval(FOLLOW_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        for simulator in &simulators {
            let simulated = simulator.schedule();
            let served = catalog
                .load()
                .feed(simulated.feed_id.as_str())
                .map(|f| f.schedule.clone());
            let Some(served) = served.filter(|s| !Arc::ptr_eq(s, &simulated)) else {
                continue;
            };
            let id = served.feed_id.clone();
            let rebuilt = {
                let simulator = simulator.clone();
                tokio::task::spawn_blocking(move || simulator.rebuilt(served)).await
            };
            match rebuilt {
                Ok(sim) => {
                    simulator.replace(sim);
                    tracing::info!(feed = %id, "the simulator follows the new schedule version");
                }
                Err(e) => tracing::error!(feed = %id, "cannot rebuild the simulator: {e}"),
            }
        }
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
