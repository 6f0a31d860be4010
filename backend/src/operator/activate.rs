//! Activation: a version becomes the one served now, at a set time (the scheduler fires it,
//! also after a restart), or again (rollback). The schedule is read and indexed on a blocking
//! thread while requests go on being served from the current catalog; the store's
//! transaction commits the change; then one `ArcSwap` store publishes the new catalog and the
//! ingest worker gets it, with what the stored observations teach about the new version.

use std::path::Path;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use api_types::operator::FeedVersion;
use jiff::Timestamp;

use super::{Caller, OperatorError, Operators, wire_version};
use crate::catalog::Catalog;
use crate::config::{FeedConfig, SAMPLE_FEED};
use crate::schedule::FeedId;
use crate::store::{HISTORY_DAYS, Store, VersionRow, VersionState};

/// How often the scheduler looks for versions whose time has come.
const SCHEDULER_TICK: Duration = Duration::from_millis(500);

impl Operators {
    /// Makes version `id` of `feed` active now, or schedules it for `at` (RFC 3339) when that
    /// is in the future. Activating the active version changes nothing. Runs to its end (and
    /// into the audit log) even if the request goes away.
    pub async fn activate(
        &self,
        caller: &Caller,
        feed: &str,
        id: i64,
        at: Option<&str>,
    ) -> Result<FeedVersion, OperatorError> {
        let (this, caller, feed) = (self.clone(), caller.clone(), feed.to_owned());
        let at = at.map(str::to_owned);
        detached(async move {
            this.activate_attached(&caller, &feed, id, at.as_deref())
                .await
        })
        .await
    }

    async fn activate_attached(
        &self,
        caller: &Caller,
        feed: &str,
        id: i64,
        at: Option<&str>,
    ) -> Result<FeedVersion, OperatorError> {
        let mut action = "activate";
        let result = async {
            caller.check(feed)?;
            let at = at
                .map(|text| {
                    text.parse::<Timestamp>().map_err(|e| {
                        OperatorError::BadRequest(
                            "invalid_parameter",
                            format!(
                                "at: {text:?} is not an RFC 3339 instant ({e}); write e.g. \
                                 2026-12-01T03:00:00+07:00"
                            ),
                        )
                    })
                })
                .transpose()?;
            let row = self.find_version(feed, id).await?;
            match at {
                Some(at) if at > self.now() => {
                    action = "schedule";
                    if row.state == VersionState::Active {
                        return Err(OperatorError::Conflict(format!(
                            "version {id} is already active; there is nothing to schedule"
                        )));
                    }
                    let when = at.as_second();
                    self.db(move |s| s.schedule_version(id, when)).await?;
                }
                _ if row.state == VersionState::Active => {}
                _ => self.publish(&row).await?,
            }
            Ok(wire_version(&self.find_version(feed, id).await?))
        }
        .await;
        let detail = at.map(|a| format!("at {a}")).unwrap_or_default();
        self.audit(&caller.name, action, Some(feed), Some(id), &result, detail)
            .await;
        result
    }

    /// Makes the version active before the current one active again (to its end, as
    /// [`Operators::activate`]).
    pub async fn rollback(
        &self,
        caller: &Caller,
        feed: &str,
    ) -> Result<FeedVersion, OperatorError> {
        let (this, caller, feed) = (self.clone(), caller.clone(), feed.to_owned());
        detached(async move { this.rollback_attached(&caller, &feed).await }).await
    }

    async fn rollback_attached(
        &self,
        caller: &Caller,
        feed: &str,
    ) -> Result<FeedVersion, OperatorError> {
        let mut version = None;
        let result = async {
            caller.check(feed)?;
            let f = feed.to_owned();
            let Some(row) = self.db(move |s| s.previous_version(&f)).await? else {
                return Err(OperatorError::Conflict(format!(
                    "feed {feed:?} has no previously active version to roll back to"
                )));
            };
            version = Some(row.id);
            self.publish(&row).await?;
            Ok(wire_version(&self.find_version(feed, row.id).await?))
        }
        .await;
        self.audit(
            &caller.name,
            "rollback",
            Some(feed),
            version,
            &result,
            String::new(),
        )
        .await;
        result
    }

