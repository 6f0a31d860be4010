//! Stops: `stop/{id}`, `stops-for-location` (nearby, by box, or by code/name `query`),
//! `stops-for-route/{id}` (stop groupings by direction with polylines), `stops-for-agency`,
//! `stop-ids-for-agency`, `search/stop` (the stop search of `/api/v1/stops?q=`).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

use super::refs::{Refs, Stop, stop_id};
use super::shape::EncodedPolyline;
use super::{
    Answer, Ctx, EntryData, LangParam, ListData, ObaError, Query, capped_list, entry, json_id,
    list, resolve_agency,
};
use crate::api::network::{direction_patterns, search_ranked, stops_near};
use crate::catalog::Catalog;
use crate::schedule::{LatLon, LocationType, Schedule, StopIdx, geo};
use crate::search;
use crate::state::AppState;

const DEFAULT_RADIUS_M: f64 = 500.0;
const MAX_RADIUS_M: f64 = 10_000.0;
const DEFAULT_MAX_COUNT: usize = 100;
const MAX_COUNT: usize = 1000;
const MAX_QUERY_CHARS: usize = 200;

pub async fn stop(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<LangParam>,
) -> Answer<EntryData<Stop>> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let (s, idx) = resolve_stop(&ctx, id)?;
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let stop = refs.stop_entry(&s, idx);
    entry(ctx.now, stop, refs.finish())
}

pub fn resolve_stop(ctx: &Ctx, id: &str) -> Result<(Arc<Schedule>, StopIdx), ObaError> {
    ctx.resolve(id)
        .and_then(|(s, local)| Some((s.clone(), s.stop_by_id(local)?)))
        .ok_or_else(|| ObaError::not_found("stop", id))
}

/// `maxCount`: at most this many (default 100, 1–1000).
pub fn max_count(given: Option<usize>, default: usize) -> Result<usize, ObaError> {
    let n = given.unwrap_or(default);
    if !(1..=MAX_COUNT).contains(&n) {
        return Err(ObaError::bad(
            "maxCount",
            format!("{n} is out of range; use 1 to {MAX_COUNT}"),
        ));
    }
    Ok(n)
}

/// The parameters of the location endpoints. Where to look: a circle (`lat`, `lon`,
/// `radius`) or a box (`latSpan`, `lonSpan` around `lat`, `lon`); `query`, `maxCount`; for
/// arrivals, the window (`minutesBefore`, `minutesAfter` around `time`). (One struct, not
/// `#[serde(flatten)]`: flattened query strings lose their numbers.)
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AreaParams {
    lat: Option<f64>,
    lon: Option<f64>,
    radius: Option<f64>,
    lat_span: Option<f64>,
    lon_span: Option<f64>,
    query: Option<String>,
    max_count: Option<usize>,
    lang: Option<String>,
    pub minutes_before: Option<i64>,
    pub minutes_after: Option<i64>,
    pub time: Option<String>,
}

pub struct Area {
    pub center: LatLon,
    /// Covers the box when spans are given.
    pub radius: f64,
    pub spans: Option<(f64, f64)>,
}

impl Area {
    /// The stops in the area, nearest the centre first, with their distance in metres.
    pub fn stops<'c>(&self, catalog: &'c Catalog) -> Vec<(f64, &'c Arc<Schedule>, StopIdx)> {
        stops_near(catalog, self.center, self.radius)
            .into_iter()
            .filter(|(_, s, idx)| s.stop(*idx).position.is_some_and(|pos| self.contains(pos)))
            .collect()
    }

    pub fn contains(&self, p: LatLon) -> bool {
        match self.spans {
            Some((lat_span, lon_span)) => {
                (p.lat - self.center.lat).abs() <= lat_span / 2.0
                    && (p.lon - self.center.lon).abs() <= lon_span / 2.0
            }
            None => geo::distance_m(self.center, p) <= self.radius,
        }
    }
}

