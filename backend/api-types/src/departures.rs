//! `GET /api/v1/stops/{stop_id}/departures`: the departure board of a stop.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Whether the times below include realtime predictions, or are the timetable only.
    pub realtime: RealtimeStatus,
    /// Sorted by the time riders should expect: `predicted_departure` when present, else
    /// `scheduled_departure`. A late bus scheduled before `from` but expected after it is
    /// listed; a bus that has already passed the stop is not.
    pub departures: Vec<Departure>,
    /// Service alerts that concern this board (its stops, the routes and trips on it), active
    /// now or starting before the window ends. Most severe first.
    #[serde(default)]
    pub alerts: Vec<crate::Alert>,
}

/// Where the times of a board come from, for the whole board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RealtimeStatus {
    /// Realtime data of this feed is current: departures with a vehicle carry predictions.
    Live,
    /// Every realtime source of this feed has failed or been silent for too long: the board
    /// is the timetable, and clients should say so ("showing timetable"). Cancellations the
    /// agency announced are still shown.
    Degraded,
    /// This feed has no realtime data (none configured, or not received yet): timetable only.
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The bay (platform) this stop is, for a platform: its `platform_code` (e.g. `3`), else
    /// its name where it differs from its station's. Clients write a code as "Bến 3" /
    /// "Bay 3" / "3番のりば".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bay: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteRef {
    pub id: String,
    pub short_name: String,
    pub long_name: String,
    /// `RRGGBB`, no leading `#`.
    pub color: String,
    pub text_color: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DepartureStatus {
    /// From the timetable only: no real-time information.
    Scheduled,
    /// Predicted from a tracked vehicle (on this trip, or on the trip before it in its block),
    /// or from the agency's own realtime: see `basis`.
    Live,
    /// The agency cancelled the trip: it will not come. Listed at its scheduled time.
    Cancelled,
    /// The trip runs, but will not stop here. Listed at its scheduled time.
    Skipped,
}

/// How current the data behind one predicted time is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Freshness {
    /// The vehicle on this trip reported within the staleness limit (90 s by default).
    Live,
    /// Not from a current position of this trip's vehicle: predicted from the bus's previous
    /// trip in its block, or from its last position after the feed's latest full dataset no
    /// longer carried it. Shown as an estimate.
    Estimate,
    /// The vehicle's data is older than the staleness limit: the last estimate, labelled so,
    /// until the line falls back to the timetable.
    Stale,
}

/// What the time of one departure is based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// A vehicle is on this trip now: predicted from its position.
    Realtime,
    /// The vehicle will run this trip after its current one (same block): its delay carried on.
    Propagated,
    /// The timetable: no realtime information for this call.
    Scheduled,
    /// The agency's own realtime (its TripUpdates: predictions, cancellations, skipped stops).
    Agency,
}

/// For frequency-based lines: the bus comes every `headway_secs`; with `exact_times`
/// false the listed time is only an estimate of one departure in the pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Headway {
    pub headway_secs: u32,
    pub exact_times: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Departure {
    pub trip_id: String,
    /// The service day the trip belongs to; differs from the calendar date after midnight.
    pub service_date: String,
    pub route: RouteRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headsign: Option<String>,
    /// The stop (platform) the bus leaves from; a child of the requested stop for stations.
    pub stop_id: String,
    /// The bay of `stop_id`, when it is a platform (see `StopRef.bay`): at a station, the
    /// board says where each bus leaves from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bay: Option<String>,
    /// `stop_sequence` of this call in `stop_times.txt`.
    pub stop_sequence: u32,
    pub scheduled_departure: String,
    pub scheduled_arrival: String,
    /// Predicted times (RFC 3339, agency offset), present when `status` is `live`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicted_departure: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicted_arrival: Option<String>,
    pub status: DepartureStatus,
    pub basis: Basis,
    /// The vehicle running (or due to run) the trip, as a global id (`feed:vehicle_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vehicle_id: Option<String>,
    /// Age in seconds of the realtime data this departure's status comes from (server time
    /// minus the vehicle's last position, or the agency message), when there is any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_age_s: Option<i64>,
    /// Predicted minus scheduled departure at this stop, seconds (positive: late). Absent
    /// without a prediction, and for frequency-based trips without exact times (they keep no
    /// timetable to be late against: see `headway`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_s: Option<i64>,
    /// One standard deviation of the predicted arrival's error, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty_s: Option<u32>,
    /// How much the predicted time can be trusted, present with a prediction: `live` only
    /// when it comes from fresh data of the vehicle on this very trip. Clients show
    /// `estimate` and `stale` lines as estimates, never as live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freshness: Option<Freshness>,
    /// The central 80 % interval of the predicted arrival (RFC 3339, agency offset): the bus
    /// arrives before `earliest_arrival` one time in ten, after `latest_arrival` one time in
    /// ten. Present with a prediction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest_arrival: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_arrival: Option<String>,
    /// Present for frequency-based trips.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headway: Option<Headway>,
    /// `Some(true)` accessible, `Some(false)` not, `None` unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wheelchair_accessible: Option<bool>,
}
