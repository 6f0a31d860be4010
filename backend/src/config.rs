//! Server configuration: defaults, then a TOML file, then environment variables, then
//! command-line flags, each overriding the one before.
//!
//! ```toml
//! listen = "0.0.0.0:8080"
//! data_dir = "/var/lib/rtpi"
//! site_dir = "/usr/share/rtpi/site"   # the web app bundle (default target/site)
//!
//! [[feeds]]
//! id = "binh-duong"            # optional; made from the file name otherwise
//! gtfs = "feeds/binh-duong"    # relative paths are relative to this file
//!
//! [[realtime]]                 # a GTFS-Realtime source, polled and/or pushed
//! id = "bd-vehicles"           # letters, digits, '-', '_', '.'; in the push URL
//! feed = "binh-duong"          # the static feed it refers to; optional with one feed
//! kind = "vehicle_positions"   # or trip_updates, alerts, mixed (the default); informational
//! url = "https://example.org/gtfs-rt/vehicle-positions.pb"   # polled when set
//! token = "long-random-secret" # accepts POST /api/v1/realtime/bd-vehicles with this bearer token
//! headers = { "x-api-key" = "…" }   # sent with every poll
//! interval = "15s"             # between polls (default 15 s); a number is seconds
//! timeout = "10s"              # per request (default 10 s)
//!
//! [limits]                     # per-client rate limit (token bucket per IP address)
//! requests_per_second = 20     # refill rate; 0 turns the limit off (default 20)
//! burst = 100                  # bucket size (default 100)
//! trust_forwarded_for = false  # key by the last X-Forwarded-For address (behind a proxy)
//!
//! [oba]                        # the OneBusAway API (/api/where)
//! keys = ["long-random-key"]   # accepted key= values; none: the development key TEST
//!
//! [operator]                   # schedule uploads (`/api/v1/operator/`)
//! max_upload_mb = 200          # largest GTFS zip accepted (default 200)
//!
//! site_name = "Xe buýt Bình Dương"   # or { vi = "…", en = "…", ja = "…" }; default: the
//!                                    # main agency's name (top level, before the tables)
//! ```
//!
//! Environment: `RTPI_CONFIG`, `RTPI_LISTEN`, `RTPI_DATA_DIR`, `RTPI_SITE_DIR`, `RTPI_GTFS` (comma-separated
//! `[ID=]PATH`), `RTPI_MAX_UPLOAD_MB`, `RTPI_REALTIME` (whitespace-separated source specs, see
//! [`RealtimeConfig::parse`]), `RTPI_OBA_KEYS` (comma-separated), `RTPI_SITE_NAME`, `RTPI_LOG` (a `tracing` filter such as `info,backend=debug`).

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::schedule::FeedId;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "data";
/// Where `.ci/build-web` puts the web app's bundle, relative to the repository root.
pub const DEFAULT_SITE_DIR: &str = "target/site";
/// The sample network, relative to the repository root (where the README's commands run).
pub const SAMPLE_FEED: &str = "feeds/binh-duong";

/// One static GTFS feed to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedConfig {
    pub id: FeedId,
    pub gtfs: PathBuf,
}

impl FeedConfig {
    /// `PATH` or `ID=PATH`; without an id, it is made from the file or folder name.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let (id, path) = match spec.split_once('=') {
            Some((id, path)) if FeedId::new(id).is_ok() => (Some(id), path),
            _ => (None, spec),
        };
        if path.is_empty() {
            return Err(format!("{spec:?}: give a GTFS path, as PATH or ID=PATH"));
        }
        let path = PathBuf::from(path);
        let id = match id {
            Some(id) => FeedId::new(id)?,
            None => FeedId::from_name(
                &path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ),
        };
        Ok(FeedConfig { id, gtfs: path })
    }
}

/// Polling interval of a realtime source unless configured.
pub const DEFAULT_REALTIME_INTERVAL: Duration = Duration::from_secs(15);
/// Request timeout of a realtime source unless configured.
pub const DEFAULT_REALTIME_TIMEOUT: Duration = Duration::from_secs(10);
/// Shortest interval and timeout accepted (tests poll fast; production feeds refresh every
/// 10–30 s).
const MIN_REALTIME_DURATION: Duration = Duration::from_millis(100);

