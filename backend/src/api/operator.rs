//! `/api/v1/operator/`: schedule management for transit operators, thin handlers over
//! [`crate::operator::Operators`]. Every request carries an operator token
//! (`Authorization: Bearer TOKEN`): 401 without a valid one, 403 for another feed's operator.
//!
//! - `POST feeds/{feed_id}/versions` — the GTFS zip as the body (or a multipart file field);
//!   `?validate_only=true` for a dry run. 201 with the new version (and its report), 200 with
//!   the report for a dry run, 422 with the report when the feed has blocking errors (nothing
//!   kept), 413 over the size limit.
//! - `GET feeds/{feed_id}/versions`, `GET feeds/{feed_id}/versions/{id}` — versions with reports.
//! - `POST feeds/{feed_id}/versions/{id}/activate` — now, or at `{"at": "RFC 3339"}`.
//! - `POST feeds/{feed_id}/rollback` — the previously active version, now.
//! - `DELETE feeds/{feed_id}/versions/{id}` — a version that is not active.
//! - `GET audit` — the audit log of the caller's feeds (all for an admin).
//!
//! Each handler carries its `#[utoipa::path]` (tag `operator`); [`router`] registers the routes
//! from those annotations, and [`super::v1`] nests it under `/operator`, without the public
//! CORS layer.

use api_types::ValidationReport;
use api_types::operator::{ActivateRequest, AuditLog, FeedVersion, VersionList};
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Multipart, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt as _, TryStreamExt as _};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiError;
use super::error::{Path, Query};
use crate::operator::{Caller, OperatorError, Operators, Upload};
use crate::state::AppState;

/// The operator routes, registered from their annotations (paths relative to `/operator`).
pub fn router() -> OpenApiRouter<AppState> {
    let (schemas, paths, versions) = routes!(upload, list);
    OpenApiRouter::new()
        // The service streams the body and applies its own, configured limit.
        .routes((schemas, paths, versions.layer(DefaultBodyLimit::disable())))
        .routes(routes!(show, delete))
        .routes(routes!(activate))
        .routes(routes!(rollback))
        .routes(routes!(audit))
        .routes(routes!(reports))
}

/// An authenticated operator, and the service.
pub struct Operator(Operators, Caller);

impl FromRequestParts<AppState> for Operator {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(service) = state.operators.clone() else {
            return Err(ApiError::Unavailable(
                "operators_disabled",
                "this server runs without its store, so schedule management is off".to_owned(),
            )
            .into_response());
        };
        let token = super::realtime::bearer_token(&parts.headers);
        match service.authenticate(token).await {
            Ok(caller) => Ok(Operator(service, caller)),
            Err(e) => Err(error_response(e)),
        }
    }
}

/// The service's refusals as HTTP answers: a report (422) for an invalid feed, else the JSON
/// error of every endpoint.
fn error_response(e: OperatorError) -> Response {
    let message = e.to_string();
    let code = e.code();
    match e {
        OperatorError::Invalid(report) => {
            (StatusCode::UNPROCESSABLE_ENTITY, Json(*report)).into_response()
        }
        OperatorError::MissingToken | OperatorError::InvalidToken => {
            ApiError::Unauthorized(code, message).into_response()
        }
        OperatorError::Forbidden(_) => ApiError::Forbidden(code, message).into_response(),
        OperatorError::NotFound(..) => ApiError::NotFound(code, message).into_response(),
        OperatorError::BadRequest(..) => ApiError::BadRequest(code, message).into_response(),
        // 409 is operator-only: the state of a version forbids the change.
        OperatorError::Conflict(_) => (
            StatusCode::CONFLICT,
            Json(api_types::ErrorBody {
                error: code.to_owned(),
                message,
            }),
        )
            .into_response(),
        OperatorError::TooLarge(_) => ApiError::PayloadTooLarge(code, message).into_response(),
        OperatorError::Internal(_) => {
            tracing::error!("operator request failed: {message}");
            ApiError::Internal(code, message).into_response()
        }
    }
}

fn reply<T: serde::Serialize>(status: StatusCode, result: Result<T, OperatorError>) -> Response {
    match result {
        Ok(body) => (status, Json(body)).into_response(),
        Err(e) => error_response(e),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// `true` for a dry run: validate the feed and answer its report, keeping nothing.
    #[serde(default)]
    validate_only: bool,
}

/// The upload as a form.
// Documentation only: the handler streams the field itself.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct UploadForm {
    /// The GTFS zip (the first field with a file name, or the field named `file`).
    #[schema(content_media_type = "application/zip")]
    file: String,
}

