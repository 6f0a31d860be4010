//! How one bus runs one trip instance: when it shows up at the first stop, when it arrives at
//! and leaves every stop, and where along the shape it is at any instant in between.
//!
//! A [`Plan`] is computed once per trip instance from the timetable and hashed randomness
//! ([`super::hash`]), so the bus's progress is a pure function of time:
//! - a *personality* per instance: most buses leave the first stop 0–3 min late, some up to
//!   10 min late; a few drivers run ahead (1–3 min early), but no bus leaves the first stop
//!   or a timepoint before its time;
//! - running time per segment: the timetable's, scaled by traffic by time of day (slower in the
//!   07–09 and 16–19 peaks, faster at night), by the day, by the driver's pace, by per-segment
//!   noise, plus an occasional hold-up (lights, a jam);
//! - dwell: 10–40 s at ordinary stops (some are passed when nobody waits), longer at busy
//!   stops, a layover at the first stop and a short stand at the last;
//! - motion between stops with acceleration and braking, not constant speed.

use crate::schedule::{Boarding, StopTime};

use super::hash::{Draws, Topic};

/// A bus never drives faster than this between stops (80 km/h): timetables with too little
/// running time are stretched to it.
const MAX_SPEED_MPS: f64 = 22.0;
/// Longest start delay of a personality, in seconds.
const MAX_START_DELAY: i64 = 600;
/// Least layover between two trips of a block.
const TURNAROUND: i64 = 120;
/// A late previous trip delays the next trip of the block by at most this much (beyond the
/// trip's own delay); feeds whose block trips overlap would otherwise delay a bus without end.
const MAX_PROPAGATED: i64 = 3600;
/// A block's bus stays on the feed between two trips when the layover is at most this long;
/// after a longer break it leaves the feed and comes back a few minutes before its next trip.
pub(super) const SHOW_LAYOVER_MAX: i64 = 1200;
/// Upper bounds of the random terms, for [`reach`]. Running times are at most this many times
/// the timetable's (traffic × day × pace × noise is at most 1.14 × 1.06 × 1.05 × 1.14 ≈ 1.45).
const MAX_RUN_FACTOR: f64 = 1.5;
/// One hold-up lasts at most this long; one trip's add up to at most `MAX_HOLD_UPS`.
const MAX_HOLD_UP: f64 = 90.0;
const MAX_HOLD_UPS: f64 = 240.0;
const MAX_DWELL: i64 = 40;
const MAX_BUSY_DWELL: i64 = 70;
const MAX_TERMINAL_DWELL: i64 = 60;
/// Seconds a bus takes to reach cruising speed from a stop, and to brake into one.
const RAMP_S: f64 = 15.0;

/// Share of trip instances whose driver runs ahead of the timetable.
const EARLY_SHARE: f64 = 0.07;
/// Share of trip instances that leave the first stop 3–10 min late.
const LATE_SHARE: f64 = 0.15;
/// Chance that a bus passes an ordinary stop without stopping.
const SKIP_SHARE: f64 = 0.2;
/// Chance of a hold-up (20–90 s) on a segment.
const HOLD_UP_SHARE: f64 = 0.04;

/// The driver and the circumstances of one trip instance.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Personality {
    /// Seconds late leaving the first stop (never early: an early bus waits there).
    start_delay: i64,
    /// Running times are multiplied by it: below 1 runs ahead of the timetable.
    pace: f64,
    /// The most the driver runs ahead of the timetable, in seconds.
    max_early: i64,
    /// How long before leaving the bus shows up at the first stop.
    lead: i64,
    /// How long the bus stands at the last stop before leaving the feed.
    terminal_dwell: i64,
}

