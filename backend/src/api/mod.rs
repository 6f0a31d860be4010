//! The HTTP API: thin handlers that load one catalog snapshot, call the schedule's queries,
//! and turn the answer into the wire types of `api_types`. No domain logic lives here.

mod departures;
mod error;
mod health;
mod realtime;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub use error::ApiError;
pub use health::health;

use crate::server::AppState;

/// Routes under `/api/v1`.
pub fn v1() -> Router<AppState> {
    Router::new()
        .route("/stops/{stop_id}/departures", get(departures::departures))
        .route(
            "/realtime/{source_id}",
            post(realtime::push).layer(DefaultBodyLimit::max(crate::ingest::MAX_PAYLOAD_BYTES)),
        )
        .fallback(error::api_not_found)
}
