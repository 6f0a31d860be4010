//! The operator console's plain logic (no signals, no browser): the order of a report's
//! findings, what an upload's answer means, how versions, sizes, instants and progress are
//! shown, what a refusal tells the operator. Tested below.

use api_types::operator::{FeedVersion, VersionState};
use api_types::{Finding, Severity, ValidationReport};
use serde::{Deserialize, Serialize};

use crate::api::{Failure, VehicleTrip, decode};
use crate::format::unix_seconds;
use crate::i18n::{Key, Lang, t};

/// What the browser keeps for the tab (`sessionStorage`): forgotten when the tab closes, never
/// sent to the server except as the `Authorization` of API calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub feed: String,
}

/// A stored session; anything unreadable is none.
pub fn parse_session(stored: Option<&str>) -> Option<Session> {
    stored
        .and_then(|s| serde_json::from_str::<Session>(s).ok())
        .filter(|s| !s.token.is_empty() && !s.feed.is_empty())
}

/// An action waiting for the operator's confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    Activate(i64),
    Schedule(i64),
    Rollback,
    Delete(i64),
}

impl Pending {
    /// A button's `data-action` on version `id` (see `tables::versions`).
    pub fn parse(action: &str, id: i64) -> Option<Pending> {
        match action {
            "activate" => Some(Pending::Activate(id)),
            "schedule" => Some(Pending::Schedule(id)),
            "delete" => Some(Pending::Delete(id)),
            "rollback" => Some(Pending::Rollback),
            _ => None,
        }
    }
}

/// The findings as the report table lists them: errors first, then warnings; within a
/// severity by file, then line (findings about the whole feed, without a file, first).
pub fn ordered(report: &ValidationReport) -> Vec<&Finding> {
    let mut rows: Vec<&Finding> = report.findings.iter().collect();
    // Stable: findings on the same line keep the validator's order.
    rows.sort_by(|a, b| {
        rank(a.severity)
            .cmp(&rank(b.severity))
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.line.unwrap_or(0).cmp(&b.line.unwrap_or(0)))
    });
    rows
}

/// One part of the report table: the findings of one severity, in [`ordered`]'s order, and
/// how many there are in all (those the report left out included).
#[derive(Debug, PartialEq)]
pub struct Group<'a> {
    pub severity: Severity,
    pub total: usize,
    pub findings: Vec<&'a Finding>,
}

/// The report table's groups: errors, then warnings; a severity without findings has none.
pub fn groups(report: &ValidationReport) -> Vec<Group<'_>> {
    let rows = ordered(report);
    [Severity::Error, Severity::Warning]
        .into_iter()
        .filter_map(|severity| {
            let total = match severity {
                Severity::Error => report.error_count(),
                Severity::Warning => report.warning_count(),
            };
            let findings: Vec<&Finding> = rows
                .iter()
                .copied()
                .filter(|f| f.severity == severity)
                .collect();
            (total > 0).then_some(Group {
                severity,
                total,
                findings,
            })
        })
        .collect()
}

fn rank(severity: Severity) -> u8 {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
    }
}

/// The word of a severity (shown next to its icon: never colour alone).
pub fn severity_key(severity: Severity) -> Key {
    match severity {
        Severity::Error => Key::OpError,
        Severity::Warning => Key::OpWarning,
    }
}

/// The answer to an upload.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadOutcome {
    /// 201: kept as a new validated version.
    Stored(Box<FeedVersion>),
    /// 200: a dry run's report.
    Checked(Box<ValidationReport>),
    /// 422: blocking errors; nothing kept.
    Refused(Box<ValidationReport>),
}

impl UploadOutcome {
    pub fn report(&self) -> &ValidationReport {
        match self {
            UploadOutcome::Stored(v) => &v.report,
            UploadOutcome::Checked(r) | UploadOutcome::Refused(r) => r,
        }
    }
}

