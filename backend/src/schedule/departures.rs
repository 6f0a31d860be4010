//! Calls at a stop in a window of time: the query behind every departure board.
//!
//! A window in absolute time can touch several service days: at 00:30 on Tuesday, Monday's
//! trips timed `24:30:00` are still running. We look at every service day whose times can
//! reach into the window (the day's start ≤ window end, and start + the feed's latest time ≥
//! window start), binary-search the stop's departures sorted by time of day, and keep those
//! whose service runs that day. Frequency-based trips are expanded from their windows.

use jiff::Span as Days;
use jiff::civil::Date;

use super::time::{local_date, service_day_start};
use super::{Boarding, Schedule, StopIdx, TripIdx};

/// One call of one trip instance at a stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call {
    pub trip: TripIdx,
    /// Index into [`Schedule::stop_times`].
    pub stop_time: u32,
    pub service_date: Date,
    /// Unix seconds.
    pub arrival: i64,
    pub departure: i64,
    /// Frequency-based trips: index into [`Schedule::frequencies`] of the window this instance
    /// comes from, and the instance's start time (seconds since service-day start).
    pub frequency: Option<(u32, u32)>,
}

impl Schedule {
    /// Service dates whose trips can have calls in `[from, to)` (unix seconds).
    pub fn service_dates_touching(&self, from: i64, to: i64) -> Vec<Date> {
        let reach = i64::from(self.max_time_of_day());
        // Local dates around the window, one day of margin for days that do not start at
        // midnight (noon − 12 h on daylight-saving days).
        let first = local_date(from - reach, &self.timezone)
            .checked_sub(Days::new().days(1))
            .unwrap_or(Date::MIN);
        let last = local_date(to, &self.timezone)
            .checked_add(Days::new().days(1))
            .unwrap_or(Date::MAX);
        first
            .series(Days::new().days(1))
            .take_while(|d| *d <= last)
            .filter(|d| {
                let start = service_day_start(*d, &self.timezone);
                start < to && start + reach >= from
            })
            .collect()
    }

    /// Every call at `stops` whose departure is in `[from, to)`, sorted by departure time.
    /// Includes calls where riders cannot board (last stop, `pickup_type=1`); see
    /// [`Schedule::departures`] for a rider's board.
    pub fn calls(&self, stops: &[StopIdx], from: i64, to: i64) -> Vec<Call> {
        let mut out = Vec::new();
        if to <= from {
            return out;
        }
        for date in self.service_dates_touching(from, to) {
            let day = service_day_start(date, &self.timezone);
            let lo = u32::try_from((from - day).max(0)).unwrap_or(u32::MAX);
            let hi = u32::try_from((to - day).max(0)).unwrap_or(u32::MAX);
            if lo >= hi {
                continue;
            }
            for &stop in stops {
                self.timetabled_calls(stop, date, day, lo, hi, &mut out);
                self.frequency_calls(stop, date, day, lo, hi, &mut out);
            }
        }
        out.sort_by_key(|c| (c.departure, c.trip, c.stop_time));
        out
    }

    /// Calls at `stops` in `[from, to)` where a rider can board: not the trip's last stop,
    /// and pickup allowed.
    pub fn departures(&self, stops: &[StopIdx], from: i64, to: i64) -> Vec<Call> {
        let mut calls = self.calls(stops, from, to);
        calls.retain(|c| self.can_board(c));
        calls
    }

    /// Whether riders can board at `call`: not the trip's last stop, and pickup allowed.
    pub fn can_board(&self, call: &Call) -> bool {
        match (
            self.stop_times.get(call.stop_time as usize),
            self.trips.get(call.trip.index()),
        ) {
            (Some(st), Some(trip)) => {
                st.pickup != Boarding::None && call.stop_time + 1 < trip.stop_times.end
            }
            _ => false,
        }
    }

    /// The call of one trip instance at one of its stop times: what the board query would
    /// return for it, found from the other side (realtime predictions name trip instances and
    /// stop times, not windows). For a frequency-based trip `start` is the instance's first
    /// departure (seconds since service-day start) and the window is the last one starting at or
    /// before it (the first one if none does: an `exact_times=0` instance may start anywhere).
    /// `None` when `stop_time` is not a call of `trip`, or a frequency-based trip has no `start`.
    pub fn call_of(
        &self,
        trip: TripIdx,
        stop_time: u32,
        service_date: Date,
        start: Option<u32>,
    ) -> Option<Call> {
        let t = self.trips.get(trip.index())?;
        if !(t.stop_times.start..t.stop_times.end).contains(&stop_time) {
            return None;
        }
        let st = self.stop_times.get(stop_time as usize)?;
        let day = service_day_start(service_date, &self.timezone);
        if !t.is_frequency_based() {
            return Some(Call {
                trip,
                stop_time,
                service_date,
                arrival: day + i64::from(st.arrival),
                departure: day + i64::from(st.departure),
                frequency: None,
            });
        }
        let start = start?;
        let windows = t.frequencies.range();
        let window = windows
            .clone()
            .rev()
            .find(|&f| self.frequencies[f].start <= start)
            .unwrap_or(windows.start);
        let first = self.stop_times[t.stop_times.start as usize].departure;
        let dep_offset = st.departure.saturating_sub(first);
        let arr_offset = st.arrival.saturating_sub(first).min(dep_offset);
        Some(Call {
            trip,
            stop_time,
            service_date,
            arrival: day + i64::from(start) + i64::from(arr_offset),
            departure: day + i64::from(start) + i64::from(dep_offset),
            frequency: Some((window as u32, start)),
        })
    }

