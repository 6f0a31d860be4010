//! Times, minutes, headways, ages and distances as riders read them, per language. Plain
//! functions of plain values (no clock, no signal), tested below.
//!
//! Instants arrive as RFC 3339 strings with the agency's offset (`2026-11-23T07:05:00+07:00`):
//! the local clock time is in the string itself, so no time-zone database is needed; minutes
//! to go are computed from unix seconds ([`unix_seconds`]) against the server's `now`.

use crate::i18n::{Key, Lang, t};

/// Unix seconds of an RFC 3339 instant (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`); `None` when
/// malformed.
pub fn unix_seconds(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    // Skip a fraction of a second.
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if b.len() == i + 1 => 0,
        sign @ (b'+' | b'-') if b.len() == i + 6 && b[i + 3] == b':' => {
            let secs = num(i + 1..i + 3)? * 3600 + num(i + 4..i + 6)? * 60;
            if *sign == b'-' { -secs } else { secs }
        }
        _ => return None,
    };
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The local clock time `HH:MM` of an RFC 3339 instant (the agency's own offset is in it).
pub fn clock(text: &str) -> &str {
    text.get(11..16).unwrap_or("--:--")
}

/// `HH:MM:SS`, for "updated at".
pub fn clock_seconds(text: &str) -> &str {
    text.get(11..19).unwrap_or("--:--:--")
}

/// When a bus comes, as a board shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Countdown {
    /// Less than a minute (or already due).
    Due,
    /// Whole minutes to go, 1 to 59.
    Minutes(i64),
    /// An hour or more away: show the clock time.
    Clock,
}

/// Minutes from `now` to `at` (unix seconds), rounded down as riders expect ("2 min" when
/// 2 min 50 s remain).
pub fn countdown(now: i64, at: i64) -> Countdown {
    let mins = (at - now).div_euclid(60);
    match mins {
        ..=0 => Countdown::Due,
        1..=59 => Countdown::Minutes(mins),
        _ => Countdown::Clock,
    }
}

/// `3 phút`, `3 min`, `3分`.
pub fn minutes(lang: Lang, n: i64) -> String {
    match lang {
        Lang::Vi => format!("{n} phút"),
        Lang::En => format!("{n} min"),
        Lang::Ja => format!("{n}分"),
    }
}

/// What the board's time column says: "Sắp đến" / "3 min" / "14:05".
pub fn countdown_text(lang: Lang, now: i64, at_text: &str) -> String {
    match unix_seconds(at_text).map(|at| countdown(now, at)) {
        Some(Countdown::Due) => t(lang, Key::Due).to_owned(),
        Some(Countdown::Minutes(n)) => minutes(lang, n),
        Some(Countdown::Clock) | None => clock(at_text).to_owned(),
    }
}

/// How wide the central 80 % interval of a prediction must be (seconds) to be shown as a
/// range ("5–9 min") rather than one number: narrower, one number says it as well.
pub const WIDE_INTERVAL_S: i64 = 4 * 60;

/// What the time column says when the uncertainty is wide: the interval's minutes
/// (`5–9 phút`, `5–9 min`, `5〜9分`; `≤ 4 min` when the bus may already be due). `None` when
/// the interval is narrow, malformed or reaches past the hour (the clock time says it then).
pub fn countdown_range(lang: Lang, now: i64, earliest: &str, latest: &str) -> Option<String> {
    let (lo, hi) = (unix_seconds(earliest)?, unix_seconds(latest)?);
    if hi - lo < WIDE_INTERVAL_S {
        return None;
    }
    let hi = match countdown(now, hi) {
        Countdown::Minutes(n) => n,
        Countdown::Due | Countdown::Clock => return None,
    };
    Some(match countdown(now, lo) {
        Countdown::Due => match lang {
            Lang::Vi => format!("≤ {hi} phút"),
            Lang::En => format!("≤ {hi} min"),
            Lang::Ja => format!("{hi}分以内"),
        },
        Countdown::Minutes(lo) => match lang {
            Lang::Vi => format!("{lo}–{hi} phút"),
            Lang::En => format!("{lo}–{hi} min"),
            Lang::Ja => format!("{lo}〜{hi}分"),
        },
        Countdown::Clock => return None,
    })
}

