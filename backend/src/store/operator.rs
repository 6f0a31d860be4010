//! The operator tables: accounts (a name, the SHA-256 of their token, the feeds they manage),
//! feeds and their uploaded versions (who, when, size, hash, service dates, validation report,
//! state), and the audit log. Every change is one transaction, so a crash leaves each feed with
//! the active version it had before the change or the one after it.

use rusqlite::{OptionalExtension as _, Row, params};

use super::{Store, StoreError};

/// An operator account as stored (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorAccount {
    pub id: i64,
    pub name: String,
    /// Manages every feed.
    pub admin: bool,
    /// Feeds managed (beyond `admin`).
    pub feeds: Vec<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// Where a version is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionState {
    /// Uploaded and valid, never served (or its scheduled activation was cancelled).
    Validated,
    /// Waiting for `activate_at`.
    Scheduled,
    /// Served now (at most one per feed).
    Active,
    /// Served before.
    Retired,
}

impl VersionState {
    pub fn as_str(self) -> &'static str {
        match self {
            VersionState::Validated => "validated",
            VersionState::Scheduled => "scheduled",
            VersionState::Active => "active",
            VersionState::Retired => "retired",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "scheduled" => VersionState::Scheduled,
            "active" => VersionState::Active,
            "retired" => VersionState::Retired,
            _ => VersionState::Validated,
        }
    }
}

/// A version to record.
#[derive(Debug, Clone)]
pub struct NewVersion<'a> {
    pub feed: &'a str,
    pub sha256: &'a str,
    pub size: u64,
    pub uploaded_by: &'a str,
    pub uploaded_at: i64,
    pub first_service_date: Option<&'a str>,
    pub last_service_date: Option<&'a str>,
    /// The validation report as JSON.
    pub report: &'a str,
}

/// A stored version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    pub id: i64,
    pub feed: String,
    pub sha256: String,
    pub size: u64,
    pub uploaded_by: String,
    pub uploaded_at: i64,
    pub first_service_date: Option<String>,
    pub last_service_date: Option<String>,
    /// The validation report as JSON.
    pub report: String,
    pub state: VersionState,
    pub activate_at: Option<i64>,
    pub activated_at: Option<i64>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: i64,
    pub operator: String,
    pub action: String,
    pub feed: Option<String>,
    pub version: Option<i64>,
    /// `ok`, or the error code that refused the action.
    pub outcome: String,
    pub detail: String,
}

const VERSION_COLUMNS: &str = "id, feed, sha256, size, uploaded_by, uploaded_at, \
     first_service_date, last_service_date, report, state, activate_at, activated_at";

fn version_row(r: &Row<'_>) -> rusqlite::Result<VersionRow> {
    let state: String = r.get(9)?;
    Ok(VersionRow {
        id: r.get(0)?,
        feed: r.get(1)?,
        sha256: r.get(2)?,
        size: r.get::<_, i64>(3)?.max(0) as u64,
        uploaded_by: r.get(4)?,
        uploaded_at: r.get(5)?,
        first_service_date: r.get(6)?,
        last_service_date: r.get(7)?,
        report: r.get(8)?,
        state: VersionState::parse(&state),
        activate_at: r.get(10)?,
        activated_at: r.get(11)?,
    })
}

