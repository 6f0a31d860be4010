//! Realtime sources: the answer of `POST /api/v1/realtime/{source_id}`, and what `/health`
//! says about each source.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Severity;

/// A problem found in a GTFS-Realtime message, coded with the GTFS-Realtime validator's rule
/// ids (`E001`, `E003`, `W008`…) or the server's own (`decode`, `differential`…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RealtimeFinding {
    pub code: String,
    /// `error`: the entity (or, without `entity_id`, the whole message) was not used;
    /// `warning`: used.
    pub level: Severity,
    /// The `FeedEntity.id` concerned (`#N` for the N-th, 0-based, entity without an id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    pub message: String,
}

/// The answer to a pushed message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// The message was used (perhaps without the entities that have errors).
    pub accepted: bool,
    /// Entities used.
    pub entities: usize,
    /// What is wrong with the message, errors first (at most 100).
    pub findings: Vec<RealtimeFinding>,
    /// Findings beyond those listed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub findings_omitted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// One realtime source in `/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RealtimeSourceHealth {
    pub source_id: String,
    /// The static feed its trips and stops refer to.
    pub feed_id: String,
    /// `vehicle_positions`, `trip_updates`, `alerts` or `mixed`, as configured.
    pub kind: String,
    /// Polled from a URL.
    pub polled: bool,
    /// Accepts pushes.
    pub push: bool,
    /// When the last message was accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_success: Option<String>,
    /// Seconds since `last_success`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_seconds: Option<i64>,
    /// When the source last answered, with new data or "unchanged".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_checked: Option<String>,
    /// The `header.timestamp` of the last message accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_header_timestamp: Option<String>,
    /// Set while the source fails: since when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<String>,
    /// The latest failure (fetch, decode or rejection), while it fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Messages accepted since the server started.
    pub messages: u64,
    /// Entities used from the last message accepted.
    pub entities: usize,
    /// Entities of that message left out for errors.
    pub entities_rejected: usize,
    /// The latest findings, newest first.
    pub findings: Vec<RealtimeFinding>,
    /// Findings per code since the server started.
    pub finding_counts: BTreeMap<String, u64>,
}