/// What a realtime source carries. Informational (shown in `/health`): every message is
/// validated and used the same way, whatever it holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RealtimeKind {
    VehiclePositions,
    TripUpdates,
    Alerts,
    #[default]
    Mixed,
}

impl RealtimeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RealtimeKind::VehiclePositions => "vehicle_positions",
            RealtimeKind::TripUpdates => "trip_updates",
            RealtimeKind::Alerts => "alerts",
            RealtimeKind::Mixed => "mixed",
        }
    }

    fn parse(text: &str) -> Result<Self, String> {
        match text {
            "vehicle_positions" => Ok(RealtimeKind::VehiclePositions),
            "trip_updates" => Ok(RealtimeKind::TripUpdates),
            "alerts" => Ok(RealtimeKind::Alerts),
            "mixed" => Ok(RealtimeKind::Mixed),
            other => Err(format!(
                "kind {other:?} is not one of vehicle_positions, trip_updates, alerts, mixed"
            )),
        }
    }
}

/// One GTFS-Realtime source: polled from `url`, pushed to `POST /api/v1/realtime/{id}` with
/// `token`, or both.
#[derive(Clone, PartialEq, Eq)]
pub struct RealtimeConfig {
    pub id: String,
    /// The static feed whose trips and stops it refers to.
    pub feed: FeedId,
    pub kind: RealtimeKind,
    /// Polled when set (`http` or `https`).
    pub url: Option<String>,
    /// Bearer token that push requests must carry; pushes are refused without one.
    pub token: Option<String>,
    /// Extra request headers for polling (API keys).
    pub headers: Vec<(String, String)>,
    pub interval: Duration,
    pub timeout: Duration,
}

/// Secrets (token, header values, the URL's query string) stay out of logs.
impl fmt::Debug for RealtimeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RealtimeConfig")
            .field("id", &self.id)
            .field("feed", &self.feed)
            .field("kind", &self.kind)
            .field("url", &self.url.as_deref().map(redact_url))
            .field("token", &self.token.as_ref().map(|_| "…"))
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("interval", &self.interval)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A URL for messages: scheme, host and path, without credentials or query (API keys often
/// travel there).
pub fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => {
            let host = u.host_str().unwrap_or("");
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            let query = if u.query().is_some() { "?…" } else { "" };
            format!("{}://{host}{port}{}{query}", u.scheme(), u.path())
        }
        Err(_) => "(invalid URL)".to_owned(),
    }
}

/// A realtime source as written, before its feed is resolved against the feeds served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealtimeSpec {
    pub id: String,
    pub feed: Option<String>,
    pub kind: RealtimeKind,
    pub url: Option<String>,
    pub token: Option<String>,
    pub headers: Vec<(String, String)>,
    pub interval: Option<Duration>,
    pub timeout: Option<Duration>,
}

