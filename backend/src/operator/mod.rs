//! Operator schedule management: accounts and tokens ([`accounts`]), uploads received into a
//! temporary file, validated and kept under their hash ([`upload`]), and versions activated
//! now, at a set time, or rolled back ([`activate`]).
//!
//! ```text
//! POST …/versions ─► temp file (hashed, size-capped) ─► feed::load_upload (blocking thread)
//!                      ─► 422 report │ dry-run report │ rename to feeds/{sha256}.zip + row
//! activate / rollback / scheduler ─► load + index the version (blocking thread)
//!                      ─► commit (one transaction) ─► swap the catalog ─► tell the ingest
//! ```
//!
//! Crash safety: a file is synced and renamed before the row naming it is committed; a
//! version is active once its transaction commits, and the server serves whatever is active
//! in the store when it starts. Killed at any moment, it comes back with the version before or
//! the version after, never a mix. Every action, allowed or refused, goes to the audit log.

pub mod accounts;
mod activate;
pub mod client;
pub mod reports;
mod upload;

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError};

use api_types::ValidationReport;
use api_types::operator::{AuditLog, FeedVersion, VersionList};
use arc_swap::ArcSwap;
use jiff::Timestamp;

pub use accounts::{Caller, new_token, token_digest};
pub use activate::served_feeds;
pub use upload::Upload;

use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::feed::ZipLimits;
use crate::ingest;
use crate::store::{AuditEntry, Store, StoreError, VersionRow, VersionState};

/// Where uploads are kept, inside the data directory: `feeds/{sha256}.zip`.
pub const FEEDS_DIR: &str = "feeds";
/// Uploads being received, inside the data directory (emptied at start).
pub const UPLOADS_DIR: &str = "uploads";

/// What an upload may be.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_upload_bytes: u64,
    pub zip: ZipLimits,
}

/// Why an operator request was refused.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    #[error("send an operator token as `Authorization: Bearer TOKEN`")]
    MissingToken,
    #[error(
        "this token is not a valid operator token (unknown or revoked); ask an admin for one \
         (`backend operator add`)"
    )]
    InvalidToken,
    #[error("{0}")]
    Forbidden(String),
    #[error("{1}")]
    NotFound(&'static str, String),
    #[error("{1}")]
    BadRequest(&'static str, String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    /// The upload has blocking errors: the report says which.
    #[error("the feed has errors")]
    Invalid(Box<ValidationReport>),
    #[error("{0}")]
    Internal(String),
}

impl OperatorError {
    /// The stable code, as in the JSON error and the audit log.
    pub fn code(&self) -> &'static str {
        match self {
            OperatorError::MissingToken => "missing_token",
            OperatorError::InvalidToken => "invalid_token",
            OperatorError::Forbidden(_) => "forbidden_feed",
            OperatorError::NotFound(code, _) | OperatorError::BadRequest(code, _) => code,
            OperatorError::Conflict(_) => "conflict",
            OperatorError::TooLarge(_) => "upload_too_large",
            OperatorError::Invalid(_) => "invalid_feed",
            OperatorError::Internal(_) => "internal_error",
        }
    }
}

impl From<StoreError> for OperatorError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => OperatorError::Conflict(m),
            other => OperatorError::Internal(other.to_string()),
        }
    }
}

/// The operator service: the store's operator tables, the upload directory, and the way to
/// publish a new catalog. Cheap to clone.
#[derive(Clone)]
pub struct Operators(Arc<Inner>);

struct Inner {
    /// Its own connection to the database (the realtime sink has another).
    store: std::sync::Mutex<Store>,
    data_dir: PathBuf,
    limits: Limits,
    catalog: Arc<ArcSwap<Catalog>>,
    ingest: ingest::Handle,
    clock: Clock,
    /// One catalog change at a time: each builds on the catalog the one before published.
    publishing: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Operators {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operators")
            .field("data_dir", &self.0.data_dir)
            .field("limits", &self.0.limits)
            .finish_non_exhaustive()
    }
}

impl Operators {
    /// The service over the store in `data_dir`, publishing into `catalog`. Removes what
    /// interrupted uploads left behind.
    pub fn open(
        data_dir: &Path,
        limits: Limits,
        catalog: Arc<ArcSwap<Catalog>>,
        ingest: ingest::Handle,
        clock: Clock,
    ) -> Result<Self, StoreError> {
        let store = Store::open(data_dir)?;
        upload::clean_up(data_dir, &store);
        Ok(Operators(Arc::new(Inner {
            store: std::sync::Mutex::new(store),
            data_dir: data_dir.to_owned(),
            limits,
            catalog,
            ingest,
            clock,
            publishing: tokio::sync::Mutex::new(()),
        })))
    }

