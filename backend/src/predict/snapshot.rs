//! The published result of the engine: per feed, predicted trip instances and vehicles.

use std::sync::Arc;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::realtime::TripInstance;
use crate::realtime::alerts::ServiceAlert;
use crate::schedule::{FeedId, LatLon, RouteIdx, Schedule, StopIdx};

/// Everything realtime at one instant. Immutable once built; published with `ArcSwap`.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// When it was built (unix seconds): the `now` of the engine.
    pub at: i64,
    /// Never decreases from one snapshot to the next (GTFS-Realtime header timestamp).
    pub header_timestamp: u64,
    pub feeds: FxHashMap<FeedId, FeedSnapshot>,
}

impl Snapshot {
    pub fn feed(&self, id: &FeedId) -> Option<&FeedSnapshot> {
        self.feeds.get(id)
    }

    /// The realtime of `schedule`'s feed, if it was computed against this very schedule
    /// (`schedule_version == schedule.version`). Indexes in a snapshot (trips, stop times,
    /// stops) point into one schedule version; after a new version is activated and until the
    /// engine publishes a snapshot for it, readers get `None` and show the timetable.
    pub fn for_schedule(&self, schedule: &Schedule) -> Option<&FeedSnapshot> {
        self.feeds
            .get(&schedule.feed_id)
            .filter(|f| f.schedule_version == schedule.version)
    }
}

/// Realtime for one static feed.
#[derive(Debug, Clone, Default)]
pub struct FeedSnapshot {
    /// The schedule version the predictions refer to.
    pub schedule_version: String,
    /// Trip instances with realtime information (live, propagated or cancelled), sorted by
    /// instance.
    pub trips: Vec<TripPrediction>,
    /// Index into `trips` per trip instance.
    pub trip_index: FxHashMap<TripInstance, u32>,
    pub vehicles: Vec<VehicleView>,
    /// Every realtime source of this feed has failed (or been silent) for longer than the
    /// degrade limit: riders see the timetable, labelled as such.
    pub degraded: bool,
    /// Newest data time among the feed's sources (unix seconds), if any.
    pub data_time: Option<i64>,
    /// Service alerts of the feed's sources not yet over (active now or later), by id. Kept
    /// while the feed is degraded: an announced closure stays true when the AVL feed dies.
    pub alerts: Vec<Arc<ServiceAlert>>,
    /// `trips`' [`publishable`] calls, and where they are by stop: what every departure board
    /// reads. Made on first use (the engine does it before publishing, so readers never wait);
    /// `trips` must not change after that.
    pub published: PublishedCalls,
}

/// The [`publishable`] calls of a feed snapshot's trips, indexed by trip and by stop; made
/// from `trips` on first use (start with `PublishedCalls::default()`).
#[derive(Debug, Clone, Default)]
pub struct PublishedCalls(OnceLock<Published>);

#[derive(Debug, Clone, Default)]
struct Published {
    /// Trip `i`'s calls are `calls[spans[i]..spans[i + 1]]`.
    calls: Vec<StopPrediction>,
    spans: Vec<u32>,
    /// `(stop, trip, index into calls)`, sorted.
    by_stop: Vec<(StopIdx, u32, u32)>,
}

impl Published {
    fn new(trips: &[TripPrediction]) -> Self {
        let mut calls = Vec::with_capacity(trips.iter().map(|t| t.stops.len()).sum());
        let mut spans = Vec::with_capacity(trips.len() + 1);
        spans.push(0);
        for tp in trips {
            calls.extend(publishable(&tp.stops));
            spans.push(calls.len() as u32);
        }
        let mut by_stop = Vec::with_capacity(calls.len());
        for (trip, span) in spans.windows(2).enumerate() {
            for i in span[0]..span[1] {
                by_stop.push((calls[i as usize].stop, trip as u32, i));
            }
        }
        by_stop.sort_unstable();
        Published {
            calls,
            spans,
            by_stop,
        }
    }
}

impl FeedSnapshot {
    pub fn trip(&self, instance: &TripInstance) -> Option<&TripPrediction> {
        self.trip_position(instance).map(|i| &self.trips[i])
    }

    /// Where a trip instance's prediction is in `trips`.
    pub fn trip_position(&self, instance: &TripInstance) -> Option<usize> {
        self.trip_index
            .get(instance)
            .map(|&i| i as usize)
            .filter(|&i| i < self.trips.len())
    }

    fn published_index(&self) -> &Published {
        self.published.0.get_or_init(|| Published::new(&self.trips))
    }

    /// Makes the index of publishable calls now rather than on first read.
    pub fn index_published(&self) {
        self.published_index();
    }

