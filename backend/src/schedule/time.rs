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
///
/// Boards write several per departure, so the usual case (years 1000–9999, an offset in
/// whole minutes) is written digit by digit; anything else goes through jiff's `strftime`,
/// which gives the same text for the usual case (see the tests).
pub fn format_rfc3339(unix: i64, tz: &TimeZone) -> String {
    let ts = Timestamp::from_second(unix).unwrap_or(Timestamp::UNIX_EPOCH);
    let offset = tz.to_offset(ts);
    let dt = offset.to_datetime(ts);
    let offset_s = offset.seconds();
    if !(1000..=9999).contains(&dt.year()) || offset_s % 60 != 0 {
        return strftime_rfc3339(ts, tz);
    }
    let minutes = offset_s.unsigned_abs() / 60;
    let sign = if offset_s < 0 { b'-' } else { b'+' };
    let mut out = *b"YYYY-MM-DDTHH:MM:SS+HH:MM";
    put_date(&mut out, dt.date());
    put_digits(&mut out[11..13], dt.hour() as u32);
    put_digits(&mut out[14..16], dt.minute() as u32);
    put_digits(&mut out[17..19], dt.second() as u32);
    out[19] = sign;
    put_digits(&mut out[20..22], minutes / 60);
    put_digits(&mut out[23..25], minutes % 60);
    ascii(&out)
}

/// A date as `YYYY-MM-DD` (what `Date`'s `Display` writes, without its formatting machinery
/// for the usual years 1000–9999).
pub fn format_date(date: Date) -> String {
    if !(1000..=9999).contains(&date.year()) {
        return date.to_string();
    }
    let mut out = *b"YYYY-MM-DD";
    put_date(&mut out, date);
    ascii(&out)
}

/// Bytes known to be ASCII as a `String` (one allocation, no per-character work).
fn ascii(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap_or_default()
}

/// `YYYY-MM-DD` into the first 10 bytes of `out` (a year of four digits).
fn put_date(out: &mut [u8], date: Date) {
    put_digits(&mut out[0..4], date.year() as u32);
    put_digits(&mut out[5..7], date.month() as u32);
    put_digits(&mut out[8..10], date.day() as u32);
}

/// The last `out.len()` decimal digits of `value`, zero-padded.
fn put_digits(out: &mut [u8], mut value: u32) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

fn strftime_rfc3339(ts: Timestamp, tz: &TimeZone) -> String {
    let zoned: Zoned = ts.to_zoned(tz.clone());
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
    fn rfc3339_digit_by_digit_is_what_strftime_writes() {
        // Zones east and west of UTC, with half- and quarter-hour offsets, daylight saving
        // and local mean time before standard time (an offset with seconds: strftime's case).
        let zones = [
            "UTC",
            "Asia/Ho_Chi_Minh",
            "America/New_York",
            "Asia/Kathmandu",
            "America/St_Johns",
            "Pacific/Chatham",
            "Australia/Lord_Howe",
        ];
        let mut instants: Vec<i64> = vec![
            -62_135_596_800 - 86_400, // 0000-12-31: strftime's case
            -2_208_988_800,           // 1900
            -3_000_000_000,           // 1874, before standard time in New York
            0,
            1_795_389_605,
            253_402_207_200, // the last instant jiff has: 9999-12-30 somewhere, 31 elsewhere
        ];
        // Every 7 h 13 min 17 s over four years around now, across the DST changes.
        instants.extend((0..4 * 1213).map(|k| 1_700_000_000 + k * 25_997));
        for name in zones {
            let tz = TimeZone::get(name).expect("tz");
            for &t in &instants {
                let ts = Timestamp::from_second(t).expect("in range");
                assert_eq!(
                    format_rfc3339(t, &tz),
                    strftime_rfc3339(ts, &tz),
                    "{name} at {t}"
                );
            }
        }
        let tz = TimeZone::get("America/New_York").expect("tz");
        assert_eq!(
            format_rfc3339(1_795_389_605, &tz),
            "2026-11-22T18:20:05-05:00"
        );
    }

    #[test]
    fn dates_are_written_as_display_writes_them() {
        for d in [
            date(1000, 1, 1),
            date(2026, 11, 5),
            date(2026, 12, 31),
            date(9999, 12, 31),
            date(999, 3, 4),
            date(-5, 3, 4),
        ] {
            assert_eq!(format_date(d), d.to_string());
        }
        assert_eq!(format_date(date(2026, 1, 5)), "2026-01-05");
    }

    #[test]
    fn local_date_and_gtfs_time_formatting() {
        let tz = TimeZone::get("Asia/Ho_Chi_Minh").expect("tz");
        let start = service_day_start(date(2026, 11, 23), &tz);
        assert_eq!(local_date(start + 86_400 + 60, &tz), date(2026, 11, 24));
        assert_eq!(format_gtfs_time(25 * 3600 + 61), "25:01:01");
    }
}
