//! `POST /api/v1/realtime/{source_id}`: a GTFS-Realtime message pushed by its producer.
//!
//! The body is one binary `FeedMessage` (at most 16 MB). The request carries the source's
//! token as `Authorization: Bearer TOKEN`, checked before the body is read. The answer is
//! `{accepted, entities, findings}`: 200 once the engine has taken the message (or refused it
//! whole: `accepted` false, the reasons in `findings`), 400 when it is not GTFS-Realtime at
//! all, 401 without the right token, 403 for a polled-only source, 404 for an unknown one.

use api_types::{PushResponse, RealtimeFinding, Severity};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::ApiError;
use crate::ingest::{MAX_PAYLOAD_BYTES, PushError, token_matches};
use crate::realtime::{Finding, Level};
use crate::state::AppState;

/// Findings listed in a push answer, at most.
const FINDINGS_LISTED: usize = 100;

/// A realtime source that accepts pushes, named in the path, whose token the request carries.
#[derive(Debug)]
pub struct PushSource(String);

impl FromRequestParts<AppState> for PushSource {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::BadRequest("invalid_path", e.body_text()))?;
        let source = state.ingest.source(&id).ok_or_else(|| {
            ApiError::NotFound(
                "source_not_found",
                format!(
                    "There is no realtime source {id:?}. Push to the id of a configured \
                     `[[realtime]]` source that has a token; GET /health lists the sources."
                ),
            )
        })?;
        let Some(expected) = source.token.as_deref() else {
            return Err(ApiError::Forbidden(
                "push_not_enabled",
                format!(
                    "Realtime source {id:?} is polled, not pushed to; give it a `token` in the \
                     configuration to accept pushes."
                ),
            ));
        };
        let given = bearer_token(&parts.headers);
        match given {
            None => Err(ApiError::Unauthorized(
                "missing_token",
                "Send the source's token as `Authorization: Bearer TOKEN`.".to_owned(),
            )),
            Some(token) if !token_matches(expected, token) => Err(ApiError::Unauthorized(
                "invalid_token",
                format!(
                    "The bearer token is not the one of realtime source {id:?}; check the \
                     `token` configured for it."
                ),
            )),
            Some(_) => Ok(PushSource(id)),
        }
    }
}

/// The token of an `Authorization: Bearer TOKEN` header.
pub(super) fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
}

/// Push one binary GTFS-Realtime `FeedMessage` (at most 16 MB) for a realtime source
/// configured with a token. 200 once the engine has taken the message, or refused it whole
/// (`accepted` false, the reasons in `findings`).
#[utoipa::path(
    post,
    path = "/realtime/{source_id}",
    tag = "realtime",
    params(("source_id" = String, Path, description = "The id of a configured `[[realtime]]` source that has a token")),
    request_body(content = Vec<u8>, content_type = "application/x-protobuf", description = "One binary GTFS-Realtime FeedMessage"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Taken, or refused whole (see `accepted`)", body = PushResponse),
        (status = 400, description = "Empty or not GTFS-Realtime", body = api_types::ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = api_types::ErrorBody),
        (status = 403, description = "The source is polled, not pushed to", body = api_types::ErrorBody),
        (status = 404, description = "No such source", body = api_types::ErrorBody),
        (status = 413, description = "Larger than 16 MB", body = api_types::ErrorBody),
        (status = 503, description = "The engine is busy; retry", body = api_types::ErrorBody),
    ),
)]
pub async fn push(
    State(state): State<AppState>,
    PushSource(id): PushSource,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushResponse>, ApiError> {
    let bytes = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(
                "payload_too_large",
                format!(
                    "The message is larger than {} MB; split the feed, or check what is being sent.",
                    MAX_PAYLOAD_BYTES / (1024 * 1024)
                ),
            )
        } else {
            ApiError::BadRequest("invalid_body", r.body_text())
        }
    })?;
    if bytes.is_empty() {
        return Err(ApiError::BadRequest(
            "empty_body",
            "The body is empty; send one binary GTFS-Realtime FeedMessage.".to_owned(),
        ));
    }
    let reply = state.ingest.push(&id, bytes).await.map_err(|e| match e {
        PushError::Busy | PushError::Stopped => {
            ApiError::Unavailable("ingest_unavailable", e.to_string())
        }
        PushError::Internal => ApiError::Internal("ingest_failed", e.to_string()),
    })?;
    if reply.undecodable {
        let why = reply
            .findings
            .first()
            .map(|f| f.message.clone())
            .unwrap_or_default();
        return Err(ApiError::BadRequest(
            "invalid_message",
            format!("The body is {why}."),
        ));
    }
    let mut findings: Vec<&Finding> = reply.findings.iter().collect();
    // Errors first, keeping the validator's order within a level.
    findings.sort_by_key(|f| f.level != Level::Error);
    let omitted = findings.len().saturating_sub(FINDINGS_LISTED);
    Ok(Json(PushResponse {
        accepted: reply.accepted,
        entities: reply.entities,
        findings: findings
            .into_iter()
            .take(FINDINGS_LISTED)
            .map(finding)
            .collect(),
        findings_omitted: omitted,
    }))
}

/// A realtime finding as the API shows it.
pub fn finding(f: &Finding) -> RealtimeFinding {
    RealtimeFinding {
        code: f.code.to_owned(),
        level: match f.level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
        },
        entity_id: f.entity_id.clone(),
        message: f.message.clone(),
    }
}
