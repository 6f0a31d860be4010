//! `vehicles-for-agency/{id}`: the vehicles of the realtime snapshot whose route belongs to
//! the agency (vehicles not matched to a route: the feed's first agency), with their trip's
//! status.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

use super::refs::Refs;
use super::trips::{Position, TripStatus, trip_status};
use super::{
    Answer, Ctx, ListData, ObaError, Query, feed_scoped, json_id, list, ms, parse_time,
    resolve_agency,
};
use crate::state::AppState;

/// OneBusAway's `vehicleStatus`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VehicleStatus {
    vehicle_id: String,
    last_update_time: i64,
    last_location_update_time: i64,
    location: Position,
    trip_id: String,
    trip_status: Option<TripStatus>,
    phase: &'static str,
    status: &'static str,
    occupancy_capacity: i32,
    occupancy_count: i32,
    occupancy_status: String,
}

#[derive(Debug, Deserialize)]
pub struct Params {
    time: Option<String>,
    lang: Option<String>,
}

pub async fn vehicles_for_agency(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(p): Query<Params>,
) -> Answer<ListData<VehicleStatus>> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let now = parse_time(p.time.as_deref(), ctx.now)?;
    let (s, a) = resolve_agency(&ctx.catalog, id)
        .map(|(s, a)| (s.clone(), a))
        .ok_or_else(|| ObaError::not_found("agency", id))?;
    let fs = ctx.live(&s);
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let mut out = Vec::new();
    for v in fs.map(|fs| &fs.vehicles[..]).unwrap_or_default() {
        let agency = v.route.map_or(0, |r| s.route(r).agency.index());
        if agency != a {
            continue;
        }
        let status = v.trip.map(|i| trip_status(&s, fs, &i, now, &mut refs));
        out.push(VehicleStatus {
            vehicle_id: feed_scoped(&s, &v.id),
            last_update_time: ms(v.timestamp),
            last_location_update_time: ms(v.timestamp),
            location: Position {
                lat: v.position.lat,
                lon: v.position.lon,
            },
            trip_id: v.trip.map(|i| refs.trip(&s, i.trip)).unwrap_or_default(),
            phase: status.as_ref().map_or("", |st| st.phase),
            status: status.as_ref().map_or("default", |st| st.status),
            trip_status: status,
            occupancy_capacity: -1,
            occupancy_count: -1,
            occupancy_status: String::new(),
        });
    }
    list(ctx.now, out, false, refs.finish())
}
