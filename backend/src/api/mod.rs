//! The HTTP API: thin handlers that load one catalog snapshot (and one realtime snapshot), call
//! the schedule's queries, and turn the answer into the wire types of `api_types` or into
//! GTFS-Realtime messages. No domain logic lives here.

mod departures;
mod error;
pub mod gtfs_rt;
mod health;
mod realtime;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub use error::ApiError;
pub use health::health;

use crate::server::AppState;

/// Routes under `/api/v1`. Public reads get permissive CORS; operator endpoints do not.
pub fn v1() -> Router<AppState> {
    let public = Router::new()
        .route("/stops/{stop_id}/departures", get(departures::departures))
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
