//! The one error type of the HTTP edge: each variant maps to a status and a stable JSON body
//! `{"error": code, "message": text}` (see [`api_types::ErrorBody`]).

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(&'static str, String),
    #[error("{0}")]
    BadRequest(&'static str, String),
    /// 401, with `WWW-Authenticate: Bearer`.
    #[error("{0}")]
    Unauthorized(&'static str, String),
    #[error("{0}")]
    Forbidden(&'static str, String),
    #[error("{0}")]
    PayloadTooLarge(&'static str, String),
    /// 429, with `Retry-After` (seconds): the client's rate limit is spent.
    #[error("rate limited; retry after {0} s")]
    RateLimited(u64),
    /// 503: try again later.
    #[error("{0}")]
    Unavailable(&'static str, String),
    #[error("{0}")]
    Internal(&'static str, String),
}

impl ApiError {
    pub fn stop_not_found(id: &str) -> Self {
        ApiError::NotFound(
            "stop_not_found",
            format!(
                "No stop has the id {id:?}. Stop ids look like \"feed:stop_id\"; GET /health \
                 lists the feeds."
            ),
        )
    }

    pub fn route_not_found(id: &str) -> Self {
        ApiError::NotFound(
            "route_not_found",
            format!(
                "No route has the id {id:?}. Route ids look like \"feed:route_id\"; GET \
                 /api/v1/routes lists them."
            ),
        )
    }

    pub fn invalid_parameter(name: &str, problem: impl std::fmt::Display) -> Self {
        ApiError::BadRequest("invalid_parameter", format!("{name}: {problem}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = match &self {
            ApiError::RateLimited(secs) => Some(*secs),
            ApiError::Unavailable(..) => Some(5),
            _ => None,
        };
        let (status, code, message) = match self {
            ApiError::NotFound(code, m) => (StatusCode::NOT_FOUND, code, m),
            ApiError::BadRequest(code, m) => (StatusCode::BAD_REQUEST, code, m),
            ApiError::Unauthorized(code, m) => (StatusCode::UNAUTHORIZED, code, m),
            ApiError::Forbidden(code, m) => (StatusCode::FORBIDDEN, code, m),
            ApiError::PayloadTooLarge(code, m) => (StatusCode::PAYLOAD_TOO_LARGE, code, m),
            ApiError::RateLimited(secs) => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "Too many requests from this address; retry in {secs} s. Clients that poll \
                     should respect Retry-After and use ETag/If-None-Match."
                ),
            ),
            ApiError::Unavailable(code, m) => (StatusCode::SERVICE_UNAVAILABLE, code, m),
            ApiError::Internal(code, m) => (StatusCode::INTERNAL_SERVER_ERROR, code, m),
        };
        let body = api_types::ErrorBody {
            error: code.to_owned(),
            message,
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"rtpi\""),
            );
        }
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::BadRequest("invalid_query", r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::BadRequest(
            "invalid_path",
            format!("{}; check the ids in the URL", r.body_text()),
        )
    }
}

/// `axum::extract::Path`, answering path segments of the wrong type (a version id that is not
/// a number) with our JSON error.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// `axum::extract::Query`, answering malformed query strings with our JSON error.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// Unknown paths under `/api`: JSON, like every other API answer.
pub async fn api_not_found(
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
) -> ApiError {
    ApiError::NotFound(
        "not_found",
        format!("There is no API endpoint at {}.", uri.path()),
    )
}
