//! `GET /api/v1/signage/{stop_id}.json`: the compact departure board for stop displays.
//!
//! The same board as `/api/v1/stops/{stop_id}/departures`, already reduced to what a sign
//! shows: minutes to departure and a clock time per line, whether it is live, and whether the
//! board as a whole is stale.

use serde::{Deserialize, Serialize};

use crate::departures::{DepartureStatus, RealtimeStatus};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignageBoard {
    /// The stops merged into this board, global ids, in the order requested.
    pub stop_ids: Vec<String>,
    /// The names of those stops in `lang`, distinct, joined with " / ".
    pub stop_name: String,
    /// The bay the board is, when it is the board of one platform (see `StopRef.bay`): a sign
    /// names it once; otherwise each departure names its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bay: Option<String>,
    /// The minute the board was built in (RFC 3339, agency offset, seconds zero): for the
    /// sign's clock. To the minute so that the board's ETag only changes with its content;
    /// `GET /api/v1/time` (or the `Date` header) gives the second.
    pub now: String,
    /// `HH:MM` of `now`, local time.
    pub clock: String,
    pub lang: String,
    pub realtime: RealtimeStatus,
    /// True when the sign should say "data is stale, showing timetable": realtime is degraded
    /// (every source failed or fell silent) or unavailable, so no time below is live.
    pub stale: bool,
    /// Age of the newest realtime data of the feed in seconds, rounded down to whole minutes,
    /// when there is any (a sign may show it; single vehicles silent too long already lost
    /// their live times).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_age_s: Option<i64>,
    /// Sorted by expected departure.
    pub departures: Vec<SignageDeparture>,
    /// Headlines of the service alerts active now that concern this board, most severe first.
    #[serde(default)]
    pub alerts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignageDeparture {
    pub route: String,
    /// `RRGGBB`, no leading `#`.
    pub route_color: String,
    pub route_text_color: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headsign: Option<String>,
    /// Whole minutes until the expected departure, rounded down; 0 means "now" (due).
    pub minutes: i64,
    /// `HH:MM` of the expected departure, local time.
    pub time: String,
    pub status: DepartureStatus,
    /// True when the time is a realtime prediction, false when it is the timetable.
    pub live: bool,
    /// The bay the bus leaves from (see `StopRef.bay`), at a station or a platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bay: Option<String>,
    /// The expected departure (RFC 3339, agency offset) that `minutes` and `time` are
    /// counted from: a sign may count down between polls.
    pub at: String,
    /// With a prediction: `live` only when it comes from fresh data of the vehicle on this
    /// trip; `estimate` (from the bus's previous trip, or no longer in the feed) and `stale`
    /// (data older than 90 s) are shown as estimates, never as live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freshness: Option<crate::departures::Freshness>,
}
