//! One step of the realtime engine, the same for the server and for `backend replay`:
//! a decoded GTFS-Realtime message and `now` in → realtime state updated → predictions
//! snapshot out.
//!
//! Pure and synchronous: the `ingest` module (polling, push) owns a `Pipeline` in one task,
//! feeds it messages and publishes each [`Snapshot`] with `ArcSwap`; replay drives it with the
//! clock set to each recorded snapshot's time.

use std::collections::BTreeMap;
use std::sync::Arc;

use gtfs_rt::FeedMessage;
use rustc_hash::FxHashMap;

use crate::catalog::Catalog;
use crate::predict::{History, ObservedCall, Settings, Snapshot};
use crate::realtime::{Finding, Level, decode, validate};
use crate::schedule::{FeedId, Schedule};

/// Findings kept per source for `/health` (the newest).
const FINDINGS_KEPT: usize = 50;

/// What one realtime source (a polled URL or a push endpoint) has done lately.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SourceStatus {
    pub id: String,
    /// The static feed its trips and stops refer to.
    pub feed: String,
    /// Last message accepted (unix seconds, our clock).
    pub last_success: Option<i64>,
    /// Last time the source answered with a message or with "unchanged" (HTTP 304, or the
    /// same payload again).
    pub last_checked: Option<i64>,
    /// Header timestamp of the last message accepted.
    pub last_header_timestamp: Option<u64>,
    /// Failing since (unix seconds), while it fails.
    pub failing_since: Option<i64>,
    pub last_error: Option<String>,
    /// Messages accepted.
    pub messages: u64,
    /// Entities used from the last message accepted.
    pub entities: usize,
    /// Entities left out of the last message accepted, for errors.
    pub entities_rejected: usize,
    /// Findings of the latest messages, newest first.
    pub findings: Vec<Finding>,
    /// Findings per code since the start (all of them, not only those kept).
    pub finding_counts: BTreeMap<&'static str, u64>,
}

/// What ingesting one message did.
#[derive(Debug, Default)]
pub struct IngestReport {
    /// Whether the message was used (decode failures and stale headers are not).
    pub accepted: bool,
    pub findings: Vec<Finding>,
    /// Calls completed by vehicles in this message: persist them.
    pub observed: Vec<ObservedCall>,
}

/// The realtime engine's state: schedules, sources, tracked vehicles and learned history.
#[derive(Debug)]
pub struct Pipeline {
    schedules: FxHashMap<FeedId, Arc<Schedule>>,
    sources: FxHashMap<String, SourceStatus>,
    history: History,
    settings: Settings,
    last_header: u64,
}

impl Pipeline {
    pub fn new(catalog: &Catalog, history: History, settings: Settings) -> Self {
        let mut pipeline = Pipeline {
            schedules: FxHashMap::default(),
            sources: FxHashMap::default(),
            history,
            settings,
            last_header: 0,
        };
        pipeline.set_catalog(catalog);
        pipeline
    }

