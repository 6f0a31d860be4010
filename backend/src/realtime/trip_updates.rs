//! The agency's own TripUpdates: cancelled trips, skipped stops and the times it predicts,
//! resolved to our trip instances. The prediction step merges them with ours: the agency's
//! word wins where it speaks, our predictions fill in what it leaves out.

use rustc_hash::FxHashMap;

use super::TripInstance;
use super::tracker::TripHint;
use crate::schedule::time::service_day_start;
use crate::schedule::{Schedule, TripIdx};

/// What the agency says about one call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallUpdate {
    /// Index within the trip's stop times.
    pub call: usize,
    pub arrival: Option<i64>,
    pub departure: Option<i64>,
    pub skipped: bool,
    /// Seconds, from the update's `uncertainty`.
    pub uncertainty: Option<u32>,
}

/// One trip instance's update.
#[derive(Debug, Clone, PartialEq)]
pub struct AgencyTrip {
    pub instance: TripInstance,
    pub canceled: bool,
    pub vehicle_id: Option<String>,
    /// The update's timestamp (or the message's).
    pub timestamp: i64,
    /// Trip-level delay, applied to calls before the first stop update... and after, when no
    /// stop update says otherwise.
    pub delay: Option<i32>,
    /// Sorted by call; delays already propagated downstream as the spec says.
    pub calls: Vec<CallUpdate>,
}

/// The latest TripUpdates per source.
#[derive(Debug, Default)]
pub struct AgencyUpdates {
    by_source: FxHashMap<String, Vec<AgencyTrip>>,
}

impl AgencyUpdates {
    /// Replaces what `source` said (GTFS-Realtime feeds are full datasets).
    pub fn replace(&mut self, source: &str, trips: Vec<AgencyTrip>) {
        if trips.is_empty() {
            self.by_source.remove(source);
        } else {
            self.by_source.insert(source.to_owned(), trips);
        }
    }

    /// Every current update, freshest last, for trips of `schedule` that are younger than
    /// `max_age` seconds at `now`.
    pub fn for_feed<'a>(
        &'a self,
        sources: impl Fn(&str) -> bool + 'a,
        now: i64,
        max_age: i64,
    ) -> impl Iterator<Item = &'a AgencyTrip> + 'a {
        self.by_source
            .iter()
            .filter(move |(s, _)| sources(s))
            .flat_map(|(_, trips)| trips.iter())
            .filter(move |t| now - t.timestamp <= max_age)
    }
}

/// Resolves one TripUpdate to a trip instance and its call updates; `None` when the trip is
/// not in the schedule (the validator reports E003).
pub fn resolve(
    schedule: &Schedule,
    update: &gtfs_rt::TripUpdate,
    hint: &TripHint,
    header_time: i64,
) -> Option<AgencyTrip> {
    use gtfs_rt::trip_update::stop_time_update::ScheduleRelationship as Stu;
    let trip = schedule.trip_by_id(hint.trip_id.as_deref()?)?;
    if !schedule.trip(trip).usable {
        return None;
    }
    let timestamp = update
        .timestamp
        .and_then(|t| i64::try_from(t).ok())
        .filter(|&t| t > 0)
        .unwrap_or(header_time);
    let (instance, origin) = instance_of(schedule, trip, hint, timestamp)?;
    let stops = schedule.trip_stop_times(trip);
    let mut calls: Vec<CallUpdate> = Vec::new();
    let mut cursor = 0;
    for stu in &update.stop_time_update {
        let call = match (stu.stop_sequence, stu.stop_id.as_deref()) {
            (Some(seq), _) => stops.iter().position(|st| st.stop_sequence == seq),
            (None, Some(stop_id)) => stops[cursor..]
                .iter()
                .position(|st| &*schedule.stop(st.stop).id == stop_id)
                .map(|i| i + cursor),
            (None, None) => None,
        };
        let Some(call) = call else { continue };
        cursor = call;
        let st = &stops[call];
        let skipped = stu.schedule_relationship == Some(Stu::Skipped as i32);
        let no_data = stu.schedule_relationship == Some(Stu::NoData as i32);
        let time = |ev: &Option<gtfs_rt::trip_update::StopTimeEvent>, sched: u32| {
            let ev = ev.as_ref()?;
            ev.time
                .filter(|&t| t > 0)
                .or_else(|| ev.delay.map(|d| origin + i64::from(sched) + i64::from(d)))
        };
        let arrival = time(&stu.arrival, st.arrival);
        let departure = time(&stu.departure, st.departure);
        let uncertainty = stu
            .arrival
            .as_ref()
            .and_then(|e| e.uncertainty)
            .and_then(|u| u32::try_from(u).ok());
        calls.push(CallUpdate {
            call,
            arrival: if no_data { None } else { arrival.or(departure) },
            departure: if no_data { None } else { departure.or(arrival) },
            skipped,
            uncertainty,
        });
    }
    calls.sort_by_key(|c| c.call);
    calls.dedup_by_key(|c| c.call);
    let canceled = hint.canceled;
    Some(AgencyTrip {
        instance,
        canceled,
        vehicle_id: update
            .vehicle
            .as_ref()
            .and_then(|v| v.id.clone())
            .filter(|s| !s.is_empty()),
        timestamp,
        delay: update.delay,
        calls: propagate(schedule, trip, origin, update.delay, &calls),
    })
}

