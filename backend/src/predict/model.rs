//! The prediction model: downstream arrival times for tracked vehicles.

use super::{History, Snapshot};

/// Tunable limits of the engine (not fitted to any data set).
#[derive(Debug, Clone)]
pub struct Settings {
    /// A vehicle silent for longer stops producing live predictions (seconds).
    pub vehicle_timeout: i64,
    /// A realtime source failing or silent for longer degrades its feed to the timetable.
    pub feed_degrade_after: i64,
    /// Predictions reach this far ahead (seconds).
    pub horizon: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            vehicle_timeout: 600,
            feed_degrade_after: 300,
            horizon: 3 * 3600,
        }
    }
}

pub fn predict(_history: &History, _now: i64) -> Snapshot {
    Snapshot::default()
}