/// Upload a GTFS zip as a new version of `feed_id`, streamed and validated as it arrives
/// (at most the configured upload limit). Invalid feeds are refused with their report and
/// nothing is kept; `?validate_only=true` only validates.
#[utoipa::path(
    post,
    path = "/feeds/{feed_id}/versions",
    tag = "operator",
    params(("feed_id" = String, Path, description = "The feed's id, e.g. `binh-duong`"), UploadQuery),
    request_body(
        description = "The GTFS zip, as the body or as the `file` field of a form",
        content(
            ("application/zip"),
            (inline(UploadForm) = "multipart/form-data"),
        ),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Dry run (`validate_only`): the validation report", body = ValidationReport),
        (status = 201, description = "Stored as a new validated version, with its report", body = FeedVersion),
        (status = 400, description = "Invalid feed id, form or zip", body = api_types::ErrorBody),
        (status = 401, description = "Missing or unknown operator token", body = api_types::ErrorBody),
        (status = 403, description = "The operator does not manage this feed", body = api_types::ErrorBody),
        (status = 413, description = "Larger than the upload limit", body = api_types::ErrorBody),
        (status = 422, description = "The feed has blocking errors: its report; nothing kept", body = ValidationReport),
        (status = 503, description = "Schedule management is off (no store)", body = api_types::ErrorBody),
    ),
)]
async fn upload(
    Operator(service, caller): Operator,
    Path(feed): Path<String>,
    Query(q): Query<UploadQuery>,
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Response {
    let headers: &HeaderMap = request.headers();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    let result = if multipart {
        let mut form = match Multipart::from_request(request, &state).await {
            Ok(form) => form,
            Err(e) => {
                return ApiError::BadRequest("invalid_multipart", e.body_text()).into_response();
            }
        };
        // The first field carrying a file (or the only field) is the zip.
        let field = loop {
            match form.next_field().await {
                Ok(Some(f)) if f.file_name().is_some() || f.name() == Some("file") => {
                    break Some(f);
                }
                Ok(Some(_)) => {}
                Ok(None) => break None,
                Err(e) => {
                    return ApiError::BadRequest("invalid_multipart", e.body_text())
                        .into_response();
                }
            }
        };
        let Some(field) = field else {
            return ApiError::BadRequest(
                "missing_file",
                "the form has no file field; send the GTFS zip as a field named \"file\""
                    .to_owned(),
            )
            .into_response();
        };
        service
            .upload(&caller, &feed, field.boxed(), declared, q.validate_only)
            .await
    } else {
        let body: Body = request.into_body();
        let stream = body.into_data_stream().map_err(|e| e.to_string());
        service
            .upload(&caller, &feed, stream.boxed(), declared, q.validate_only)
            .await
    };
    match result {
        Ok(Upload::DryRun(report)) => (StatusCode::OK, Json(*report)).into_response(),
        Ok(Upload::Stored(version)) => (StatusCode::CREATED, Json(*version)).into_response(),
        Err(e) => error_response(e),
    }
}

/// The uploaded versions of `feed_id`, newest first, with their states and reports.
#[utoipa::path(
    get,
    path = "/feeds/{feed_id}/versions",
    tag = "operator",
    params(("feed_id" = String, Path, description = "The feed's id, e.g. `binh-duong`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The versions, newest first, with their reports", body = VersionList),
        (status = 401, description = "Missing or unknown operator token", body = api_types::ErrorBody),
        (status = 403, description = "The operator does not manage this feed", body = api_types::ErrorBody),
        (status = 503, description = "Schedule management is off (no store)", body = api_types::ErrorBody),
    ),
)]
async fn list(Operator(service, caller): Operator, Path(feed): Path<String>) -> Response {
    reply(StatusCode::OK, service.versions(&caller, &feed).await)
}

/// One version of `feed_id`, with its state and validation report.
#[utoipa::path(
    get,
    path = "/feeds/{feed_id}/versions/{id}",
    tag = "operator",
    params(("feed_id" = String, Path, description = "The feed's id, e.g. `binh-duong`"), ("id" = i64, Path, description = "The version's id, from the versions list")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The version, with its report", body = FeedVersion),
        (status = 401, description = "Missing or unknown operator token", body = api_types::ErrorBody),
        (status = 403, description = "The operator does not manage this feed", body = api_types::ErrorBody),
        (status = 404, description = "No such version of this feed", body = api_types::ErrorBody),
        (status = 503, description = "Schedule management is off (no store)", body = api_types::ErrorBody),
    ),
)]
async fn show(
    Operator(service, caller): Operator,
    Path((feed, id)): Path<(String, i64)>,
) -> Response {
    reply(StatusCode::OK, service.version(&caller, &feed, id).await)
}

