//! What vehicles actually did: observed arrivals and departures at stops, and the travel and
//! dwell times learned from them.

use crate::schedule::StopIdx;

/// One observed call: a vehicle of `trip` arrived at (and left) a stop. Persisted by the
/// `store` module so that learning survives a restart.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedCall {
    /// GTFS trip_id (stable across schedule versions, unlike indexes).
    pub trip_id: String,
    pub service_date: jiff::civil::Date,
    pub stop_sequence: u32,
    /// GTFS stop_id.
    pub stop_id: String,
    pub vehicle_id: String,
    /// Unix seconds.
    pub arrival: i64,
    pub departure: Option<i64>,
    /// Scheduled arrival (unix seconds), for delay statistics.
    pub scheduled_arrival: i64,
    #[doc(hidden)]
    pub stop: StopIdx,
}

/// Travel and dwell times learned from observed calls.
#[derive(Debug, Clone, Default)]
pub struct History {}
