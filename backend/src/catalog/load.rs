//! The IO shell of the catalog: loads configured feeds from disk into [`FeedEntry`]s (start-up,
//! activations, replays). The catalog itself stays pure.

use std::sync::Arc;

use anyhow::Context as _;
use jiff::Timestamp;

use super::{Catalog, FeedEntry};
use crate::config::FeedConfig;
use crate::feed::{self, Source};

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
