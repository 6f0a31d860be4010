//! What vehicles actually did: observed arrivals and departures at stops, and the travel and
//! dwell times learned from them.
//!
//! For each pair of consecutive stops (a *segment*, keyed by its two stops so that every
//! route running along it pools its observations) we keep the running time from leaving the
//! first stop to arriving at the second: a time-decayed mean of recent runs (today's traffic)
//! and a mean per hour of the day (what usually happens at this time). Per stop we keep the
//! dwell; per route the ratio of observed to scheduled running time (for segments never
//! observed) and how late buses leave their first stop.

use jiff::civil::Date;
use rustc_hash::FxHashMap;

use crate::schedule::time::service_day_start;
use crate::schedule::{FeedId, RouteIdx, Schedule, StopIdx, TripIdx};

/// One observed call: a vehicle of `trip` arrived at (and left) a stop. Persisted by the
/// `store` module so that learning survives a restart.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedCall {
    /// GTFS trip_id (stable across schedule versions, unlike indexes).
    pub trip_id: String,
    pub service_date: Date,
    pub stop_sequence: u32,
    /// GTFS stop_id.
    pub stop_id: String,
    pub vehicle_id: String,
    /// Unix seconds.
    pub arrival: i64,
    pub departure: Option<i64>,
    /// Scheduled arrival (unix seconds), for delay statistics.
    pub scheduled_arrival: i64,
}

/// Half-life of the "recent" means, seconds.
const RECENT_HALF_LIFE_S: f64 = 1800.0;
/// Observed running times outside `ratio` × schedule are glitches, not traffic.
const MAX_RATIO: f64 = 4.0;

/// A mean whose samples lose weight with age.
#[derive(Debug, Clone, Copy, Default)]
pub struct Decaying {
    pub mean: f64,
    /// Sum of weights at `at`.
    pub weight: f64,
    pub var: f64,
    pub at: i64,
}

impl Decaying {
    fn add(&mut self, value: f64, at: i64) {
        let decay = self.decay_to(at);
        let w = self.weight * decay;
        let total = w + 1.0;
        let delta = value - self.mean;
        self.mean += delta / total;
        self.var = (w * (self.var + delta * delta / total)) / total;
        self.weight = total;
        self.at = self.at.max(at);
    }

    fn decay_to(&self, at: i64) -> f64 {
        let age = (at - self.at).max(0) as f64;
        0.5f64.powf(age / RECENT_HALF_LIFE_S)
    }

    /// The weight the samples have at `now`.
    pub fn weight_at(&self, now: i64) -> f64 {
        self.weight * self.decay_to(now)
    }
}

/// Count, mean and variance (Welford), capped so that old days do not freeze the mean.
#[derive(Debug, Clone, Copy, Default)]
pub struct Running {
    pub n: f64,
    pub mean: f64,
    pub m2: f64,
}

const RUNNING_CAP: f64 = 50.0;

impl Running {
    fn add(&mut self, x: f64) {
        self.n = (self.n + 1.0).min(RUNNING_CAP);
        let d = x - self.mean;
        self.mean += d / self.n;
        self.m2 += d * (x - self.mean);
        if self.n >= RUNNING_CAP {
            self.m2 *= (RUNNING_CAP - 1.0) / RUNNING_CAP;
        }
    }

    pub fn var(&self) -> f64 {
        if self.n > 1.0 {
            self.m2 / (self.n - 1.0)
        } else {
            0.0
        }
    }
}

/// Running times of one segment.
#[derive(Debug, Clone, Default)]
pub struct Segment {
    pub recent: Decaying,
    pub by_hour: Box<[Running; 24]>,
}

#[derive(Debug, Clone, Copy)]
struct LastCall {
    trip: TripIdx,
    index: u32,
    arrival: i64,
    departure: Option<i64>,
}

/// What one feed's vehicles taught us.
#[derive(Debug, Clone, Default)]
pub struct FeedHistory {
    pub segments: FxHashMap<(StopIdx, StopIdx), Segment>,
    pub dwell: FxHashMap<StopIdx, Decaying>,
    /// Dwell at any stop: the prior for stops without their own.
    pub dwell_all: Decaying,
    /// Observed / scheduled running time, per route.
    pub route_ratio: FxHashMap<RouteIdx, Decaying>,
    /// How late buses leave their first stop (seconds), per route.
    pub terminal_delay: FxHashMap<RouteIdx, Decaying>,
    /// The previous observed call of each trip instance, to pair with the next.
    last: FxHashMap<(TripIdx, Date), LastCall>,
    /// Schedule version these indexes refer to.
    version: String,
    pub observations: u64,
}