    /// The [`publishable`] calls of `trips[trip]` (empty for a position out of range).
    pub fn published(&self, trip: usize) -> &[StopPrediction] {
        let p = self.published_index();
        match (p.spans.get(trip), p.spans.get(trip + 1)) {
            (Some(&a), Some(&b)) => &p.calls[a as usize..b as usize],
            _ => &[],
        }
    }

    /// The [`publishable`] calls of every trip at `stop`, with the trip's position in `trips`,
    /// in the order of `trips`.
    pub fn published_at(&self, stop: StopIdx) -> impl Iterator<Item = (usize, &StopPrediction)> {
        let p = self.published_index();
        let start = p.by_stop.partition_point(|&(s, _, _)| s < stop);
        p.by_stop[start..]
            .iter()
            .take_while(move |&&(s, _, _)| s == stop)
            .map(|&(_, trip, i)| (trip as usize, &p.calls[i as usize]))
    }
}

/// The calls of a prediction as they may be published: in stop_sequence order without
/// repeats; no times for skipped calls and calls based on the timetable; times strictly
/// increasing from call to call and departure never before arrival (a safety net: the engine
/// should already produce them so).
pub fn publishable(stops: &[StopPrediction]) -> Vec<StopPrediction> {
    let mut out = stops.to_vec();
    out.sort_by_key(|s| s.stop_sequence);
    out.dedup_by_key(|s| s.stop_sequence);
    let mut last: Option<i64> = None;
    for sp in &mut out {
        if sp.skipped || sp.basis == Basis::Scheduled {
            sp.arrival = None;
            sp.departure = None;
            continue;
        }
        let floor = last.map(|t| t + 1);
        sp.arrival = sp.arrival.map(|a| floor.map_or(a, |f| a.max(f)));
        let floor = sp.arrival.or(floor);
        sp.departure = sp.departure.map(|d| floor.map_or(d, |f| d.max(f)));
        last = sp.departure.or(sp.arrival).or(last);
    }
    out
}

/// What a trip instance's times are based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// A vehicle is on this trip now: predicted from its position.
    Realtime,
    /// A vehicle will run this trip after its current one (same block): its delay carried on.
    Propagated,
    /// No live information: the timetable.
    Scheduled,
    /// Taken from the agency's own TripUpdates.
    Agency,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TripStatus {
    /// Predicted from a tracked vehicle (on this trip, or on the previous trip of its block).
    Live,
    /// The agency cancelled the trip.
    Cancelled,
}

#[derive(Debug, Clone)]
pub struct TripPrediction {
    pub instance: TripInstance,
    pub status: TripStatus,
    /// Index into [`FeedSnapshot::vehicles`] of the vehicle running (or due to run) it.
    pub vehicle: Option<u32>,
    /// Time of the data the prediction comes from (the vehicle's last position).
    pub data_time: i64,
    /// Delay at the vehicle's last position, seconds (positive: late).
    pub delay: Option<i32>,
    /// Downstream calls, in stop_sequence order. Calls already made are left out.
    pub stops: Vec<StopPrediction>,
}

impl TripPrediction {
    /// The prediction for one call, by its index in `Schedule::stop_times`.
    pub fn stop(&self, stop_time: u32) -> Option<&StopPrediction> {
        self.stops.iter().find(|s| s.stop_time == stop_time)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StopPrediction {
    /// Index into `Schedule::stop_times`.
    pub stop_time: u32,
    pub stop: StopIdx,
    pub stop_sequence: u32,
    /// Unix seconds. `None` for a skipped stop.
    pub arrival: Option<i64>,
    pub departure: Option<i64>,
    pub basis: Basis,
    /// One standard deviation of the arrival error, seconds.
    pub uncertainty: u32,
    /// The agency says the vehicle will not stop here.
    pub skipped: bool,
}

/// A vehicle as riders and other software see it.
#[derive(Debug, Clone)]
pub struct VehicleView {
    pub id: String,
    pub label: Option<String>,
    pub position: LatLon,
    pub bearing: Option<f32>,
    /// Metres per second.
    pub speed: Option<f32>,
    /// The vehicle's own timestamp of this position (unix seconds).
    pub timestamp: i64,
    pub trip: Option<TripInstance>,
    pub route: Option<RouteIdx>,
    /// Index into `Schedule::stop_times` of the next call, and whether it is at that stop now.
    pub next_stop_time: Option<u32>,
    pub at_stop: bool,
    /// Metres along the trip's shape.
    pub progress_m: Option<f64>,
    pub off_route: bool,
    pub stuck: bool,
    /// Waiting at a terminal before its trip starts.
    pub layover: bool,
}