impl Personality {
    fn draw(d: &mut Draws) -> Self {
        let kind = d.unit();
        let terminal_dwell = d.secs(20, MAX_TERMINAL_DWELL);
        if kind < EARLY_SHARE {
            Personality {
                start_delay: 0,
                pace: d.range(0.82, 0.90),
                max_early: d.secs(60, 180),
                lead: d.secs(240, 600),
                terminal_dwell,
            }
        } else if kind < 1.0 - LATE_SHARE {
            Personality {
                // Skewed towards on time: half leave within 35 s.
                start_delay: (d.unit().powf(1.5) * 180.0) as i64,
                // Timetables have a little slack: the typical bus keeps to them.
                pace: d.range(0.92, 1.02),
                max_early: d.secs(30, 60),
                lead: d.secs(180, 420),
                terminal_dwell,
            }
        } else {
            Personality {
                start_delay: d.secs(180, MAX_START_DELAY),
                pace: d.range(0.97, 1.05),
                max_early: 30,
                lead: d.secs(60, 300),
                terminal_dwell,
            }
        }
    }
}

/// Traffic by local time of day (hours, 0–24): running times are multiplied by it.
pub(super) fn traffic(hour: f64) -> f64 {
    1.0 + 0.10 * plateau(hour, 7.0, 9.0, 0.75) + 0.14 * plateau(hour, 16.0, 19.0, 0.75)
        - 0.10 * (1.0 - plateau(hour, 6.0, 20.5, 1.0))
}

/// 1 on `[start, end]`, 0 farther than `ramp` hours outside, linear in between.
fn plateau(h: f64, start: f64, end: f64, ramp: f64) -> f64 {
    if h < start {
        (1.0 - (start - h) / ramp).max(0.0)
    } else if h > end {
        (1.0 - (h - end) / ramp).max(0.0)
    } else {
        1.0
    }
}

/// One trip instance's timetable, as the plan reads it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Timetable<'a> {
    pub stop_times: &'a [StopTime],
    /// Unix seconds = a stop time's seconds + `offset` (the service day's start, plus for a
    /// frequency-based instance its shift from the template trip).
    pub offset: i64,
    /// Start of the service day: local time of day for the traffic model.
    pub day_start: i64,
    /// Per stop (by `StopIdx`): riders board and alight there in numbers.
    pub busy: &'a [bool],
    /// Traffic on this day compared with a usual day.
    pub day_factor: f64,
}

/// One call as simulated. Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Call {
    pub arrive: i64,
    pub depart: i64,
    /// `false` when the bus passes without stopping.
    pub stops: bool,
}

/// One trip instance as the bus runs it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Plan {
    /// One per stop time; the first call's `arrive` is when the bus shows up there.
    pub calls: Box<[Call]>,
    /// The bus is on the feed, for this trip, during `[visible_from, visible_to)`.
    pub visible_from: i64,
    pub visible_to: i64,
}

/// Where the bus is and what it does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Motion {
    /// Metres along the shape.
    pub along_m: f64,
    pub speed_mps: f64,
    /// The call (index into the trip's stop times) the bus stands at or drives to.
    pub call: usize,
    pub stopped: bool,
}

/// How many seconds after its scheduled first departure a trip instance can still be on the
/// feed, whatever the draws (the run index relies on it): the scheduled duration plus the most
/// lateness each step of [`Plan::compute`] can add. `in_block`: a late previous trip can delay
/// it.
pub(super) fn reach(stop_times: &[StopTime], busy: &[bool], in_block: bool) -> i64 {
    let (Some(first), Some(last)) = (stop_times.first(), stop_times.last()) else {
        return 0;
    };
    let mut late = MAX_START_DELAY + MAX_HOLD_UPS.ceil() as i64;
    if in_block {
        late += MAX_PROPAGATED;
    }
    let n = stop_times.len();
    for (k, w) in stop_times.windows(2).enumerate() {
        let (a, b) = (&w[0], &w[1]);
        let scheduled = i64::from(b.arrival) - i64::from(a.departure);
        // +1: rounding.
        let longest = (base_running_time(a, b) * MAX_RUN_FACTOR).ceil() as i64 + 1;
        late += (longest - scheduled).max(0);
        if k + 2 < n {
            let dwell = if busy.get(b.stop.index()).copied().unwrap_or(false) {
                MAX_BUSY_DWELL
            } else {
                MAX_DWELL
            };
            late += dwell + (i64::from(b.arrival) - i64::from(b.departure)).max(0);
        }
    }
    i64::from(last.arrival) - i64::from(first.departure) + late + MAX_TERMINAL_DWELL
}

