//! One truth about how current a board is. The stop page's banner, its "updated" line and each
//! of its rows, and the stop display's rows, all read it from this module, from the same board
//! and the same `now`, so no part of a page can call live what another calls old (a board once
//! said "Live data is old: 105 s" above "Bus positions from 8 s ago" and rows marked "Live").
//! Pure: values in, values out.
//!
//! A line is `live` only when realtime says so of fresh data from the vehicle on that very trip
//! (`Departure.freshness`, else — until the server fills it — not predicted from the bus's
//! previous trip); lines predicted from the bus's previous trip are estimates; any prediction
//! whose data, aged by the time since the board was made, is older than [`STALE_AFTER_S`] is
//! stale, however it left the server.

use api_types::{Basis, Departure, DepartureStatus, DeparturesResponse, Freshness, RealtimeStatus};

use crate::format::unix_seconds;

/// Realtime data older than this is stale (industry practice: 90 s).
pub const STALE_AFTER_S: i64 = 90;

/// What a line's time is, as riders are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Predicted from fresh data of the vehicle on this trip.
    Live,
    /// Predicted, but not from a current position of this trip's vehicle (its previous trip,
    /// or a vehicle the feed no longer carries).
    Estimate,
    /// Predicted from data older than [`STALE_AFTER_S`].
    Stale,
    /// The timetable.
    Timetable,
    Cancelled,
    Skipped,
}

impl Shown {
    /// Counted as a prediction (a countdown from realtime), live or not.
    pub fn predicted(self) -> bool {
        matches!(self, Shown::Live | Shown::Estimate | Shown::Stale)
    }
}

/// Seconds since the board was made, as of `now` (never negative).
pub fn elapsed(b: &DeparturesResponse, now: i64) -> i64 {
    unix_seconds(&b.now).map_or(0, |made| (now - made).max(0))
}

/// How one departure's time is shown `elapsed` seconds after its board was made.
pub fn line(d: &Departure, elapsed: i64) -> Shown {
    line_of(d.status, d.basis, d.freshness, d.data_age_s, elapsed)
}

/// [`line`] from the fields it reads (the stop display has them without a [`Departure`]).
pub fn line_of(
    status: DepartureStatus,
    basis: Basis,
    freshness: Option<Freshness>,
    data_age_s: Option<i64>,
    elapsed: i64,
) -> Shown {
    match status {
        DepartureStatus::Cancelled => Shown::Cancelled,
        DepartureStatus::Skipped => Shown::Skipped,
        DepartureStatus::Scheduled => Shown::Timetable,
        DepartureStatus::Live => {
            let old = data_age_s.is_some_and(|age| age + elapsed.max(0) > STALE_AFTER_S);
            match freshness {
                Some(Freshness::Stale) => Shown::Stale,
                _ if old => Shown::Stale,
                Some(Freshness::Estimate) => Shown::Estimate,
                Some(Freshness::Live) => Shown::Live,
                None if basis == Basis::Propagated => Shown::Estimate,
                None => Shown::Live,
            }
        }
    }
}

/// What the board as a whole can say about its data, as of `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardData {
    /// Realtime is current; `age`: of the freshest prediction on the board (none listed:
    /// `None`).
    Live { age: Option<i64> },
    /// Realtime is received, but the freshest prediction on the board is older than
    /// [`STALE_AFTER_S`]: every predicted line is stale too.
    Old { age: i64 },
    /// Every realtime source failed: the timetable.
    Degraded,
    /// No realtime for this feed: the timetable.
    Unavailable,
}

impl BoardData {
    /// The age of the freshest data, when the board has predictions.
    pub fn age(self) -> Option<i64> {
        match self {
            BoardData::Live { age } => age,
            BoardData::Old { age } => Some(age),
            BoardData::Degraded | BoardData::Unavailable => None,
        }
    }
}

/// The board's data as of `now`: the realtime status, and the age of its freshest prediction
/// grown by the time since the board was made.
pub fn board(b: &DeparturesResponse, now: i64) -> BoardData {
    match b.realtime {
        RealtimeStatus::Degraded => BoardData::Degraded,
        RealtimeStatus::Unavailable => BoardData::Unavailable,
        RealtimeStatus::Live => {
            let age = freshest_age(b).map(|age| age + elapsed(b, now));
            match age {
                Some(age) if age > STALE_AFTER_S => BoardData::Old { age },
                age => BoardData::Live { age },
            }
        }
    }
}

/// Age of the freshest prediction on the board when it was made.
fn freshest_age(b: &DeparturesResponse) -> Option<i64> {
    b.departures
        .iter()
        .filter(|d| d.status == DepartureStatus::Live)
        .filter_map(|d| d.data_age_s)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(age: i64, basis: Basis, freshness: Option<Freshness>) -> Shown {
        line_of(DepartureStatus::Live, basis, freshness, Some(age), 0)
    }

    #[test]
    fn a_line_is_live_only_from_fresh_data_of_its_own_trip() {
        assert_eq!(live(10, Basis::Realtime, None), Shown::Live);
        assert_eq!(
            live(10, Basis::Realtime, Some(Freshness::Live)),
            Shown::Live
        );
        // lines_from_a_bus_s_previous_trip_are_estimates
        assert_eq!(live(10, Basis::Propagated, None), Shown::Estimate);
        assert_eq!(
            live(10, Basis::Realtime, Some(Freshness::Estimate)),
            Shown::Estimate
        );
        assert_eq!(
            live(10, Basis::Realtime, Some(Freshness::Stale)),
            Shown::Stale
        );
        // The server's word is aged by the time since: 80 s + 20 s is old.
        assert_eq!(
            line_of(
                DepartureStatus::Live,
                Basis::Realtime,
                Some(Freshness::Live),
                Some(80),
                20
            ),
            Shown::Stale
        );
        assert_eq!(live(91, Basis::Propagated, None), Shown::Stale);
        let timetable = line_of(
            DepartureStatus::Scheduled,
            Basis::Scheduled,
            None,
            None,
            500,
        );
        assert_eq!(timetable, Shown::Timetable);
        assert!(!timetable.predicted() && Shown::Estimate.predicted());
        assert_eq!(
            line_of(DepartureStatus::Cancelled, Basis::Agency, None, Some(5), 0),
            Shown::Cancelled
        );
    }
}
