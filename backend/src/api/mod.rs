//! The HTTP API: thin handlers that load one catalog snapshot (and one realtime snapshot), call
//! the schedule's queries, and turn the answer into the wire types of `api_types` or into
//! GTFS-Realtime messages. No domain logic lives here.

mod alerts;
pub mod cache;
pub mod departures;
mod error;
pub mod gtfs_rt;
mod health;
mod json;
pub mod lang;
mod network;
pub mod oba;
pub mod openapi;
mod operator;
mod realtime;
mod signage;
mod stations;
mod trips;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{Extension, Router};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::ApiError;
pub use health::health;

use crate::state::AppState;

/// Routes under `/api/v1`. Public reads get permissive CORS; operator endpoints do not.
/// Each route is registered from its handler's `#[utoipa::path]` (`routes!`), which puts it in
/// the OpenAPI document served at `/api/v1/openapi.json` (see [`openapi`]).
pub fn v1() -> Router<AppState> {
    let public = OpenApiRouter::new()
        .routes(routes!(network::stops))
        .routes(routes!(network::stop))
        .routes(routes!(departures::departures))
        .routes(routes!(departures::departures_stream))
        .routes(routes!(signage::signage))
        .routes(routes!(network::routes))
        .routes(routes!(network::route))
        .routes(routes!(network::route_arrivals))
        .routes(routes!(network::network))
        .routes(routes!(trips::trip))
        .routes(routes!(network::vehicles))
        .routes(routes!(network::time))
        .routes(routes!(alerts::alerts))
        .layer(crate::ops::public_cors());
    let push = OpenApiRouter::new()
        .routes(routes!(realtime::push))
        .layer(DefaultBodyLimit::max(crate::ingest::MAX_PAYLOAD_BYTES));
    // Nested after the layers above: neither CORS nor the push body limit applies to them.
    let (router, paths) = public
        .merge(push)
        .nest("/operator", operator::router())
        .split_for_parts();
    let document = openapi::Served::new(&openapi::document(paths));
    router
        .route(
            "/openapi.json",
            get(openapi::openapi_json)
                .layer::<_, std::convert::Infallible>(Extension(document))
                .layer(crate::ops::public_cors()),
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
