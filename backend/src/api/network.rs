//! Stops, routes, vehicles and server time:
//! - `GET /api/v1/stops?q=` — stop search by name (every language of `translations.txt`) or
//!   code, folded for case and diacritics (see [`crate::search`]); `limit` (default 20, max
//!   100). Ranked by match kind, then stations first, then name.
//! - `GET /api/v1/stops?lat=&lon=&radius=` — stops within `radius` metres (default 500, max
//!   5000), nearest first, with `distance_m`.
//! - `GET /api/v1/stops/{id}` — a stop, its station or platforms, its routes.
//! - `GET /api/v1/routes`, `/routes/{id}` — routes; a route's directions (most common stop
//!   pattern, headsign, shape) and live vehicles.
//! - `GET /api/v1/network` — every route with its shapes, simplified (the network map).
//! - `GET /api/v1/routes/{id}/arrivals` — a route's stops with their next arrivals.
//! - `GET /api/v1/vehicles?route=` — vehicles from the realtime snapshot.
//! - `GET /api/v1/time` — server time, UTC and per feed.
//!
//! Names are in `?lang=`, else the `Accept-Language` header's first of vi/en/ja, else vi.

use std::sync::Arc;

use api_types::{
    FeedTime, GlobalId, RouteBadge, RouteDetail, RouteDirection, RouteSummary, RoutesResponse,
    StopDetail, StopSummary, StopsResponse, TimeResponse, Vehicle, VehiclesResponse,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::departures::stop_ref;
use super::error::{ApiError, Query};
use super::lang::negotiate;
use super::stations;
use crate::catalog::Catalog;
use crate::predict::VehicleView;
use crate::schedule::time::format_rfc3339;
use crate::schedule::{
    Availability, DirectionType, Field, LatLon, LocationType, RouteIdx, Schedule, StopIdx, TripIdx,
    geo,
};
use crate::search::{self, StopIndex, route_order};
use crate::state::AppState;

const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 100;
const DEFAULT_RADIUS_M: f64 = 500.0;
const MAX_RADIUS_M: f64 = 5000.0;
/// Longest search text, in characters.
const MAX_QUERY_CHARS: usize = 200;
/// Shapes longer than this are thinned for the route view.
const MAX_SHAPE_POINTS: usize = 500;
/// The network map's shapes are thinned further: it draws every route at once, small.
const NETWORK_SHAPE_POINTS: usize = 150;

fn global(s: &Schedule, local: &str) -> String {
    GlobalId::format(s.feed_id.as_str(), local)
}

fn location_type(t: LocationType) -> &'static str {
    match t {
        LocationType::StopPoint | LocationType::Unknown(_) => "stop",
        LocationType::StopArea => "station",
        LocationType::StationEntrance => "entrance",
        LocationType::GenericNode => "generic_node",
        LocationType::BoardingArea => "boarding_area",
    }
}

pub(super) fn badge(s: &Schedule, r: RouteIdx) -> RouteBadge {
    let route = s.route(r);
    let (color, text_color) = colours(route);
    RouteBadge {
        id: global(s, &route.id),
        short_name: s.route_short_name(r).to_owned(),
        color,
        text_color,
    }
}

/// A route's colour and text colour (`RRGGBB`) as every output draws them: the feed's, or for
/// a route without `route_color` its default from the web app's colour module (readable,
/// distinct from its neighbours, visible on both themes) instead of GTFS's white.
pub(super) fn colours(route: &crate::schedule::Route) -> (String, String) {
    match route.colour_slot {
        Some(slot) => {
            let (color, text) = frontend::colour::default_route_colour(slot);
            (color.to_owned(), text.to_owned())
        }
        None => (route.color.hex(), route.text_color.hex()),
    }
}

