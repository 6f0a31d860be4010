//! Stations and their bays in stop lists (search and nearby stops): a station is listed once,
//! its bays (platforms) under it, instead of seven identical "Trạm trung chuyển Hikari"
//! lines. Only the grouping and the bays' order are here; `network` renders the answers.

use std::sync::Arc;

use rustc_hash::FxHashSet;

use crate::schedule::{LocationType, Schedule, StopIdx};

/// Stops found, best first (`key`: a match rank or a distance, carried along), grouped by
/// station, best first still: a platform goes under its station, which takes the place of
/// the best of them. With `bring_station` false (search), a platform whose station was not
/// found stays on its own: it was asked for by something of its own (its code, say).
pub fn by_station<K: Copy>(
    found: Vec<(&Arc<Schedule>, StopIdx, K)>,
    bring_station: bool,
) -> Vec<(&Arc<Schedule>, StopIdx, K)> {
    let stations: FxHashSet<(&str, StopIdx)> = found
        .iter()
        .filter(|(s, stop, _)| s.stop(*stop).location_type == LocationType::StopArea)
        .map(|(s, stop, _)| (s.feed_id.as_str(), *stop))
        .collect();
    let mut listed: FxHashSet<(&str, StopIdx)> = FxHashSet::default();
    let mut out = Vec::with_capacity(found.len());
    for (s, stop, key) in found {
        let entry = match s.stop(stop).parent {
            Some(station) if bring_station || stations.contains(&(s.feed_id.as_str(), station)) => {
                station
            }
            _ => stop,
        };
        if listed.insert((s.feed_id.as_str(), entry)) {
            out.push((s, entry, key));
        }
    }
    out
}

/// The bays of a station, where riders board (platforms, not entrances or nodes), in bay
/// order: numeric codes by number (2 before 10), then the others by text.
pub fn bays(s: &Schedule, station: StopIdx, lang: &str) -> Vec<StopIdx> {
    let mut bays: Vec<StopIdx> = s
        .children(station)
        .iter()
        .copied()
        .filter(|&c| s.stop(c).location_type == LocationType::StopPoint)
        .collect();
    bays.sort_by_cached_key(|&b| {
        let bay = s.bay(b, lang).unwrap_or_default();
        (bay.parse::<u32>().unwrap_or(u32::MAX), bay.to_owned(), b.0)
    });
    bays
}
