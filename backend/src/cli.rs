//! The `backend` command line: `serve` (the default), `validate`, `replay`, `simulate`,
//! `operator` (accounts, in the local store) and `feeds` (schedule versions, on a running
//! server).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use api_types::{Severity, ValidationReport};
use clap::{Args, Parser, Subcommand};

use crate::catalog::load_feed;
use crate::clock::Clock;
use crate::config::{Config, FeedConfig, FileConfig, Overrides};
use crate::feed::{self, Source};
use crate::schedule::FeedId;
use crate::server::{Application, shutdown_signal};
use crate::simulate::{self, SimFeed, Simulator};

#[derive(Debug, Parser)]
#[command(
    name = "backend",
    version,
    about = "Real-time passenger information server: GTFS schedules, realtime predictions, APIs.",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the APIs and the web app (the default when no command is given).
    Serve(ServeArgs),
    /// Check a GTFS feed and print every problem found; exit code 1 if it has errors.
    Validate(ValidateArgs),
    /// Replay recorded GTFS-Realtime VehiclePositions through the prediction engine and write
    /// every prediction it would serve as CSV (made_at,trip_id,stop_id,stop_sequence,
    /// predicted_arrival), for scoring.
    Replay(ReplayArgs),
    /// Serve simulated GTFS-Realtime vehicle positions (and cancellations) for a feed.
    Simulate(SimulateArgs),
    /// Manage operator accounts in the data directory's store (on the server's machine).
    Operator(OperatorArgs),
    /// Upload, activate, roll back and list schedule versions on a running server.
    Feeds(FeedsArgs),
}

#[derive(Debug, Args)]
struct OperatorArgs {
    /// The server's data directory [default: ./data].
    #[arg(
        long,
        env = "RTPI_DATA_DIR",
        value_name = "DIR",
        default_value = "data",
        global = true
    )]
    data_dir: PathBuf,
    #[command(subcommand)]
    command: OperatorCommand,
}

#[derive(Debug, Subcommand)]
enum OperatorCommand {
    /// Add an operator and print their token (shown this once; only its hash is kept).
    Add {
        name: String,
        /// A feed they manage; repeat for several.
        #[arg(long = "feed", value_name = "FEED_ID")]
        feeds: Vec<String>,
        /// Manages every feed.
        #[arg(long)]
        admin: bool,
    },
    /// List operators.
    List,
    /// Revoke an operator's token.
    Revoke { name: String },
}

#[derive(Debug, Args)]
struct FeedsArgs {
    /// The server's address.
    #[arg(
        long,
        env = "RTPI_SERVER",
        value_name = "URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    server: String,
    /// An operator token (`backend operator add`).
    #[arg(
        long,
        env = "RTPI_TOKEN",
        value_name = "TOKEN",
        global = true,
        hide_env_values = true
    )]
    token: Option<String>,
    #[command(subcommand)]
    command: FeedsCommand,
}

#[derive(Debug, Subcommand)]
enum FeedsCommand {
    /// Upload a GTFS zip as a new version of a feed; prints the validation report.
    Upload {
        /// The GTFS .zip file.
        file: PathBuf,
        #[arg(long, value_name = "FEED_ID")]
        feed: String,
        /// Only validate: keep nothing.
        #[arg(long)]
        validate_only: bool,
        /// Activate the new version right away.
        #[arg(long, conflicts_with = "validate_only")]
        activate: bool,
    },
    /// Activate a version now, or at a given instant.
    Activate {
        #[arg(long, value_name = "FEED_ID")]
        feed: String,
        /// The version id (`backend feeds list`).
        version: i64,
        /// When, as RFC 3339 (e.g. 2026-12-01T03:00:00+07:00) [default: now].
        #[arg(long, value_name = "INSTANT")]
        at: Option<String>,
    },
    /// Make the previously active version active again.
    Rollback {
        #[arg(long, value_name = "FEED_ID")]
        feed: String,
    },
    /// List a feed's versions.
    List {
        #[arg(long, value_name = "FEED_ID")]
        feed: String,
    },
}