/// Reads the upload's answer (status 0: the request never completed).
pub fn upload_outcome(status: u16, body: &str) -> Result<UploadOutcome, Failure> {
    match status {
        0 => Err(Failure {
            status: 0,
            error: "unreachable".to_owned(),
            message: "the upload did not complete; check your connection and try again".to_owned(),
        }),
        201 => decode(status, body).map(|v| UploadOutcome::Stored(Box::new(v))),
        200 => decode(status, body).map(|r| UploadOutcome::Checked(Box::new(r))),
        422 => decode(200, body).map(|r| UploadOutcome::Refused(Box::new(r))),
        _ => decode::<serde_json::Value>(status, body).and_then(|_| {
            Err(Failure {
                status,
                error: "unexpected".to_owned(),
                message: format!("the server answered {status}"),
            })
        }),
    }
}

/// Whole percent of an upload, 0–100 (0 while the size is unknown).
pub fn percent(loaded: f64, total: f64) -> u8 {
    if total <= 0.0 || !loaded.is_finite() {
        return 0;
    }
    (loaded / total * 100.0).floor().clamp(0.0, 100.0) as u8
}

/// A size as people read it: `850 B`, `12.3 KB`, `4.5 MB`.
pub fn size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} KB", bytes as f64 / 1e3),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

/// An audit entry's action in words (`None` for actions the console has no word for: shown
/// as the server wrote them).
pub fn action_key(action: &str) -> Option<Key> {
    Some(match action {
        "upload" => Key::OpActUpload,
        "validate" => Key::OpActValidate,
        "activate" => Key::OpActActivate,
        "schedule" => Key::OpActSchedule,
        "rollback" => Key::OpActRollback,
        "delete" => Key::OpActDelete,
        "list" => Key::OpActList,
        _ => return None,
    })
}

/// The latest `n` entries of the audit log (newest first) that concern `feed`.
pub fn activity<'a>(
    entries: &'a [api_types::operator::AuditEntry],
    feed: &'a str,
    n: usize,
) -> impl Iterator<Item = &'a api_types::operator::AuditEntry> + 'a {
    entries
        .iter()
        .filter(move |e| e.feed_id.as_deref() == Some(feed))
        .take(n)
}

/// The word and icon class of a version's state.
pub fn state_key(state: VersionState) -> (Key, &'static str) {
    match state {
        VersionState::Validated => (Key::OpStateValidated, "validated"),
        VersionState::Scheduled => (Key::OpStateScheduled, "scheduled"),
        VersionState::Active => (Key::OpStateActive, "active"),
        VersionState::Retired => (Key::OpStateRetired, "retired"),
    }
}

/// Seconds east of UTC of an RFC 3339 instant's offset (`+07:00` → 25200).
pub fn offset_seconds(text: &str) -> Option<i64> {
    let local = text.get(..19)?;
    let utc = unix_seconds(text)?;
    let naive = unix_seconds(&format!("{local}Z"))?;
    Some(naive - utc)
}

/// `±HH:MM` of an offset in seconds.
pub fn offset_text(secs: i64) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let secs = secs.abs();
    format!("{sign}{:02}:{:02}", secs / 3600, secs % 3600 / 60)
}