impl RealtimeConfig {
    /// A command-line source: `ID=[FEED:]URL[;OPTION]…` or `ID=[FEED:]push;token=TOKEN[;OPTION]…`,
    /// options `kind=K`, `interval=DURATION`, `timeout=DURATION`, `token=TOKEN`,
    /// `header=NAME:VALUE` (repeatable). No whitespace: values with spaces go in the config file.
    ///
    /// `bd-vp=https://example.org/vp.pb;interval=10s`, `bd-push=binh-duong:push;token=s3cret`.
    pub fn parse(spec: &str) -> Result<RealtimeSpec, String> {
        let usage = "use ID=[FEED:]URL or ID=[FEED:]push;token=TOKEN, with options \
                     ;kind=…;interval=…;timeout=…;header=NAME:VALUE";
        let mut parts = spec.split(';');
        let head = parts.next().unwrap_or_default();
        let Some((id, source)) = head.split_once('=') else {
            return Err(format!("realtime source {spec:?}: {usage}"));
        };
        // Feed ids never contain ':', so `FEED:` is told from a URL's `scheme://`.
        let (feed, source) = match source.split_once(':') {
            _ if source == "push" => (None, source),
            Some((_, rest)) if rest.starts_with("//") => (None, source),
            Some((feed, rest)) => (Some(feed.to_owned()), rest),
            None => return Err(format!("realtime source {spec:?}: {usage}")),
        };
        let mut out = RealtimeSpec {
            id: id.to_owned(),
            feed,
            kind: RealtimeKind::default(),
            url: (source != "push").then(|| source.to_owned()),
            token: None,
            headers: Vec::new(),
            interval: None,
            timeout: None,
        };
        for option in parts.filter(|p| !p.is_empty()) {
            let Some((key, value)) = option.split_once('=') else {
                return Err(format!(
                    "realtime source {id:?}: option {option:?} is not KEY=VALUE"
                ));
            };
            let bad = |e: String| format!("realtime source {id:?}: {key}: {e}");
            match key {
                "kind" => out.kind = RealtimeKind::parse(value).map_err(bad)?,
                "interval" => out.interval = Some(parse_duration(value).map_err(bad)?),
                "timeout" => out.timeout = Some(parse_duration(value).map_err(bad)?),
                "token" => out.token = Some(value.to_owned()),
                "header" => match value.split_once(':') {
                    Some((name, value)) => out.headers.push((name.to_owned(), value.to_owned())),
                    None => return Err(bad(format!("{value:?} is not NAME:VALUE"))),
                },
                other => {
                    return Err(format!(
                        "realtime source {id:?}: unknown option {other:?}; use kind, interval, \
                         timeout, token or header"
                    ));
                }
            }
        }
        Ok(out)
    }

    /// Checks a spec and resolves its feed among `feeds`.
    pub fn resolve(spec: RealtimeSpec, feeds: &[FeedConfig]) -> Result<Self, String> {
        let id = spec.id;
        let valid_id = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !valid_id {
            return Err(format!(
                "realtime source id {id:?} is not valid: use 1 to 64 letters, digits, '-', '_' or '.'"
            ));
        }
        let ids = || {
            feeds
                .iter()
                .map(|f| f.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let feed = match spec.feed {
            Some(feed) => match feeds.iter().find(|f| f.id.as_str() == feed) {
                Some(f) => f.id.clone(),
                None => {
                    return Err(format!(
                        "realtime source {id:?} refers to feed {feed:?}, which is not served; use one of: {}",
                        ids()
                    ));
                }
            },
            None => match feeds {
                [only] => only.id.clone(),
                _ => {
                    return Err(format!(
                        "realtime source {id:?}: several feeds are served; say which one it refers to with `feed` (one of: {})",
                        ids()
                    ));
                }
            },
        };
        if let Some(url) = &spec.url {
            match reqwest::Url::parse(url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                Ok(u) => {
                    return Err(format!(
                        "realtime source {id:?}: url scheme {:?} is not http or https",
                        u.scheme()
                    ));
                }
                Err(e) => {
                    return Err(format!("realtime source {id:?}: url is not valid: {e}"));
                }
            }
        }
        if spec.token.as_deref().is_some_and(str::is_empty) {
            return Err(format!(
                "realtime source {id:?}: token is empty; give a long random secret, or leave it out"
            ));
        }
        if spec.url.is_none() && spec.token.is_none() {
            return Err(format!(
                "realtime source {id:?} has neither url (to poll) nor token (to accept pushes); give one"
            ));
        }
        for (name, value) in &spec.headers {
            if axum::http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(format!(
                    "realtime source {id:?}: header name {name:?} is not valid"
                ));
            }
            if axum::http::HeaderValue::from_str(value).is_err() {
                return Err(format!(
                    "realtime source {id:?}: the value of header {name:?} is not valid (printable ASCII only)"
                ));
            }
        }
        let interval = spec.interval.unwrap_or(DEFAULT_REALTIME_INTERVAL);
        let timeout = spec.timeout.unwrap_or(DEFAULT_REALTIME_TIMEOUT);
        for (what, d) in [("interval", interval), ("timeout", timeout)] {
            if d < MIN_REALTIME_DURATION {
                return Err(format!(
                    "realtime source {id:?}: {what} {d:?} is too short; use at least 100ms"
                ));
            }
        }
        Ok(RealtimeConfig {
            id,
            feed,
            kind: spec.kind,
            url: spec.url,
            token: spec.token,
            headers: spec.headers,
            interval,
            timeout,
        })
    }
}

/// `15`, `15s`, `1.5s`, `500ms`, `2m`: a duration (a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60.0)
    } else {
        (text, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 15s, 500ms or 2m"))?;
    Duration::try_from_secs_f64(value * scale)
        .map_err(|_| format!("{text:?} is not a duration such as 15s, 500ms or 2m"))
}

/// The settings the server runs with, after merging every source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// The web app's static files (`pkg/frontend.js`, `pkg/frontend_bg.wasm`).
    pub site_dir: PathBuf,
    pub feeds: Vec<FeedConfig>,
    /// GTFS-Realtime sources (none by default).
    pub realtime: Vec<RealtimeConfig>,
    /// Run the vehicle simulator for every feed and poll it like a real source. Default: on
    /// when serving the sample network with no realtime source configured (the demo).
    pub simulate: bool,
    /// Per-client rate limit.
    pub limits: Limits,
    /// Keys of the OneBusAway API; empty: only the development key `TEST`.
    pub oba_keys: Vec<String>,
    /// Largest schedule upload accepted, in bytes.
    pub max_upload_bytes: u64,
    /// The site's name in the header and page titles; empty: the main agency's name.
    pub site_name: crate::site::SiteName,
}

