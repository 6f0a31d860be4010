//! `backend replay`: recorded VehiclePositions snapshots through the same pipeline as the
//! server, with the clock set to each snapshot's header time, writing every prediction it
//! would serve, for scoring against what the vehicles really did (`../shared/eval`).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::catalog::Catalog;
use crate::config::FeedConfig;
use crate::pipeline::Pipeline;
use crate::predict::{Basis, History, Settings, TripStatus};
use crate::realtime::decode;
use crate::schedule::{FeedId, Schedule};
use crate::store::Store;

/// What a replay did.
#[derive(Debug, Default)]
pub struct Summary {
    pub snapshots: usize,
    pub skipped_files: usize,
    pub rows: u64,
    pub observed_calls: u64,
    /// Observed calls learned from the store before the first snapshot.
    pub learned_from_store: usize,
    pub elapsed: std::time::Duration,
}

/// Options of one replay.
#[derive(Debug, Clone)]
pub struct Options {
    pub gtfs: PathBuf,
    pub vehicle_positions: PathBuf,
    pub out: PathBuf,
    /// Predictions reach this far ahead (seconds).
    pub horizon: i64,
    pub progress: bool,
    /// Learn from (and record into) the store in this directory, as the server does, so a
    /// replay can start from what earlier replays observed.
    pub data_dir: Option<PathBuf>,
}

/// The `.pb` files of a directory with their header timestamps, in time order.
pub fn snapshots(dir: &Path) -> anyhow::Result<(Vec<(u64, PathBuf)>, usize)> {
    let entries = std::fs::read_dir(dir).with_context(|| {
        format!(
            "cannot read {}; pass a directory of GTFS-Realtime .pb files",
            dir.display()
        )
    })?;
    let mut out = Vec::new();
    let mut skipped = 0;
    for entry in entries {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("pb") {
            continue;
        }
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        match decode::decode(&bytes) {
            Ok(m) => match m.header.timestamp {
                Some(t) => out.push((t, path)),
                None => {
                    tracing::warn!(file = %path.display(), "no header timestamp; skipped");
                    skipped += 1;
                }
            },
            Err(e) => {
                tracing::warn!(file = %path.display(), "{e}; skipped");
                skipped += 1;
            }
        }
    }
    out.sort();
    if out.is_empty() {
        bail!(
            "no GTFS-Realtime snapshots (*.pb with a header timestamp) in {}",
            dir.display()
        );
    }
    Ok((out, skipped))
}

pub fn run(options: &Options) -> anyhow::Result<Summary> {
    let started = std::time::Instant::now();
    let (files, skipped) = snapshots(&options.vehicle_positions)?;
    let first = i64::try_from(files[0].0).unwrap_or(0);
    let feed = FeedConfig {
        id: FeedId::from_name(
            &options
                .gtfs
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        ),
        gtfs: options.gtfs.clone(),
    };
    let feed_id = feed.id.clone();
    let today = crate::schedule::time::local_date(first, &jiff::tz::TimeZone::UTC);
    let entry = crate::catalog::load_feed(&feed, today).map_err(|report| {
        anyhow::anyhow!(
            "the GTFS feed {} cannot be used:\n{}",
            options.gtfs.display(),
            crate::cli::format_report(&report)
        )
    })?;
    let schedule = entry.schedule.clone();
    let catalog = Catalog::new(vec![entry]).map_err(anyhow::Error::msg)?;
    let mut summary_learned = 0;
    let settings = Settings {
        horizon: options.horizon,
        ..Settings::default()
    };
    let mut store = match &options.data_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            Some(Store::open(dir)?)
        }
        None => None,
    };
    let mut history = History::default();
    if let Some(store) = &store {
        // Only what happened before the replay starts: no peeking at its own future.
        let since = first - crate::store::HISTORY_DAYS * 86_400;
        let (learned, counts) = store.learn(std::slice::from_ref(&schedule), since, first)?;
        history = learned;
        summary_learned = counts.iter().sum();
    }
    let mut pipeline = Pipeline::new(&catalog, history, settings);
    let out = std::fs::File::create(&options.out)
        .with_context(|| format!("cannot create {}", options.out.display()))?;
    let mut out = std::io::BufWriter::new(out);
    writeln!(
        out,
        "made_at,trip_id,stop_id,stop_sequence,predicted_arrival"
    )?;
    let bar = options.progress.then(|| {
        let bar = indicatif::ProgressBar::new(files.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} snapshots, {msg} [{elapsed_precise}, eta {eta}]",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let mut summary = Summary {
        skipped_files: skipped,
        learned_from_store: summary_learned,
        ..Summary::default()
    };
    for (header, path) in &files {
        let now = i64::try_from(*header).unwrap_or(i64::MAX);
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let report = pipeline.ingest_bytes("replay", &feed_id, &bytes, now);
        summary.observed_calls += report.observed.len() as u64;
        if let Some(store) = &mut store {
            store.record_calls(&feed_id, &report.observed)?;
        }
        let snapshot = pipeline.snapshot(now);
        summary.rows += write_rows(&mut out, &schedule, &snapshot, now, options.horizon)?;
        summary.snapshots += 1;
        if let Some(bar) = &bar {
            bar.inc(1);
            bar.set_message(format!(
                "{} vehicles, {} rows",
                pipeline.tracker().len(),
                summary.rows
            ));
        }
    }
    out.flush()?;
    if let Some(bar) = bar {
        bar.finish();
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Rows for every live prediction of `snapshot` arriving within `horizon` of `now`.
fn write_rows(
    out: &mut impl std::io::Write,
    schedule: &Schedule,
    snapshot: &crate::predict::Snapshot,
    now: i64,
    horizon: i64,
) -> std::io::Result<u64> {
    let mut rows = 0;
    let Some(feed) = snapshot.feed(&schedule.feed_id) else {
        return Ok(0);
    };
    for trip in &feed.trips {
        if trip.status != TripStatus::Live {
            continue;
        }
        let trip_id = &schedule.trip(trip.instance.trip).id;
        for s in &trip.stops {
            if !matches!(s.basis, Basis::Realtime | Basis::Propagated) {
                continue;
            }
            let Some(arrival) = s.arrival else { continue };
            if arrival < now || arrival - now > horizon {
                continue;
            }
            writeln!(
                out,
                "{now},{trip_id},{},{},{arrival}",
                schedule.stop(s.stop).id,
                s.stop_sequence
            )?;
            rows += 1;
        }
    }
    Ok(rows)
}