/// An instant as `YYYY-MM-DD HH:MM` at `offset` seconds east of UTC.
pub fn local_time(text: &str, offset: i64) -> String {
    let Some(secs) = unix_seconds(text) else {
        return text.to_owned();
    };
    let local = secs + offset;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    let day_secs = local.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        day_secs / 3600,
        day_secs % 3600 / 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A `datetime-local` value (`YYYY-MM-DDTHH:MM`, seconds optional) in the feed's zone as an
/// RFC 3339 instant with the feed's offset; `None` when it is not one.
pub fn local_to_rfc3339(value: &str, offset: i64) -> Option<String> {
    let value = value.trim();
    let with_seconds = match value.len() {
        16 => format!("{value}:00"),
        19 => value.to_owned(),
        _ => return None,
    };
    let text = format!("{with_seconds}{}", offset_text(offset));
    unix_seconds(&text).map(|_| text)
}

/// Vehicles realtime tracks in `feed` now, and how many of them are matched to a trip.
pub fn vehicle_counts(vehicles: &[VehicleTrip], feed: &str) -> (usize, usize) {
    let of_feed = vehicles
        .iter()
        .filter(|v| v.id.split_once(':').map(|(f, _)| f) == Some(feed));
    of_feed.fold((0, 0), |(tracked, matched), v| {
        (tracked + 1, matched + usize::from(v.trip_id.is_some()))
    })
}

/// What a refused operator call tells the operator: a wrong token (401) and another feed's
/// token (403) in their language, with the server's explanation.
pub fn failure_text(lang: Lang, failure: &Failure) -> String {
    match failure.status {
        401 => t(lang, Key::OpWrongToken).to_owned(),
        403 => format!("{} ({})", t(lang, Key::OpForbiddenFeed), failure.message),
        0 => format!("{} {}", t(lang, Key::LoadError), failure.message),
        _ => failure.message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(severity: Severity, file: &str, line: Option<u64>, code: &str) -> Finding {
        Finding {
            severity,
            code: code.to_owned(),
            file: file.to_owned(),
            line,
            message: format!("{code} is wrong"),
            fix: format!("fix {code}"),
        }
    }

    #[test]
    fn errors_come_first_then_warnings_each_by_file_and_line() {
        let report = ValidationReport {
            feed_id: "f".to_owned(),
            valid: false,
            findings: vec![
                finding(Severity::Warning, "stops.txt", Some(9), "w1"),
                finding(Severity::Error, "trips.txt", Some(3), "e1"),
                finding(Severity::Warning, "", None, "w0"),
                finding(Severity::Error, "stop_times.txt", Some(12), "e2"),
                finding(Severity::Error, "stop_times.txt", Some(4), "e3"),
                finding(Severity::Error, "stop_times.txt", Some(4), "e4"),
            ],
            ..Default::default()
        };
        let codes: Vec<&str> = ordered(&report).iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["e3", "e4", "e2", "e1", "w0", "w1"]);
        let mut report = report;
        report
            .suppressed
            .push(api_types::report::SuppressedFindings {
                code: "w1".to_owned(),
                severity: Severity::Warning,
                count: 40,
            });
        let parts = groups(&report);
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].severity, parts[0].total), (Severity::Error, 4));
        assert_eq!(parts[0].findings[0].code, "e3");
        assert_eq!((parts[1].severity, parts[1].total), (Severity::Warning, 42));
        assert_eq!(parts[1].findings.len(), 2);
        report.findings.retain(|f| f.severity == Severity::Warning);
        let parts = groups(&report);
        assert_eq!(parts.len(), 1, "no error group without errors");
        assert_eq!(parts[0].severity, Severity::Warning);
        assert_eq!(severity_key(Severity::Error), Key::OpError);
        assert_eq!(t(Lang::En, severity_key(Severity::Warning)), "Warning");
    }

    #[test]
    fn an_uploads_answer_is_a_version_a_report_or_a_refusal() {
        let report = r#"{"feed_id":"binh-duong","valid":false,"findings":[{"severity":"error",
            "code":"missing_required_file","file":"stops.txt","message":"no stops.txt",
            "fix":"add stops.txt"}],"summary":{"agencies":0,"stops":0,"routes":0,"trips":0,
            "stop_times":0,"shapes":0,"services":0,"frequencies":0}}"#;
        let refused = upload_outcome(422, report).expect("a report");
        assert!(matches!(refused, UploadOutcome::Refused(_)));
        assert_eq!(refused.report().findings[0].file, "stops.txt");
        assert!(matches!(
            upload_outcome(200, report),
            Ok(UploadOutcome::Checked(_))
        ));
        let denied = upload_outcome(
            401,
            r#"{"error":"invalid_token","message":"the token is not valid"}"#,
        )
        .expect_err("401");
        assert_eq!(denied.status, 401);
        assert_eq!(
            failure_text(Lang::En, &denied),
            t(Lang::En, Key::OpWrongToken)
        );
        let forbidden = Failure {
            status: 403,
            error: "forbidden".to_owned(),
            message: "operator \"x\" does not manage feed \"y\"".to_owned(),
        };
        assert!(failure_text(Lang::Vi, &forbidden).contains("does not manage"));
        assert_eq!(upload_outcome(0, "").expect_err("no answer").status, 0);
        assert_eq!(
            upload_outcome(413, r#"{"error":"too_large","message":"over 64 MB"}"#)
                .expect_err("413")
                .message,
            "over 64 MB"
        );
    }

    #[test]
    fn the_tables_buttons_name_their_action() {
        assert_eq!(Pending::parse("activate", 3), Some(Pending::Activate(3)));
        assert_eq!(Pending::parse("schedule", 3), Some(Pending::Schedule(3)));
        assert_eq!(Pending::parse("delete", 4), Some(Pending::Delete(4)));
        assert_eq!(Pending::parse("explode", 4), None);
    }

    #[test]
    fn progress_sizes_and_sessions() {
        assert_eq!(percent(0.0, 0.0), 0);
        assert_eq!(percent(512.0, 1024.0), 50);
        assert_eq!(percent(1023.0, 1024.0), 99);
        assert_eq!(percent(2048.0, 1024.0), 100);
        assert_eq!(size(850), "850 B");
        assert_eq!(size(12_345), "12.3 KB");
        assert_eq!(size(4_500_000), "4.5 MB");
        let json = serde_json::to_string(&Session {
            token: "rtpi_ab".to_owned(),
            feed: "binh-duong".to_owned(),
        })
        .expect("json");
        assert_eq!(
            parse_session(Some(&json)).map(|s| s.feed).as_deref(),
            Some("binh-duong")
        );
        assert_eq!(parse_session(Some("{}")), None);
        assert_eq!(parse_session(Some(r#"{"token":"","feed":"f"}"#)), None);
        assert_eq!(parse_session(None), None);
    }

    #[test]
    fn instants_are_shown_and_read_in_the_feeds_offset() {
        assert_eq!(offset_seconds("2026-11-23T07:40:00+07:00"), Some(25_200));
        assert_eq!(offset_seconds("2026-11-23T07:40:00-03:30"), Some(-12_600));
        assert_eq!(offset_text(25_200), "+07:00");
        assert_eq!(offset_text(-12_600), "-03:30");
        assert_eq!(
            local_time("2026-11-23T20:05:09Z", 25_200),
            "2026-11-24 03:05"
        );
        assert_eq!(local_time("2024-02-29T00:00:00Z", 0), "2024-02-29 00:00");
        assert_eq!(local_time("garbled", 0), "garbled");
        assert_eq!(
            local_to_rfc3339("2026-12-01T03:00", 25_200).as_deref(),
            Some("2026-12-01T03:00:00+07:00")
        );
        assert_eq!(
            local_to_rfc3339("2026-12-01T03:00:30", 0).as_deref(),
            Some("2026-12-01T03:00:30+00:00")
        );
        assert_eq!(local_to_rfc3339("", 0), None);
        assert_eq!(local_to_rfc3339("2026-13-01T03:00", 0), None);
    }

    #[test]
    fn vehicles_are_counted_per_feed_and_matched_when_they_run_a_trip() {
        let vehicle = |id: &str, trip: Option<&str>| VehicleTrip {
            id: id.to_owned(),
            trip_id: trip.map(str::to_owned),
        };
        let vehicles = [
            vehicle("binh-duong:V1", Some("binh-duong:T1")),
            vehicle("binh-duong:V2", None),
            vehicle("other:V1", Some("other:T1")),
        ];
        assert_eq!(vehicle_counts(&vehicles, "binh-duong"), (2, 1));
        assert_eq!(vehicle_counts(&vehicles, "nowhere"), (0, 0));
    }
}