fn summary(s: &Schedule, ix: &StopIndex, idx: StopIdx, lang: &str) -> StopSummary {
    let stop = s.stop(idx);
    StopSummary {
        id: global(s, &stop.id),
        code: stop.code.as_deref().map(str::to_owned),
        name: s.stop_name(idx, lang).to_owned(),
        lat: stop.position.map(|p| p.lat),
        lon: stop.position.map(|p| p.lon),
        location_type: location_type(stop.location_type).to_owned(),
        parent_station: stop.parent.map(|p| global(s, &s.stop(p).id)),
        routes: ix.routes(idx).iter().map(|r| badge(s, *r)).collect(),
        match_rank: None,
        distance_m: None,
        bay: s.bay(idx, lang).map(str::to_owned),
        platforms: Vec::new(),
    }
}

/// Either `q` (search) or `lat` and `lon` (nearby), not both.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StopsParams {
    /// Search text: a stop name in any language of the feed, or a stop code (case and
    /// diacritics ignored; at most 200 characters).
    q: Option<String>,
    /// Latitude of the point to find stops near (WGS 84 degrees, -90 to 90).
    #[param(value_type = Option<f64>)]
    lat: Option<String>,
    /// Longitude of that point (WGS 84 degrees, -180 to 180).
    #[param(value_type = Option<f64>)]
    lon: Option<String>,
    /// Nearby search radius in metres, 1 to 5000 (default 500).
    #[param(value_type = Option<f64>)]
    radius: Option<String>,
    /// Most stops to return, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<usize>,
    /// Language of names: `vi`, `en` or `ja`; default from `Accept-Language`, else `vi`.
    lang: Option<String>,
}

fn number(name: &str, text: &str, range: std::ops::RangeInclusive<f64>) -> Result<f64, ApiError> {
    let x: f64 = text
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid_parameter(name, format!("{text:?} is not a number")))?;
    if !x.is_finite() || !range.contains(&x) {
        return Err(ApiError::invalid_parameter(
            name,
            format!(
                "{x} is out of range; use {} to {}",
                range.start(),
                range.end()
            ),
        ));
    }
    Ok(x)
}

/// Stop search by name or code (`q`), or stops near a point (`lat`, `lon`, `radius`).
///
/// Search results are ranked by how the query matched (`match_rank`), then stations first,
/// then name; nearby stops come nearest first with `distance_m`.
#[utoipa::path(
    get,
    path = "/stops",
    tag = "stops",
    params(StopsParams),
    responses(
        (status = 200, description = "Matching stops", body = StopsResponse),
        (status = 400, description = "Missing, conflicting or invalid parameters", body = api_types::ErrorBody),
    ),
)]
pub async fn stops(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<StopsParams>,
) -> Result<Json<StopsResponse>, ApiError> {
    let lang = negotiate(params.lang.as_deref(), &headers);
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_parameter(
            "limit",
            format!("{limit} is out of range; use 1 to {MAX_LIMIT}"),
        ));
    }
    let catalog = state.catalog.load();
    let near = params.lat.is_some() || params.lon.is_some();
    let stops = match (&params.q, near) {
        (Some(_), true) => {
            return Err(ApiError::BadRequest(
                "conflicting_parameters",
                "give either q= (search by name or code) or lat= and lon= (nearby stops), \
                 not both"
                    .to_owned(),
            ));
        }
        (Some(q), false) => {
            if q.chars().count() > MAX_QUERY_CHARS {
                return Err(ApiError::invalid_parameter(
                    "q",
                    format!("longer than {MAX_QUERY_CHARS} characters"),
                ));
            }
            let query = search::Query::new(q).ok_or_else(|| {
                ApiError::invalid_parameter("q", "give at least one letter or digit")
            })?;
            search_stops(&catalog, &query, &lang, limit)
        }
        (None, true) => {
            let (Some(lat), Some(lon)) = (&params.lat, &params.lon) else {
                return Err(ApiError::BadRequest(
                    "missing_parameter",
                    "nearby stops need both lat= and lon= (WGS 84 degrees)".to_owned(),
                ));
            };
            let at = LatLon::new(
                number("lat", lat, -90.0..=90.0)?,
                number("lon", lon, -180.0..=180.0)?,
            );
            let radius = match &params.radius {
                Some(r) => number("radius", r, 1.0..=MAX_RADIUS_M)?,
                None => DEFAULT_RADIUS_M,
            };
            nearby(&catalog, at, radius, &lang, limit)
        }
        (None, false) => {
            return Err(ApiError::BadRequest(
                "missing_parameter",
                "give q= to search stops by name or code, or lat= and lon= (and radius= in \
                 metres) for nearby stops"
                    .to_owned(),
            ));
        }
    };
    Ok(Json(StopsResponse { lang, stops }))
}

