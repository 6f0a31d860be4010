//! Agencies and routes: `agencies-with-coverage`, `agency/{id}`, `route/{id}`,
//! `routes-for-agency/{id}`, `route-ids-for-agency/{id}`, `routes-for-location`,
//! `search/route`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::Serialize;

use super::refs::{Agency, Refs, Route, render_agency, route_id};
use super::stops::{AreaParams, SearchParams, max_count};
use super::{
    Answer, Ctx, EntryData, LangParam, ListData, ObaError, Query, capped_list, entry, json_id,
    list, parse_id, resolve_agency,
};
use crate::schedule::{RouteIdx, Schedule};
use crate::search::{fold, route_order};
use crate::state::AppState;

pub fn resolve_route(ctx: &Ctx, id: &str) -> Result<(Arc<Schedule>, RouteIdx), ObaError> {
    parse_id(&ctx.catalog, id)
        .and_then(|(s, local)| Some((s.clone(), s.route_by_id(local)?)))
        .ok_or_else(|| ObaError::not_found("route", id))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    agency_id: String,
    lat: f64,
    lon: f64,
    lat_span: f64,
    lon_span: f64,
}

pub async fn agencies_with_coverage(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<LangParam>,
) -> Answer<ListData<Coverage>> {
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let mut out = Vec::new();
    for f in ctx.catalog.feeds() {
        let s = &f.schedule;
        // The feed's stops' bounding box (stops belong to no agency in GTFS).
        let mut bounds: Option<(f64, f64, f64, f64)> = None;
        for p in s.stops.iter().filter_map(|st| st.position) {
            let b = bounds.get_or_insert((p.lat, p.lat, p.lon, p.lon));
            *b = (
                b.0.min(p.lat),
                b.1.max(p.lat),
                b.2.min(p.lon),
                b.3.max(p.lon),
            );
        }
        let (lat0, lat1, lon0, lon1) = bounds.unwrap_or_default();
        for a in 0..s.agencies.len() {
            out.push(Coverage {
                agency_id: refs.agency(s, a),
                lat: (lat0 + lat1) / 2.0,
                lon: (lon0 + lon1) / 2.0,
                lat_span: lat1 - lat0,
                lon_span: lon1 - lon0,
            });
        }
    }
    list(ctx.now, out, false, refs.finish())
}

pub async fn agency(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<LangParam>,
) -> Answer<EntryData<Agency>> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let (s, a) =
        resolve_agency(&ctx.catalog, id).ok_or_else(|| ObaError::not_found("agency", id))?;
    entry(ctx.now, render_agency(s, a, &ctx.lang), Default::default())
}

pub async fn route(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<LangParam>,
) -> Answer<EntryData<Route>> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let (s, r) = resolve_route(&ctx, id)?;
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let route = refs.route_entry(&s, r);
    entry(ctx.now, route, refs.finish())
}

/// The routes of agency `id`, in the order of `/api/v1/routes`.
fn agency_routes(ctx: &Ctx, id: &str) -> Result<(Arc<Schedule>, Vec<RouteIdx>), ObaError> {
    let (s, a) = resolve_agency(&ctx.catalog, id)
        .map(|(s, a)| (s.clone(), a))
        .ok_or_else(|| ObaError::not_found("agency", id))?;
    let mut routes: Vec<RouteIdx> = s
        .listed_routes()
        .filter(|&r| s.route(r).agency.index() == a)
        .collect();
    routes.sort_by_cached_key(|&r| route_order(&s, r));
    Ok((s, routes))
}

pub async fn routes_for_agency(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<LangParam>,
) -> Answer<ListData<Route>> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let (s, routes) = agency_routes(&ctx, id)?;
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let out = routes
        .into_iter()
        .map(|r| refs.route_entry(&s, r))
        .collect();
    list(ctx.now, out, false, refs.finish())
}

pub async fn route_ids_for_agency(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<LangParam>,
) -> Answer<ListData<String>> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let (s, routes) = agency_routes(&ctx, id)?;
    let ids = routes.into_iter().map(|r| route_id(&s, r)).collect();
    list(ctx.now, ids, false, Default::default())
}

/// Whether route `r` matches a folded query: its short name exactly, or any of its names
/// containing the query.
fn route_matches(s: &Schedule, r: RouteIdx, folded: &str, lang: &str) -> Option<u8> {
    let short = fold(s.route_short_name(r));
    if short == folded {
        return Some(0);
    }
    let long = fold(s.route_long_name(r, lang));
    let long_default = fold(s.route(r).long_name.as_deref().unwrap_or_default());
    if short.starts_with(folded) {
        Some(1)
    } else if long.contains(folded) || long_default.contains(folded) {
        Some(2)
    } else {
        None
    }
}

pub async fn routes_for_location(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<AreaParams>,
) -> Answer<ListData<Route>> {
    let area = p.area()?;
    let query = p.query()?;
    let limit = p.max_count()?;
    let ctx = Ctx::new(&state, p.lang(), &headers);
    let mut found: Vec<(&Arc<Schedule>, RouteIdx)> = Vec::new();
    for (_, s, stop) in area.stops(&ctx.catalog) {
        for &r in ctx.catalog.stop_index(s).routes(stop) {
            if s.route_is_listed(r) && !found.iter().any(|(f, g)| f.feed_id == s.feed_id && *g == r)
            {
                found.push((s, r));
            }
        }
    }
    if let Some(q) = p.query_text().filter(|_| query.is_some()).map(fold) {
        found.retain(|(s, r)| route_matches(s, *r, &q, &ctx.lang).is_some());
    }
    capped_list(&ctx, found, limit, |refs, (s, r)| refs.route_entry(s, r))
}

pub async fn search_route(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<SearchParams>,
) -> Answer<ListData<Route>> {
    let input = p
        .input
        .as_deref()
        .ok_or_else(|| ObaError::bad("input", "give the route name or number to search for"))?;
    // Checks length and content the way the stop search does.
    super::stops::search_query("input", input)?;
    let folded = fold(input);
    let limit = max_count(p.max_count, 20)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let mut found = Vec::new();
    for f in ctx.catalog.feeds() {
        let s = &f.schedule;
        for r in s.listed_routes() {
            if let Some(rank) = route_matches(s, r, &folded, &ctx.lang) {
                found.push(((rank, route_order(s, r)), s, r));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    capped_list(&ctx, found, limit, |refs, (_, s, r)| refs.route_entry(s, r))
}
