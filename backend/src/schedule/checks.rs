//! Whole-feed checks that need the built schedule: things unused, calendars out of date.
//! All of them are warnings: the feed can be served, but riders or operators would want to
//! know.

use jiff::ToSpan;
use jiff::civil::Date;

use super::findings::Findings;
use super::{GtfsFile, LocationType, Schedule};

/// Where rows came from, for findings that point at a line.
pub struct Context<'a> {
    pub stop_lines: &'a [u64],
    pub route_lines: &'a [u64],
    pub service_lines: &'a [u64],
    pub shape_lines: &'a [u64],
    pub trip_lines: &'a [u64],
    pub calendar_date_rows: &'a [(u64, super::ServiceIdx, Date)],
    pub today: Date,
}

/// A feed that stops running within this many days gets a warning.
const EXPIRY_WARNING_DAYS: i32 = 7;

pub fn run(s: &Schedule, cx: &Context<'_>, f: &mut Findings) {
    unused_stops(s, cx, f);
    routes_without_trips(s, cx, f);
    unused_shapes(s, cx, f);
    services_never_active(s, cx, f);
    calendar_dates(s, cx, f);
    super::lint::run(s, cx, f);
}

fn unused_stops(s: &Schedule, cx: &Context<'_>, f: &mut Findings) {
    for (i, stop) in s.stops.iter().enumerate() {
        let served =
            !s.index.visits.get(i).is_empty() || !s.index.frequency_visits.get(i).is_empty();
        let is_stop = stop.location_type == LocationType::StopPoint;
        if is_stop && !served {
            f.warning(
                "unused_stop",
                GtfsFile::Stops.name(),
                cx.stop_lines.get(i).copied(),
                format!(
                    "stop {:?} ({}) is not served by any trip",
                    stop.id, stop.name
                ),
                "Remove the stop, or add the trips that serve it.",
            );
        }
    }
}

fn routes_without_trips(s: &Schedule, cx: &Context<'_>, f: &mut Findings) {
    for (i, route) in s.routes.iter().enumerate() {
        if s.index.route_trips.get(i).is_empty() {
            f.warning(
                "route_without_trips",
                GtfsFile::Routes.name(),
                cx.route_lines.get(i).copied(),
                format!("route {:?} has no trips", route.id),
                "Remove the route, or add its trips to trips.txt and stop_times.txt.",
            );
        }
    }
}

fn unused_shapes(s: &Schedule, cx: &Context<'_>, f: &mut Findings) {
    let mut used = vec![false; s.shapes.len()];
    for t in &s.trips {
        if let Some(shape) = t.shape {
            used[shape.index()] = true;
        }
    }
    for (i, shape) in s.shapes.iter().enumerate() {
        if let (Some(id), false) = (&shape.id, used[i]) {
            f.warning(
                "unused_shape",
                GtfsFile::Shapes.name(),
                cx.shape_lines.get(i).copied(),
                format!("shape {id:?} is not used by any trip"),
                "Remove the shape, or set it as shape_id of the trips that follow it.",
            );
        }
    }
}

fn services_never_active(s: &Schedule, cx: &Context<'_>, f: &mut Findings) {
    let mut used = vec![false; s.services.len()];
    for t in s.trips.iter().filter(|t| t.usable) {
        used[t.service.index()] = true;
    }
    for (i, service) in s.services.iter().enumerate() {
        if used[i] && service.active_span().is_none() {
            let file = if service.range.is_some() {
                GtfsFile::Calendar
            } else {
                GtfsFile::CalendarDates
            };
            f.warning(
                "service_never_active",
                file.name(),
                cx.service_lines.get(i).copied(),
                format!("service {:?} has trips but runs on no date", service.id),
                "Check the weekdays, start_date/end_date and the dates removed in \
                 calendar_dates.txt.",
            );
        }
    }
}

fn calendar_dates(s: &Schedule, cx: &Context<'_>, f: &mut Findings) {
    let today = cx.today;
    let Some((first, last)) = s.service_span else {
        if s.trips.iter().any(|t| t.usable) {
            f.warning(
                "no_service_dates",
                GtfsFile::Calendar.name(),
                None,
                "no trip runs on any date".into(),
                "Give the services dates in calendar.txt or calendar_dates.txt.",
            );
        }
        return;
    };
    let fix = "Publish a feed whose calendar covers the coming weeks.";
    if last < today {
        f.warning(
            "feed_expired",
            GtfsFile::Calendar.name(),
            None,
            format!("the last service date is {last}, before today ({today}): riders will see no departures"),
            fix,
        );
    } else if last < today.saturating_add(EXPIRY_WARNING_DAYS.days()) {
        f.warning(
            "feed_expires_soon",
            GtfsFile::Calendar.name(),
            None,
            format!("the last service date is {last}, within {EXPIRY_WARNING_DAYS} days of today ({today})"),
            fix,
        );
    }
    if first > today {
        f.warning(
            "feed_not_yet_valid",
            GtfsFile::Calendar.name(),
            None,
            format!("service starts on {first}, after today ({today}); nothing runs until then"),
            "Fine for a timetable published ahead of time; otherwise check start_date.",
        );
    }
    if let Some(end) = s.meta.end_date.filter(|end| *end < today && last >= today) {
        f.warning(
            "feed_info_expired",
            GtfsFile::FeedInfo.name(),
            None,
            format!(
                "feed_end_date is {end}, before today ({today}), though trips run until {last}"
            ),
            "Update feed_end_date to the last date the timetable is valid.",
        );
    }
}