fn search_stops(
    catalog: &Catalog,
    query: &search::Query,
    lang: &str,
    limit: usize,
) -> Vec<StopSummary> {
    let found = search_ranked(catalog, query, lang)
        .into_iter()
        .map(|(rank, s, stop)| (s, stop, rank))
        .collect();
    stations::by_station(found, false)
        .into_iter()
        .take(limit)
        .map(|(s, stop, rank)| {
            let ix = catalog.stop_index(s);
            StopSummary {
                match_rank: Some(rank),
                platforms: stations::bays(s, stop, lang)
                    .into_iter()
                    .map(|b| summary(s, &ix, b, lang))
                    .collect(),
                ..summary(s, &ix, stop, lang)
            }
        })
        .collect()
}

/// Stops of every feed matching `query`, best first: match rank, stations first, name.
pub(super) fn search_ranked<'c>(
    catalog: &'c Catalog,
    query: &search::Query,
    lang: &str,
) -> Vec<(u8, &'c Arc<Schedule>, StopIdx)> {
    let mut found = Vec::new();
    for f in catalog.feeds() {
        let s = &f.schedule;
        let ix = catalog.stop_index(s);
        for (stop, rank) in ix.search(query) {
            let station = s.stop(stop).location_type == LocationType::StopArea;
            let name = s.stop_name(stop, lang);
            found.push(((rank, !station, name, stop.0), s));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
        .into_iter()
        .map(|((rank, _, _, stop), s)| (rank, s, StopIdx(stop)))
        .collect()
}

fn nearby(
    catalog: &Catalog,
    at: LatLon,
    radius: f64,
    lang: &str,
    limit: usize,
) -> Vec<StopSummary> {
    let metres = |d: f64| Some((d * 10.0).round() / 10.0);
    let found = stops_near(catalog, at, radius)
        .into_iter()
        .map(|(d, s, stop)| (s, stop, d))
        .collect();
    // A bay nearby brings its station, listed once at the distance of the nearest of them.
    stations::by_station(found, true)
        .into_iter()
        .take(limit)
        .map(|(s, stop, d)| {
            let ix = catalog.stop_index(s);
            StopSummary {
                distance_m: metres(d),
                platforms: stations::bays(s, stop, lang)
                    .into_iter()
                    .map(|b| StopSummary {
                        distance_m: s
                            .stop(b)
                            .position
                            .and_then(|p| metres(geo::distance_m(at, p))),
                        ..summary(s, &ix, b, lang)
                    })
                    .collect(),
                ..summary(s, &ix, stop, lang)
            }
        })
        .collect()
}

/// Stops and stations of every feed within `radius` metres of `at`, nearest first, with
/// their distance.
pub(super) fn stops_near(
    catalog: &Catalog,
    at: LatLon,
    radius: f64,
) -> Vec<(f64, &Arc<Schedule>, StopIdx)> {
    let mut found = Vec::new();
    for f in catalog.feeds() {
        let s = &f.schedule;
        for (i, stop) in s.stops.iter().enumerate() {
            if !matches!(
                stop.location_type,
                LocationType::StopPoint | LocationType::StopArea
            ) {
                continue;
            }
            let Some(p) = stop.position else { continue };
            let d = geo::distance_m(at, p);
            if d <= radius {
                found.push((d, s, StopIdx(i as u32)));
            }
        }
    }
    found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.2.0.cmp(&b.2.0)));
    found
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangParams {
    /// Language of names: `vi`, `en` or `ja`; default from `Accept-Language`, else `vi`.
    lang: Option<String>,
}

/// A stop: its names, position and routes, its station (for a platform) or platforms (for a
/// station).
#[utoipa::path(
    get,
    path = "/stops/{stop_id}",
    tag = "stops",
    params(("stop_id" = String, Path, description = "Global stop id, `feed:stop_id`"), LangParams),
    responses(
        (status = 200, description = "The stop", body = StopDetail),
        (status = 404, description = "No such stop", body = api_types::ErrorBody),
    ),
)]
pub async fn stop(
    State(state): State<AppState>,
    Path(stop_id): Path<String>,
    headers: HeaderMap,
    Query(params): Query<LangParams>,
) -> Result<Json<StopDetail>, ApiError> {
    let lang = negotiate(params.lang.as_deref(), &headers);
    let catalog = state.catalog.load();
    let (s, idx) = catalog
        .resolve_stop(&stop_id)
        .ok_or_else(|| ApiError::stop_not_found(&stop_id))?;
    let ix = catalog.stop_index(s);
    let stop = s.stop(idx);
    Ok(Json(StopDetail {
        stop: summary(s, &ix, idx, &lang),
        desc: stop.desc.as_deref().map(str::to_owned),
        wheelchair_boarding: match stop.wheelchair_boarding {
            Availability::Available => Some(true),
            Availability::NotAvailable => Some(false),
            _ => None,
        },
        parent: stop.parent.map(|p| summary(s, &ix, p, &lang)),
        children: s
            .children(idx)
            .iter()
            .map(|c| summary(s, &ix, *c, &lang))
            .collect(),
        lang,
    }))
}