#[derive(Debug, Args)]
struct ReplayArgs {
    /// The static GTFS feed (zip or directory) the recordings refer to.
    #[arg(long, value_name = "PATH")]
    gtfs: PathBuf,
    /// Directory of recorded FeedMessages (*.pb), replayed in header-timestamp order.
    #[arg(long, value_name = "DIR")]
    vehicle_positions: PathBuf,
    /// Where to write the predictions CSV.
    #[arg(long, value_name = "FILE", default_value = "predictions.csv")]
    out: PathBuf,
    /// Write predictions up to this many minutes ahead.
    #[arg(long, value_name = "MIN", default_value_t = 30)]
    horizon_minutes: i64,
    /// Learn from the observations stored in this data directory (before the first
    /// snapshot) and store the new ones, as the server does [default: learn from nothing].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

#[derive(Debug, Args, Default)]
struct ServeArgs {
    /// TOML configuration file (see ARCHITECTURE.md, "Configuration").
    #[arg(long, env = "RTPI_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "RTPI_LISTEN", value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Directory for the server's own data [default: ./data].
    #[arg(long, env = "RTPI_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The web app's built files [default: ./target/site, where `make web` puts them].
    #[arg(long, env = "RTPI_SITE_DIR", value_name = "DIR")]
    site_dir: Option<PathBuf>,
    /// GTFS feed to serve, as PATH or ID=PATH (zip or directory); repeat for several feeds
    /// [default: the sample Binh Duong network, feeds/binh-duong].
    #[arg(
        long = "gtfs",
        env = "RTPI_GTFS",
        value_name = "[ID=]PATH",
        value_delimiter = ','
    )]
    gtfs: Vec<String>,
    /// GTFS-Realtime source, repeatable: `ID=[FEED:]URL` to poll a URL, `ID=[FEED:]push;token=TOKEN`
    /// to accept `POST /api/v1/realtime/ID`; options `;interval=15s;timeout=10s;kind=vehicle_positions;
    /// header=NAME:VALUE;token=TOKEN` (no spaces; use the config file for those). FEED may be left
    /// out when one feed is served. Replaces the config file's `[[realtime]]` sources.
    #[arg(
        long = "realtime",
        env = "RTPI_REALTIME",
        value_name = "SPEC",
        value_delimiter = ' '
    )]
    realtime: Vec<String>,
    /// Run the vehicle simulator for every served feed and poll it like a real source
    /// [default: true when serving the sample network without realtime sources].
    #[arg(long, env = "RTPI_SIMULATE", value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    simulate: Option<bool>,
    /// Per-client rate limit as RPS or RPS/BURST (0 turns it off) [default: 20/100, or the
    /// config file's `[limits]`].
    #[arg(long, env = "RTPI_RATE_LIMIT", value_name = "RPS[/BURST]")]
    rate_limit: Option<String>,
    /// A key the OneBusAway API (/api/where) accepts as key=, repeatable; replaces the config
    /// file's `[oba] keys` [default: only the development key TEST].
    #[arg(
        long = "oba-key",
        env = "RTPI_OBA_KEYS",
        value_name = "KEY",
        value_delimiter = ','
    )]
    oba_keys: Vec<String>,
    /// Run the clock from this instant (RFC 3339), moving at real speed: for demos and tests
    /// at a chosen time of day (the simulator and predictions follow it) [default: the
    /// system clock].
    #[arg(long, env = "RTPI_CLOCK_START", value_name = "RFC3339")]
    clock_start: Option<jiff::Timestamp>,
    /// Largest schedule upload accepted, in MB [default: 200, or the config file's
    /// `[operator] max_upload_mb`].
    #[arg(long, env = "RTPI_MAX_UPLOAD_MB", value_name = "MB")]
    max_upload_mb: Option<u64>,
    /// The site's name in the web app's header and page titles, for every language; replaces
    /// the config file's `site_name` [default: the name of the agency running most routes].
    #[arg(long, env = "RTPI_SITE_NAME", value_name = "NAME")]
    site_name: Option<String>,
}

#[derive(Debug, Args)]
struct ValidateArgs {
    /// The feed: a .zip file or a directory of .txt files.
    path: PathBuf,
    /// Feed id to report under [default: made from the file name].
    #[arg(long)]
    feed_id: Option<String>,
    /// Check calendars against this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    today: Option<jiff::civil::Date>,
    /// Print the report as JSON (the format the upload API returns).
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct SimulateArgs {
    /// The feed to simulate, as PATH or ID=PATH (a .zip file or a directory).
    #[arg(long = "gtfs", value_name = "[ID=]PATH")]
    gtfs: String,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    /// Seed of the simulation: the same seed and clock give the same buses.
    #[arg(long, value_name = "N", default_value_t = 7)]
    seed: u64,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Validate(args)) => {
            init_tracing("warn");
            validate(args)
        }
        Some(Command::Serve(args)) => run_serve(args),
        Some(Command::Replay(args)) => {
            init_tracing("warn");
            replay(args)
        }
        Some(Command::Simulate(args)) => run_simulate(args),
        Some(Command::Operator(args)) => {
            init_tracing("warn");
            operator_accounts(args)
        }
        Some(Command::Feeds(args)) => {
            init_tracing("warn");
            feeds(args)
        }
        None => run_serve(cli.serve),
    }
}

