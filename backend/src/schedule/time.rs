//! Service-day time: how GTFS times of day become instants.
//!
//! A GTFS time such as `25:10:00` counts from the start of its *service day*, defined as
//! noon minus 12 hours, local time (on days with a daylight-saving change this is not
//! midnight: GTFS says so on purpose, so that times stay contiguous). Times past 24:00 are
//! normal: a trip of Monday's service leaving at 24:30 runs on Tuesday at 00:30. Everything
//! else in the crate converts with [`service_day_start`] and never does its own arithmetic
//! on wall-clock dates.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

/// Unix seconds of the start of `date`'s service day in `tz` (noon − 12 h).
pub fn service_day_start(date: Date, tz: &TimeZone) -> i64 {
    // Noon is never skipped or repeated by a daylight-saving change in any zone in use,
    // so the conversion is unambiguous; `compatible()` picks the sane answer if it ever is.
    let noon = date.at(12, 0, 0, 0);
    tz.to_ambiguous_timestamp(noon)
        .compatible()
        .map(|t| t.as_second() - 12 * 3600)
        // Only dates at the very ends of jiff's range (years ±9999) fail; the schedule
        // builder rejects calendar dates outside 1900–2200, so this is never reached.
        .unwrap_or(0)
}

/// The local calendar date of an instant.
pub fn local_date(unix: i64, tz: &TimeZone) -> Date {
    Timestamp::from_second(unix)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(tz.clone())
        .date()
}

/// An instant as RFC 3339 with the zone's UTC offset: `2026-11-23T07:05:00+07:00`.
pub fn format_rfc3339(unix: i64, tz: &TimeZone) -> String {
    let zoned: Zoned = Timestamp::from_second(unix)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(tz.clone());
    zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// `HH:MM:SS`, hours may exceed 23.
pub fn format_gtfs_time(secs: u32) -> String {
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn service_day_starts_at_local_midnight_without_dst() {
        let tz = TimeZone::get("Asia/Ho_Chi_Minh").expect("tz");
        let start = service_day_start(date(2026, 11, 23), &tz);
        assert_eq!(format_rfc3339(start, &tz), "2026-11-23T00:00:00+07:00");
        // 25:10 of Monday's service is Tuesday 01:10.
        assert_eq!(
            format_rfc3339(start + 25 * 3600 + 600, &tz),
            "2026-11-24T01:10:00+07:00"
        );
    }

    #[test]
    fn service_day_on_a_dst_change_is_noon_minus_twelve_hours() {
        // Spring forward in New York on 2026-03-08: noon − 12 h is 23:00 the day before.
        let tz = TimeZone::get("America/New_York").expect("tz");
        let start = service_day_start(date(2026, 3, 8), &tz);
        assert_eq!(format_rfc3339(start, &tz), "2026-03-07T23:00:00-05:00");
        // So 08:00:00 in the timetable is 08:00 on the clock that day, as riders expect.
        assert_eq!(
            format_rfc3339(start + 8 * 3600, &tz),
            "2026-03-08T08:00:00-04:00"
        );
    }

    #[test]
    fn local_date_and_gtfs_time_formatting() {
        let tz = TimeZone::get("Asia/Ho_Chi_Minh").expect("tz");
        let start = service_day_start(date(2026, 11, 23), &tz);
        assert_eq!(local_date(start + 86_400 + 60, &tz), date(2026, 11, 24));
        assert_eq!(format_gtfs_time(25 * 3600 + 61), "25:01:01");
    }
}