/// Delete a version that is not active, and its stored zip.
#[utoipa::path(
    delete,
    path = "/feeds/{feed_id}/versions/{id}",
    tag = "operator",
    params(("feed_id" = String, Path, description = "The feed's id, e.g. `binh-duong`"), ("id" = i64, Path, description = "The version's id, from the versions list")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted, with its stored zip"),
        (status = 401, description = "Missing or unknown operator token", body = api_types::ErrorBody),
        (status = 403, description = "The operator does not manage this feed", body = api_types::ErrorBody),
        (status = 404, description = "No such version of this feed", body = api_types::ErrorBody),
        (status = 409, description = "The version is active", body = api_types::ErrorBody),
        (status = 503, description = "Schedule management is off (no store)", body = api_types::ErrorBody),
    ),
)]
async fn delete(
    Operator(service, caller): Operator,
    Path((feed, id)): Path<(String, i64)>,
) -> Response {
    match service.delete(&caller, &feed, id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error_response(e),
    }
}

/// Make a version the one served, now or at `at`: the departures, trips and realtime
/// matching switch to it in one step.
#[utoipa::path(
    post,
    path = "/feeds/{feed_id}/versions/{id}/activate",
    tag = "operator",
    params(("feed_id" = String, Path, description = "The feed's id, e.g. `binh-duong`"), ("id" = i64, Path, description = "The version's id, from the versions list")),
    request_body(content = Option<ActivateRequest>, description = "Optional: `{\"at\": RFC 3339}` schedules the activation; no body (or an instant not in the future) activates now"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Active now, or scheduled for `at`", body = FeedVersion),
        (status = 400, description = "The body is not `{\"at\": RFC 3339}`", body = api_types::ErrorBody),
        (status = 401, description = "Missing or unknown operator token", body = api_types::ErrorBody),
        (status = 403, description = "The operator does not manage this feed", body = api_types::ErrorBody),
        (status = 404, description = "No such version of this feed", body = api_types::ErrorBody),
        (status = 409, description = "Scheduling the version that is already active", body = api_types::ErrorBody),
        (status = 503, description = "Schedule management is off (no store)", body = api_types::ErrorBody),
    ),
)]
async fn activate(
    Operator(service, caller): Operator,
    Path((feed, id)): Path<(String, i64)>,
    body: Bytes,
) -> Response {
    let request: ActivateRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ActivateRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => {
                return ApiError::BadRequest(
                    "invalid_body",
                    format!(
                        "the body is not {{\"at\": \"RFC 3339 instant\"}} ({e}); send no body \
                         to activate now"
                    ),
                )
                .into_response();
            }
        }
    };
    reply(
        StatusCode::OK,
        service
            .activate(&caller, &feed, id, request.at.as_deref())
            .await,
    )
}

/// Serve the previously active version of `feed_id` again, now.
#[utoipa::path(
    post,
    path = "/feeds/{feed_id}/rollback",
    tag = "operator",
    params(("feed_id" = String, Path, description = "The feed's id, e.g. `binh-duong`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The previously active version, active again", body = FeedVersion),
        (status = 401, description = "Missing or unknown operator token", body = api_types::ErrorBody),
        (status = 403, description = "The operator does not manage this feed", body = api_types::ErrorBody),
        (status = 409, description = "No previously active version", body = api_types::ErrorBody),
        (status = 503, description = "Schedule management is off (no store)", body = api_types::ErrorBody),
    ),
)]
async fn rollback(Operator(service, caller): Operator, Path(feed): Path<String>) -> Response {
    reply(StatusCode::OK, service.rollback(&caller, &feed).await)
}

/// The audit log of the caller's feeds (every feed for an admin), newest first.
#[utoipa::path(
    get,
    path = "/audit",
    tag = "operator",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The audit log, newest first", body = AuditLog),
        (status = 401, description = "Missing or unknown operator token", body = api_types::ErrorBody),
        (status = 503, description = "Schedule management is off (no store)", body = api_types::ErrorBody),
    ),
)]
async fn audit(Operator(service, caller): Operator) -> Response {
    reply(StatusCode::OK, service.audit_log(&caller).await)
}

/// Riders' problem reports about the feed (OneBusAway `report-problem-with-stop` and
/// `report-problem-with-trip`), newest first, at most 200.
#[utoipa::path(
    get,
    path = "/feeds/{feed_id}/reports",
    tag = "operator",
    params(("feed_id" = String, Path, description = "The feed's id, e.g. `binh-duong`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The feed's latest problem reports", body = api_types::operator::ProblemReports),
        (status = 401, description = "Missing or unknown operator token", body = api_types::ErrorBody),
        (status = 403, description = "The operator does not manage this feed", body = api_types::ErrorBody),
        (status = 503, description = "Schedule management is off (no store)", body = api_types::ErrorBody),
    ),
)]
async fn reports(Operator(service, caller): Operator, Path(feed): Path<String>) -> Response {
    reply(
        StatusCode::OK,
        service.problem_reports(&caller, &feed).await,
    )
}