fn route_summary(s: &Schedule, r: RouteIdx, lang: &str) -> RouteSummary {
    let route = s.route(r);
    let agency = &s.agencies[route.agency.index()];
    let (color, text_color) = colours(route);
    RouteSummary {
        id: global(s, &route.id),
        short_name: s.route_short_name(r).to_owned(),
        long_name: s.route_long_name(r, lang).to_owned(),
        color,
        text_color,
        agency_id: global(s, &agency.id),
        agency_name: s
            .translate(Field::AgencyName, &agency.id, &agency.name, lang)
            .to_owned(),
    }
}

/// Every route of every feed, by agency, then `route_sort_order`, then short name.
#[utoipa::path(
    get,
    path = "/routes",
    tag = "network",
    params(LangParams),
    responses((status = 200, description = "All routes", body = RoutesResponse)),
)]
pub async fn routes(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<LangParams>,
) -> Json<RoutesResponse> {
    let lang = negotiate(params.lang.as_deref(), &headers);
    let catalog = state.catalog.load();
    let mut routes = Vec::new();
    for f in catalog.feeds() {
        let s = &f.schedule;
        // Routes that never run (most of NYCT's Bronx feed) are left out of lists.
        let mut idx: Vec<RouteIdx> = s.listed_routes().collect();
        idx.sort_by_cached_key(|r| route_order(s, *r));
        routes.extend(idx.into_iter().map(|r| route_summary(s, r, &lang)));
    }
    Json(RoutesResponse { lang, routes })
}

/// Every `step`-th point (and the last), so that at most about `max` remain.
fn thin(points: &[LatLon], max: usize) -> Vec<[f64; 2]> {
    let step = points.len().div_ceil(max.max(1)).max(1);
    let mut out: Vec<[f64; 2]> = points
        .iter()
        .step_by(step)
        .map(|p| [p.lat, p.lon])
        .collect();
    if let Some(last) = points.last()
        && !(points.len() - 1).is_multiple_of(step)
    {
        out.push([last.lat, last.lon]);
    }
    out
}

/// Stop pattern → (trips with it, index in the route's trips of the first one).
type Patterns = FxHashMap<Vec<StopIdx>, (usize, usize)>;