    /// The runs of `trip` on `date`, by their start: `[None]` for a timetabled trip, each
    /// `start + k·headway` before its window's end for a frequency-based one (seconds since
    /// service-day start); empty when the trip's service does not run on `date`.
    pub fn run_starts(&self, trip: TripIdx, date: Date) -> Vec<Option<u32>> {
        let Some(t) = self.trips.get(trip.index()) else {
            return Vec::new();
        };
        if !self.service_active(t.service, date) {
            return Vec::new();
        }
        if !t.is_frequency_based() {
            return vec![None];
        }
        let mut starts = Vec::new();
        for w in &self.frequencies[t.frequencies.range()] {
            let step = w.headway_secs.max(1) as usize;
            starts.extend((w.start..w.end).step_by(step).map(Some));
        }
        starts
    }

    /// The instances of `trips` under way at `at` (unix seconds): between their scheduled
    /// first departure and last arrival, on every service day that can reach `at`. Each is
    /// `(trip, service date, start)`, `start` being a frequency-based instance's first
    /// departure (seconds since service-day start).
    pub fn running(&self, trips: &[TripIdx], at: i64) -> Vec<(TripIdx, Date, Option<u32>)> {
        let mut out = Vec::new();
        for date in self.service_dates_touching(at, at + 1) {
            let day = service_day_start(date, &self.timezone);
            let Ok(now) = u32::try_from(at - day) else {
                continue;
            };
            for &t in trips {
                let trip = self.trip(t);
                let times = self.trip_stop_times(t);
                let (Some(first), Some(last)) = (times.first(), times.last()) else {
                    continue;
                };
                if !trip.usable || !self.service_active(trip.service, date) {
                    continue;
                }
                let duration = last.arrival.saturating_sub(first.departure);
                if !trip.is_frequency_based() {
                    if (first.departure..=last.arrival).contains(&now) {
                        out.push((t, date, None));
                    }
                    continue;
                }
                // Runs start at w.start + k·headway (< w.end); those started at most
                // `duration` ago are under way.
                for w in self.trip_frequencies(t) {
                    let k0 = now
                        .saturating_sub(duration)
                        .saturating_sub(w.start)
                        .div_ceil(w.headway_secs.max(1));
                    let mut start = w.start + k0 * w.headway_secs;
                    while start < w.end && start <= now {
                        out.push((t, date, Some(start)));
                        start += w.headway_secs.max(1);
                    }
                }
            }
        }
        out
    }

    fn timetabled_calls(
        &self,
        stop: StopIdx,
        date: Date,
        day: i64,
        lo: u32,
        hi: u32,
        out: &mut Vec<Call>,
    ) {
        let visits = self.index.visits.get(stop.index());
        let start = visits.partition_point(|&i| self.stop_times[i as usize].departure < lo);
        for &i in &visits[start..] {
            let st = &self.stop_times[i as usize];
            if st.departure >= hi {
                break;
            }
            if self.service_active(self.trip(st.trip).service, date) {
                out.push(Call {
                    trip: st.trip,
                    stop_time: i,
                    service_date: date,
                    arrival: day + i64::from(st.arrival),
                    departure: day + i64::from(st.departure),
                    frequency: None,
                });
            }
        }
    }

    fn frequency_calls(
        &self,
        stop: StopIdx,
        date: Date,
        day: i64,
        lo: u32,
        hi: u32,
        out: &mut Vec<Call>,
    ) {
        for &i in self.index.frequency_visits.get(stop.index()) {
            let st = &self.stop_times[i as usize];
            let trip = self.trip(st.trip);
            if !self.service_active(trip.service, date) {
                continue;
            }
            // Template times count from the trip's first departure.
            let first = self.stop_times[trip.stop_times.start as usize].departure;
            // (Saturating: a template whose times go backwards is only a warning.)
            let dep_offset = st.departure.saturating_sub(first);
            let arr_offset = st.arrival.saturating_sub(first).min(dep_offset);
            for f in trip.frequencies.range() {
                let w = &self.frequencies[f];
                // Instance k starts at w.start + k·headway (< w.end) and reaches this stop
                // dep_offset later; the first k with a departure ≥ lo:
                let k0 = lo
                    .saturating_sub(w.start + dep_offset)
                    .div_ceil(w.headway_secs);
                let mut start = w.start + k0 * w.headway_secs;
                while start < w.end && start + dep_offset < hi {
                    out.push(Call {
                        trip: st.trip,
                        stop_time: i,
                        service_date: date,
                        arrival: day + i64::from(start + arr_offset),
                        departure: day + i64::from(start + dep_offset),
                        frequency: Some((f as u32, start)),
                    });
                    start += w.headway_secs;
                }
            }
        }
    }
}
