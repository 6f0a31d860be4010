//! GTFS-Realtime validator rules, checked against the schedule the feed refers to.

use gtfs_rt::FeedMessage;

use super::Finding;
use crate::schedule::Schedule;

/// Findings for a message; `previous_header` is the header timestamp of the last message
/// accepted from the same source.
pub fn validate(
    _message: &FeedMessage,
    _schedule: &Schedule,
    _now: i64,
    _previous_header: Option<u64>,
) -> Vec<Finding> {
    Vec::new()
}
