//! The simulator's service alerts: two announcements any feed can carry, so that boards,
//! signs and the alerts API have something real to show in demos and tests.
//!
//! - the busiest route gets "heavy traffic, expect delays" during the morning and evening
//!   peaks (06:30–08:30 and 16:30–19:00 local time, today), `SIGNIFICANT_DELAYS`;
//! - a stop in the middle of the second busiest route is "temporarily moved because of road
//!   works" all day, `STOP_MOVED`.
//!
//! Texts in Vietnamese, English and Japanese; the description says the alert is simulated.
//! Pure: the schedule and `now` in, the same message out.

use gtfs_rt::translated_string::Translation;
use gtfs_rt::{Alert, EntitySelector, FeedEntity, FeedMessage, TimeRange, TranslatedString, alert};

use super::generator::header;
use crate::schedule::time::service_day_start;
use crate::schedule::{RouteIdx, Schedule};

const SIMULATED: [(&str, &str); 3] = [
    (
        "vi",
        "Thông báo mô phỏng của hệ thống demo, không phải thông báo thật.",
    ),
    (
        "en",
        "Simulated by the demonstration system; not a real announcement.",
    ),
    (
        "ja",
        "デモ用の模擬お知らせです。実際のお知らせではありません。",
    ),
];

fn translated(texts: &[(&str, String)]) -> Option<TranslatedString> {
    Some(TranslatedString {
        translation: texts
            .iter()
            .map(|(lang, text)| Translation {
                text: text.clone(),
                language: Some((*lang).to_owned()),
            })
            .collect(),
    })
}

fn simulated() -> Option<TranslatedString> {
    translated(&SIMULATED.map(|(l, t)| (l, t.to_owned())))
}

/// Routes by number of trips, most first (ties by position in the feed).
fn busiest_routes(s: &Schedule) -> Vec<RouteIdx> {
    let mut routes: Vec<RouteIdx> = (0..s.routes.len())
        .filter_map(|i| u32::try_from(i).ok().map(RouteIdx))
        .filter(|&r| !s.trips_of_route(r).is_empty())
        .collect();
    routes.sort_by_key(|&r| std::cmp::Reverse(s.trips_of_route(r).len()));
    routes
}

pub fn alerts(s: &Schedule, now: i64) -> FeedMessage {
    let mut entity = Vec::new();
    let routes = busiest_routes(s);
    let today = jiff::Timestamp::from_second(now)
        .map(|t| t.to_zoned(s.timezone.clone()).date())
        .ok();
    if let (Some(&route), Some(today)) = (routes.first(), today) {
        let day = service_day_start(today, &s.timezone);
        let period = |from: i64, to: i64| TimeRange {
            start: u64::try_from(day + from).ok(),
            end: u64::try_from(day + to).ok(),
        };
        let name = s.route_short_name(route);
        entity.push(FeedEntity {
            id: "sim-traffic".into(),
            alert: Some(Alert {
                active_period: vec![
                    period(6 * 3600 + 1800, 8 * 3600 + 1800),
                    period(16 * 3600 + 1800, 19 * 3600),
                ],
                informed_entity: vec![EntitySelector {
                    route_id: Some(s.route(route).id.to_string()),
                    ..Default::default()
                }],
                cause: Some(alert::Cause::OtherCause as i32),
                effect: Some(alert::Effect::SignificantDelays as i32),
                severity_level: Some(alert::SeverityLevel::Warning as i32),
                header_text: translated(&[
                    (
                        "vi",
                        format!("Tuyến {name}: kẹt xe giờ cao điểm, xe có thể đến trễ"),
                    ),
                    (
                        "en",
                        format!("Route {name}: rush-hour traffic, expect delays"),
                    ),
                    (
                        "ja",
                        format!("{name}系統：ラッシュ時の渋滞により遅れが見込まれます"),
                    ),
                ]),
                description_text: simulated(),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    let stop_route = routes.get(1).or(routes.first());
    let stop = stop_route.and_then(|&r| {
        let trip = *s.trips_of_route(r).first()?;
        let calls = s.trip_stop_times(trip);
        Some(calls.get(calls.len() / 2)?.stop)
    });
    if let (Some(stop), Some(today)) = (stop, today) {
        let day = service_day_start(today, &s.timezone);
        let stop_name = |lang| s.stop_name(stop, lang);
        entity.push(FeedEntity {
            id: "sim-stop-moved".into(),
            alert: Some(Alert {
                active_period: vec![TimeRange {
                    start: u64::try_from(day).ok(),
                    end: u64::try_from(day + 2 * 86_400).ok(),
                }],
                informed_entity: vec![EntitySelector {
                    stop_id: Some(s.stop(stop).id.to_string()),
                    ..Default::default()
                }],
                cause: Some(alert::Cause::Construction as i32),
                effect: Some(alert::Effect::StopMoved as i32),
                severity_level: Some(alert::SeverityLevel::Info as i32),
                header_text: translated(&[
                    (
                        "vi",
                        format!("{}: điểm dừng tạm dời 50 m do thi công", stop_name("vi")),
                    ),
                    (
                        "en",
                        format!("{}: stop moved 50 m for road works", stop_name("en")),
                    ),
                    (
                        "ja",
                        format!("{}：工事のため停留所を50m移設しています", stop_name("ja")),
                    ),
                ]),
                description_text: simulated(),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    FeedMessage {
        header: header(now),
        entity,
    }
}
