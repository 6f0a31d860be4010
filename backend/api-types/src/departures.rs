//! `GET /api/v1/stops/{stop_id}/departures`: the departure board of a stop.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeparturesResponse {
    pub stop: StopRef,
    /// Server time the board was built at.
    pub now: String,
    /// The window the board covers: departures in `[from, to)`.
    pub from: String,
    pub to: String,
    /// IANA time zone of the agency, e.g. `Asia/Ho_Chi_Minh`.
    pub time_zone: String,
    /// Language of the names in this response (`vi`, `en`, `ja`…).
    pub lang: String,
    /// Sorted by departure time.
    pub departures: Vec<Departure>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    /// The station this stop belongs to, when it is a platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_station: Option<String>,
    /// `Some(true)` accessible, `Some(false)` not, `None` unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wheelchair_boarding: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteRef {
    pub id: String,
    pub short_name: String,
    pub long_name: String,
    /// `RRGGBB`, no leading `#`.
    pub color: String,
    pub text_color: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepartureStatus {
    /// From the timetable only: no real-time information.
    Scheduled,
}

/// For frequency-based lines: the bus comes every `headway_secs`; with `exact_times`
/// false the listed time is only an estimate of one departure in the pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Headway {
    pub headway_secs: u32,
    pub exact_times: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Departure {
    pub trip_id: String,
    /// The service day the trip belongs to; differs from the calendar date after midnight.
    pub service_date: String,
    pub route: RouteRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headsign: Option<String>,
    /// The stop (platform) the bus leaves from; a child of the requested stop for stations.
    pub stop_id: String,
    /// `stop_sequence` of this call in `stop_times.txt`.
    pub stop_sequence: u32,
    pub scheduled_departure: String,
    pub scheduled_arrival: String,
    pub status: DepartureStatus,
    /// Present for frequency-based trips.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headway: Option<Headway>,
    /// `Some(true)` accessible, `Some(false)` not, `None` unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wheelchair_accessible: Option<bool>,
}
