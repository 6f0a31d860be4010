//! `GET /health`: is the server up, which schedules does it serve.

use serde::{Deserialize, Serialize};

use crate::RealtimeSourceHealth;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok` when every configured feed is loaded.
    pub status: String,
    /// Version of the server software.
    pub version: String,
    pub started_at: String,
    pub now: String,
    pub feeds: Vec<FeedHealth>,
    /// Every configured GTFS-Realtime source, in configuration order.
    #[serde(default)]
    pub realtime: Vec<RealtimeSourceHealth>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedHealth {
    pub feed_id: String,
    /// Identifies the exact schedule content: the first 16 hex digits of its SHA-256.
    pub schedule_version: String,
    /// `feed_info.feed_version`, when the feed has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// Where the schedule was loaded from.
    pub source: String,
    pub loaded_at: String,
    pub time_zone: String,
    pub agencies: Vec<String>,
    /// First and last service dates (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_service_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_service_date: Option<String>,
    pub counts: FeedCounts,
    /// Number of validation warnings of the loaded schedule.
    pub warnings: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedCounts {
    pub agencies: usize,
    pub stops: usize,
    pub routes: usize,
    pub trips: usize,
    pub stop_times: usize,
    pub shapes: usize,
    pub services: usize,
    pub frequencies: usize,
    pub blocks: usize,
}