fn init_tracing(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RTPI_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
}

fn run_serve(args: ServeArgs) -> ExitCode {
    init_tracing("info,tower_http=info");
    let file = match &args.config {
        Some(path) => match FileConfig::read(path) {
            Ok(f) => f,
            Err(e) => return fail(&e),
        },
        None => FileConfig::default(),
    };
    let clock_start = args.clock_start;
    let overrides = Overrides {
        listen: args.listen,
        data_dir: args.data_dir,
        site_dir: args.site_dir,
        gtfs: args.gtfs,
        realtime: args
            .realtime
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect(),
        simulate: args.simulate,
        rate_limit: args.rate_limit,
        oba_keys: args.oba_keys,
        max_upload_mb: args.max_upload_mb,
        site_name: args.site_name,
    };
    let config = match Config::resolve(file, overrides) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    let result = runtime.block_on(async {
        let clock = match clock_start {
            Some(start) => {
                tracing::warn!(%start, "the clock starts at the given instant, not now");
                Clock::starting_at(start)
            }
            None => Clock::system(),
        };
        let app = Application::build(&config, clock).await?;
        tracing::info!("listening on http://{}", app.address());
        app.run_until(shutdown_signal()).await?;
        anyhow::Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("{e:#}")),
    }
}

fn replay(args: ReplayArgs) -> ExitCode {
    let options = crate::replay::Options {
        gtfs: args.gtfs,
        vehicle_positions: args.vehicle_positions,
        out: args.out,
        horizon: args.horizon_minutes * 60,
        progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
        data_dir: args.data_dir,
    };
    match crate::replay::run(&options) {
        Ok(s) => {
            eprintln!(
                "replayed {} snapshots ({} files skipped) in {:.1} s: {} predictions written to {}, {} calls observed ({} learned from the store first)",
                s.snapshots,
                s.skipped_files,
                s.elapsed.as_secs_f64(),
                s.rows,
                options.out.display(),
                s.observed_calls,
                s.learned_from_store
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("{e:#}")),
    }
}

fn run_simulate(args: SimulateArgs) -> ExitCode {
    init_tracing("info");
    let feed = match FeedConfig::parse(&args.gtfs) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let schedule = match load_feed(&feed, jiff::Zoned::now().date()) {
        Ok(entry) => entry.schedule,
        Err(report) => {
            return fail(&format!(
                "feed {} ({}) cannot be simulated:\n{}",
                feed.id,
                feed.gtfs.display(),
                format_report(&report)
            ));
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.listen))?;
        let address = listener.local_addr()?;
        let sim = SimFeed::new(Simulator::new(schedule, args.seed), Clock::system());
        println!("vehicle positions: http://{address}/vehicle-positions.pb");
        println!("trip updates:      http://{address}/trip-updates.pb");
        println!("alerts:            http://{address}/alerts.pb");
        tracing::info!(seed = args.seed, "listening on http://{address}");
        simulate::serve(listener, sim, shutdown_signal()).await?;
        anyhow::Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("{e:#}")),
    }
}

