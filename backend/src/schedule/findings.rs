//! Collecting validation findings while a schedule is built.
//!
//! Each finding names its file, line when known, what is wrong and how to fix it. A broken
//! feed can hold a million bad rows; the first [`MAX_PER_CODE`] findings of each code are
//! kept and the rest only counted, so a report stays readable and small.

use api_types::report::SuppressedFindings;
use api_types::{Finding, Severity, ValidationReport, ValidationSummary};
use rustc_hash::FxHashMap;

/// Findings kept per code; later ones are counted in `suppressed`.
pub const MAX_PER_CODE: usize = 50;

/// The GTFS files we read, in the order we read them (each may refer to the ones before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GtfsFile {
    Agency,
    Stops,
    Routes,
    Calendar,
    CalendarDates,
    Shapes,
    Trips,
    StopTimes,
    Frequencies,
    Translations,
    FeedInfo,
}

impl GtfsFile {
    pub const ALL: [GtfsFile; 11] = [
        GtfsFile::Agency,
        GtfsFile::Stops,
        GtfsFile::Routes,
        GtfsFile::Calendar,
        GtfsFile::CalendarDates,
        GtfsFile::Shapes,
        GtfsFile::Trips,
        GtfsFile::StopTimes,
        GtfsFile::Frequencies,
        GtfsFile::Translations,
        GtfsFile::FeedInfo,
    ];

    pub fn name(self) -> &'static str {
        match self {
            GtfsFile::Agency => "agency.txt",
            GtfsFile::Stops => "stops.txt",
            GtfsFile::Routes => "routes.txt",
            GtfsFile::Calendar => "calendar.txt",
            GtfsFile::CalendarDates => "calendar_dates.txt",
            GtfsFile::Shapes => "shapes.txt",
            GtfsFile::Trips => "trips.txt",
            GtfsFile::StopTimes => "stop_times.txt",
            GtfsFile::Frequencies => "frequencies.txt",
            GtfsFile::Translations => "translations.txt",
            GtfsFile::FeedInfo => "feed_info.txt",
        }
    }

    /// Whether a feed without this file is unusable. `calendar.txt` and
    /// `calendar_dates.txt` are each optional, but one of them must exist.
    pub fn required(self) -> bool {
        matches!(
            self,
            GtfsFile::Agency
                | GtfsFile::Stops
                | GtfsFile::Routes
                | GtfsFile::Trips
                | GtfsFile::StopTimes
        )
    }

    /// Columns without which no row of the file can be read.
    pub fn required_columns(self) -> &'static [&'static str] {
        match self {
            GtfsFile::Agency => &["agency_name", "agency_url", "agency_timezone"],
            GtfsFile::Stops => &["stop_id"],
            GtfsFile::Routes => &["route_id", "route_type"],
            GtfsFile::Calendar => &[
                "service_id",
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
                "start_date",
                "end_date",
            ],
            GtfsFile::CalendarDates => &["service_id", "date", "exception_type"],
            GtfsFile::Shapes => &[
                "shape_id",
                "shape_pt_lat",
                "shape_pt_lon",
                "shape_pt_sequence",
            ],
            GtfsFile::Trips => &["route_id", "service_id", "trip_id"],
            GtfsFile::StopTimes => &["trip_id", "stop_id", "stop_sequence"],
            GtfsFile::Frequencies => &["trip_id", "start_time", "end_time", "headway_secs"],
            GtfsFile::Translations => &["table_name", "field_name", "language", "translation"],
            GtfsFile::FeedInfo => &["feed_publisher_name", "feed_publisher_url", "feed_lang"],
        }
    }
}

#[derive(Debug, Default)]
pub struct Findings {
    list: Vec<Finding>,
    per_code: FxHashMap<&'static str, (Severity, usize)>,
}

impl Findings {
    pub fn error(
        &mut self,
        code: &'static str,
        file: &str,
        line: Option<u64>,
        message: String,
        fix: impl Into<String>,
    ) {
        self.push(Severity::Error, code, file, line, message, fix.into());
    }

    pub fn warning(
        &mut self,
        code: &'static str,
        file: &str,
        line: Option<u64>,
        message: String,
        fix: impl Into<String>,
    ) {
        self.push(Severity::Warning, code, file, line, message, fix.into());
    }

    fn push(
        &mut self,
        severity: Severity,
        code: &'static str,
        file: &str,
        line: Option<u64>,
        message: String,
        fix: String,
    ) {
        let seen = self.per_code.entry(code).or_insert((severity, 0));
        seen.1 += 1;
        if seen.1 <= MAX_PER_CODE {
            self.list.push(Finding {
                severity,
                code: code.to_owned(),
                file: file.to_owned(),
                line,
                message,
                fix,
            });
        }
    }

    pub fn has_errors(&self) -> bool {
        self.list.iter().any(|f| f.severity == Severity::Error)
    }

    pub fn into_report(self, feed_id: &str, summary: ValidationSummary) -> ValidationReport {
        let mut findings = self.list;
        // Stable: within a severity, findings stay in the order the files were read.
        findings.sort_by_key(|f| f.severity);
        let mut suppressed: Vec<SuppressedFindings> = self
            .per_code
            .into_iter()
            .filter(|(_, (_, n))| *n > MAX_PER_CODE)
            .map(|(code, (severity, n))| SuppressedFindings {
                code: code.to_owned(),
                severity,
                count: n - MAX_PER_CODE,
            })
            .collect();
        suppressed.sort_by(|a, b| (a.severity, &a.code).cmp(&(b.severity, &b.code)));
        let valid = !findings.iter().any(|f| f.severity == Severity::Error);
        ValidationReport {
            feed_id: feed_id.to_owned(),
            valid,
            findings,
            suppressed,
            summary,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_codes_are_capped_and_counted() {
        let mut f = Findings::default();
        for i in 0..(MAX_PER_CODE + 7) {
            f.warning("unused_stop", "stops.txt", Some(i as u64), "x".into(), "y");
        }
        f.error(
            "unknown_trip_id",
            "stop_times.txt",
            Some(2),
            "x".into(),
            "y",
        );
        assert!(f.has_errors());
        let r = f.into_report("t", ValidationSummary::default());
        assert!(!r.valid);
        assert_eq!(r.findings.len(), MAX_PER_CODE + 1);
        assert_eq!(r.findings[0].code, "unknown_trip_id", "errors come first");
        assert_eq!(r.suppressed[0].count, 7);
        assert_eq!(r.warning_count(), MAX_PER_CODE + 7);
        assert_eq!(r.error_count(), 1);
    }
}
