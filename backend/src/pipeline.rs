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
use crate::predict::{feed_snapshot, merge_agency};
use crate::realtime::alerts::ServiceAlert;
use crate::realtime::tracker::{Report, Tracker, TripHint};
use crate::realtime::trip_updates::{self, AgencyUpdates};
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
    /// Answers received or attempted (messages accepted, unchanged answers, failures).
    pub fetches: u64,
    /// Fetches or messages that failed (unreachable, undecodable, rejected).
    pub errors: u64,
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
    tracker: Tracker,
    agency: AgencyUpdates,
    /// The alerts of each source's last message (a FULL_DATASET replaces them all).
    alerts: FxHashMap<String, Vec<Arc<ServiceAlert>>>,
    history: History,
    settings: Settings,
    last_header: u64,
}

impl Pipeline {
    pub fn new(catalog: &Catalog, history: History, settings: Settings) -> Self {
        let mut pipeline = Pipeline {
            schedules: FxHashMap::default(),
            sources: FxHashMap::default(),
            tracker: Tracker::default(),
            agency: AgencyUpdates::default(),
            alerts: FxHashMap::default(),
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
        let schedules: FxHashMap<FeedId, Arc<Schedule>> = catalog
            .feeds()
            .iter()
            .map(|f| (f.schedule.feed_id.clone(), f.schedule.clone()))
            .collect();
        for (id, old) in &self.schedules {
            if schedules
                .get(id)
                .is_none_or(|new| new.version != old.version)
            {
                self.tracker.reset_feed(id);
                // Resolved against the old version's indexes: wait for the next message.
                let sources = &self.sources;
                self.alerts.retain(|source, _| {
                    sources.get(source).is_none_or(|st| st.feed != id.as_str())
                });
            }
        }
        self.schedules = schedules;
    }

    /// Replaces what was learned of the feeds in `relearned` (a new version of them was
    /// activated and the store's observations were learned again against it).
    pub fn adopt_history(&mut self, relearned: History) {
        self.history.replace_feeds(relearned);
    }

    pub fn tracker(&self) -> &Tracker {
        &self.tracker
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
        status.fetches += 1;
        status.entities = usable.entity.len();
        status.entities_rejected = message.entity.len() - usable.entity.len();
        status.last_header_timestamp = message.header.timestamp.or(previous);
        self.push_findings(source, feed, &findings);
        let header_time = message
            .header
            .timestamp
            .and_then(|t| i64::try_from(t).ok())
            .unwrap_or(now);
        let mut observed = Vec::new();
        let mut agency = Vec::new();
        let mut alerts = Vec::new();
        for entity in &usable.entity {
            if let Some(vp) = &entity.vehicle
                && let Some(report) = report_of(&entity.id, vp, header_time)
            {
                self.tracker.update(&schedule, report, &mut observed);
            }
            if let Some(tu) = &entity.trip_update {
                let hint = trip_hint(&tu.trip);
                if let Some(t) = trip_updates::resolve(&schedule, tu, &hint, header_time) {
                    agency.push(t);
                }
            }
            if let Some(a) = &entity.alert
                && let Some(a) = ServiceAlert::resolve(&schedule, source, &entity.id, a)
            {
                alerts.push(Arc::new(a));
            }
        }
        self.agency.replace(source, agency);
        self.alerts.insert(source.to_owned(), alerts);
        self.history.learn(&schedule, &observed);
        IngestReport {
            accepted: true,
            findings,
            observed,
        }
    }

    /// Records that `source` could not be fetched or decoded.
    pub fn source_failed(&mut self, source: &str, feed: &FeedId, error: &str, now: i64) {
        let status = self.source_mut(source, feed);
        status.failing_since.get_or_insert(now);
        status.last_error = Some(error.to_owned());
        status.fetches += 1;
        status.errors += 1;
    }

    /// Records that `source` answered with nothing new (HTTP 304, or the payload it sent last
    /// time): reachable, and its last message still holds. A failure stays recorded: the
    /// content that failed has not changed.
    pub fn source_unchanged(&mut self, source: &str, feed: &FeedId, now: i64) {
        let status = self.source_mut(source, feed);
        status.last_checked = Some(now);
        status.fetches += 1;
    }

    /// Status of every source seen, sorted by id.
    pub fn sources(&self) -> Vec<SourceStatus> {
        let mut out: Vec<SourceStatus> = self.sources.values().cloned().collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// Builds the predictions snapshot as of `now`.
    pub fn snapshot(&mut self, now: i64) -> Snapshot {
        self.tracker.expire(now, self.settings.vehicle_timeout);
        let mut snapshot = Snapshot::default();
        for (id, schedule) in &self.schedules {
            let mut feed = feed_snapshot(
                schedule,
                self.history.feed(id),
                self.tracker.vehicles().filter(|v| &v.feed == id),
                &self.settings,
                now,
            );
            let sources = &self.sources;
            merge_agency(
                schedule,
                &mut feed,
                self.agency.for_feed(
                    |s| sources.get(s).is_some_and(|st| st.feed == id.as_str()),
                    now,
                    self.settings.vehicle_timeout,
                ),
            );
            let mut alerts: Vec<Arc<ServiceAlert>> = self
                .alerts
                .iter()
                .filter(|(source, _)| {
                    sources
                        .get(*source)
                        .is_some_and(|st| st.feed == id.as_str())
                })
                .flat_map(|(_, a)| a.iter().filter(|a| !a.expired_at(now)).cloned())
                .collect();
            alerts.sort_by(|a, b| a.id.cmp(&b.id));
            feed.alerts = alerts;
            if self.degraded(id, now) {
                // Never old numbers presented as live: the timetable, labelled.
                feed.degraded = true;
                feed.trips.clear();
                feed.trip_index.clear();
            }
            // Boards read it: made here, once, rather than by the first request.
            feed.index_published();
            snapshot.feeds.insert(id.clone(), feed);
        }
        self.last_header = self.last_header.max(u64::try_from(now).unwrap_or(0));
        snapshot.at = now;
        snapshot.header_timestamp = self.last_header;
        snapshot
    }

    /// Every source of `feed` has failed or been silent for longer than the degrade limit
    /// (a feed with no source at all is not degraded: it simply has no realtime).
    fn degraded(&self, feed: &FeedId, now: i64) -> bool {
        let mut sources = self
            .sources
            .values()
            .filter(|s| s.feed == feed.as_str())
            .peekable();
        sources.peek().is_some()
            && sources.all(|s| {
                let limit = self.settings.feed_degrade_after;
                let silent = s.last_success.is_none_or(|t| now - t > limit);
                let failing = s.failing_since.is_some_and(|t| now - t > limit);
                silent || failing
            })
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
                fetches: 0,
                errors: 0,
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

/// A position report from a VehiclePosition entity; `None` without a usable position.
fn report_of(entity_id: &str, vp: &gtfs_rt::VehiclePosition, header_time: i64) -> Option<Report> {
    let position = vp.position.as_ref()?;
    let descriptor = vp.vehicle.as_ref();
    let id = descriptor
        .and_then(|d| d.id.clone())
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| entity_id.to_owned());
    let hint = vp.trip.as_ref().map(trip_hint).unwrap_or_default();
    let timestamp = vp
        .timestamp
        .and_then(|t| i64::try_from(t).ok())
        .filter(|&t| t > 0)
        .unwrap_or(header_time);
    Some(Report {
        id,
        label: descriptor.and_then(|d| d.label.clone()),
        position: crate::schedule::LatLon::new(
            f64::from(position.latitude),
            f64::from(position.longitude),
        ),
        bearing: position.bearing,
        speed: position.speed,
        timestamp,
        hint,
    })
}

/// The fields of a TripDescriptor the tracker uses.
pub fn trip_hint(t: &gtfs_rt::TripDescriptor) -> TripHint {
    use gtfs_rt::trip_descriptor::ScheduleRelationship;
    TripHint {
        trip_id: t.trip_id.clone().filter(|s| !s.is_empty()),
        route_id: t.route_id.clone().filter(|s| !s.is_empty()),
        direction_id: t.direction_id,
        start_date: t.start_date.as_deref().and_then(validate::parse_start_date),
        start_time: t.start_time.as_deref().and_then(validate::parse_start_time),
        canceled: t.schedule_relationship == Some(ScheduleRelationship::Canceled as i32),
    }
}