    /// Runs `f` on the store, on a blocking thread.
    async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, OperatorError> {
        let inner = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = inner.store.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut store)
        })
        .await
        .map_err(|e| OperatorError::Internal(format!("the database task failed: {e}")))?
        .map_err(OperatorError::from)
    }

    /// Records an action and how it ended. A failure to record is logged, not fatal: the
    /// action already happened.
    async fn audit<T>(
        &self,
        who: &str,
        action: &str,
        feed: Option<&str>,
        version: Option<i64>,
        result: &Result<T, OperatorError>,
        detail: String,
    ) {
        let entry = AuditEntry {
            at: self.0.clock.now().as_second(),
            operator: who.to_owned(),
            action: action.to_owned(),
            feed: feed.map(str::to_owned),
            version,
            outcome: match result {
                Ok(_) => "ok".to_owned(),
                Err(e) => e.code().to_owned(),
            },
            detail: match result {
                Err(e) if !matches!(e, OperatorError::Invalid(_)) => {
                    format!("{detail}{}{e}", if detail.is_empty() { "" } else { ": " })
                }
                _ => detail,
            },
        };
        tracing::info!(
            operator = %entry.operator,
            action = %entry.action,
            feed = entry.feed.as_deref().unwrap_or(""),
            version = entry.version.unwrap_or(0),
            outcome = %entry.outcome,
            "operator action"
        );
        if let Err(e) = self.db(move |s| s.audit(&entry)).await {
            tracing::error!("cannot write the audit log: {e}");
        }
    }

    fn now(&self) -> Timestamp {
        self.0.clock.now()
    }

    fn feed_file(&self, sha256: &str) -> PathBuf {
        feed_file(&self.0.data_dir, sha256)
    }

    /// The versions of `feed`, newest first, with their reports.
    pub async fn versions(
        &self,
        caller: &Caller,
        feed: &str,
    ) -> Result<VersionList, OperatorError> {
        let result = async {
            caller.check(feed)?;
            let f = feed.to_owned();
            let rows = self.db(move |s| s.versions(&f)).await?;
            Ok(VersionList {
                feed_id: feed.to_owned(),
                versions: rows.iter().map(wire_version).collect(),
            })
        }
        .await;
        if result.is_err() {
            self.audit(
                &caller.name,
                "list",
                Some(feed),
                None,
                &result,
                String::new(),
            )
            .await;
        }
        result
    }

    /// One version of `feed`.
    pub async fn version(
        &self,
        caller: &Caller,
        feed: &str,
        id: i64,
    ) -> Result<FeedVersion, OperatorError> {
        caller.check(feed)?;
        Ok(wire_version(&self.find_version(feed, id).await?))
    }

    async fn find_version(&self, feed: &str, id: i64) -> Result<VersionRow, OperatorError> {
        match self.db(move |s| s.version(id)).await? {
            Some(row) if row.feed == feed => Ok(row),
            _ => Err(OperatorError::NotFound(
                "version_not_found",
                format!(
                    "feed {feed:?} has no version {id}; GET /api/v1/operator/feeds/{feed}/versions \
                     lists them"
                ),
            )),
        }
    }

    /// Deletes a version that is not active (a scheduled one is thereby cancelled), and its
    /// file when no other version shares it.
    pub async fn delete(&self, caller: &Caller, feed: &str, id: i64) -> Result<(), OperatorError> {
        let result = async {
            caller.check(feed)?;
            self.find_version(feed, id).await?;
            let (sha, shared) = self.db(move |s| s.delete_version(id)).await?;
            if !shared && let Err(e) = std::fs::remove_file(self.feed_file(&sha)) {
                tracing::warn!(%sha, "cannot remove a deleted version's file: {e}");
            }
            Ok(())
        }
        .await;
        self.audit(
            &caller.name,
            "delete",
            Some(feed),
            Some(id),
            &result,
            String::new(),
        )
        .await;
        result
    }

    /// The latest audit entries: all for an admin, those of the caller's feeds otherwise.
    pub async fn audit_log(&self, caller: &Caller) -> Result<AuditLog, OperatorError> {
        let feeds = if caller.admin {
            vec![None]
        } else {
            caller.feeds.iter().cloned().map(Some).collect()
        };
        let mut entries = self
            .db(move |s| {
                let mut all = Vec::new();
                for feed in feeds {
                    all.extend(s.audit_log(feed.as_deref(), 200)?);
                }
                Ok(all)
            })
            .await?;
        entries.sort_by_key(|e| std::cmp::Reverse(e.at));
        Ok(AuditLog {
            entries: entries
                .into_iter()
                .map(|e| api_types::operator::AuditEntry {
                    at: instant(e.at),
                    operator: e.operator,
                    action: e.action,
                    feed_id: e.feed,
                    version: e.version,
                    outcome: e.outcome,
                    detail: e.detail,
                })
                .collect(),
        })
    }
}

/// Where version files live.
pub fn feed_file(data_dir: &Path, sha256: &str) -> PathBuf {
    data_dir.join(FEEDS_DIR).join(format!("{sha256}.zip"))
}

fn instant(unix: i64) -> String {
    Timestamp::from_second(unix).map_or_else(|_| unix.to_string(), |t| t.to_string())
}

fn wire_version(v: &VersionRow) -> FeedVersion {
    use api_types::operator::VersionState as W;
    let report = serde_json::from_str(&v.report).unwrap_or_else(|e| unreadable_report(v, &e));
    FeedVersion {
        id: v.id,
        feed_id: v.feed.clone(),
        sha256: v.sha256.clone(),
        size: v.size,
        uploaded_by: v.uploaded_by.clone(),
        uploaded_at: instant(v.uploaded_at),
        state: match v.state {
            VersionState::Validated => W::Validated,
            VersionState::Scheduled => W::Scheduled,
            VersionState::Active => W::Active,
            VersionState::Retired => W::Retired,
        },
        activate_at: v.activate_at.map(instant),
        activated_at: v.activated_at.map(instant),
        first_service_date: v.first_service_date.clone(),
        last_service_date: v.last_service_date.clone(),
        report,
    }
}

/// Stands in for a stored report that cannot be read back (never expected: this code wrote
/// it), saying so.
fn unreadable_report(v: &VersionRow, e: &serde_json::Error) -> ValidationReport {
    ValidationReport {
        feed_id: v.feed.clone(),
        valid: true,
        findings: vec![api_types::Finding {
            severity: api_types::Severity::Warning,
            code: "report_unreadable".to_owned(),
            file: String::new(),
            line: None,
            message: format!("the stored report cannot be read: {e}"),
            fix: "Upload the feed again to get a fresh report.".to_owned(),
        }],
        suppressed: Vec::new(),
        summary: api_types::ValidationSummary::default(),
    }
}