impl Store {
    /// Adds an operator holding a token whose SHA-256 is `token_sha256`.
    pub fn add_operator(
        &mut self,
        name: &str,
        token_sha256: &[u8],
        admin: bool,
        feeds: &[String],
        now: i64,
    ) -> Result<i64, StoreError> {
        let tx = self.conn.transaction()?;
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM operators WHERE name = ?1)",
            params![name],
            |r| r.get(0),
        )?;
        if taken {
            return Err(StoreError::Conflict(format!(
                "an operator is already named {name:?}; choose another name, or revoke it first \
                 (`backend operator revoke {name}`) and add it under a new name"
            )));
        }
        tx.execute(
            "INSERT INTO operators (name, token_sha256, admin, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![name, token_sha256, admin, now],
        )?;
        let id = tx.last_insert_rowid();
        for feed in feeds {
            tx.execute(
                "INSERT OR IGNORE INTO operator_feeds (operator, feed) VALUES (?1, ?2)",
                params![id, feed],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// Every operator, revoked ones included, by name.
    pub fn operators(&self) -> Result<Vec<OperatorAccount>, StoreError> {
        Ok(self
            .operators_with_hashes()?
            .into_iter()
            .map(|(a, _)| a)
            .collect())
    }

    /// Every operator with the SHA-256 of their token (for checking a presented token).
    pub fn operators_with_hashes(&self) -> Result<Vec<(OperatorAccount, Vec<u8>)>, StoreError> {
        let mut query = self.conn.prepare_cached(
            "SELECT id, name, admin, created_at, revoked_at, token_sha256 FROM operators
             ORDER BY name",
        )?;
        let rows = query.query_map([], |r| {
            Ok((
                OperatorAccount {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    admin: r.get(2)?,
                    feeds: Vec::new(),
                    created_at: r.get(3)?,
                    revoked_at: r.get(4)?,
                },
                r.get::<_, Vec<u8>>(5)?,
            ))
        })?;
        let mut out = rows.collect::<Result<Vec<_>, _>>()?;
        let mut feeds = self
            .conn
            .prepare_cached("SELECT feed FROM operator_feeds WHERE operator = ?1 ORDER BY feed")?;
        for (account, _) in &mut out {
            account.feeds = feeds
                .query_map(params![account.id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
        }
        Ok(out)
    }

    /// Revokes `name`'s token; `false` when there is no such operator (or it was revoked).
    pub fn revoke_operator(&mut self, name: &str, now: i64) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE operators SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
            params![name, now],
        )? == 1)
    }

    /// Records a validated version (and its feed, the first time); returns its id.
    pub fn insert_version(&mut self, v: &NewVersion<'_>) -> Result<i64, StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO feeds (id, created_at) VALUES (?1, ?2)",
            params![v.feed, v.uploaded_at],
        )?;
        tx.execute(
            "INSERT INTO feed_versions (feed, sha256, size, uploaded_by, uploaded_at,
                 first_service_date, last_service_date, report, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'validated')",
            params![
                v.feed,
                v.sha256,
                i64::try_from(v.size).unwrap_or(i64::MAX),
                v.uploaded_by,
                v.uploaded_at,
                v.first_service_date,
                v.last_service_date,
                v.report,
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(id)
    }

    /// The versions of `feed`, newest first.
    pub fn versions(&self, feed: &str) -> Result<Vec<VersionRow>, StoreError> {
        let mut query = self.conn.prepare_cached(&format!(
            "SELECT {VERSION_COLUMNS} FROM feed_versions WHERE feed = ?1 ORDER BY id DESC"
        ))?;
        let rows = query.query_map(params![feed], version_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn version(&self, id: i64) -> Result<Option<VersionRow>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {VERSION_COLUMNS} FROM feed_versions WHERE id = ?1"),
                params![id],
                version_row,
            )
            .optional()?)
    }

    /// The active version of every feed that has one.
    pub fn active_versions(&self) -> Result<Vec<VersionRow>, StoreError> {
        let mut query = self.conn.prepare_cached(&format!(
            "SELECT {VERSION_COLUMNS} FROM feed_versions WHERE state = 'active' ORDER BY feed"
        ))?;
        let rows = query.query_map([], version_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Scheduled versions whose time has come (`activate_at <= now`), earliest first.
    pub fn due_versions(&self, now: i64) -> Result<Vec<VersionRow>, StoreError> {
        let mut query = self.conn.prepare_cached(&format!(
            "SELECT {VERSION_COLUMNS} FROM feed_versions
             WHERE state = 'scheduled' AND activate_at <= ?1 ORDER BY activate_at, id"
        ))?;
        let rows = query.query_map(params![now], version_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The version of `feed` that was active before the current one: the retired version
    /// activated last.
    pub fn previous_version(&self, feed: &str) -> Result<Option<VersionRow>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM feed_versions
                     WHERE feed = ?1 AND state = 'retired'
                     ORDER BY activated_at DESC, id DESC LIMIT 1"
                ),
                params![feed],
                version_row,
            )
            .optional()?)
    }

    /// Makes version `id` its feed's active one, retiring the one before, in one transaction.
    pub fn set_active(&mut self, id: i64, now: i64) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let feed: Option<String> = tx
            .query_row(
                "SELECT feed FROM feed_versions WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(feed) = feed else {
            return Err(StoreError::Conflict(format!("version {id} was deleted")));
        };
        tx.execute(
            "UPDATE feed_versions SET state = 'retired' WHERE feed = ?1 AND state = 'active'",
            params![feed],
        )?;
        tx.execute(
            "UPDATE feed_versions SET state = 'active', activated_at = ?2, activate_at = NULL
             WHERE id = ?1",
            params![id, now],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Schedules version `id` (not active) to become active at `at`.
    pub fn schedule_version(&mut self, id: i64, at: i64) -> Result<(), StoreError> {
        let changed = self.conn.execute(
            "UPDATE feed_versions SET state = 'scheduled', activate_at = ?2
             WHERE id = ?1 AND state != 'active'",
            params![id, at],
        )?;
        if changed == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict(format!(
                "version {id} is active or was deleted; nothing to schedule"
            )))
        }
    }

    /// Takes a scheduled version back to `validated` (its activation failed).
    pub fn unschedule_version(&mut self, id: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE feed_versions SET state = 'validated', activate_at = NULL
             WHERE id = ?1 AND state = 'scheduled'",
            params![id],
        )?;
        Ok(())
    }

    /// Deletes version `id` unless it is active; returns its hash and whether another version
    /// still uses the same file.
    pub fn delete_version(&mut self, id: i64) -> Result<(String, bool), StoreError> {
        let tx = self.conn.transaction()?;
        let row: Option<(String, String)> = tx
            .query_row(
                "SELECT sha256, state FROM feed_versions WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((sha, state)) = row else {
            return Err(StoreError::Conflict(format!("version {id} does not exist")));
        };
        if state == "active" {
            return Err(StoreError::Conflict(format!(
                "version {id} is active; activate another version (or roll back) first"
            )));
        }
        tx.execute("DELETE FROM feed_versions WHERE id = ?1", params![id])?;
        let shared: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM feed_versions WHERE sha256 = ?1)",
            params![sha],
            |r| r.get(0),
        )?;
        tx.commit()?;
        Ok((sha, shared))
    }

    /// Every file hash a version refers to (the upload directory keeps only those).
    pub fn version_hashes(&self) -> Result<Vec<String>, StoreError> {
        let mut query = self
            .conn
            .prepare_cached("SELECT DISTINCT sha256 FROM feed_versions")?;
        let rows = query.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn audit(&mut self, e: &AuditEntry) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO audit_log (at, operator, action, feed, version, outcome, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                e.at, e.operator, e.action, e.feed, e.version, e.outcome, e.detail
            ],
        )?;
        Ok(())
    }

    /// The latest `limit` audit entries (of `feed` when given), newest first.
    pub fn audit_log(
        &self,
        feed: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut query = self.conn.prepare_cached(
            "SELECT at, operator, action, feed, version, outcome, detail FROM audit_log
             WHERE ?1 IS NULL OR feed = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = query.query_map(
            params![feed, i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| {
                Ok(AuditEntry {
                    at: r.get(0)?,
                    operator: r.get(1)?,
                    action: r.get(2)?,
                    feed: r.get(3)?,
                    version: r.get(4)?,
                    outcome: r.get(5)?,
                    detail: r.get(6)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version<'a>(feed: &'a str, sha: &'a str) -> NewVersion<'a> {
        NewVersion {
            feed,
            sha256: sha,
            size: 10,
            uploaded_by: "ops",
            uploaded_at: 100,
            first_service_date: Some("2026-01-01"),
            last_service_date: None,
            report: "{}",
        }
    }

    #[test]
    fn one_active_version_per_feed_and_rollback_order() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let mut store = Store::open(dir.path())?;
        let a = store.insert_version(&version("f", "aa"))?;
        let b = store.insert_version(&version("f", "bb"))?;
        let other = store.insert_version(&version("g", "aa"))?;
        store.set_active(a, 1_000)?;
        store.set_active(other, 1_000)?;
        store.set_active(b, 2_000)?;
        let states: Vec<_> = store.versions("f")?.iter().map(|v| v.state).collect();
        assert_eq!(states, [VersionState::Active, VersionState::Retired]);
        assert_eq!(store.previous_version("f")?.map(|v| v.id), Some(a));
        assert_eq!(store.active_versions()?.len(), 2);
        assert!(matches!(
            store.delete_version(b),
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(store.delete_version(a)?, ("aa".to_owned(), true));
        store.schedule_version(other, 5).expect_err("active");
        Ok(())
    }

    #[test]
    fn operators_keep_their_feeds_and_revocation() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let mut store = Store::open(dir.path())?;
        store.add_operator("ana", &[1; 32], false, &["f".into(), "g".into()], 5)?;
        assert!(matches!(
            store.add_operator("ana", &[2; 32], true, &[], 6),
            Err(StoreError::Conflict(_))
        ));
        assert!(store.revoke_operator("ana", 7)?);
        assert!(!store.revoke_operator("ana", 8)?);
        let ops = store.operators()?;
        assert_eq!(ops[0].feeds, ["f", "g"]);
        assert_eq!(ops[0].revoked_at, Some(7));
        Ok(())
    }
}