/// Largest schedule upload accepted unless configured, in MB.
pub const DEFAULT_MAX_UPLOAD_MB: u64 = 200;

/// The `[operator]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileOperator {
    pub max_upload_mb: Option<u64>,
}

/// Requests per second a client gets unless configured.
pub const DEFAULT_REQUESTS_PER_SECOND: u32 = 20;
/// Requests a client may make at once unless configured.
pub const DEFAULT_BURST: u32 = 100;

/// The per-client rate limit (`[limits]`): a token bucket per client IP address, refilled at
/// `requests_per_second`, holding at most `burst` tokens. Over it, requests get 429 with
/// `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// 0 turns the limit off.
    pub requests_per_second: u32,
    pub burst: u32,
    /// Key clients by the last address in `X-Forwarded-For` (the one a reverse proxy in front
    /// of the server added) instead of the socket's peer. Only behind a trusted proxy: anyone
    /// can send the header.
    pub trust_forwarded_for: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            requests_per_second: DEFAULT_REQUESTS_PER_SECOND,
            burst: DEFAULT_BURST,
            trust_forwarded_for: false,
        }
    }
}

impl Limits {
    /// No rate limit.
    pub fn off() -> Self {
        Limits {
            requests_per_second: 0,
            ..Limits::default()
        }
    }

    pub fn enabled(&self) -> bool {
        self.requests_per_second > 0
    }
}

/// The TOML file's shape. Unknown keys are errors, so a typo does not go unnoticed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub site_dir: Option<PathBuf>,
    #[serde(default)]
    pub feeds: Vec<FileFeed>,
    #[serde(default)]
    pub realtime: Vec<FileRealtime>,
    pub simulate: Option<bool>,
    pub limits: Option<Limits>,
    pub oba: Option<FileOba>,
    pub operator: Option<FileOperator>,
    /// The site's name: one, or one per language (`crate::site`).
    pub site_name: Option<crate::site::FileSiteName>,
}

/// The `[oba]` table: the OneBusAway API.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileOba {
    #[serde(default)]
    pub keys: Vec<String>,
}

/// Keys stay out of logs.
impl fmt::Debug for FileOba {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileOba")
            .field("keys", &self.keys.len())
            .finish()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileFeed {
    pub id: Option<String>,
    pub gtfs: PathBuf,
}

/// A `[[realtime]]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRealtime {
    pub id: String,
    pub feed: Option<String>,
    #[serde(default)]
    pub kind: RealtimeKind,
    pub url: Option<String>,
    pub token: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub interval: Option<FileDuration>,
    pub timeout: Option<FileDuration>,
}

impl fmt::Debug for FileRealtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileRealtime")
            .field("id", &self.id)
            .field("feed", &self.feed)
            .finish_non_exhaustive()
    }
}

