//! Checks for what real feeds get wrong in ways only riders notice: names that are codes, stops
//! piled on one point, calendar dates that are typos, trips that say nowhere where they go.
//! Found in the 2018 KAZE SHUTTLE timetable, the World Bank's Hanoi feed and NYCT's Bronx
//! buses. All warnings (the feed is served), each with file, line and what to change.
//! (Text that was not Unicode NFC is reported as it is read, by `feed`.)

use jiff::civil::Date;
use rustc_hash::FxHashMap;

use super::checks::Context;
use super::findings::Findings;
use super::{GtfsFile, LocationType, Schedule, ServiceIdx, TripIdx};

/// This many stops or more at exactly one point is an export fault, not a shared pole.
pub const STACKED_STOPS: usize = 3;

/// A calendar date this far from every calendar.txt range (or from the other dates of a feed
/// without calendar.txt) is suspicious.
const FAR_DAYS: i64 = 180;

pub fn run(s: &Schedule, cx: &Context<'_>, f: &mut Findings) {
    placeholder_names(s, cx, f);
    stacked_stops(s, cx, f);
    calendar_date_outliers(s, cx, f);
    trips_without_headsigns(s, cx, f);
}

/// `STOP_01_1_S1`, `R12_A`: an id-like code where riders expect a name. No lower-case letter,
/// no space, at least one digit and one `_` (or the stop's own id).
pub fn looks_like_placeholder(name: &str, id: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    if name == id && name.chars().any(|c| c.is_ascii_digit()) && !name.contains(' ') {
        return true;
    }
    !name.contains(' ')
        && name.contains('_')
        && name.chars().any(|c| c.is_ascii_digit())
        && !name.chars().any(char::is_lowercase)
}

fn placeholder_names(s: &Schedule, cx: &Context<'_>, f: &mut Findings) {
    for (i, stop) in s.stops.iter().enumerate() {
        if looks_like_placeholder(&stop.name, &stop.id) {
            f.warning(
                "placeholder_name",
                GtfsFile::Stops.name(),
                cx.stop_lines.get(i).copied(),
                format!(
                    "stop {:?} is named {:?}, which looks like a code, not a name riders know",
                    stop.id, stop.name
                ),
                "Write the stop's name as it is on the sign or as people call the place in \
                 stop_name (e.g. \"Bến xe Thủ Dầu Một\"); keep codes in stop_code.",
            );
        }
    }
    for (i, route) in s.routes.iter().enumerate() {
        if let Some(name) = route.long_name.as_deref()
            && looks_like_placeholder(name, &route.id)
        {
            f.warning(
                "placeholder_name",
                GtfsFile::Routes.name(),
                cx.route_lines.get(i).copied(),
                format!(
                    "route {:?} has route_long_name {name:?}, which looks like a code",
                    route.id
                ),
                "Write where the route goes in route_long_name (e.g. \"Bến xe Thủ Dầu Một – \
                 Hikari\"), or leave it empty and keep the number in route_short_name.",
            );
        }
    }
}

fn stacked_stops(s: &Schedule, cx: &Context<'_>, f: &mut Findings) {
    // Exact coordinates as written (to 1e-7°, about a centimetre): a pole shared by two
    // operators' stops is normal, three or more stops at one point is an export default.
    let mut at: FxHashMap<(i64, i64), Vec<usize>> = FxHashMap::default();
    for (i, stop) in s.stops.iter().enumerate() {
        if stop.location_type != LocationType::StopPoint {
            continue;
        }
        if let Some(p) = stop.position {
            let key = ((p.lat * 1e7).round() as i64, (p.lon * 1e7).round() as i64);
            at.entry(key).or_default().push(i);
        }
    }
    let mut piles: Vec<Vec<usize>> = at
        .into_values()
        .filter(|stops| stops.len() >= STACKED_STOPS)
        .collect();
    piles.sort_unstable();
    for pile in piles {
        let first = &s.stops[pile[0]];
        let Some(p) = first.position else { continue };
        let mut ids: Vec<String> = pile
            .iter()
            .take(5)
            .map(|&i| format!("{:?}", s.stops[i].id))
            .collect();
        if pile.len() > 5 {
            ids.push(format!("and {} more", pile.len() - 5));
        }
        f.warning(
            "stacked_stops",
            GtfsFile::Stops.name(),
            cx.stop_lines.get(pile[0]).copied(),
            format!(
                "{} stops are at exactly the same point ({}, {}): {}",
                pile.len(),
                p.lat,
                p.lon,
                ids.join(", ")
            ),
            "Give each stop the position where riders wait for it (stop_lat, stop_lon): stops \
             on one point make \"stops near me\", the map and the matching of buses to stops \
             wrong.",
        );
    }
}

/// The date a mistyped year would most likely have meant: `d` with the year of `range` that
/// puts it inside, if any.
fn typo_fix(d: Date, range: (Date, Date)) -> Option<Date> {
    (range.0.year()..=range.1.year())
        .filter_map(|y| Date::new(y, d.month(), d.day()).ok())
        .find(|c| range.0 <= *c && *c <= range.1)
}