/// Per direction (in direction order), the most common stop pattern of the route's trips.
fn directions(s: &Schedule, r: RouteIdx, lang: &str) -> Vec<RouteDirection> {
    direction_patterns(s, r)
        .into_iter()
        .map(|(direction, pattern, t)| {
            let trip = s.trip(t);
            RouteDirection {
                direction_id: direction,
                headsign: headsign(s, t, lang),
                stops: pattern.iter().map(|p| stop_ref(s, *p, lang)).collect(),
                shape: trip
                    .shape
                    .and_then(|sh| s.shapes.get(sh.index()))
                    .map(|sh| thin(&sh.line.points, MAX_SHAPE_POINTS))
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// Per direction (in direction order: 0, 1, then none), the most common stop pattern of the
/// route's usable trips, and the first trip (by departure) that has it.
pub(super) fn direction_patterns(
    s: &Schedule,
    r: RouteIdx,
) -> Vec<(Option<u8>, Vec<StopIdx>, TripIdx)> {
    // direction → pattern → (count, first trip with it); trips come by first departure.
    let mut by_direction: Vec<(Option<u8>, Patterns)> = Vec::new();
    let trips = s.trips_of_route(r);
    for (order, &t) in trips.iter().enumerate() {
        let trip = s.trip(t);
        if !trip.usable {
            continue;
        }
        let direction = direction_id(s, t);
        let pattern: Vec<StopIdx> = s.trip_stop_times(t).iter().map(|st| st.stop).collect();
        let slot = match by_direction.iter().position(|(d, _)| *d == direction) {
            Some(i) => i,
            None => {
                by_direction.push((direction, FxHashMap::default()));
                by_direction.len() - 1
            }
        };
        let e = by_direction[slot].1.entry(pattern).or_insert((0, order));
        e.0 += 1;
    }
    by_direction.sort_by_key(|(d, _)| *d);
    by_direction
        .into_iter()
        .filter_map(|(direction, patterns)| {
            let (pattern, (_, first)) = patterns
                .into_iter()
                .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)))?;
            Some((direction, pattern, *trips.get(first)?))
        })
        .collect()
}

/// A trip's headsign in `lang`.
pub(super) fn headsign(s: &Schedule, t: TripIdx, lang: &str) -> Option<String> {
    s.trip_headsign_in(t, lang).map(str::to_owned)
}

/// A trip's GTFS `direction_id`.
pub(super) fn direction_id(s: &Schedule, t: TripIdx) -> Option<u8> {
    s.trip(t).direction.map(|d| match d {
        DirectionType::Outbound => 0,
        DirectionType::Inbound => 1,
    })
}

pub(super) fn vehicle(s: &Schedule, v: &VehicleView, now: i64, lang: &str) -> Vehicle {
    Vehicle {
        id: global(s, &v.id),
        label: v.label.clone(),
        lat: v.position.lat,
        lon: v.position.lon,
        bearing: v.bearing,
        speed: v.speed,
        trip_id: v.trip.map(|i| global(s, &s.trip(i.trip).id)),
        route: v.route.map(|r| badge(s, r)),
        next_stop: v
            .next_stop_time
            .and_then(|i| s.stop_times.get(i as usize))
            .map(|st| stop_ref(s, st.stop, lang)),
        at_stop: v.at_stop,
        timestamp: format_rfc3339(v.timestamp, &s.timezone),
        data_age_s: (now - v.timestamp).max(0),
        off_route: v.off_route,
        stuck: v.stuck,
        layover: v.layover,
    }
}

/// A route: per direction its most common stop pattern, headsign and shape, and the
/// vehicles on it now.
#[utoipa::path(
    get,
    path = "/routes/{route_id}",
    tag = "network",
    params(("route_id" = String, Path, description = "Global route id, `feed:route_id`"), LangParams),
    responses(
        (status = 200, description = "The route", body = RouteDetail),
        (status = 404, description = "No such route", body = api_types::ErrorBody),
    ),
)]
pub async fn route(
    State(state): State<AppState>,
    Path(route_id): Path<String>,
    headers: HeaderMap,
    Query(params): Query<LangParams>,
) -> Result<Json<RouteDetail>, ApiError> {
    let lang = negotiate(params.lang.as_deref(), &headers);
    let catalog = state.catalog.load();
    let (s, r) = catalog
        .resolve_route(&route_id)
        .ok_or_else(|| ApiError::route_not_found(&route_id))?;
    let now = state.clock.now().as_second();
    let realtime = state.realtime.load();
    let vehicles = realtime
        .for_schedule(s)
        .filter(|fs| !fs.degraded)
        .map(|fs| {
            fs.vehicles
                .iter()
                .filter(|v| v.route == Some(r))
                .map(|v| vehicle(s, v, now, &lang))
                .collect()
        })
        .unwrap_or_default();
    Ok(Json(RouteDetail {
        route: route_summary(s, r, &lang),
        directions: directions(s, r, &lang),
        vehicles,
        lang,
    }))
}

