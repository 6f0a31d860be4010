//! Riders' problem reports: kept in the store (rate-limited), read by the feed's operators.
//!
//! The OneBusAway API takes the reports (`api::oba::reports`); the operator API and console
//! list them (`GET /api/v1/operator/feeds/{feed_id}/reports`). A report is anonymous: the
//! sender is kept only as a truncated SHA-256 of its address, enough for the limit.

use api_types::operator::{ProblemReport as WireReport, ProblemReports};
use sha2::{Digest, Sha256};

use super::{Caller, OperatorError, Operators, instant};
use crate::store::{ProblemReport, ReportKind};

/// Reports one client may send per hour, and one feed may receive per day: enough for any
/// rider, too few for a script to fill the disk or the operators' list.
pub const PER_CLIENT_PER_HOUR: u64 = 10;
pub const PER_FEED_PER_DAY: u64 = 2_000;

/// Reports listed for operators.
const LISTED: usize = 200;

/// Why a report was not kept.
#[derive(Debug)]
pub enum ReportRefused {
    /// Over a limit: retry after this many seconds.
    Limited(u64),
    /// No store (the server runs without a data directory) or it failed.
    Unavailable(String),
}

/// The digest a client is known by.
pub fn client_key(ip: Option<std::net::IpAddr>) -> String {
    let text = ip.map_or_else(|| "in-process".to_owned(), |ip| ip.to_string());
    Sha256::digest(text.as_bytes())
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Operators {
    /// Keeps `report` unless its sender or its feed is over the limit.
    pub async fn add_problem_report(&self, report: ProblemReport) -> Result<(), ReportRefused> {
        let now = report.at;
        self.db(move |s| {
            if s.reports_from_client_since(&report.client, now - 3600)? >= PER_CLIENT_PER_HOUR {
                return Ok(Err(ReportRefused::Limited(3600)));
            }
            if s.reports_for_feed_since(&report.feed, now - 86_400)? >= PER_FEED_PER_DAY {
                return Ok(Err(ReportRefused::Limited(3600)));
            }
            s.add_problem_report(&report)?;
            Ok(Ok(()))
        })
        .await
        .map_err(|e| ReportRefused::Unavailable(e.to_string()))?
    }

    /// The feed's latest reports, with names from the served schedule, for its operators.
    pub async fn problem_reports(
        &self,
        caller: &Caller,
        feed: &str,
    ) -> Result<ProblemReports, OperatorError> {
        caller.check(feed)?;
        let f = feed.to_owned();
        let rows = self.db(move |s| s.problem_reports(&f, LISTED)).await?;
        let catalog = self.0.catalog.load();
        let schedule = catalog.feed(feed).map(|e| e.schedule.clone());
        let global = |id: &Option<String>| id.as_ref().map(|id| format!("{feed}:{id}"));
        let reports = rows
            .into_iter()
            .map(|r| {
                let stop = schedule.as_ref().and_then(|s| {
                    let idx = s.stop_by_id(r.stop_id.as_deref()?)?;
                    Some(s.stop(idx).name.to_string())
                });
                let trip = schedule.as_ref().and_then(|s| {
                    let t = s.trip_by_id(r.trip_id.as_deref()?)?;
                    Some((
                        s.route_short_name(s.trip(t).route).to_owned(),
                        s.trip_headsign(t).map(str::to_owned),
                    ))
                });
                let (route, headsign) = match trip {
                    Some((route, headsign)) => (Some(route), headsign),
                    None => (None, None),
                };
                WireReport {
                    at: instant(r.at),
                    kind: r.kind.as_str().to_owned(),
                    code: r.code,
                    comment: r.comment,
                    stop_id: global(&r.stop_id),
                    stop_name: stop,
                    trip_id: global(&r.trip_id),
                    route,
                    headsign,
                    service_date: r.service_date,
                    vehicle_id: global(&r.vehicle_id),
                    user_position: r.user_lat.zip(r.user_lon).map(|(a, b)| [a, b]),
                    user_location_accuracy_m: r.user_location_accuracy,
                    user_on_vehicle: r.user_on_vehicle,
                    user_vehicle_number: r.user_vehicle_number,
                }
            })
            .collect();
        Ok(ProblemReports {
            feed_id: feed.to_owned(),
            reports,
        })
    }
}

impl ReportKind {
    /// The OneBusAway codes a report of this kind may carry (`other` included).
    pub fn codes(self) -> &'static [&'static str] {
        match self {
            ReportKind::Stop => &[
                "stop_name_wrong",
                "stop_number_wrong",
                "stop_location_wrong",
                "route_or_trip_missing",
                "other",
            ],
            ReportKind::Trip => &[
                "vehicle_never_came",
                "vehicle_came_early",
                "vehicle_came_late",
                "wrong_headsign",
                "vehicle_does_not_stop_here",
                "other",
            ],
        }
    }
}
