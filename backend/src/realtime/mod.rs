//! Realtime state: what GTFS-Realtime feeds say now, turned into tracked vehicles.
//!
//! Pure: messages and `now` in, state and findings out. No sockets, files or clocks here; the
//! `ingest` module fetches and pushes bytes, and calls [`crate::pipeline::Pipeline`].
//!
//! - [`decode`]: bytes → `FeedMessage`, or a decode error (never a panic);
//! - [`validate`]: GTFS-Realtime validator rules (E001, E003, E026…) against the schedule;
//! - [`tracker`]: vehicles matched to trip instances, their progress along the shape, and the
//!   arrivals and departures they make at stops;
//! - [`trip_updates`]: the agency's own TripUpdates (cancellations, skipped stops, times);
//! - [`alerts`]: service alerts, their selectors resolved to routes, stops and trips.

pub mod alerts;
pub mod decode;
pub mod tracker;
pub mod trip_updates;
pub mod validate;

use jiff::civil::Date;

use crate::schedule::TripIdx;

/// One run of a trip on one service date (and, for frequency-based trips, one start time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TripInstance {
    pub trip: TripIdx,
    pub service_date: Date,
    /// Frequency-based trips: the instance's first departure, seconds since service-day start.
    pub start: Option<u32>,
}

/// How serious a realtime finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The entity (or message) was not used.
    Error,
    /// Used, but something is off.
    Warning,
}

/// A problem found in a realtime message, coded with the GTFS-Realtime validator's rule ids
/// (`E001` timestamps not in seconds, `E003` unknown trip, `E026` invalid position…), or our
/// own codes for what the validator has no rule for (`decode`, `stale_vehicle`…).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub level: Level,
    /// The entity it concerns, when there is one.
    pub entity_id: Option<String>,
    pub message: String,
}
