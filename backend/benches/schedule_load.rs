//! Load + index time and peak memory of a static feed, next to `gtfs-structures` alone and
//! to `unzip -p` (the cost of decompressing the bytes at all).
//!
//! ```text
//! cargo bench -p backend --bench schedule_load [-- FEED.zip] [--runs N]
//! ```
//! Default feed: `../shared/data/gtfs-bench/large/` (1.16 M stop_times), skipped with a
//! message when that folder is absent. Each measurement runs in a fresh child process, so
//! peak RSS (`VmHWM`) is that of one load alone.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const MODE_VAR: &str = "SCHEDULE_LOAD_BENCH_MODE";

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Child: load once in `mode`, print `seconds peak_kib detail`.
fn child(mode: &str, feed: &Path) {
    let start = Instant::now();
    let detail = match mode {
        "gtfs-structures" => match gtfs_structures::Gtfs::from_path(feed) {
            Ok(g) => format!("{} trips, {} stops", g.trips.len(), g.stops.len()),
            Err(e) => format!("error: {e}"),
        },
        "gtfs-structures-raw" => match gtfs_structures::RawGtfs::from_path(feed) {
            Ok(g) => format!(
                "{} stop_times",
                g.stop_times.as_ref().map(Vec::len).unwrap_or(0)
            ),
            Err(e) => format!("error: {e}"),
        },
        "schedule" => {
            let id = backend::schedule::FeedId::from_name("bench");
            let today = jiff::civil::date(2026, 11, 23);
            match backend::feed::load(backend::feed::Source::Path(feed), id, today) {
                Ok(l) => format!(
                    "{} trips, {} stop_times, {} shapes",
                    l.schedule.trips.len(),
                    l.schedule.stop_times.len(),
                    l.schedule.shapes.len()
                ),
                Err(r) => format!("invalid: {} errors", r.error_count()),
            }
        }
        other => format!("unknown mode {other}"),
    };
    println!(
        "{} {} {detail}",
        start.elapsed().as_secs_f64(),
        peak_rss_kib()
    );
}

fn default_feed() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/gtfs-bench/large");
    std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "zip"))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Ok(mode) = std::env::var(MODE_VAR) {
        child(&mode, Path::new(&args[0]));
        return;
    }
    let mut runs = 3;
    let mut feed = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => runs = it.next().and_then(|n| n.parse().ok()).unwrap_or(3),
            s if s.starts_with("--") => {} // cargo passes --bench
            s => feed = Some(PathBuf::from(s)),
        }
    }
    let Some(feed) = feed.or_else(default_feed) else {
        println!(
            "schedule_load: skipped, no feed given and ../shared/data/gtfs-bench/large/ is absent \
             (pass one: cargo bench -p backend --bench schedule_load -- FEED.zip)"
        );
        return;
    };
    let exe = std::env::current_exe().expect("own path");
    println!("feed: {}", feed.display());
    let unzipped: u64 = Command::new("unzip")
        .arg("-l")
        .arg(&feed)
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .last()?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0);
    println!(
        "uncompressed CSV: {:.1} MB; {runs} runs each, median time, max peak RSS\n",
        unzipped as f64 / 1e6
    );
    let mut unzip_times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let ok = Command::new("sh")
            .arg("-c")
            .arg("unzip -p \"$0\" > /dev/null")
            .arg(&feed)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            unzip_times.push(start.elapsed().as_secs_f64());
        }
    }
    println!(
        "{:<22} {:>9} {:>12}  detail",
        "what", "time (s)", "peak RSS MB"
    );
    if !unzip_times.is_empty() {
        println!(
            "{:<22} {:>9.3} {:>12}  decompress only",
            "unzip -p > /dev/null",
            median(unzip_times),
            "-"
        );
    }
    let mut results = Vec::new();
    for mode in ["gtfs-structures", "gtfs-structures-raw", "schedule"] {
        let mut times = Vec::new();
        let mut peak = 0u64;
        let mut detail = String::new();
        for _ in 0..runs {
            let out = Command::new(&exe)
                .arg(&feed)
                .env(MODE_VAR, mode)
                .output()
                .expect("run child");
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            let mut parts = text.trim().splitn(3, ' ');
            times.push(
                parts
                    .next()
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(f64::NAN),
            );
            peak = peak.max(parts.next().and_then(|t| t.parse().ok()).unwrap_or(0));
            detail = parts.next().unwrap_or("").to_owned();
        }
        let t = median(times);
        println!(
            "{mode:<22} {t:>9.3} {:>12.1}  {detail}",
            peak as f64 / 1024.0
        );
        results.push((mode, t, peak));
    }
    let own = results.iter().find(|r| r.0 == "gtfs-structures");
    let ours = results.iter().find(|r| r.0 == "schedule");
    if let (Some(g), Some(s)) = (own, ours) {
        println!(
            "\nschedule load+index = {:.0} % of gtfs-structures' own load (target ≤ 125 %)",
            100.0 * s.1 / g.1
        );
        println!(
            "schedule peak RSS = {:.0} % of the uncompressed CSV (target ≤ 100 %)",
            100.0 * (s.2 as f64 * 1024.0) / unzipped as f64
        );
    }
}
