//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the JSON API, generated from the
//! code. Each handler carries its `#[utoipa::path]` (parameters, responses, tag, description);
//! [`super::v1`] registers the `/api/v1` routes from those annotations (`utoipa_axum::routes!`),
//! so a route cannot be served without being documented. The schemas are the `api_types` wire
//! types themselves (their `utoipa::ToSchema`, feature `openapi`), so the document cannot drift
//! from what the handlers send.
//!
//! Adding an endpoint: annotate the handler with `#[utoipa::path(get, path = "/thing",
//! tag = "…", params(…), responses(…))]` (the path relative to `/api/v1`), derive
//! `utoipa::IntoParams` on its query struct (doc comments are the descriptions), and register
//! it in [`super::v1`] with `.routes(routes!(module::handler))`. The 429 answer is added to every
//! operation here.

use std::sync::Arc;

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::OpenApi as _;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, ObjectBuilder, OpenApi, Ref, ResponseBuilder, Type,
};

/// What the whole document says besides its paths: info, servers, tags, and the paths outside
/// `/api/v1` (`/health`, this document).
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Real-time passenger information API",
        version = env!("CARGO_PKG_VERSION"),
        description = "Stops, routes, trips, vehicles and departure boards of the served GTFS \
            feeds, with realtime predictions. Ids are global (`{feed}:{id}`), instants are RFC \
            3339 with the agency's UTC offset, service dates are `YYYY-MM-DD`. Errors are \
            `{\"error\": code, \"message\": text}`. Names follow `?lang=`, else \
            `Accept-Language` (vi, en, ja), else Vietnamese.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    servers((url = "/", description = "This server")),
    paths(super::health::health, openapi_json),
    tags(
        (name = "stops", description = "Stop search, nearby stops and stop details"),
        (name = "departures", description = "Departure boards with realtime predictions"),
        (name = "signage", description = "Compact boards for stop displays"),
        (name = "network", description = "Routes, trips, vehicles and server time"),
        (name = "alerts", description = "Service alerts from the agencies' GTFS-Realtime"),
        (name = "realtime", description = "GTFS-Realtime pushed by operators"),
        (name = "operator", description = "Schedule management for transit operators: upload, \
            validate, activate and roll back GTFS versions; the audit log"),
        (name = "meta", description = "Health and this document"),
    ),
)]
struct Base;

/// The document: [`Base`] plus the `/api/v1` paths collected by the router.
pub fn document(v1: OpenApi) -> OpenApi {
    let mut doc = Base::openapi().nest("/api/v1", v1);
    add_common_responses(&mut doc);
    doc
}

/// Every operation may be refused by the per-client rate limit (429, `Retry-After`); the push
/// and operator endpoints authenticate with a bearer token.
fn add_common_responses(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "For a push, the token configured for the realtime source (`[[realtime]] token`); \
                     for the operator endpoints, the operator's token (`backend operator add`).",
                ))
                .build(),
        ),
    );
    let rate_limited = ResponseBuilder::new()
        .description("Rate limited: the client's request budget is spent; retry after `Retry-After` seconds.")
        .header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::Integer))
                .description(Some("Seconds to wait."))
                .build(),
        )
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build();
    for item in doc.paths.paths.values_mut() {
        let operations: [&mut Option<Operation>; 3] =
            [&mut item.get, &mut item.post, &mut item.delete];
        for op in operations.into_iter().flatten() {
            op.responses
                .responses
                .entry("429".to_owned())
                .or_insert_with(|| rate_limited.clone().into());
        }
    }
}

/// The document, serialised once.
#[derive(Debug, Clone)]
pub struct Served(Arc<str>);

impl Served {
    pub fn new(doc: &OpenApi) -> Self {
        // Serialising plain data structures cannot fail.
        Served(Arc::from(doc.to_json().unwrap_or_default()))
    }
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document (JSON)")),
)]
pub async fn openapi_json(axum::Extension(doc): axum::Extension<Served>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        doc.0.to_string(),
    )
}