/// Travel and dwell times learned from observed calls, per feed.
#[derive(Debug, Clone, Default)]
pub struct History {
    feeds: FxHashMap<FeedId, FeedHistory>,
}

impl History {
    pub fn feed(&self, feed: &FeedId) -> Option<&FeedHistory> {
        self.feeds.get(feed)
    }

    /// Observations learned so far, all feeds.
    pub fn observations(&self) -> u64 {
        self.feeds.values().map(|f| f.observations).sum()
    }

    /// Takes every feed `other` knows, replacing what was known of it here.
    pub fn replace_feeds(&mut self, other: History) {
        self.feeds.extend(other.feeds);
    }

    /// Learns from calls observed on `schedule`'s trips (in time order per trip).
    pub fn learn(&mut self, schedule: &Schedule, calls: &[ObservedCall]) {
        let feed = self.feeds.entry(schedule.feed_id.clone()).or_default();
        if feed.version != schedule.version {
            // Indexes of another schedule version mean nothing here: start over (the store
            // keeps the raw observations, keyed by GTFS ids, to relearn from).
            *feed = FeedHistory {
                version: schedule.version.clone(),
                ..FeedHistory::default()
            };
        }
        for call in calls {
            feed.learn(schedule, call);
        }
    }
}

impl FeedHistory {
    fn learn(&mut self, schedule: &Schedule, call: &ObservedCall) {
        let Some(trip) = schedule.trip_by_id(&call.trip_id) else {
            return;
        };
        let stops = schedule.trip_stop_times(trip);
        let Some(index) = stops
            .iter()
            .position(|st| st.stop_sequence == call.stop_sequence)
        else {
            return;
        };
        let route = schedule.trip(trip).route;
        let st = &stops[index];
        let origin = call.scheduled_arrival - i64::from(st.arrival);
        let hour = hour_of(schedule, call.service_date, call.arrival);
        self.observations += 1;
        if index == 0 {
            if let Some(dep) = call.departure {
                let late = (dep - (origin + i64::from(st.departure))) as f64;
                if late.abs() < 3600.0 {
                    self.terminal_delay.entry(route).or_default().add(late, dep);
                }
            }
        } else if let Some(dep) = call.departure
            && index + 1 < stops.len()
        {
            let dwell = (dep - call.arrival) as f64;
            if (0.0..1800.0).contains(&dwell) {
                self.dwell.entry(st.stop).or_default().add(dwell, dep);
                self.dwell_all.add(dwell, dep);
            }
        }
        let key = (trip, call.service_date);
        if let Some(prev) = self.last.get(&key).copied()
            && prev.trip == trip
            && prev.index as usize + 1 == index
        {
            // Running time of a segment: from arriving at its first stop (leaving, for a
            // trip's first stop) to arriving at the next, dwell included.
            let from = &stops[index - 1];
            let (left, scheduled_from) = if index == 1 {
                (prev.departure, from.departure)
            } else {
                (Some(prev.arrival), from.arrival)
            };
            if let Some(left) = left {
                let run = (call.arrival - left) as f64;
                let scheduled = f64::from(st.arrival.saturating_sub(scheduled_from));
                let plausible = run >= 0.0
                    && (scheduled < 30.0 || run <= scheduled * MAX_RATIO + 120.0)
                    && run < 3600.0;
                if plausible {
                    let seg = self.segments.entry((from.stop, st.stop)).or_default();
                    seg.recent.add(run, call.arrival);
                    seg.by_hour[hour].add(run);
                    if scheduled >= 30.0 {
                        self.route_ratio
                            .entry(route)
                            .or_default()
                            .add((run / scheduled).clamp(0.25, MAX_RATIO), call.arrival);
                    }
                }
            }
        }
        self.last.insert(
            key,
            LastCall {
                trip,
                index: index as u32,
                arrival: call.arrival,
                departure: call.departure,
            },
        );
        // Forget instances finished long ago.
        if self.last.len() > 20_000 {
            let cutoff = call.arrival - 6 * 3600;
            self.last
                .retain(|k, _| service_day_start(k.1, &schedule.timezone) + 30 * 3600 > cutoff);
        }
    }
}

/// Hour of the service day (0–23, times past 24:00 wrap) of an instant.
pub fn hour_of(schedule: &Schedule, date: Date, t: i64) -> usize {
    let day = service_day_start(date, &schedule.timezone);
    (((t - day).max(0) / 3600) % 24) as usize
}
