//! The HTTP API: thin handlers that load one catalog snapshot, call the schedule's queries,
//! and turn the answer into the wire types of `api_types`. No domain logic lives here.

mod departures;
mod error;
mod health;

use axum::Router;
use axum::routing::get;

pub use error::ApiError;
pub use health::health;

use crate::server::AppState;

/// Routes under `/api/v1`.
pub fn v1() -> Router<AppState> {
    Router::new()
        .route("/stops/{stop_id}/departures", get(departures::departures))
        .fallback(error::api_not_found)
}