/// `interval = 15` (seconds) or `interval = "15s"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum FileDuration {
    Seconds(f64),
    Text(String),
}

impl FileDuration {
    fn get(&self) -> Result<Duration, String> {
        match self {
            FileDuration::Seconds(s) => Duration::try_from_secs_f64(*s)
                .map_err(|_| format!("{s} is not a number of seconds")),
            FileDuration::Text(t) => parse_duration(t),
        }
    }
}

impl FileRealtime {
    fn spec(self) -> Result<RealtimeSpec, String> {
        let id = self.id;
        let duration = |what: &str, d: Option<FileDuration>| {
            d.map(|d| d.get())
                .transpose()
                .map_err(|e| format!("realtime source {id:?}: {what}: {e}"))
        };
        Ok(RealtimeSpec {
            interval: duration("interval", self.interval)?,
            timeout: duration("timeout", self.timeout)?,
            feed: self.feed,
            kind: self.kind,
            url: self.url,
            token: self.token,
            headers: self.headers.into_iter().collect(),
            id,
        })
    }
}

impl FileConfig {
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
        let mut config: FileConfig =
            toml::from_str(&text).map_err(|e| format!("config file {}: {e}", path.display()))?;
        // Paths in the file are relative to the file, so it works from any directory.
        let base = path.parent().unwrap_or(Path::new("."));
        for d in [&mut config.data_dir, &mut config.site_dir]
            .into_iter()
            .flatten()
        {
            *d = base.join(&*d);
        }
        for f in &mut config.feeds {
            f.gtfs = base.join(&f.gtfs);
        }
        Ok(config)
    }
}

/// What the command line and the environment said (clap merges those two).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub site_dir: Option<PathBuf>,
    pub gtfs: Vec<String>,
    /// Realtime source specs ([`RealtimeConfig::parse`]); they replace the file's.
    pub realtime: Vec<String>,
    pub simulate: Option<bool>,
    /// `RPS` or `RPS/BURST` (`0` turns the limit off).
    pub rate_limit: Option<String>,
    /// OneBusAway API keys; they replace the file's.
    pub oba_keys: Vec<String>,
    pub max_upload_mb: Option<u64>,
    /// The site's name, for every language; replaces the file's.
    pub site_name: Option<String>,
}