/// A bay as riders read it: a code becomes `Bến 3`, `Bay 3`, `3番のりば`; a name (a feed that
/// names its platforms) is shown as it is.
pub fn bay(lang: Lang, bay: &str) -> String {
    if !is_code(bay) {
        return bay.to_owned();
    }
    match lang {
        Lang::Vi => format!("Bến {bay}"),
        Lang::En => format!("Bay {bay}"),
        Lang::Ja => format!("{bay}番のりば"),
    }
}

/// A bay in few characters, for LED signs: `B3` (Bến, Bay), `3番`; a longer code as it is,
/// a name cut to 4 characters.
pub fn bay_short(lang: Lang, bay: &str) -> String {
    if !is_code(bay) {
        return bay.chars().take(4).collect();
    }
    if bay.chars().count() > 2 {
        return bay.to_owned();
    }
    match lang {
        Lang::Vi | Lang::En => format!("B{bay}"),
        Lang::Ja => format!("{bay}番"),
    }
}

/// A platform code rather than a name: short, one word (`3`, `B`, `BRT-A`).
fn is_code(bay: &str) -> bool {
    !bay.is_empty() && bay.chars().count() <= 6 && !bay.contains(char::is_whitespace)
}

/// How many bays a station has: `6 bến`, `6 bays` (`1 bay`), `のりば 6か所`.
pub fn bays(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Vi => format!("{n} bến"),
        Lang::En if n == 1 => "1 bay".to_owned(),
        Lang::En => format!("{n} bays"),
        Lang::Ja => format!("のりば {n}か所"),
    }
}

/// A stop code in a list, labelled so that it is not read as part of a distance:
/// `mã 2085`, `code 2085`, `コード 2085`.
pub fn stop_code(lang: Lang, code: &str) -> String {
    match lang {
        Lang::Vi => format!("mã {code}"),
        Lang::En => format!("code {code}"),
        Lang::Ja => format!("コード {code}"),
    }
}

/// A headway line: `8 phút một chuyến`, `every 8 min`, `8分間隔`.
pub fn headway(lang: Lang, secs: u32) -> String {
    let n = (secs + 30) / 60;
    match lang {
        Lang::Vi => format!("{n} phút một chuyến"),
        Lang::En => format!("every {n} min"),
        Lang::Ja => format!("{n}分間隔"),
    }
}

/// Delay of a live departure, `None` under a minute: `trễ 3 phút`, `3 min late`, `3分遅れ`.
pub fn delay(lang: Lang, delay_s: i64) -> Option<String> {
    let n = delay_s.abs() / 60;
    if n == 0 {
        return None;
    }
    let late = delay_s > 0;
    let word = t(lang, if late { Key::Late } else { Key::Early });
    Some(match lang {
        Lang::Vi => format!("{word} {n} phút"),
        Lang::En => format!("{n} min {word}"),
        Lang::Ja => format!("{n}分{word}"),
    })
}

/// An age: `45 giây` / `45 s` / `45秒` under two minutes, else whole minutes.
pub fn age(lang: Lang, secs: i64) -> String {
    let secs = secs.max(0);
    if secs < 120 {
        match lang {
            Lang::Vi => format!("{secs} giây"),
            Lang::En => format!("{secs} s"),
            Lang::Ja => format!("{secs}秒"),
        }
    } else {
        minutes(lang, secs / 60)
    }
}

/// How old the bus positions are: `Vị trí xe: 10 giây trước`, `Bus positions from 10 s ago`,
/// `車両位置: 10秒前`.
pub fn positions_age(lang: Lang, secs: i64) -> String {
    let age = age(lang, secs);
    match lang {
        Lang::Vi => format!("Vị trí xe: {age} trước"),
        Lang::En => format!("Bus positions from {age} ago"),
        Lang::Ja => format!("車両位置: {age}前"),
    }
}