impl AreaParams {
    pub fn area(&self) -> Result<Area, ObaError> {
        let (Some(lat), Some(lon)) = (self.lat, self.lon) else {
            return Err(ObaError::bad(
                "lat, lon",
                "give both lat= and lon= (WGS 84 degrees), with radius= in metres or \
                 latSpan= and lonSpan= in degrees",
            ));
        };
        if !(-90.0..=90.0).contains(&lat) {
            return Err(ObaError::bad("lat", format!("{lat} is out of -90 to 90")));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(ObaError::bad("lon", format!("{lon} is out of -180 to 180")));
        }
        let center = LatLon::new(lat, lon);
        match (self.lat_span, self.lon_span) {
            (Some(a), Some(b)) => {
                if !(a > 0.0 && a <= 1.0 && b > 0.0 && b <= 1.0) {
                    return Err(ObaError::bad(
                        "latSpan, lonSpan",
                        "use spans greater than 0 and at most 1 degree",
                    ));
                }
                let corner = LatLon::new(lat + a / 2.0, lon + b / 2.0);
                Ok(Area {
                    center,
                    radius: geo::distance_m(center, corner),
                    spans: Some((a, b)),
                })
            }
            (None, None) => {
                let radius = self.radius.unwrap_or(DEFAULT_RADIUS_M);
                if !(radius > 0.0 && radius <= MAX_RADIUS_M) {
                    return Err(ObaError::bad(
                        "radius",
                        format!("{radius} is out of range; use 1 to {MAX_RADIUS_M} metres"),
                    ));
                }
                Ok(Area {
                    center,
                    radius,
                    spans: None,
                })
            }
            _ => Err(ObaError::bad(
                "latSpan, lonSpan",
                "give both spans, or neither (then radius= applies)",
            )),
        }
    }

    pub fn query(&self) -> Result<Option<search::Query>, ObaError> {
        match self
            .query
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
        {
            None => Ok(None),
            Some(q) => search_query("query", q).map(Some),
        }
    }

    /// The `query` text as given.
    pub fn query_text(&self) -> Option<&str> {
        self.query
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
    }

    pub fn lang(&self) -> Option<&str> {
        self.lang.as_deref()
    }

    pub fn max_count_given(&self) -> Option<usize> {
        self.max_count
    }

    pub fn max_count(&self) -> Result<usize, ObaError> {
        max_count(self.max_count, DEFAULT_MAX_COUNT)
    }
}