fn days_outside(d: Date, (start, end): (Date, Date)) -> i64 {
    if d < start {
        (start - d).get_days().into()
    } else if d > end {
        (d - end).get_days().into()
    } else {
        0
    }
}

fn calendar_date_outliers(s: &Schedule, cx: &Context<'_>, f: &mut Findings) {
    if cx.calendar_date_rows.is_empty() {
        return;
    }
    // The period the feed is about: its calendar.txt ranges, else the middle half of its
    // calendar dates (so one stray date cannot widen it).
    let ranges: Vec<(Date, Date)> = s.services.iter().filter_map(|sv| sv.range).collect();
    let period = if ranges.is_empty() {
        // Tukey's fences around the middle half of the dates.
        let mut dates: Vec<Date> = cx.calendar_date_rows.iter().map(|r| r.2).collect();
        dates.sort_unstable();
        let n = dates.len();
        let (q1, q3) = (dates[n / 4], dates[(3 * n) / 4]);
        let spread = jiff::Span::new().days(i64::from((q3 - q1).get_days()) * 3 / 2);
        (q1.saturating_sub(spread), q3.saturating_add(spread))
    } else {
        let start = ranges.iter().map(|r| r.0).min();
        let end = ranges.iter().map(|r| r.1).max();
        match (start, end) {
            (Some(a), Some(b)) => (a, b),
            _ => return,
        }
    };
    let service_range = |svc: ServiceIdx| s.services.get(svc.index()).and_then(|sv| sv.range);
    for &(line, svc, date) in cx.calendar_date_rows {
        let range = service_range(svc).unwrap_or(period);
        let off = days_outside(date, range).min(days_outside(date, period));
        // A year the period does not touch, where the same day of the period's year would
        // fall inside: 2019 typed among 2018 dates.
        let typo = (off > 7 && !(period.0.year()..=period.1.year()).contains(&date.year()))
            .then(|| typo_fix(date, range))
            .flatten();
        if off <= FAR_DAYS && typo.is_none() {
            continue;
        }
        let service = &s.services[svc.index()].id;
        let message = match typo {
            Some(meant) => format!(
                "service {service:?} has date {date}, {off} days outside its period \
                 ({} to {}); a mistyped year? {meant} would fall inside",
                range.0, range.1
            ),
            None => format!(
                "service {service:?} has date {date}, {off} days outside the feed's period \
                 ({} to {})",
                range.0, range.1
            ),
        };
        f.warning(
            "calendar_date_outlier",
            GtfsFile::CalendarDates.name(),
            Some(line),
            message,
            "Check the date (YYYYMMDD) against the timetable's period; correct the year, or \
             remove the row if it belongs to another timetable.",
        );
    }
}

fn trips_without_headsigns(s: &Schedule, cx: &Context<'_>, f: &mut Findings) {
    let bare: Vec<TripIdx> = (0..s.trips.len() as u32)
        .map(TripIdx)
        .filter(|&t| s.trip(t).usable && !s.has_own_headsign(t))
        .collect();
    let Some(&first) = bare.first() else {
        return;
    };
    let trip = s.trip(first);
    let shown = s.trip_headsign(first).unwrap_or_default();
    f.warning(
        "missing_headsign",
        GtfsFile::Trips.name(),
        cx.trip_lines.get(first.index()).copied(),
        format!(
            "{} of {} trips have neither trip_headsign nor stop_headsign (the first: trip \
             {:?}); riders are shown the last stop's name instead ({shown:?})",
            bare.len(),
            s.trips.iter().filter(|t| t.usable).count(),
            trip.id
        ),
        "Fill trip_headsign with the destination as written on the bus (for a loop, e.g. \
         \"Vòng Hikari\"), and translate it in translations.txt.",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_names_are_codes_not_names() {
        assert!(looks_like_placeholder("STOP_01_1_S1", "S1"));
        assert!(looks_like_placeholder("BX_12", "12"));
        assert!(looks_like_placeholder("1023", "1023"));
        assert!(!looks_like_placeholder("Bến xe Thủ Dầu Một", "BX"));
        assert!(!looks_like_placeholder(
            "E 149 ST/GRAND CONCOURSE",
            "100001"
        ));
        assert!(!looks_like_placeholder("Hikari", "Hikari"), "no digit");
        assert!(!looks_like_placeholder("", "S1"));
    }

    #[test]
    fn a_mistyped_year_is_found_inside_the_period() {
        let range = (
            jiff::civil::date(2018, 1, 1),
            jiff::civil::date(2018, 12, 31),
        );
        assert_eq!(
            typo_fix(jiff::civil::date(2019, 4, 30), range),
            Some(jiff::civil::date(2018, 4, 30))
        );
        assert_eq!(days_outside(jiff::civil::date(2019, 4, 30), range), 120);
        assert_eq!(days_outside(jiff::civil::date(2017, 12, 30), range), 2);
        assert_eq!(days_outside(jiff::civil::date(2018, 6, 1), range), 0);
    }
}