    /// Loads and indexes `row`'s schedule, commits it as its feed's active version, and
    /// publishes the new catalog. Until the commit nothing changes; after it only the swap
    /// (which cannot fail) remains.
    async fn publish(&self, row: &VersionRow) -> Result<(), OperatorError> {
        let _one_at_a_time = self.0.publishing.lock().await;
        let inner = self.0.clone();
        let row = row.clone();
        let now = self.now();
        let (catalog, relearned) = tokio::task::spawn_blocking(move || {
            let feed_id = FeedId::new(&row.feed)
                .map_err(|e| OperatorError::Internal(format!("stored feed id: {e}")))?;
            let cfg = FeedConfig {
                id: feed_id.clone(),
                gtfs: super::feed_file(&inner.data_dir, &row.sha256),
            };
            let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
            let mut entry = crate::catalog::load_feed(&cfg, today).map_err(|report| {
                OperatorError::Internal(format!(
                    "version {} no longer loads:\n{}",
                    row.id,
                    crate::cli::format_report(&report)
                ))
            })?;
            entry.source = format!("version {} ({})", row.id, cfg.gtfs.display());
            let current = inner.catalog.load_full();
            let mut feeds = current.feeds().to_vec();
            match feeds.iter_mut().find(|f| f.schedule.feed_id == feed_id) {
                Some(slot) => *slot = entry.clone(),
                None => feeds.push(entry.clone()),
            }
            let catalog = Catalog::new(feeds).map_err(OperatorError::Internal)?;
            let mut store = inner.store.lock().unwrap_or_else(PoisonError::into_inner);
            let since = now.as_second() - HISTORY_DAYS * 86_400;
            let (relearned, _) = store.learn(&[entry.schedule.clone()], since, i64::MAX)?;
            store.set_active(row.id, now.as_second())?;
            Ok::<_, OperatorError>((Arc::new(catalog), relearned))
        })
        .await
        .map_err(|e| OperatorError::Internal(format!("loading the version failed: {e}")))??;
        self.0.catalog.store(catalog.clone());
        self.0.ingest.set_catalog(catalog, relearned).await;
        Ok(())
    }

    /// Activates scheduled versions when their time comes, by the server's clock; runs until
    /// the task is dropped.
    pub async fn run_scheduler(self) {
        let mut ticks = tokio::time::interval(SCHEDULER_TICK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let now = self.now().as_second();
            let due = match self.db(move |s| s.due_versions(now)).await {
                Ok(due) => due,
                Err(e) => {
                    tracing::error!("cannot read scheduled activations: {e}");
                    continue;
                }
            };
            for row in due {
                let result = self.publish(&row).await;
                if result.is_err() {
                    // Not retried every tick: the operator sees it in the versions list.
                    let id = row.id;
                    if let Err(e) = self.db(move |s| s.unschedule_version(id)).await {
                        tracing::error!("cannot unschedule version {id}: {e}");
                    }
                }
                let detail = format!("scheduled for {}", row.activate_at.unwrap_or(now));
                self.audit(
                    "scheduler",
                    "activate",
                    Some(&row.feed),
                    Some(row.id),
                    &result,
                    detail,
                )
                .await;
            }
        }
    }
}

/// Runs `operation` as its own task, so that a request that goes away (a client closing the
/// connection drops the handler's future) never leaves it half done: committed in the store
/// but not published, or published but not audited.
async fn detached<T: Send + 'static>(
    operation: impl Future<Output = Result<T, OperatorError>> + Send + 'static,
) -> Result<T, OperatorError> {
    tokio::spawn(operation)
        .await
        .map_err(|e| OperatorError::Internal(format!("the operation failed: {e}")))?
}

/// The feeds to serve at start: each feed's active version in the store, and the configured
/// feeds the store has no version of. The sample network (the default when nothing is
/// configured) is left out once the store has an active version of any feed.
pub fn served_feeds(data_dir: &Path, configured: &[FeedConfig]) -> anyhow::Result<Vec<FeedConfig>> {
    let active = Store::open(data_dir)?.active_versions()?;
    let stored: Vec<FeedConfig> = active
        .iter()
        .filter_map(|v| {
            Some(FeedConfig {
                id: FeedId::new(&v.feed).ok()?,
                gtfs: super::feed_file(data_dir, &v.sha256),
            })
        })
        .collect();
    let sample_default = configured.len() == 1
        && configured[0].gtfs.ends_with(SAMPLE_FEED)
        && configured[0].id.as_str() == "binh-duong";
    let mut feeds: Vec<FeedConfig> = if sample_default && !stored.is_empty() {
        Vec::new()
    } else {
        configured
            .iter()
            .map(|c| stored.iter().find(|s| s.id == c.id).unwrap_or(c).clone())
            .collect()
    };
    for s in stored {
        if !feeds.iter().any(|f| f.id == s.id) {
            feeds.push(s);
        }
    }
    for v in &active {
        tracing::info!(feed = %v.feed, version = v.id, "serving the stored active version");
    }
    Ok(feeds)
}