fn operator_accounts(args: OperatorArgs) -> ExitCode {
    let result = (|| -> Result<(), String> {
        std::fs::create_dir_all(&args.data_dir).map_err(|e| {
            format!(
                "cannot create the data directory {}: {e}",
                args.data_dir.display()
            )
        })?;
        let mut store = crate::store::Store::open(&args.data_dir).map_err(|e| e.to_string())?;
        let now = jiff::Timestamp::now().as_second();
        match args.command {
            OperatorCommand::Add { name, feeds, admin } => {
                if feeds.is_empty() && !admin {
                    return Err(
                        "give the feed(s) the operator manages (--feed FEED_ID), or --admin".into(),
                    );
                }
                for f in &feeds {
                    FeedId::new(f)?;
                }
                let token = crate::operator::new_token()?;
                store
                    .add_operator(
                        &name,
                        &crate::operator::token_digest(&token),
                        admin,
                        &feeds,
                        now,
                    )
                    .map_err(|e| e.to_string())?;
                eprintln!("operator {name} added; their token (shown once, keep it safe):");
                println!("{token}");
            }
            OperatorCommand::List => {
                for o in store.operators().map_err(|e| e.to_string())? {
                    let what = if o.admin {
                        "admin".to_owned()
                    } else {
                        o.feeds.join(",")
                    };
                    let revoked = if o.revoked_at.is_some() {
                        "  (revoked)"
                    } else {
                        ""
                    };
                    println!("{}  {what}{revoked}", o.name);
                }
            }
            OperatorCommand::Revoke { name } => {
                if !store
                    .revoke_operator(&name, now)
                    .map_err(|e| e.to_string())?
                {
                    return Err(format!(
                        "no operator {name:?} with a live token; `backend operator list` shows them"
                    ));
                }
                eprintln!("operator {name}'s token is revoked");
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn feeds(args: FeedsArgs) -> ExitCode {
    use crate::operator::client::{Client, format_version, format_versions};
    let Some(token) = args.token else {
        return fail("give an operator token with --token or RTPI_TOKEN");
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    let client = Client::new(&args.server, &token);
    let result = runtime.block_on(async {
        match args.command {
            FeedsCommand::Upload {
                file,
                feed,
                validate_only,
                activate,
            } => {
                let (report, version) = client.upload(&feed, &file, validate_only).await?;
                print!("{}", format_report(&report));
                if let Some(v) = version {
                    let v = if activate {
                        client.activate(&feed, v.id, None).await?
                    } else {
                        v
                    };
                    print!("{}", format_version(&v));
                }
            }
            FeedsCommand::Activate { feed, version, at } => {
                print!(
                    "{}",
                    format_version(&client.activate(&feed, version, at).await?)
                );
            }
            FeedsCommand::Rollback { feed } => {
                print!("{}", format_version(&client.rollback(&feed).await?));
            }
            FeedsCommand::List { feed } => {
                print!("{}", format_versions(&client.list(&feed).await?))
            }
        }
        Ok::<(), String>(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}

fn validate(args: ValidateArgs) -> ExitCode {
    let feed_id = match &args.feed_id {
        Some(id) => match FeedId::new(id) {
            Ok(id) => id,
            Err(e) => return fail(&e),
        },
        None => FeedId::from_name(
            &args
                .path
                .canonicalize()
                .unwrap_or_else(|_| args.path.clone())
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        ),
    };
    let today = args.today.unwrap_or_else(|| jiff::Zoned::now().date());
    let report = match feed::load(Source::Path(&args.path), feed_id, today) {
        Ok(loaded) => loaded.report,
        Err(report) => *report,
    };
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(e) => return fail(&format!("cannot write the report: {e}")),
        }
    } else {
        print!("{}", format_report(&report));
    }
    if report.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The report as text, one finding per paragraph, like a compiler's diagnostics.
pub fn format_report(r: &ValidationReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for f in &r.findings {
        let kind = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let place = match (f.file.as_str(), f.line) {
            ("", _) => String::new(),
            (file, Some(line)) => format!(" {file}:{line}:"),
            (file, None) => format!(" {file}:"),
        };
        let _ = writeln!(out, "{kind}[{}]{place} {}", f.code, f.message);
        let _ = writeln!(out, "    fix: {}", f.fix);
    }
    for s in &r.suppressed {
        let _ = writeln!(out, "… and {} more [{}]", s.count, s.code);
    }
    let s = &r.summary;
    let dates = match (&s.first_service_date, &s.last_service_date) {
        (Some(a), Some(b)) => format!(", service {a} to {b}"),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{}: {} error(s), {} warning(s) — {} agencies, {} stops, {} routes, {} trips, {} stop times, {} shapes, {} services, {} frequencies{dates}",
        r.feed_id,
        r.error_count(),
        r.warning_count(),
        s.agencies,
        s.stops,
        s.routes,
        s.trips,
        s.stop_times,
        s.shapes,
        s.services,
        s.frequencies,
    );
    let _ = writeln!(
        out,
        "{}",
        if r.valid {
            "valid: the feed can be served"
        } else {
            "INVALID: fix the errors above before serving this feed"
        }
    );
    out
}