pub fn search_query(name: &str, text: &str) -> Result<search::Query, ObaError> {
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(ObaError::bad(
            name,
            format!("longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    search::Query::new(text).ok_or_else(|| ObaError::bad(name, "give at least one letter or digit"))
}

pub async fn stops_for_location(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<AreaParams>,
) -> Answer<ListData<Stop>> {
    let area = p.area()?;
    let query = p.query()?;
    let limit = p.max_count()?;
    let ctx = Ctx::new(&state, p.lang(), &headers);
    let mut found: Vec<(&Arc<Schedule>, StopIdx)> = area
        .stops(&ctx.catalog)
        .into_iter()
        .map(|(_, s, idx)| (s, idx))
        .collect();
    if let Some(q) = &query {
        let matching = search_ranked(&ctx.catalog, q, &ctx.lang);
        found.retain(|(s, idx)| {
            matching
                .iter()
                .any(|(_, m, i)| m.feed_id == s.feed_id && i == idx)
        });
    }
    capped_list(&ctx, found, limit, |refs, (s, idx)| refs.stop_entry(s, idx))
}

/// `search/stop` and `search/route`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchParams {
    pub input: Option<String>,
    pub max_count: Option<usize>,
    pub lang: Option<String>,
}

pub async fn search_stop(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<SearchParams>,
) -> Answer<ListData<Stop>> {
    let input = p
        .input
        .as_deref()
        .ok_or_else(|| ObaError::bad("input", "give the text to search stops for"))?;
    let query = search_query("input", input)?;
    let limit = max_count(p.max_count, 20)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let found = search_ranked(&ctx.catalog, &query, &ctx.lang);
    capped_list(&ctx, found, limit, |refs, (_, s, idx)| {
        refs.stop_entry(s, idx)
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StopsForRoute {
    route_id: String,
    stop_ids: Vec<String>,
    stop_groupings: Vec<StopGrouping>,
    polylines: Vec<EncodedPolyline>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StopGrouping {
    #[serde(rename = "type")]
    kind: &'static str,
    ordered: bool,
    stop_groups: Vec<StopGroup>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StopGroup {
    id: String,
    name: StopGroupName,
    stop_ids: Vec<String>,
    polylines: Vec<EncodedPolyline>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StopGroupName {
    name: String,
    names: Vec<String>,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StopsForRouteParams {
    include_polylines: Option<bool>,
    lang: Option<String>,
}

pub async fn stops_for_route(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<StopsForRouteParams>,
) -> Answer<EntryData<StopsForRoute>> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let (s, r) = super::routes::resolve_route(&ctx, id)?;
    let with_polylines = p.include_polylines.unwrap_or(true);
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let route_id = refs.route(&s, r);
    // Every stop any trip of the route serves, by id (as OneBusAway sorts them).
    let mut all: Vec<StopIdx> = s
        .trips_of_route(r)
        .iter()
        .filter(|&&t| s.trip(t).usable)
        .flat_map(|&t| s.trip_stop_times(t).iter().map(|st| st.stop))
        .collect();
    all.sort_unstable();
    all.dedup();
    let mut stop_ids: Vec<String> = all.iter().map(|&i| refs.stop(&s, i)).collect();
    stop_ids.sort();
    let polyline = |t| {
        s.trip(t)
            .shape
            .and_then(|sh| s.shapes.get(sh.index()))
            .map(|sh| EncodedPolyline::new(&sh.line.points))
    };
    let mut polylines: Vec<EncodedPolyline> = Vec::new();
    let mut shapes_seen = Vec::new();
    let groups = direction_patterns(&s, r)
        .into_iter()
        .map(|(direction, pattern, t)| {
            let trip = s.trip(t);
            let headsign = s
                .trip_headsign_in(t, &ctx.lang)
                .unwrap_or_default()
                .to_owned();
            let lines: Vec<EncodedPolyline> = if with_polylines {
                polyline(t).into_iter().collect()
            } else {
                Vec::new()
            };
            if with_polylines && !shapes_seen.contains(&trip.shape) {
                shapes_seen.push(trip.shape);
                polylines.extend(lines.iter().cloned());
            }
            StopGroup {
                id: direction.map_or_else(String::new, |d| d.to_string()),
                name: StopGroupName {
                    names: vec![headsign.clone()],
                    name: headsign,
                    kind: "destination",
                },
                stop_ids: pattern.iter().map(|&i| stop_id(&s, i)).collect(),
                polylines: lines,
            }
        })
        .collect();
    entry(
        ctx.now,
        StopsForRoute {
            route_id,
            stop_ids,
            stop_groupings: vec![StopGrouping {
                kind: "direction",
                ordered: true,
                stop_groups: groups,
            }],
            polylines,
        },
        refs.finish(),
    )
}

/// The stops of an agency: every stop and station of its feed for the feed's first agency
/// (stops have no agency in GTFS), else those its routes serve.
fn agency_stops(ctx: &Ctx, id: &str) -> Result<(Arc<Schedule>, Vec<StopIdx>), ObaError> {
    let (s, a) = resolve_agency(&ctx.catalog, id)
        .map(|(s, a)| (s.clone(), a))
        .ok_or_else(|| ObaError::not_found("agency", id))?;
    let ix = ctx.catalog.stop_index(&s);
    let stops = (0..s.stops.len() as u32)
        .map(StopIdx)
        .filter(|&i| {
            matches!(
                s.stop(i).location_type,
                LocationType::StopPoint | LocationType::StopArea
            )
        })
        .filter(|&i| a == 0 || ix.routes(i).iter().any(|&r| s.route(r).agency.index() == a))
        .collect();
    Ok((s, stops))
}

pub async fn stops_for_agency(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<LangParam>,
) -> Answer<ListData<Stop>> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let (s, stops) = agency_stops(&ctx, id)?;
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let list_ = stops.into_iter().map(|i| refs.stop_entry(&s, i)).collect();
    list(ctx.now, list_, false, refs.finish())
}

pub async fn stop_ids_for_agency(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<LangParam>,
) -> Answer<ListData<String>> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let (s, stops) = agency_stops(&ctx, id)?;
    let ids = stops.into_iter().map(|i| stop_id(&s, i)).collect();
    list(ctx.now, ids, false, Default::default())
}