    /// Adopts a new set of schedules (a new version was activated): vehicles are matched
    /// again against it on their next position.
    pub fn set_catalog(&mut self, catalog: &Catalog) {
        self.schedules = catalog
            .feeds()
            .iter()
            .map(|f| (f.schedule.feed_id.clone(), f.schedule.clone()))
            .collect();
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    /// Decodes and ingests a payload from `source` (realtime data for static feed `feed`).
    /// A payload that does not decode is a failure of the source; nothing else changes.
    pub fn ingest_bytes(
        &mut self,
        source: &str,
        feed: &FeedId,
        bytes: &[u8],
        now: i64,
    ) -> IngestReport {
        match decode::decode(bytes) {
            Ok(message) => self.ingest(source, feed, &message, now),
            Err(e) => {
                let finding = Finding {
                    code: "decode",
                    level: Level::Error,
                    entity_id: None,
                    message: e.to_string(),
                };
                self.source_failed(source, feed, &e.to_string(), now);
                self.push_findings(source, feed, std::slice::from_ref(&finding));
                IngestReport {
                    accepted: false,
                    findings: vec![finding],
                    observed: Vec::new(),
                }
            }
        }
    }

    /// Ingests a decoded message from `source`.
    pub fn ingest(
        &mut self,
        source: &str,
        feed: &FeedId,
        message: &FeedMessage,
        now: i64,
    ) -> IngestReport {
        let Some(schedule) = self.schedules.get(feed).cloned() else {
            let msg = format!("no static feed {feed} is loaded; check the source's `feed` setting");
            self.source_failed(source, feed, &msg, now);
            return IngestReport {
                accepted: false,
                findings: vec![Finding {
                    code: "unknown_feed",
                    level: Level::Error,
                    entity_id: None,
                    message: msg,
                }],
                observed: Vec::new(),
            };
        };
        let previous = self.source_mut(source, feed).last_header_timestamp;
        let findings = validate::validate(message, &schedule, now, previous);
        // The engine sees only what passed validation: no message with a message-level error,
        // no entity with an error.
        let Some(usable) = validate::usable(message, &findings) else {
            let reason = findings
                .iter()
                .find(|f| f.level == Level::Error && f.entity_id.is_none())
                .map(|f| format!("message rejected: [{}] {}", f.code, f.message))
                .unwrap_or_else(|| "message rejected".to_owned());
            self.source_failed(source, feed, &reason, now);
            self.push_findings(source, feed, &findings);
            return IngestReport {
                accepted: false,
                findings,
                observed: Vec::new(),
            };
        };
        let status = self.source_mut(source, feed);
        status.last_success = Some(now);
        status.last_checked = Some(now);
        status.failing_since = None;
        status.last_error = None;
        status.messages += 1;
        status.entities = usable.entity.len();
        status.entities_rejected = message.entity.len() - usable.entity.len();
        status.last_header_timestamp = message.header.timestamp.or(previous);
        self.push_findings(source, feed, &findings);
        IngestReport {
            accepted: true,
            findings,
            observed: Vec::new(),
        }
    }

    /// Records that `source` could not be fetched or decoded.
    pub fn source_failed(&mut self, source: &str, feed: &FeedId, error: &str, now: i64) {
        let status = self.source_mut(source, feed);
        status.failing_since.get_or_insert(now);
        status.last_error = Some(error.to_owned());
    }

    /// Records that `source` answered with nothing new (HTTP 304, or the payload it sent last
    /// time): reachable, and its last message still holds. A failure stays recorded: the
    /// content that failed has not changed.
    pub fn source_unchanged(&mut self, source: &str, feed: &FeedId, now: i64) {
        self.source_mut(source, feed).last_checked = Some(now);
    }

    /// Status of every source seen, sorted by id.
    pub fn sources(&self) -> Vec<SourceStatus> {
        let mut out: Vec<SourceStatus> = self.sources.values().cloned().collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// Builds the predictions snapshot as of `now`.
    pub fn snapshot(&mut self, now: i64) -> Snapshot {
        let mut snapshot = crate::predict::predict(&self.history, now);
        self.last_header = self.last_header.max(u64::try_from(now).unwrap_or(0));
        snapshot.at = now;
        snapshot.header_timestamp = self.last_header;
        snapshot
    }

    fn source_mut(&mut self, source: &str, feed: &FeedId) -> &mut SourceStatus {
        self.sources
            .entry(source.to_owned())
            .or_insert_with(|| SourceStatus {
                id: source.to_owned(),
                feed: feed.to_string(),
                last_success: None,
                last_checked: None,
                last_header_timestamp: None,
                failing_since: None,
                last_error: None,
                messages: 0,
                entities: 0,
                entities_rejected: 0,
                findings: Vec::new(),
                finding_counts: BTreeMap::new(),
            })
    }

    fn push_findings(&mut self, source: &str, feed: &FeedId, findings: &[Finding]) {
        let status = self.source_mut(source, feed);
        for f in findings {
            *status.finding_counts.entry(f.code).or_default() += 1;
        }
        let mut kept: Vec<Finding> = findings.iter().take(FINDINGS_KEPT).cloned().collect();
        let room = FINDINGS_KEPT.saturating_sub(kept.len());
        kept.extend(status.findings.iter().take(room).cloned());
        status.findings = kept;
    }
}
