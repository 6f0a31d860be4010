//! Service alerts: `GET /api/v1/alerts`, and the `alerts` of a departure board.

use serde::{Deserialize, Serialize};

/// One service alert, in the language of the response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    /// Unique while the alert lasts: `{feed}:{source}/{entity id}`.
    pub id: String,
    /// GTFS-Realtime's names in lower case: `construction`, `weather`, `unknown_cause`…
    pub cause: String,
    /// `no_service`, `reduced_service`, `significant_delays`, `detour`, `stop_moved`,
    /// `accessibility_issue`, `unknown_effect`…
    pub effect: String,
    /// `info`, `warning`, `severe` or `unknown_severity`.
    pub severity: String,
    /// The short text riders see first; empty when the agency gave none.
    pub header: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When it applies (RFC 3339, agency offset); empty means until further notice.
    pub active_periods: Vec<ActivePeriod>,
    /// Active at the response's `now`. (Lists hold alerts active now, and boards also those
    /// starting within their window.)
    pub active: bool,
    /// What it names, as global ids (routes of the trips it names included).
    pub routes: Vec<String>,
    pub stops: Vec<String>,
    pub trips: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivePeriod {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

/// `GET /api/v1/alerts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertsResponse {
    pub now: String,
    pub lang: String,
    /// Most severe first, then by id.
    pub alerts: Vec<Alert>,
}