/// Fills the calls after each update with its delay (the spec's propagation), up to the next
/// update. Calls the agency never reaches stay out (our predictions fill them).
fn propagate(
    schedule: &Schedule,
    trip: TripIdx,
    origin: i64,
    trip_delay: Option<i32>,
    updates: &[CallUpdate],
) -> Vec<CallUpdate> {
    let stops = schedule.trip_stop_times(trip);
    let mut out = Vec::with_capacity(stops.len());
    let first = updates.first().map_or(stops.len(), |u| u.call);
    if updates.is_empty()
        && let Some(d) = trip_delay
    {
        for (i, st) in stops.iter().enumerate() {
            out.push(CallUpdate {
                call: i,
                arrival: Some(origin + i64::from(st.arrival) + i64::from(d)),
                departure: Some(origin + i64::from(st.departure) + i64::from(d)),
                skipped: false,
                uncertainty: None,
            });
        }
        return out;
    }
    let mut delay: Option<i64> = None;
    let mut next = updates.iter().peekable();
    for (i, st) in stops.iter().enumerate().skip(first) {
        let sched_arr = origin + i64::from(st.arrival);
        let sched_dep = origin + i64::from(st.departure);
        if let Some(u) = next.next_if(|u| u.call == i) {
            if !u.skipped {
                delay = u
                    .departure
                    .map(|d| d - sched_dep)
                    .or(u.arrival.map(|a| a - sched_arr));
            }
            out.push(*u);
        } else if let Some(d) = delay {
            out.push(CallUpdate {
                call: i,
                arrival: Some(sched_arr + d),
                departure: Some(sched_dep + d),
                skipped: false,
                uncertainty: None,
            });
        }
    }
    out
}

/// The instance a TripDescriptor means, and the unix time its stop times count from.
fn instance_of(
    schedule: &Schedule,
    trip: TripIdx,
    hint: &TripHint,
    t: i64,
) -> Option<(TripInstance, i64)> {
    let stops = schedule.trip_stop_times(trip);
    let first = stops.first()?;
    let dates = match hint.start_date {
        Some(d) => vec![d],
        None => schedule
            .service_dates_touching(t - 6 * 3600, t + 6 * 3600)
            .into_iter()
            .filter(|&d| schedule.service_active(schedule.trip(trip).service, d))
            .collect(),
    };
    // Without start_date, the service day whose run is nearest in time.
    let date = dates.into_iter().min_by_key(|&d| {
        let day = service_day_start(d, &schedule.timezone);
        let start = day + i64::from(hint.start_time.unwrap_or(first.departure));
        let end = day + i64::from(stops[stops.len() - 1].arrival);
        if t < start {
            start - t
        } else if t > end {
            t - end
        } else {
            0
        }
    })?;
    let day = service_day_start(date, &schedule.timezone);
    let frequency_based = schedule.trip(trip).is_frequency_based();
    let (start, origin) = match (frequency_based, hint.start_time) {
        (true, Some(s)) => (Some(s), day + i64::from(s) - i64::from(first.departure)),
        (true, None) => return None,
        (false, _) => (None, day),
    };
    Some((
        TripInstance {
            trip,
            service_date: date,
            start,
        },
        origin,
    ))
}
