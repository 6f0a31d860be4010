//! Operator schedule management (`/api/v1/operator/`): uploaded feed versions and their
//! states, activation requests, and the audit log. Instants are RFC 3339 in UTC.

use serde::{Deserialize, Serialize};

use crate::ValidationReport;

/// Where a version is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VersionState {
    /// Uploaded and valid; not served.
    Validated,
    /// Becomes active at `activate_at`.
    Scheduled,
    /// Served now (one per feed).
    Active,
    /// Served before; a rollback can bring it back.
    Retired,
}

/// One uploaded version of a feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedVersion {
    pub id: i64,
    pub feed_id: String,
    /// SHA-256 of the uploaded zip, hex.
    pub sha256: String,
    /// Bytes uploaded.
    pub size: u64,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub state: VersionState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activate_at: Option<String>,
    /// When it last became active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activated_at: Option<String>,
    /// First and last dates with service (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_service_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_service_date: Option<String>,
    pub report: ValidationReport,
}

/// `GET /api/v1/operator/feeds/{feed_id}/versions`: newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionList {
    pub feed_id: String,
    pub versions: Vec<FeedVersion>,
}

/// Body of `POST …/versions/{id}/activate` (optional): without `at`, or with an instant not
/// in the future, the version becomes active now.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivateRequest {
    /// RFC 3339 instant, e.g. `2026-12-01T03:00:00+07:00`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// One operator action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub at: String,
    pub operator: String,
    /// `upload`, `validate`, `activate`, `schedule`, `rollback`, `delete`, `list`…
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// `ok`, or the error code that refused it.
    pub outcome: String,
    pub detail: String,
}

/// `GET /api/v1/operator/audit`: newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditLog {
    pub entries: Vec<AuditEntry>,
}

/// A rider's problem report (OneBusAway `report-problem-with-stop` / `-trip`), as the feed's
/// operators read it. Ids are global (`feed:local_id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemReport {
    /// When it was sent (RFC 3339, UTC).
    pub at: String,
    /// `stop` or `trip`.
    pub kind: String,
    /// OneBusAway's code: for stops `stop_name_wrong`, `stop_number_wrong`,
    /// `stop_location_wrong`, `route_or_trip_missing`; for trips `vehicle_never_came`,
    /// `vehicle_came_early`, `vehicle_came_late`, `wrong_headsign`,
    /// `vehicle_does_not_stop_here`; `other`.
    pub code: String,
    /// What the rider wrote (may be empty).
    pub comment: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trip_id: Option<String>,
    /// The trip's route short name and headsign, when the trip is in the served schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headsign: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vehicle_id: Option<String>,
    /// Where the rider was, `[lat, lon]`, and how precisely (metres).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_position: Option<[f64; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_location_accuracy_m: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_on_vehicle: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_vehicle_number: Option<String>,
}

/// `GET /api/v1/operator/feeds/{feed_id}/reports`: the feed's latest riders' reports, newest
/// first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemReports {
    pub feed_id: String,
    pub reports: Vec<ProblemReport>,
}
