//! Operations: what the HTTP surface needs around the handlers. Prometheus metrics
//! (`GET /metrics`), per-client rate limiting, CORS for the public JSON API, compression,
//! request ids and request logs. [`layer`] wraps a router in all of them, in order.

pub mod limit;
pub mod metrics;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, Method, Request, header};
use tower_http::LatencyUnit;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::Limits;
pub use limit::RateLimit;
pub use metrics::Metrics;

/// The request id header: kept when the client (or a proxy) sends one, made up otherwise,
/// logged with every line of the request and echoed in the response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What the operations layers share across requests.
#[derive(Clone, Debug, Default)]
pub struct Ops {
    pub metrics: Metrics,
    /// `None` when rate limiting is off.
    pub rate_limit: Option<RateLimit>,
}

impl Ops {
    pub fn new(limits: &Limits) -> Self {
        Ops {
            metrics: Metrics::default(),
            rate_limit: RateLimit::new(limits),
        }
    }
}

/// CORS for the public, read-only JSON API and GTFS-Realtime feeds: any origin may GET them
/// (the data is public) and read their `ETag`. Not for operator endpoints.
pub fn public_cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([
            header::IF_NONE_MATCH,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
        ])
        .expose_headers([header::ETAG])
        .max_age(Duration::from_secs(86_400))
}

/// Wraps every route of `router` (and its fallback), outermost first: request id, request
/// log, response compression, request metrics (after routing: labelled by route template),
/// then the rate limit (so 429s are counted too).
pub fn layer<S>(router: Router<S>, ops: &Ops) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let router = match &ops.rate_limit {
        Some(limit) => router.layer(axum::middleware::from_fn_with_state(
            limit.clone(),
            limit::limit,
        )),
        None => router,
    };
    router
        .layer(axum::middleware::from_fn_with_state(
            ops.metrics.clone(),
            metrics::track,
        ))
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let request_id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        route = %metrics::route_of(req),
                        path = %req.uri().path(),
                        request_id,
                    )
                })
                .on_request(())
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(LatencyUnit::Micros),
                ),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}
