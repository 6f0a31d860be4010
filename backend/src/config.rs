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
//! ```
//!
//! Environment: `RTPI_CONFIG`, `RTPI_LISTEN`, `RTPI_DATA_DIR`, `RTPI_SITE_DIR`, `RTPI_GTFS` (comma-separated
//! `[ID=]PATH`), `RTPI_LOG` (a `tracing` filter such as `info,backend=debug`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

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

/// The settings the server runs with, after merging every source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// The web app's static files (`pkg/frontend.js`, `pkg/frontend_bg.wasm`).
    pub site_dir: PathBuf,
    pub feeds: Vec<FeedConfig>,
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileFeed {
    pub id: Option<String>,
    pub gtfs: PathBuf,
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
}

impl Config {
    pub fn resolve(file: FileConfig, overrides: Overrides) -> Result<Self, String> {
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
            feeds,
        })
    }
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
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let e = toml::from_str::<FileConfig>("lisen = \"x\"").expect_err("typo");
        assert!(e.to_string().contains("lisen"), "{e}");
    }
}
