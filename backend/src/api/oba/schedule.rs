//! Timetables of one service date: `schedule-for-stop/{id}?date=YYYY-MM-DD`, every call at
//! the stop (a station: at its platforms), by route and then by headsign, from the schedule's
//! board query (frequency-based trips also list their windows); `schedule-for-route/{id}`, the
//! route's trips by direction with their stop times.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::refs::{Refs, service_date_ms};
use super::stops::resolve_stop;
use super::{Answer, Ctx, EntryData, ObaError, Query, entry, feed_scoped, json_id, ms};
use crate::schedule::time::{local_date, service_day_start};
use crate::schedule::{Boarding, DirectionType, RouteIdx};
use crate::search::route_order;
use crate::state::AppState;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StopSchedule {
    stop_id: String,
    date: i64,
    time_zone: String,
    stop_route_schedules: Vec<RouteSchedule>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteSchedule {
    route_id: String,
    stop_route_direction_schedules: Vec<DirectionSchedule>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectionSchedule {
    trip_headsign: String,
    schedule_stop_times: Vec<ScheduleStopTime>,
    schedule_frequencies: Vec<ScheduleFrequency>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleStopTime {
    trip_id: String,
    service_id: String,
    arrival_time: i64,
    departure_time: i64,
    arrival_enabled: bool,
    departure_enabled: bool,
    stop_headsign: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleFrequency {
    trip_id: String,
    service_id: String,
    service_date: i64,
    start_time: i64,
    end_time: i64,
    /// Seconds.
    headway: u32,
}

/// A headsign's stop times and the frequency windows (indexes) they come from.
type Direction = (String, Vec<ScheduleStopTime>, Vec<u32>);

#[derive(Debug, Deserialize)]
pub struct Params {
    date: Option<String>,
    lang: Option<String>,
}

pub async fn schedule_for_stop(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<Params>,
) -> Answer<EntryData<StopSchedule>> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let (s, stop) = resolve_stop(&ctx, id)?;
    let date = parse_date(p.date.as_deref(), &s, ctx.now)?;
    let day = service_day_start(date, &s.timezone);
    let stops = s.stop_and_children(stop);
    let mut calls = s.calls(&stops, day, day + i64::from(s.max_time_of_day()) + 1);
    calls.retain(|c| c.service_date == date);
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let lang = refs.lang();
    // route → headsign → (stop times, frequency windows seen)
    let mut routes: Vec<(RouteIdx, Vec<Direction>)> = Vec::new();
    for c in &calls {
        let trip = s.trip(c.trip);
        let st = &s.stop_times[c.stop_time as usize];
        let headsign = s.headsign_in(st, lang).unwrap_or_default().to_owned();
        let r = match routes.iter().position(|(r, _)| *r == trip.route) {
            Some(i) => i,
            None => {
                routes.push((trip.route, Vec::new()));
                routes.len() - 1
            }
        };
        let directions = &mut routes[r].1;
        let d = match directions.iter().position(|(h, _, _)| *h == headsign) {
            Some(i) => i,
            None => {
                directions.push((headsign, Vec::new(), Vec::new()));
                directions.len() - 1
            }
        };
        let first = c.stop_time == trip.stop_times.start;
        let last = c.stop_time + 1 == trip.stop_times.end;
        directions[d].1.push(ScheduleStopTime {
            trip_id: refs.trip(&s, c.trip),
            service_id: feed_scoped(&s, &s.services[trip.service.index()].id),
            arrival_time: ms(c.arrival),
            departure_time: ms(c.departure),
            arrival_enabled: !first && st.drop_off != Boarding::None,
            departure_enabled: !last && st.pickup != Boarding::None,
            stop_headsign: st
                .stop_headsign
                .and_then(|_| s.headsign_in(st, lang))
                .unwrap_or_default()
                .to_owned(),
        });
        if let Some((f, _)) = c.frequency
            && !directions[d].2.contains(&f)
        {
            directions[d].2.push(f);
        }
    }
    routes.sort_by_cached_key(|(r, _)| route_order(&s, *r));
    let stop_route_schedules = routes
        .into_iter()
        .map(|(r, directions)| RouteSchedule {
            route_id: refs.route(&s, r),
            stop_route_direction_schedules: directions
                .into_iter()
                .map(
                    |(trip_headsign, schedule_stop_times, windows)| DirectionSchedule {
                        trip_headsign,
                        schedule_stop_times,
                        schedule_frequencies: windows
                            .iter()
                            .map(|&f| {
                                let w = &s.frequencies[f as usize];
                                let trip = s.trip(w.trip);
                                ScheduleFrequency {
                                    trip_id: refs.trip(&s, w.trip),
                                    service_id: feed_scoped(
                                        &s,
                                        &s.services[trip.service.index()].id,
                                    ),
                                    service_date: service_date_ms(&s, date),
                                    start_time: ms(day + i64::from(w.start)),
                                    end_time: ms(day + i64::from(w.end)),
                                    headway: w.headway_secs,
                                }
                            })
                            .collect(),
                    },
                )
                .collect(),
        })
        .collect();
    let stop_id = refs.stop(&s, stop);
    entry(
        ctx.now,
        StopSchedule {
            stop_id,
            date: service_date_ms(&s, date),
            time_zone: s.timezone_name.to_string(),
            stop_route_schedules,
        },
        refs.finish(),
    )
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteScheduleEntry {
    route_id: String,
    schedule_date: i64,
    service_ids: Vec<String>,
    stop_trip_groupings: Vec<StopTripGrouping>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StopTripGrouping {
    direction_id: String,
    trip_headsigns: Vec<String>,
    stop_ids: Vec<String>,
    trip_ids: Vec<String>,
    trips_with_stop_times: Vec<TripWithStopTimes>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TripWithStopTimes {
    trip_id: String,
    stop_times: Vec<RouteStopTime>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteStopTime {
    trip_id: String,
    stop_id: String,
    service_id: String,
    arrival_time: i64,
    departure_time: i64,
    arrival_enabled: bool,
    departure_enabled: bool,
    stop_headsign: String,
}

/// `schedule-for-route/{id}?date=YYYY-MM-DD`: the route's trips that run on the date, by
/// direction (stops: the direction's most common pattern), each with its stop times in ms
/// (a frequency-based trip: its first run).
pub async fn schedule_for_route(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<Params>,
) -> Answer<EntryData<RouteScheduleEntry>> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let (s, r) = super::routes::resolve_route(&ctx, id)?;
    let date = parse_date(p.date.as_deref(), &s, ctx.now)?;
    let day = service_day_start(date, &s.timezone);
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let lang = refs.lang();
    let route_id = refs.route(&s, r);
    let patterns = crate::api::network::direction_patterns(&s, r);
    let mut service_ids: Vec<String> = Vec::new();
    let stop_trip_groupings = patterns
        .iter()
        .map(|(direction, pattern, _)| {
            let trips: Vec<_> = s
                .trips_of_route(r)
                .iter()
                .copied()
                .filter(|&t| {
                    let trip = s.trip(t);
                    trip.usable
                        && s.service_active(trip.service, date)
                        && trip.direction.map(|d| match d {
                            DirectionType::Outbound => 0,
                            DirectionType::Inbound => 1,
                        }) == *direction
                })
                .collect();
            let mut headsigns: Vec<String> = Vec::new();
            let mut trip_ids = Vec::new();
            let mut with_times = Vec::new();
            for &t in &trips {
                let trip = s.trip(t);
                let service = feed_scoped(&s, &s.services[trip.service.index()].id);
                if !service_ids.contains(&service) {
                    service_ids.push(service.clone());
                }
                if let Some(h) = s
                    .trip_stop_times(t)
                    .first()
                    .and_then(|st| s.headsign_in(st, lang))
                    && !headsigns.iter().any(|x| x == h)
                {
                    headsigns.push(h.to_owned());
                }
                let trip_id = refs.trip(&s, t);
                trip_ids.push(trip_id.clone());
                // A frequency-based trip's timetable counts from its first run.
                let first = s.trip_stop_times(t).first().map_or(0, |st| st.departure);
                let shift = s
                    .trip_frequencies(t)
                    .first()
                    .map_or(0, |f| i64::from(f.start) - i64::from(first));
                let times = s.trip_stop_times(t);
                let stop_times = times
                    .iter()
                    .enumerate()
                    .map(|(i, st)| RouteStopTime {
                        trip_id: trip_id.clone(),
                        stop_id: refs.stop(&s, st.stop),
                        service_id: service.clone(),
                        arrival_time: ms(day + shift + i64::from(st.arrival)),
                        departure_time: ms(day + shift + i64::from(st.departure)),
                        arrival_enabled: i > 0 && st.drop_off != Boarding::None,
                        departure_enabled: i + 1 < times.len() && st.pickup != Boarding::None,
                        stop_headsign: st
                            .stop_headsign
                            .and_then(|_| s.headsign_in(st, lang))
                            .unwrap_or_default()
                            .to_owned(),
                    })
                    .collect();
                with_times.push(TripWithStopTimes {
                    trip_id,
                    stop_times,
                });
            }
            StopTripGrouping {
                direction_id: direction.map_or_else(String::new, |d| d.to_string()),
                trip_headsigns: headsigns,
                stop_ids: pattern.iter().map(|&i| refs.stop(&s, i)).collect(),
                trip_ids,
                trips_with_stop_times: with_times,
            }
        })
        .collect();
    entry(
        ctx.now,
        RouteScheduleEntry {
            route_id,
            schedule_date: service_date_ms(&s, date),
            service_ids,
            stop_trip_groupings,
        },
        refs.finish(),
    )
}

/// `date=YYYY-MM-DD`, else today in the feed's time zone.
fn parse_date(
    param: Option<&str>,
    s: &crate::schedule::Schedule,
    now: i64,
) -> Result<Date, ObaError> {
    match param.map(str::trim).filter(|d| !d.is_empty()) {
        Some(text) => text
            .parse::<Date>()
            .map_err(|_| ObaError::bad("date", format!("{text:?} is not a date; use YYYY-MM-DD"))),
        None => Ok(local_date(now, &s.timezone)),
    }
}