/// The timetable's running time from `a` to `b`, at least the distance at top speed.
fn base_running_time(a: &StopTime, b: &StopTime) -> f64 {
    let scheduled = f64::from(b.arrival) - f64::from(a.departure);
    let distance = f64::from(b.dist_m - a.dist_m).max(0.0);
    scheduled.max(distance / MAX_SPEED_MPS).max(0.0)
}

impl Plan {
    /// Plans one trip instance. `instance` identifies it for the draws; `previous_end` is when
    /// the same vehicle finished its previous trip of the block, if it has one today.
    pub(super) fn compute(
        seed: u64,
        instance: &[u64; 3],
        tt: &Timetable<'_>,
        previous_end: Option<i64>,
    ) -> Plan {
        let sts = tt.stop_times;
        let n = sts.len();
        let mut calls = Vec::with_capacity(n);
        let Some(first) = sts.first() else {
            return Plan {
                calls: Box::new([]),
                visible_from: 0,
                visible_to: 0,
            };
        };
        let p = Personality::draw(&mut Draws::new(seed, Topic::Personality, instance));
        let sched = |secs: u32| i64::from(secs) + tt.offset;

        let own = sched(first.departure) + p.start_delay;
        let depart0 = match previous_end {
            Some(end) => own.max((end + TURNAROUND).min(own + MAX_PROPAGATED)),
            None => own,
        };
        let visible_from = match previous_end {
            Some(end) if depart0 - end <= SHOW_LAYOVER_MAX => end.min(depart0),
            _ => depart0 - p.lead,
        };
        calls.push(Call {
            arrive: visible_from,
            depart: depart0,
            stops: true,
        });

        let mut t = depart0;
        let mut hold_ups = 0.0;
        for k in 1..n {
            let (a, b) = (&sts[k - 1], &sts[k]);
            let [h, day, start] = *instance;
            let mut seg = Draws::new(seed, Topic::Segment, &[h, day, start, k as u64]);
            let noise = 0.86 + 0.28 * (seg.unit() + seg.unit()) / 2.0;
            let mut hold_up = 0.0;
            if seg.unit() < HOLD_UP_SHARE {
                hold_up = seg.range(20.0, MAX_HOLD_UP);
                if hold_ups + hold_up > MAX_HOLD_UPS {
                    hold_up = 0.0;
                }
                hold_ups += hold_up;
            }
            let hour = (t - tt.day_start).rem_euclid(86_400) as f64 / 3600.0;
            let factor = (traffic(hour) * tt.day_factor * p.pace * noise).min(MAX_RUN_FACTOR);
            let run = base_running_time(a, b) * factor + hold_up;
            // A driver ahead of time eases off rather than run further ahead.
            let arrive = (t + run.round() as i64).max(sched(b.arrival) - p.max_early);
            if k + 1 == n {
                calls.push(Call {
                    arrive,
                    depart: arrive,
                    stops: true,
                });
                break;
            }
            let mut stop = Draws::new(seed, Topic::Stop, &[h, day, start, k as u64]);
            let busy = tt.busy.get(b.stop.index()).copied().unwrap_or(false);
            let serves = b.pickup != Boarding::None || b.drop_off != Boarding::None;
            let passes = !serves || (!b.timepoint && !busy && stop.unit() < SKIP_SHARE);
            let dwell = if passes {
                0
            } else if busy {
                stop.secs(25, MAX_BUSY_DWELL)
            } else {
                stop.secs(10, MAX_DWELL)
            };
            let mut depart = arrive + dwell;
            if b.timepoint {
                // Timepoints: an early bus waits for its time.
                depart = depart.max(sched(b.departure));
            }
            depart = depart.max(sched(b.departure) - p.max_early);
            calls.push(Call {
                arrive,
                depart,
                stops: depart > arrive,
            });
            t = depart;
        }
        let visible_to = calls.last().map_or(t, |c| c.arrive) + p.terminal_dwell;
        Plan {
            calls: calls.into_boxed_slice(),
            visible_from,
            visible_to,
        }
    }