impl Config {
    pub fn resolve(file: FileConfig, overrides: Overrides) -> Result<Self, String> {
        let sample_only = overrides.gtfs.is_empty() && file.feeds.is_empty();
        let feeds = if !overrides.gtfs.is_empty() {
            overrides
                .gtfs
                .iter()
                .map(|s| FeedConfig::parse(s))
                .collect::<Result<Vec<_>, _>>()?
        } else if !file.feeds.is_empty() {
            file.feeds
                .into_iter()
                .map(|f| {
                    let id = match f.id {
                        Some(id) => FeedId::new(&id)?,
                        None => FeedConfig::parse(&f.gtfs.to_string_lossy())?.id,
                    };
                    Ok(FeedConfig { id, gtfs: f.gtfs })
                })
                .collect::<Result<Vec<_>, String>>()?
        } else {
            vec![FeedConfig::parse(SAMPLE_FEED)?]
        };
        let specs = if !overrides.realtime.is_empty() {
            overrides
                .realtime
                .iter()
                .map(|s| RealtimeConfig::parse(s))
                .collect::<Result<Vec<_>, _>>()?
        } else {
            file.realtime
                .into_iter()
                .map(FileRealtime::spec)
                .collect::<Result<Vec<_>, _>>()?
        };
        let mut realtime: Vec<RealtimeConfig> = Vec::new();
        for spec in specs {
            let source = RealtimeConfig::resolve(spec, &feeds)?;
            if realtime.iter().any(|r| r.id == source.id) {
                return Err(format!(
                    "two realtime sources are named {:?}; give each its own id",
                    source.id
                ));
            }
            realtime.push(source);
        }
        let mut limits = file.limits.unwrap_or_default();
        if let Some(spec) = &overrides.rate_limit {
            let (rps, burst) = parse_rate_limit(spec)?;
            limits.requests_per_second = rps;
            if let Some(burst) = burst {
                limits.burst = burst;
            }
        }
        if limits.enabled() && limits.burst == 0 {
            return Err("limits: burst must be at least 1 (or set requests_per_second = 0 to turn the limit off)".to_owned());
        }
        let oba_keys = if overrides.oba_keys.is_empty() {
            file.oba.map(|o| o.keys).unwrap_or_default()
        } else {
            overrides.oba_keys
        };
        if oba_keys.iter().any(|k| k.trim().is_empty()) {
            return Err(
                "oba keys: a key is empty; give long random keys, or none for the development key TEST"
                    .to_owned(),
            );
        }
        let max_upload_mb = overrides
            .max_upload_mb
            .or(file.operator.and_then(|o| o.max_upload_mb))
            .unwrap_or(DEFAULT_MAX_UPLOAD_MB);
        if max_upload_mb == 0 {
            return Err("operator: max_upload_mb must be at least 1".to_owned());
        }
        let site_name = match (overrides.site_name, file.site_name) {
            (Some(name), _) => crate::site::SiteName::one(&name)?,
            (None, Some(file)) => crate::site::SiteName::from_file(file)?,
            (None, None) => crate::site::SiteName::default(),
        };
        let default_listen: SocketAddr = DEFAULT_LISTEN
            .parse()
            .map_err(|e| format!("default listen address: {e}"))?;
        Ok(Config {
            listen: overrides.listen.or(file.listen).unwrap_or(default_listen),
            data_dir: overrides
                .data_dir
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
            site_dir: overrides
                .site_dir
                .or(file.site_dir)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_SITE_DIR)),
            simulate: overrides
                .simulate
                .or(file.simulate)
                .unwrap_or(sample_only && realtime.is_empty()),
            feeds,
            realtime,
            limits,
            oba_keys,
            max_upload_bytes: max_upload_mb.saturating_mul(1 << 20),
            site_name,
        })
    }
}