/// A walking distance: `350 m`, `1,2 km` (Vietnamese decimal comma), `1.2 km`.
pub fn distance(lang: Lang, metres: f64) -> String {
    if metres < 1000.0 {
        format!("{} m", (metres / 10.0).round() * 10.0)
    } else {
        let km = format!("{:.1}", metres / 1000.0);
        match lang {
            Lang::Vi => format!("{} km", km.replace('.', ",")),
            Lang::En | Lang::Ja => format!("{km} km"),
        }
    }
}

/// Percent-encodes `text` for a URL path segment or query value (RFC 3986 unreserved kept).
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `text` safe inside HTML or SVG text and quoted attributes (for the parts of pages written as
/// HTML strings: maps, the display setup, the operator console).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_instants_with_offsets_are_unix_seconds() {
        // 2026-11-23T00:05:00Z
        let utc = 1_795_392_300;
        assert_eq!(unix_seconds("2026-11-23T07:05:00+07:00"), Some(utc));
        assert_eq!(unix_seconds("2026-11-23T00:05:00Z"), Some(utc));
        assert_eq!(unix_seconds("2026-11-23T00:05:00.250Z"), Some(utc));
        assert_eq!(unix_seconds("2026-11-22T20:05:00-04:00"), Some(utc));
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_seconds("2024-02-29T12:00:00Z"), Some(1_709_208_000));
        assert_eq!(unix_seconds("2026-11-23 07:05"), None);
        assert_eq!(unix_seconds("2026-13-23T07:05:00Z"), None);
        assert_eq!(unix_seconds("2026-11-23T07:05:00+07"), None);
        assert_eq!(unix_seconds(""), None);
    }

    #[test]
    fn the_clock_time_is_the_agencys_local_time() {
        assert_eq!(clock("2026-11-23T07:05:00+07:00"), "07:05");
        assert_eq!(clock_seconds("2026-11-23T07:05:09+07:00"), "07:05:09");
        assert_eq!(clock("bad"), "--:--");
    }

    #[test]
    fn minutes_to_go_are_rounded_down_and_due_under_one() {
        let now = 1_000_000;
        assert_eq!(countdown(now, now - 30), Countdown::Due);
        assert_eq!(countdown(now, now + 59), Countdown::Due);
        assert_eq!(countdown(now, now + 60), Countdown::Minutes(1));
        assert_eq!(countdown(now, now + 170), Countdown::Minutes(2));
        assert_eq!(countdown(now, now + 3599), Countdown::Minutes(59));
        assert_eq!(countdown(now, now + 3600), Countdown::Clock);
    }

    #[test]
    fn the_time_column_reads_naturally_in_each_language() {
        let now = unix_seconds("2026-11-23T07:00:00+07:00").expect("valid");
        let soon = "2026-11-23T07:00:30+07:00";
        let in3 = "2026-11-23T07:03:10+07:00";
        let later = "2026-11-23T08:15:00+07:00";
        assert_eq!(countdown_text(Lang::Vi, now, soon), "Sắp đến");
        assert_eq!(countdown_text(Lang::En, now, soon), "Due");
        assert_eq!(countdown_text(Lang::Ja, now, soon), "まもなく");
        assert_eq!(countdown_text(Lang::Vi, now, in3), "3 phút");
        assert_eq!(countdown_text(Lang::En, now, in3), "3 min");
        assert_eq!(countdown_text(Lang::Ja, now, in3), "3分");
        assert_eq!(countdown_text(Lang::En, now, later), "08:15");
    }

    #[test]
    fn headways_delays_ages_and_distances_per_language() {
        assert_eq!(headway(Lang::Vi, 480), "8 phút một chuyến");
        assert_eq!(headway(Lang::En, 480), "every 8 min");
        assert_eq!(headway(Lang::Ja, 470), "8分間隔");
        assert_eq!(delay(Lang::En, 200).as_deref(), Some("3 min late"));
        assert_eq!(delay(Lang::Vi, 200).as_deref(), Some("trễ 3 phút"));
        assert_eq!(delay(Lang::Ja, -120).as_deref(), Some("2分早着"));
        assert_eq!(delay(Lang::En, 59), None);
        assert_eq!(age(Lang::En, 45), "45 s");
        assert_eq!(age(Lang::Vi, 45), "45 giây");
        assert_eq!(age(Lang::Ja, 300), "5分");
        assert_eq!(positions_age(Lang::Vi, 10), "Vị trí xe: 10 giây trước");
        assert_eq!(positions_age(Lang::En, 10), "Bus positions from 10 s ago");
        assert_eq!(positions_age(Lang::Ja, 4), "車両位置: 4秒前");
        assert_eq!(distance(Lang::En, 347.0), "350 m");
        assert_eq!(distance(Lang::Vi, 1240.0), "1,2 km");
        assert_eq!(distance(Lang::Ja, 1240.0), "1.2 km");
    }

    #[test]
    fn a_wide_interval_is_a_range_of_minutes_and_a_narrow_one_is_not() {
        let now = unix_seconds("2026-11-23T07:00:00+07:00").expect("valid");
        let at = |hm: &str| format!("2026-11-23T{hm}:00+07:00");
        let range = |lang, lo: &str, hi: &str| countdown_range(lang, now, &at(lo), &at(hi));
        assert_eq!(
            range(Lang::Vi, "07:05", "07:09").as_deref(),
            Some("5–9 phút")
        );
        assert_eq!(
            range(Lang::En, "07:05", "07:09").as_deref(),
            Some("5–9 min")
        );
        assert_eq!(range(Lang::Ja, "07:05", "07:09").as_deref(), Some("5〜9分"));
        assert_eq!(
            range(Lang::En, "06:59", "07:06").as_deref(),
            Some("≤ 6 min")
        );
        assert_eq!(
            range(Lang::Ja, "06:59", "07:06").as_deref(),
            Some("6分以内")
        );
        assert_eq!(
            range(Lang::En, "07:05", "07:08"),
            None,
            "3 min wide: one number"
        );
        assert_eq!(
            range(Lang::En, "07:50", "08:10"),
            None,
            "past the hour: the clock"
        );
        assert_eq!(countdown_range(Lang::En, now, "bad", &at("07:09")), None);
    }

    #[test]
    fn bays_codes_and_counts_per_language() {
        assert_eq!(bay(Lang::Vi, "3"), "Bến 3");
        assert_eq!(bay(Lang::En, "3"), "Bay 3");
        assert_eq!(bay(Lang::Ja, "3"), "3番のりば");
        assert_eq!(bay(Lang::En, "A2"), "Bay A2");
        assert_eq!(bay(Lang::Vi, "Sân 1"), "Sân 1", "a name stays as it is");
        assert_eq!(bay_short(Lang::Vi, "3"), "B3");
        assert_eq!(bay_short(Lang::Ja, "3"), "3番");
        assert_eq!(bay_short(Lang::En, "North side"), "Nort");
        assert_eq!(bay_short(Lang::Vi, "BRT-A"), "BRT-A");
        assert_eq!(bay(Lang::Vi, "BRT-A"), "Bến BRT-A");
        assert_eq!(bays(Lang::Vi, 6), "6 bến");
        assert_eq!(bays(Lang::En, 6), "6 bays");
        assert_eq!(bays(Lang::En, 1), "1 bay");
        assert_eq!(bays(Lang::Ja, 6), "のりば 6か所");
        assert_eq!(stop_code(Lang::Vi, "2085"), "mã 2085");
        assert_eq!(stop_code(Lang::En, "2085"), "code 2085");
    }

    #[test]
    fn url_components_are_percent_encoded() {
        assert_eq!(url_encode("bến xe"), "b%E1%BA%BFn%20xe");
        assert_eq!(url_encode("binh-duong:ST_1"), "binh-duong%3AST_1");
    }

    #[test]
    fn html_text_is_escaped_for_elements_and_attributes() {
        assert_eq!(
            escape_html(r#"<a href="x">Tom & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
        assert_eq!(escape_html("Bến xe"), "Bến xe");
    }
}