/// Every route with the shapes of its directions (most common stop patterns), simplified to
/// about 150 points each: what a map of the whole network draws, in one small answer.
#[utoipa::path(
    get,
    path = "/network",
    tag = "network",
    params(LangParams),
    responses((status = 200, description = "Every route and its shapes", body = api_types::NetworkResponse)),
)]
pub async fn network(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<LangParams>,
) -> Json<api_types::NetworkResponse> {
    let lang = negotiate(params.lang.as_deref(), &headers);
    let catalog = state.catalog.load();
    let mut routes = Vec::new();
    for f in catalog.feeds() {
        let s = &f.schedule;
        // Routes that never run (most of NYCT's Bronx feed) are left out of lists.
        let mut idx: Vec<RouteIdx> = s.listed_routes().collect();
        idx.sort_by_cached_key(|r| route_order(s, *r));
        routes.extend(idx.into_iter().map(|r| {
            let mut shapes = Vec::new();
            for (_, _, t) in direction_patterns(s, r) {
                let Some(shape) = s.trip(t).shape else {
                    continue;
                };
                if shapes.iter().any(|(seen, _)| *seen == shape) {
                    continue;
                }
                if let Some(sh) = s.shapes.get(shape.index()) {
                    shapes.push((shape, thin(&sh.line.points, NETWORK_SHAPE_POINTS)));
                }
            }
            api_types::NetworkRoute {
                route: route_summary(s, r, &lang),
                shapes: shapes.into_iter().map(|(_, points)| points).collect(),
            }
        }));
    }
    Json(api_types::NetworkResponse { lang, routes })
}

/// Most arrivals per stop by default, and at most, on a route's arrivals.
const DEFAULT_ARRIVALS_PER_STOP: usize = 3;
const MAX_ARRIVALS_PER_STOP: usize = 10;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RouteArrivalsParams {
    /// Most arrivals per stop, 1 to 10 (default 3).
    #[param(minimum = 1, maximum = 10)]
    limit: Option<usize>,
    /// Language of names: `vi`, `en` or `ja`; default from `Accept-Language`, else `vi`.
    lang: Option<String>,
}

