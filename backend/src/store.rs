//! The embedded database: a SQLite file in the data directory (`rtpi.sqlite3`).
//!
//! Holds what must survive a restart: the calls vehicles were observed to make at stops, which
//! the prediction model learns from; and ([`operator`]) operator accounts, uploaded schedule
//! versions and their states, and the audit log of operator actions. Writes are transactions; the file is in WAL mode so a
//! crash loses at most the transaction in flight, never the file.

use std::path::{Path, PathBuf};

use jiff::civil::Date;
use rusqlite::{Connection, params};

use std::sync::Arc;

use crate::predict::{History, ObservedCall};
use crate::schedule::{FeedId, Schedule};

mod operator;
mod reports;
pub use operator::{AuditEntry, NewVersion, OperatorAccount, VersionRow, VersionState};
pub use reports::{ProblemReport, ReportKind};

/// The database file's name inside the data directory.
pub const FILE_NAME: &str = "rtpi.sqlite3";

/// How far back stored observations are learned from (server start-up, replays).
pub const HISTORY_DAYS: i64 = 28;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "cannot open the database {path}: {source}; check that the data directory is writable (--data-dir)"
    )]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A row breaking a rule of the data (a name taken, a state that forbids the change).
    #[error("{0}")]
    Conflict(String),
}

/// Schema migrations, applied in order; `PRAGMA user_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE observed_calls (
        feed TEXT NOT NULL,
        trip_id TEXT NOT NULL,
        service_date TEXT NOT NULL,
        stop_sequence INTEGER NOT NULL,
        stop_id TEXT NOT NULL,
        vehicle_id TEXT NOT NULL,
        arrival INTEGER NOT NULL,
        departure INTEGER,
        scheduled_arrival INTEGER NOT NULL,
        PRIMARY KEY (feed, trip_id, service_date, stop_sequence)
    ) WITHOUT ROWID;
    CREATE INDEX observed_calls_by_time ON observed_calls (feed, arrival);
",
    "
    CREATE TABLE operators (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        token_sha256 BLOB NOT NULL UNIQUE,
        admin INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
    );
    CREATE TABLE operator_feeds (
        operator INTEGER NOT NULL REFERENCES operators (id),
        feed TEXT NOT NULL,
        PRIMARY KEY (operator, feed)
    ) WITHOUT ROWID;
    CREATE TABLE feeds (
        id TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE feed_versions (
        id INTEGER PRIMARY KEY,
        feed TEXT NOT NULL REFERENCES feeds (id),
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        uploaded_by TEXT NOT NULL,
        uploaded_at INTEGER NOT NULL,
        first_service_date TEXT,
        last_service_date TEXT,
        report TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('validated', 'scheduled', 'active', 'retired')),
        activate_at INTEGER,
        activated_at INTEGER
    );
    CREATE UNIQUE INDEX feed_versions_one_active ON feed_versions (feed) WHERE state = 'active';
    CREATE INDEX feed_versions_scheduled ON feed_versions (activate_at) WHERE state = 'scheduled';
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        operator TEXT NOT NULL,
        action TEXT NOT NULL,
        feed TEXT,
        version INTEGER,
        outcome TEXT NOT NULL,
        detail TEXT NOT NULL
    );
",
    // Version numbers are never given twice (AUTOINCREMENT): the audit log and operators name
    // versions by number, and a deleted version's number used to go to the next upload. The
    // table is rebuilt (SQLite cannot add AUTOINCREMENT to a column), counting on from the
    // highest number ever handed out, including those the audit log names.
    "
    CREATE TABLE feed_versions_next (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        feed TEXT NOT NULL REFERENCES feeds (id),
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        uploaded_by TEXT NOT NULL,
        uploaded_at INTEGER NOT NULL,
        first_service_date TEXT,
        last_service_date TEXT,
        report TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('validated', 'scheduled', 'active', 'retired')),
        activate_at INTEGER,
        activated_at INTEGER
    );
    INSERT INTO feed_versions_next SELECT * FROM feed_versions;
    DROP TABLE feed_versions;
    ALTER TABLE feed_versions_next RENAME TO feed_versions;
    CREATE UNIQUE INDEX feed_versions_one_active ON feed_versions (feed) WHERE state = 'active';
    CREATE INDEX feed_versions_scheduled ON feed_versions (activate_at) WHERE state = 'scheduled';
    DELETE FROM sqlite_sequence WHERE name = 'feed_versions';
    INSERT INTO sqlite_sequence (name, seq) VALUES ('feed_versions', MAX(
        (SELECT COALESCE(MAX(id), 0) FROM feed_versions),
        (SELECT COALESCE(MAX(version), 0) FROM audit_log)
    ));
",
    // Riders' problem reports (OneBusAway report-problem-with-stop/-trip).
    reports::MIGRATION,
];

