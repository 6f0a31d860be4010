//! Problem reports from riders (OneBusAway's `report-problem-with-stop` and
//! `report-problem-with-trip`): kept per feed for its operators to read.
//!
//! The API is four calls: [`Store::add_problem_report`], [`Store::problem_reports`] (newest
//! first), and the two counts the rate limit needs ([`Store::reports_from_client_since`],
//! [`Store::reports_for_feed_since`]). Reports name stops, trips and vehicles by the feed's
//! own ids; the client is kept only as a digest (see `operator::reports`), never its address.

use rusqlite::params;

use super::{Store, StoreError};

/// The migration that adds the table (appended to `store::MIGRATIONS`).
pub(super) const MIGRATION: &str = "
    CREATE TABLE problem_reports (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        feed TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('stop', 'trip')),
        stop_id TEXT,
        trip_id TEXT,
        service_date TEXT,
        vehicle_id TEXT,
        code TEXT NOT NULL,
        comment TEXT NOT NULL,
        user_lat REAL,
        user_lon REAL,
        user_location_accuracy REAL,
        user_on_vehicle INTEGER,
        user_vehicle_number TEXT,
        client TEXT NOT NULL
    );
    CREATE INDEX problem_reports_by_feed ON problem_reports (feed, id);
    CREATE INDEX problem_reports_by_client ON problem_reports (client, at);
";

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Stop,
    Trip,
}

impl ReportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Stop => "stop",
            ReportKind::Trip => "trip",
        }
    }

    fn parse(s: &str) -> ReportKind {
        if s == "trip" {
            ReportKind::Trip
        } else {
            ReportKind::Stop
        }
    }
}

/// One report, as stored and as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct ProblemReport {
    /// Unix seconds.
    pub at: i64,
    pub feed: String,
    pub kind: ReportKind,
    pub stop_id: Option<String>,
    pub trip_id: Option<String>,
    /// `YYYY-MM-DD`.
    pub service_date: Option<String>,
    pub vehicle_id: Option<String>,
    /// OneBusAway's code (`stop_name_wrong`, `vehicle_never_came`…, `other`).
    pub code: String,
    pub comment: String,
    pub user_lat: Option<f64>,
    pub user_lon: Option<f64>,
    pub user_location_accuracy: Option<f64>,
    pub user_on_vehicle: Option<bool>,
    pub user_vehicle_number: Option<String>,
    /// Digest identifying the sender for the rate limit (empty when read back).
    pub client: String,
}

impl Store {
    /// Keeps a report; its number.
    pub fn add_problem_report(&mut self, r: &ProblemReport) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO problem_reports (at, feed, kind, stop_id, trip_id, service_date,
                 vehicle_id, code, comment, user_lat, user_lon, user_location_accuracy,
                 user_on_vehicle, user_vehicle_number, client)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                r.at,
                r.feed,
                r.kind.as_str(),
                r.stop_id,
                r.trip_id,
                r.service_date,
                r.vehicle_id,
                r.code,
                r.comment,
                r.user_lat,
                r.user_lon,
                r.user_location_accuracy,
                r.user_on_vehicle,
                r.user_vehicle_number,
                r.client,
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The latest `limit` reports of `feed`, newest first.
    pub fn problem_reports(
        &self,
        feed: &str,
        limit: usize,
    ) -> Result<Vec<ProblemReport>, StoreError> {
        let mut query = self.conn.prepare_cached(
            "SELECT at, feed, kind, stop_id, trip_id, service_date, vehicle_id, code, comment,
                    user_lat, user_lon, user_location_accuracy, user_on_vehicle,
                    user_vehicle_number
             FROM problem_reports WHERE feed = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = query.query_map(
            params![feed, i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| {
                Ok(ProblemReport {
                    at: r.get(0)?,
                    feed: r.get(1)?,
                    kind: ReportKind::parse(&r.get::<_, String>(2)?),
                    stop_id: r.get(3)?,
                    trip_id: r.get(4)?,
                    service_date: r.get(5)?,
                    vehicle_id: r.get(6)?,
                    code: r.get(7)?,
                    comment: r.get(8)?,
                    user_lat: r.get(9)?,
                    user_lon: r.get(10)?,
                    user_location_accuracy: r.get(11)?,
                    user_on_vehicle: r.get(12)?,
                    user_vehicle_number: r.get(13)?,
                    client: String::new(),
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Reports sent by `client` at or after `since` (unix seconds).
    pub fn reports_from_client_since(&self, client: &str, since: i64) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM problem_reports WHERE client = ?1 AND at >= ?2",
            params![client, since],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Reports about `feed` at or after `since` (unix seconds).
    pub fn reports_for_feed_since(&self, feed: &str, since: i64) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM problem_reports WHERE feed = ?1 AND at >= ?2",
            params![feed, since],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(at: i64, client: &str) -> ProblemReport {
        ProblemReport {
            at,
            feed: "bd".into(),
            kind: ReportKind::Trip,
            stop_id: Some("BD2081".into()),
            trip_id: Some("51_WD_0_0650".into()),
            service_date: Some("2026-11-23".into()),
            vehicle_id: None,
            code: "vehicle_never_came".into(),
            comment: "Chờ 30 phút".into(),
            user_lat: Some(11.05),
            user_lon: Some(106.67),
            user_location_accuracy: None,
            user_on_vehicle: Some(false),
            user_vehicle_number: None,
            client: client.into(),
        }
    }

    #[test]
    fn reports_are_kept_per_feed_newest_first_and_counted() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(dir.path()).expect("store");
        store.add_problem_report(&report(100, "a")).expect("kept");
        store.add_problem_report(&report(200, "b")).expect("kept");
        let mut other = report(300, "a");
        other.feed = "hanoi".into();
        store.add_problem_report(&other).expect("kept");
        let got = store.problem_reports("bd", 10).expect("read");
        assert_eq!(got.iter().map(|r| r.at).collect::<Vec<_>>(), [200, 100]);
        assert_eq!(
            got[1],
            ProblemReport {
                client: String::new(),
                ..report(100, "a")
            }
        );
        assert_eq!(store.reports_from_client_since("a", 0).expect("count"), 2);
        assert_eq!(store.reports_from_client_since("a", 150).expect("count"), 1);
        assert_eq!(store.reports_for_feed_since("bd", 150).expect("count"), 1);
    }
}