/// The next arrivals along a route: per direction, each stop of its most common stop pattern
/// with the route's next buses there in that direction (the next two hours, as on the stop's
/// board: live predictions, timetable, cancelled and skipped calls).
#[utoipa::path(
    get,
    path = "/routes/{route_id}/arrivals",
    tag = "network",
    params(("route_id" = String, Path, description = "Global route id, `feed:route_id`"), RouteArrivalsParams),
    responses(
        (status = 200, description = "The route's stops with their next arrivals", body = api_types::RouteArrivalsResponse),
        (status = 400, description = "Invalid parameter", body = api_types::ErrorBody),
        (status = 404, description = "No such route", body = api_types::ErrorBody),
    ),
)]
pub async fn route_arrivals(
    State(state): State<AppState>,
    Path(route_id): Path<String>,
    headers: HeaderMap,
    Query(params): Query<RouteArrivalsParams>,
) -> Result<Json<api_types::RouteArrivalsResponse>, ApiError> {
    let lang = negotiate(params.lang.as_deref(), &headers);
    let per_stop = params.limit.unwrap_or(DEFAULT_ARRIVALS_PER_STOP);
    if !(1..=MAX_ARRIVALS_PER_STOP).contains(&per_stop) {
        return Err(ApiError::invalid_parameter(
            "limit",
            format!("{per_stop} is out of range; use 1 to {MAX_ARRIVALS_PER_STOP}"),
        ));
    }
    let catalog = state.catalog.load();
    let (s, r) = catalog
        .resolve_route(&route_id)
        .ok_or_else(|| ApiError::route_not_found(&route_id))?;
    let realtime = state.realtime.load();
    Ok(Json(super::departures::route_arrivals(
        s,
        realtime.for_schedule(s),
        r,
        state.clock.now().as_second(),
        &lang,
        per_stop,
    )))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VehiclesParams {
    /// Only the vehicles on this route (global route id, `feed:route_id`).
    route: Option<String>,
    /// Language of names: `vi`, `en` or `ja`; default from `Accept-Language`, else `vi`.
    lang: Option<String>,
}

/// The vehicles realtime sees now (feeds whose realtime is degraded list none), optionally
/// those of one route.
#[utoipa::path(
    get,
    path = "/vehicles",
    tag = "network",
    params(VehiclesParams),
    responses(
        (status = 200, description = "Vehicles", body = VehiclesResponse),
        (status = 404, description = "No such route", body = api_types::ErrorBody),
    ),
)]
pub async fn vehicles(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<VehiclesParams>,
) -> Result<Json<VehiclesResponse>, ApiError> {
    let lang = negotiate(params.lang.as_deref(), &headers);
    let catalog = state.catalog.load();
    let only = match &params.route {
        Some(id) => {
            let (s, r) = catalog
                .resolve_route(id)
                .ok_or_else(|| ApiError::route_not_found(id))?;
            Some((s.feed_id.clone(), r))
        }
        None => None,
    };
    let now = state.clock.now();
    let realtime = state.realtime.load();
    let mut vehicles = Vec::new();
    for f in catalog.feeds() {
        let s = &f.schedule;
        let Some(fs) = realtime.for_schedule(s).filter(|fs| !fs.degraded) else {
            continue;
        };
        for v in &fs.vehicles {
            let wanted = match &only {
                Some((feed, r)) => *feed == s.feed_id && v.route == Some(*r),
                None => true,
            };
            if wanted {
                vehicles.push(vehicle(s, v, now.as_second(), &lang));
            }
        }
    }
    Ok(Json(VehiclesResponse {
        lang,
        now: now.to_string(),
        vehicles,
    }))
}

/// Server time, in UTC and in each feed's time zone (for clients to correct their clock).
#[utoipa::path(
    get,
    path = "/time",
    tag = "network",
    responses((status = 200, description = "Server time", body = TimeResponse)),
)]
pub async fn time(State(state): State<AppState>) -> Json<TimeResponse> {
    let now = state.clock.now();
    let catalog = state.catalog.load();
    Json(TimeResponse {
        now: now.to_string(),
        unix_ms: now.as_millisecond(),
        feeds: catalog
            .feeds()
            .iter()
            .map(|f| FeedTime {
                feed: f.schedule.feed_id.to_string(),
                time_zone: f.schedule.timezone_name.to_string(),
                local: format_rfc3339(now.as_second(), &f.schedule.timezone),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_shapes_are_thinned_keeping_both_ends() {
        let points: Vec<LatLon> = (0..1201).map(|i| LatLon::new(f64::from(i), 0.0)).collect();
        let out = thin(&points, MAX_SHAPE_POINTS);
        assert!(out.len() <= MAX_SHAPE_POINTS + 1, "{}", out.len());
        assert_eq!(out.first(), Some(&[0.0, 0.0]));
        assert_eq!(out.last(), Some(&[1200.0, 0.0]));
        assert_eq!(thin(&points[..3], MAX_SHAPE_POINTS).len(), 3);
        assert!(thin(&points, NETWORK_SHAPE_POINTS).len() <= NETWORK_SHAPE_POINTS + 1);
    }
}
