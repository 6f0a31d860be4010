//! The HTTP API: thin handlers that load one catalog snapshot (and one realtime snapshot), call
//! the schedule's queries, and turn the answer into the wire types of `api_types` or into
//! GTFS-Realtime messages. No domain logic lives here.

pub mod cache;
pub mod departures;
mod error;
pub mod gtfs_rt;
mod health;
mod json;
pub mod lang;
mod network;
mod realtime;
mod signage;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub use error::ApiError;
pub use health::health;

use crate::server::AppState;

/// Routes under `/api/v1`. Public reads get permissive CORS; operator endpoints do not.
pub fn v1() -> Router<AppState> {
    let public = Router::new()
        .route("/stops", get(network::stops))
        .route("/stops/{stop_id}", get(network::stop))
        .route("/stops/{stop_id}/departures", get(departures::departures))
        .route(
            "/stops/{stop_id}/departures/stream",
            get(departures::departures_stream),
        )
        .route("/signage/{file}", get(signage::signage))
        .route("/routes", get(network::routes))
        .route("/routes/{route_id}", get(network::route))
        .route("/vehicles", get(network::vehicles))
        .route("/time", get(network::time))
        .layer(crate::ops::public_cors());
    Router::new()
        .merge(public)
        .route(
            "/realtime/{source_id}",
            post(realtime::push).layer(DefaultBodyLimit::max(crate::ingest::MAX_PAYLOAD_BYTES)),
        )
        .fallback(error::api_not_found)
}

/// The GTFS-Realtime feeds, under `/gtfs-rt`.
pub fn gtfs_rt() -> Router<AppState> {
    Router::new()
        .route("/gtfs-rt/trip-updates.pb", get(gtfs_rt::trip_updates_feed))
        .route(
            "/gtfs-rt/vehicle-positions.pb",
            get(gtfs_rt::vehicle_positions_feed),
        )
        .layer(crate::ops::public_cors())
}

/// The full-screen HTML board for stop displays, `/display/{stop_id}`.
pub fn display() -> Router<AppState> {
    Router::new().route("/display/{stop_id}", get(signage::display::display))
}
