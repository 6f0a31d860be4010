//! Service alerts: `GET /api/v1/alerts` (`?route=`, `?stop=`, `?lang=`), and the alerts of a
//! board (see [`for_board`]). Alerts come from the published realtime snapshot, resolved
//! against the schedule when their message arrived ([`crate::realtime::alerts`]); this module
//! only picks those that concern the reader and renders them in its language.

use api_types::{ActivePeriod, Alert, AlertsResponse, GlobalId};
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use rustc_hash::FxHashSet;
use serde::Deserialize;

use super::error::{ApiError, Query};
use super::lang::negotiate;
use crate::predict::FeedSnapshot;
use crate::realtime::alerts::{Concern, ServiceAlert};
use crate::schedule::time::format_rfc3339;
use crate::schedule::{RouteIdx, Schedule, StopIdx, TripIdx};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Params {
    /// Only the alerts that concern this route (global id, `feed:route_id`): naming it, one
    /// of its trips or stops, or its agency or route type.
    route: Option<String>,
    /// Only the alerts that concern this stop (global id): naming it, its station or
    /// platforms, or a route or trip serving it.
    stop: Option<String>,
    /// Language of the texts: `vi`, `en` or `ja`; default from `Accept-Language`, else `vi`.
    /// A text the agency gave in no such language comes in the closest one it gave.
    lang: Option<String>,
}

/// The service alerts active now, of every feed, or of one route or stop (a stop's alerts
/// include those of its station and of the routes serving it). Most severe first.
#[utoipa::path(
    get,
    path = "/alerts",
    tag = "alerts",
    params(Params),
    responses(
        (status = 200, description = "Alerts active now", body = AlertsResponse),
        (status = 400, description = "Invalid parameters", body = api_types::ErrorBody),
        (status = 404, description = "No such route or stop", body = api_types::ErrorBody),
    ),
)]
pub async fn alerts(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Json<AlertsResponse>, ApiError> {
    let lang = negotiate(params.lang.as_deref(), &headers);
    let catalog = state.catalog.load();
    let route = match &params.route {
        Some(id) => Some(
            catalog
                .resolve_route(id)
                .ok_or_else(|| ApiError::route_not_found(id))?,
        ),
        None => None,
    };
    let stop = match &params.stop {
        Some(id) => Some(
            catalog
                .resolve_stop(id)
                .ok_or_else(|| ApiError::stop_not_found(id))?,
        ),
        None => None,
    };
    let now = state.clock.now();
    let realtime = state.realtime.load();
    let mut out = Vec::new();
    for feed in catalog.feeds() {
        let s = &feed.schedule;
        let other_feed = |x: Option<&Schedule>| x.is_some_and(|x| x.feed_id != s.feed_id);
        if other_feed(route.map(|(x, _)| &**x)) || other_feed(stop.map(|(x, _)| &**x)) {
            continue;
        }
        let Some(fs) = realtime.for_schedule(s) else {
            continue;
        };
        let stops = stop.map(|(_, st)| stops_around(s, &[st]));
        let routes = match (route, stop) {
            (Some((_, r)), _) => Some(vec![r]),
            (None, Some((_, st))) => {
                let index = catalog.stop_index(s);
                let mut routes: Vec<RouteIdx> = stops_around(s, &[st])
                    .into_iter()
                    .flat_map(|x| index.routes(x).iter().copied())
                    .collect();
                routes.sort_unstable();
                routes.dedup();
                Some(routes)
            }
            (None, None) => None,
        };
        let concern = Concern {
            stops: stops.as_deref(),
            routes: routes.as_deref(),
            trips: None,
        };
        let t = now.as_second();
        out.extend(
            fs.alerts
                .iter()
                .filter(|a| a.active_at(t) && a.concerns(s, &concern))
                .map(|a| view(s, a, t, &lang)),
        );
    }
    sort(&mut out);
    Ok(Json(AlertsResponse {
        now: now.to_string(),
        lang,
        alerts: out,
    }))
}

/// The alerts of a board: those naming its stops (or their station and platforms), the routes
/// or the trips of its departures, active at `now` or starting before `until`.
pub fn for_board(
    s: &Schedule,
    rt: Option<&FeedSnapshot>,
    stops: &[StopIdx],
    trips: impl IntoIterator<Item = TripIdx>,
    now: i64,
    until: i64,
    lang: &str,
) -> Vec<Alert> {
    // Most boards have no alert: nothing is gathered for them.
    let Some(fs) = rt.filter(|fs| !fs.alerts.is_empty()) else {
        return Vec::new();
    };
    let stops = stops_around(s, stops);
    let mut trips: Vec<TripIdx> = trips.into_iter().collect();
    trips.sort_unstable();
    trips.dedup();
    let mut routes: Vec<RouteIdx> = trips.iter().map(|&t| s.trip(t).route).collect();
    routes.sort_unstable();
    routes.dedup();
    let concern = Concern {
        stops: Some(&stops),
        routes: Some(&routes),
        trips: Some(&trips),
    };
    let mut out: Vec<Alert> = fs
        .alerts
        .iter()
        .filter(|a| a.active_at(now) || starts_before(a, now, until))
        .filter(|a| a.concerns(s, &concern))
        .map(|a| view(s, a, now, lang))
        .collect();
    sort(&mut out);
    out
}

/// Becomes active at some point in `(now, until)`.
fn starts_before(a: &ServiceAlert, now: i64, until: i64) -> bool {
    a.periods
        .iter()
        .any(|p| p.start.is_some_and(|start| now < start && start < until))
}

/// The stops, their stations and their platforms.
pub(super) fn stops_around(s: &Schedule, stops: &[StopIdx]) -> Vec<StopIdx> {
    let mut out: FxHashSet<StopIdx> = FxHashSet::default();
    for &stop in stops {
        out.extend(s.stop_and_children(stop));
        if let Some(parent) = s.stop(stop).parent {
            out.insert(parent);
        }
    }
    out.into_iter().collect()
}

/// Most severe first, then by id.
fn sort(alerts: &mut [Alert]) {
    let rank = |a: &Alert| match a.severity.as_str() {
        "severe" => 0,
        "warning" => 1,
        "info" => 3,
        _ => 2,
    };
    alerts.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.id.cmp(&b.id)));
}

/// An alert as the API sends it, in `lang`.
pub fn view(s: &Schedule, a: &ServiceAlert, now: i64, lang: &str) -> Alert {
    let global = |local: &str| GlobalId::format(s.feed_id.as_str(), local);
    let (routes, stops, trips) = a.informed();
    let time = |t: Option<i64>| t.map(|t| format_rfc3339(t, &s.timezone));
    Alert {
        id: global(&a.id),
        cause: a.cause.to_owned(),
        effect: a.effect.to_owned(),
        severity: a.severity.to_owned(),
        header: a.header.get(lang).unwrap_or_default().to_owned(),
        description: a.description.get(lang).map(str::to_owned),
        url: a.url.get(lang).map(str::to_owned),
        active_periods: a
            .periods
            .iter()
            .map(|p| ActivePeriod {
                start: time(p.start),
                end: time(p.end),
            })
            .collect(),
        active: a.active_at(now),
        routes: routes.iter().map(|&r| global(&s.route(r).id)).collect(),
        stops: stops.iter().map(|&st| global(&s.stop(st).id)).collect(),
        trips: trips.iter().map(|&t| global(&s.trip(t).id)).collect(),
    }
}