/// `RPS` or `RPS/BURST`: a rate limit on the command line.
pub fn parse_rate_limit(spec: &str) -> Result<(u32, Option<u32>), String> {
    let bad = || format!("rate limit {spec:?}: use RPS or RPS/BURST, e.g. 20/100 (0 turns it off)");
    let (rps, burst) = match spec.split_once('/') {
        Some((rps, burst)) => (rps, Some(burst)),
        None => (spec, None),
    };
    let rps = rps.trim().parse().map_err(|_| bad())?;
    let burst = burst
        .map(|b| b.trim().parse::<u32>().map_err(|_| bad()))
        .transpose()?;
    Ok((rps, burst))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_specs_with_and_without_ids() {
        let f = FeedConfig::parse("feeds/binh-duong").expect("valid");
        assert_eq!(f.id.as_str(), "binh-duong");
        let f = FeedConfig::parse("bd=/tmp/x=y.zip").expect("valid");
        assert_eq!(
            (f.id.as_str(), f.gtfs.to_str()),
            ("bd", Some("/tmp/x=y.zip"))
        );
        // Not an id before '=': the whole thing is a path.
        let f = FeedConfig::parse("/tmp/My Feed=1.zip").expect("valid");
        assert_eq!(f.gtfs.to_str(), Some("/tmp/My Feed=1.zip"));
        assert!(FeedConfig::parse("bd=").is_err());
    }

    #[test]
    fn command_line_beats_file_beats_defaults() {
        let file: FileConfig = toml::from_str(
            "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv\"\n[[feeds]]\ngtfs = \"a.zip\"\n",
        )
        .expect("valid toml");
        let c = Config::resolve(
            file,
            Overrides {
                listen: Some("127.0.0.1:1".parse().expect("addr")),
                ..Default::default()
            },
        )
        .expect("valid");
        assert_eq!(c.listen.port(), 1);
        assert_eq!(c.data_dir, PathBuf::from("/srv"));
        assert_eq!(c.feeds[0].id.as_str(), "a");
        let d = Config::resolve(FileConfig::default(), Overrides::default()).expect("valid");
        assert_eq!(d.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(d.feeds[0].gtfs, PathBuf::from(SAMPLE_FEED));
        assert_eq!(d.max_upload_bytes, 200 << 20);
        let file: FileConfig =
            toml::from_str("[operator]\nmax_upload_mb = 5\n").expect("valid toml");
        let c = Config::resolve(file, Overrides::default()).expect("valid");
        assert_eq!(c.max_upload_bytes, 5 << 20);
    }

    #[test]
    fn rate_limits_from_the_file_and_the_command_line() {
        let d = Config::resolve(FileConfig::default(), Overrides::default()).expect("valid");
        assert_eq!(d.limits, Limits::default());
        assert_eq!(d.limits.requests_per_second, DEFAULT_REQUESTS_PER_SECOND);
        assert!(d.limits.enabled());

        let file: FileConfig =
            toml::from_str("[limits]\nrequests_per_second = 5\n").expect("valid toml");
        let c = Config::resolve(file, Overrides::default()).expect("valid");
        assert_eq!(c.limits.requests_per_second, 5);
        assert_eq!(
            c.limits.burst, DEFAULT_BURST,
            "unset keys keep their default"
        );
        assert!(!c.limits.trust_forwarded_for);

        let file: FileConfig =
            toml::from_str("[limits]\nburst = 7\ntrust_forwarded_for = true\n").expect("valid");
        let c = Config::resolve(
            file,
            Overrides {
                rate_limit: Some("0".to_owned()),
                ..Default::default()
            },
        )
        .expect("valid");
        assert!(!c.limits.enabled(), "0 turns it off");
        assert_eq!(c.limits.burst, 7);
        assert!(c.limits.trust_forwarded_for);

        assert_eq!(parse_rate_limit("2/3"), Ok((2, Some(3))));
        assert_eq!(parse_rate_limit("50"), Ok((50, None)));
        assert!(parse_rate_limit("fast").is_err());
        assert!(parse_rate_limit("2/").is_err());
        let zero_burst = Overrides {
            rate_limit: Some("2/0".to_owned()),
            ..Default::default()
        };
        let e = Config::resolve(FileConfig::default(), zero_burst).expect_err("burst 0");
        assert!(e.contains("burst"), "{e}");
        let e = toml::from_str::<FileConfig>("[limits]\nrps = 1\n").expect_err("typo");
        assert!(e.to_string().contains("rps"), "{e}");
    }

    #[test]
    fn oba_keys_from_the_file_and_the_command_line() {
        let d = Config::resolve(FileConfig::default(), Overrides::default()).expect("valid");
        assert!(
            d.oba_keys.is_empty(),
            "none configured: the development key"
        );
        let file = || -> FileConfig {
            toml::from_str("[oba]\nkeys = [\"k1\", \"k2\"]\n").expect("valid toml")
        };
        let c = Config::resolve(file(), Overrides::default()).expect("valid");
        assert_eq!(c.oba_keys, ["k1", "k2"]);
        let c = Config::resolve(
            file(),
            Overrides {
                oba_keys: vec!["cli".to_owned()],
                ..Default::default()
            },
        )
        .expect("valid");
        assert_eq!(
            c.oba_keys,
            ["cli"],
            "flags and environment replace the file's keys"
        );
        let empty: FileConfig = toml::from_str("[oba]\nkeys = [\" \"]\n").expect("valid toml");
        let e = Config::resolve(empty, Overrides::default()).expect_err("empty key");
        assert!(e.contains("empty"), "{e}");
        let e = toml::from_str::<FileConfig>("[oba]\nkey = \"x\"\n").expect_err("typo");
        assert!(e.to_string().contains("key"), "{e}");
    }

    #[test]
    fn realtime_sources_from_the_file() {
        let file: FileConfig = toml::from_str(
            r#"
            [[feeds]]
            gtfs = "bd.zip"
            [[realtime]]
            id = "vp"
            url = "https://example.org/vp.pb?key=secret"
            kind = "vehicle_positions"
            headers = { "x-api-key" = "k" }
            interval = 20
            [[realtime]]
            id = "push"
            token = "t0k3n"
            timeout = "2.5s"
            "#,
        )
        .expect("valid toml");
        let c = Config::resolve(file, Overrides::default()).expect("valid");
        assert_eq!(c.realtime.len(), 2);
        let vp = &c.realtime[0];
        assert_eq!(vp.feed.as_str(), "bd");
        assert_eq!(vp.kind, RealtimeKind::VehiclePositions);
        assert_eq!(vp.interval, Duration::from_secs(20));
        assert_eq!(vp.timeout, DEFAULT_REALTIME_TIMEOUT);
        assert_eq!(vp.headers, vec![("x-api-key".to_owned(), "k".to_owned())]);
        let push = &c.realtime[1];
        assert_eq!(push.url, None);
        assert_eq!(push.token.as_deref(), Some("t0k3n"));
        assert_eq!(push.timeout, Duration::from_millis(2500));
        // Secrets stay out of debug output.
        let debug = format!("{c:?}");
        assert!(
            !debug.contains("secret") && !debug.contains("t0k3n"),
            "{debug}"
        );
        assert!(debug.contains("https://example.org/vp.pb?…"), "{debug}");

        let typo = toml::from_str::<FileConfig>("[[realtime]]\nid = \"x\"\nurll = \"http://a\"\n")
            .expect_err("typo");
        assert!(typo.to_string().contains("urll"), "{typo}");
    }

    #[test]
    fn realtime_sources_from_the_command_line() {
        let feeds = vec![
            FeedConfig::parse("bd=feeds/binh-duong").expect("valid"),
            FeedConfig::parse("hcm=hcm.zip").expect("valid"),
        ];
        let spec = RealtimeConfig::parse(
            "vp=bd:https://example.org/a;b.pb;interval=500ms;header=x-api-key:k;kind=trip_updates",
        );
        // ';' separates options: a URL with ';' belongs in the file.
        assert!(spec.is_err(), "{spec:?}");
        let spec = RealtimeConfig::parse(
            "vp=bd:https://example.org/vp.pb;interval=500ms;header=x-api-key:k;kind=trip_updates",
        )
        .expect("valid");
        let vp = RealtimeConfig::resolve(spec, &feeds).expect("valid");
        assert_eq!(vp.feed.as_str(), "bd");
        assert_eq!(vp.url.as_deref(), Some("https://example.org/vp.pb"));
        assert_eq!(vp.interval, Duration::from_millis(500));
        assert_eq!(vp.kind, RealtimeKind::TripUpdates);
        assert_eq!(vp.headers, vec![("x-api-key".to_owned(), "k".to_owned())]);

        let push = RealtimeConfig::parse("in=hcm:push;token=abc").expect("valid");
        let push = RealtimeConfig::resolve(push, &feeds).expect("valid");
        assert_eq!((push.url, push.token.as_deref()), (None, Some("abc")));

        let resolve = |spec: &str, feeds: &[FeedConfig]| {
            RealtimeConfig::parse(spec).and_then(|s| RealtimeConfig::resolve(s, feeds))
        };
        let one = &feeds[..1];
        assert!(resolve("vp=https://example.org/vp.pb", one).is_ok());
        for (spec, feeds, expect) in [
            ("vp=https://example.org/vp.pb", &feeds[..], "several feeds"),
            ("vp=xx:https://example.org/vp.pb", one, "not served"),
            ("vp=push", one, "neither url"),
            ("vp=ftp://example.org/x", one, "http or https"),
            ("v p=https://example.org/vp.pb", one, "not valid"),
            (
                "vp=https://example.org/vp.pb;interval=10ms",
                one,
                "too short",
            ),
            (
                "vp=https://example.org/vp.pb;color=red",
                one,
                "unknown option",
            ),
            ("vp=https://example.org/vp.pb;kind=bus", one, "kind"),
            ("vp=push;token=", one, "empty"),
        ] {
            let e = resolve(spec, feeds).expect_err(spec);
            assert!(e.contains(expect), "{spec}: {e}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("15"), Ok(Duration::from_secs(15)));
        assert_eq!(parse_duration("15s"), Ok(Duration::from_secs(15)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let e = toml::from_str::<FileConfig>("lisen = \"x\"").expect_err("typo");
        assert!(e.to_string().contains("lisen"), "{e}");
    }
}
