//! `GET /api/v1/trips/{trip_id}`: one trip instance, its stops with scheduled and predicted
//! times, and the vehicle serving it.

use serde::{Deserialize, Serialize};

use crate::departures::{Basis, DepartureStatus, Headway, RealtimeStatus, StopRef};
use crate::network::{RouteBadge, Vehicle};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TripDetail {
    /// Language of the names in this response.
    pub lang: String,
    /// Global trip id.
    pub id: String,
    pub route: RouteBadge,
    /// The trip's headsign, in `lang`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headsign: Option<String>,
    /// GTFS `direction_id` (0 or 1); absent when the feed has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction_id: Option<u8>,
    /// Global block id: the trips one vehicle runs in a row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<String>,
    /// The service day of this instance (`YYYY-MM-DD`); differs from the calendar date after
    /// midnight.
    pub service_date: String,
    /// `shapes.txt` id of the trip's shape, when the feed has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape_id: Option<String>,
    /// Whether the trip runs from `frequencies.txt` (a headway rather than a timetable).
    pub frequency_based: bool,
    /// Frequency-based trips: this instance's first departure (`HH:MM:SS` of the service day,
    /// may exceed 24:00) and the headway it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headway: Option<Headway>,
    /// IANA time zone of the agency.
    pub time_zone: String,
    /// Whether realtime data of the feed is current (`live`), stale (`degraded`) or absent.
    pub realtime: RealtimeStatus,
    /// The instance as a whole: `live` when it has predictions, `cancelled` when the agency
    /// cancelled it, else `scheduled`.
    pub status: DepartureStatus,
    /// The vehicle running (or due to run, after its current trip) this instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vehicle: Option<Vehicle>,
    /// Every call of the trip, in `stop_sequence` order.
    pub stops: Vec<TripStop>,
}

/// One call of a trip instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TripStop {
    pub stop: StopRef,
    pub stop_sequence: u32,
    /// RFC 3339, agency offset.
    pub scheduled_arrival: String,
    pub scheduled_departure: String,
    /// Predicted times, present when `status` is `live`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicted_arrival: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicted_departure: Option<String>,
    pub status: DepartureStatus,
    pub basis: Basis,
    /// The vehicle has already made this call (live trips only): no prediction any more.
    pub passed: bool,
    /// One standard deviation of the predicted arrival's error, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty_s: Option<u32>,
}