#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir`, migrating it to this version.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        let path = data_dir.join(FILE_NAME);
        let conn = Connection::open(&path).map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut store = Store { conn };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (i, sql) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(version).unwrap_or(0))
        {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Records observed calls in one transaction (a call seen again replaces the old row).
    pub fn record_calls(
        &mut self,
        feed: &FeedId,
        calls: &[ObservedCall],
    ) -> Result<(), StoreError> {
        if calls.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO observed_calls
                 (feed, trip_id, service_date, stop_sequence, stop_id, vehicle_id, arrival,
                  departure, scheduled_arrival)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for c in calls {
                insert.execute(params![
                    feed.as_str(),
                    c.trip_id,
                    c.service_date.to_string(),
                    c.stop_sequence,
                    c.stop_id,
                    c.vehicle_id,
                    c.arrival,
                    c.departure,
                    c.scheduled_arrival,
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Calls of `feed` that arrived at or after `since` (unix seconds), in trip order (each
    /// trip instance's calls by stop_sequence), ready to learn from.
    pub fn calls_since(&self, feed: &FeedId, since: i64) -> Result<Vec<ObservedCall>, StoreError> {
        self.calls_between(feed, since, i64::MAX)
    }

    /// What the calls stored for each schedule's feed, arrived in `[since, until)`, teach;
    /// and how many calls that was, per feed.
    pub fn learn(
        &self,
        schedules: &[Arc<Schedule>],
        since: i64,
        until: i64,
    ) -> Result<(History, Vec<usize>), StoreError> {
        let mut history = History::default();
        let mut counts = Vec::with_capacity(schedules.len());
        for schedule in schedules {
            let calls = self.calls_between(&schedule.feed_id, since, until)?;
            history.learn(schedule, &calls);
            counts.push(calls.len());
        }
        Ok((history, counts))
    }

    /// Calls of `feed` that arrived in `[since, until)`, in trip order.
    fn calls_between(
        &self,
        feed: &FeedId,
        since: i64,
        until: i64,
    ) -> Result<Vec<ObservedCall>, StoreError> {
        let mut query = self.conn.prepare_cached(
            "SELECT trip_id, service_date, stop_sequence, stop_id, vehicle_id, arrival,
                    departure, scheduled_arrival
             FROM observed_calls WHERE feed = ?1 AND arrival >= ?2 AND arrival < ?3
             ORDER BY service_date, trip_id, stop_sequence",
        )?;
        let rows = query.query_map(params![feed.as_str(), since, until], |r| {
            let date: String = r.get(1)?;
            Ok((
                date,
                ObservedCall {
                    trip_id: r.get(0)?,
                    service_date: Date::MIN,
                    stop_sequence: r.get(2)?,
                    stop_id: r.get(3)?,
                    vehicle_id: r.get(4)?,
                    arrival: r.get(5)?,
                    departure: r.get(6)?,
                    scheduled_arrival: r.get(7)?,
                },
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (date, mut call) = row?;
            // Rows this code wrote always parse; anything else is skipped, not fatal.
            if let Ok(d) = date.parse() {
                call.service_date = d;
                out.push(call);
            }
        }
        Ok(out)
    }

    /// Deletes calls older than `before` (unix seconds); returns how many.
    pub fn prune(&mut self, before: i64) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "DELETE FROM observed_calls WHERE arrival < ?1",
            params![before],
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(trip: &str, seq: u32, arrival: i64) -> ObservedCall {
        ObservedCall {
            trip_id: trip.into(),
            service_date: jiff::civil::date(2026, 11, 23),
            stop_sequence: seq,
            stop_id: format!("S{seq}"),
            vehicle_id: "bus-1".into(),
            arrival,
            departure: Some(arrival + 20),
            scheduled_arrival: arrival - 60,
        }
    }

    /// A database made before migration 3 (version numbers could be given again) is rebuilt
    /// with its versions kept, and counts on from the highest number ever handed out.
    #[test]
    fn version_numbers_are_not_given_again_after_migration_3()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        {
            let mut conn = Connection::open(dir.path().join(FILE_NAME))?;
            let tx = conn.transaction()?;
            tx.execute_batch(MIGRATIONS[0])?;
            tx.execute_batch(MIGRATIONS[1])?;
            tx.pragma_update(None, "user_version", 2)?;
            tx.execute_batch(
                "INSERT INTO feeds VALUES ('bd', 0);
                 INSERT INTO feed_versions (id, feed, sha256, size, uploaded_by, uploaded_at,
                     report, state) VALUES (1, 'bd', 'a', 1, 'ana', 0, '{}', 'active');
                 INSERT INTO audit_log (at, operator, action, feed, version, outcome, detail)
                     VALUES (0, 'ana', 'delete', 'bd', 4, 'ok', '');",
            )?;
            tx.commit()?;
        }
        let store = Store::open(dir.path())?;
        let kept: (i64, String) =
            store
                .conn
                .query_row("SELECT id, state FROM feed_versions", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
        assert_eq!(kept, (1, "active".to_owned()));
        store.conn.execute(
            "INSERT INTO feed_versions (feed, sha256, size, uploaded_by, uploaded_at, report, state)
             VALUES ('bd', 'b', 1, 'ana', 0, '{}', 'validated')",
            [],
        )?;
        assert_eq!(
            store.conn.last_insert_rowid(),
            5,
            "after the audit log's version 4"
        );
        Ok(())
    }

    #[test]
    fn calls_survive_reopening_and_replace_duplicates() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let feed = FeedId::from_name("test");
        {
            let mut store = Store::open(dir.path())?;
            store.record_calls(&feed, &[call("t1", 2, 1_000), call("t1", 1, 900)])?;
            store.record_calls(&feed, &[call("t1", 2, 1_010)])?;
        }
        let store = Store::open(dir.path())?;
        let calls = store.calls_since(&feed, 0)?;
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].stop_sequence, 1);
        assert_eq!(calls[1].arrival, 1_010);
        assert_eq!(calls[1].service_date, jiff::civil::date(2026, 11, 23));
        assert!(store.calls_since(&feed, 1_005)?.len() == 1);
        assert!(
            store
                .calls_since(&FeedId::from_name("other"), 0)?
                .is_empty()
        );
        Ok(())
    }
}