    /// Where the bus is at `at` (unix seconds), given the stops' distances along the shape.
    pub(super) fn motion_at(&self, at: i64, stop_times: &[StopTime]) -> Motion {
        let along = |k: usize| stop_times.get(k).map_or(0.0, |st| f64::from(st.dist_m));
        let standing = |k: usize| Motion {
            along_m: along(k),
            speed_mps: 0.0,
            call: k,
            stopped: true,
        };
        let departed = self.calls.partition_point(|c| c.depart <= at);
        let Some(k) = departed.checked_sub(1) else {
            return standing(0);
        };
        let next = k + 1;
        let Some(to) = self.calls.get(next) else {
            return standing(k);
        };
        if at >= to.arrive {
            return standing(next);
        }
        let from = &self.calls[k];
        let duration = (to.arrive - from.depart) as f64;
        let u = (at - from.depart) as f64 / duration;
        let ramp = |stops: bool| {
            if stops {
                (RAMP_S / duration).min(0.4)
            } else {
                0.0
            }
        };
        let (x, v) = eased(u, ramp(from.stops), ramp(to.stops));
        let length = along(next) - along(k);
        Motion {
            along_m: along(k) + x * length,
            speed_mps: v * length / duration,
            call: next,
            stopped: false,
        }
    }
}

/// A trapezoidal speed profile over a unit of time and distance: accelerate during the first
/// `ra` of the time, cruise, brake during the last `rb`. Returns (distance, speed) at `u`, both
/// relative to the segment's length and mean speed.
fn eased(u: f64, ra: f64, rb: f64) -> (f64, f64) {
    let u = u.clamp(0.0, 1.0);
    let v = 1.0 / (1.0 - ra / 2.0 - rb / 2.0);
    if u < ra {
        (v * u * u / (2.0 * ra), v * u / ra)
    } else if u <= 1.0 - rb {
        (v * (ra / 2.0 + u - ra), v)
    } else {
        let r = 1.0 - u;
        (1.0 - v * r * r / (2.0 * rb), v * r / rb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traffic_is_slow_in_the_peaks_and_fast_at_night() {
        assert!(traffic(8.0) > 1.05);
        assert!(traffic(17.5) > traffic(8.0));
        assert!((traffic(12.0) - 1.0).abs() < 1e-9);
        assert!(traffic(23.0) < 0.95);
        assert!(traffic(3.0) < 0.95);
        // Continuous: no jumps at the ramps' ends.
        for i in 0..2400 {
            let h = f64::from(i) / 100.0;
            assert!((traffic(h) - traffic(h + 0.01)).abs() < 0.01, "{h}");
        }
    }

    #[test]
    fn the_speed_profile_is_monotone_and_ends_at_the_stop() {
        for (ra, rb) in [(0.2, 0.2), (0.0, 0.3), (0.4, 0.0), (0.0, 0.0)] {
            let mut last = 0.0;
            for i in 0..=100 {
                let (x, v) = eased(f64::from(i) / 100.0, ra, rb);
                assert!(x >= last - 1e-12 && v >= 0.0, "{ra} {rb} {i}");
                last = x;
            }
            assert!((eased(1.0, ra, rb).0 - 1.0).abs() < 1e-9);
            assert!(eased(0.0, ra, rb).0.abs() < 1e-12);
        }
        // Standing starts and stops: no speed at the ends.
        assert!(eased(0.0, 0.2, 0.2).1.abs() < 1e-12);
        assert!(eased(1.0, 0.2, 0.2).1.abs() < 1e-12);
    }
}
