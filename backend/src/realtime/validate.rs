//! GTFS-Realtime validator rules, checked against the schedule the feed refers to.
//!
//! Codes are those of the GTFS-Realtime validator (MobilityData / CUTR `RULES.md`; E050 as
//! transitland-lib numbers it), so an operator can look each one up. Our [`Level`] says what the
//! engine does with the data, which is not always the rule's name: `Error` means the entity
//! (or, without an entity, the whole message) is not used; `Warning` means it is used.
//!
//! | code | what | level |
//! |------|------|-------|
//! | E001 | a time is not POSIX seconds (milliseconds, or before 1990) | error (header: message) |
//! | E002 | stop_time_updates not sorted by stop_sequence / trip order | error |
//! | E003 | trip_id not in GTFS (and not `ADDED`/`NEW`) | error |
//! | E004 | route_id not in GTFS | error |
//! | E006 | frequency-based (exact_times=0) trip update without start_time/start_date | error |
//! | E009 | no stop_sequence for a stop the trip visits twice | error |
//! | E011 | stop_id not in GTFS | error |
//! | E012 | an entity timestamp is later than the header's | warning |
//! | E015 | stop_id is a station, entrance or node, not a stop | error |
//! | E016 | `ADDED` trip_id exists in GTFS | warning |
//! | E018 | header timestamp older than the last message accepted from the source (unless that one was in the future) | error (message) |
//! | E019 | exact_times=1 start_time not on the headway grid | warning |
//! | E020 | start_time not `HH:MM:SS` | error |
//! | E021 | start_date not `YYYYMMDD` | error |
//! | E022 | times go backwards between sequential stops (equal times: warning) | error |
//! | E023 | start_time differs from the trip's first GTFS time | warning |
//! | E024 | direction_id differs from GTFS | error |
//! | E025 | departure before arrival at one stop | error |
//! | E026 | latitude/longitude out of range or 0 | error |
//! | E027 | bearing outside 0–360 | warning |
//! | E029 | position more than 100 m from the trip's shape (no DETOUR alert) | warning |
//! | E032, E033 | alert without informed_entity / selector without specifier | error |
//! | E034 | alert agency_id not in GTFS | error |
//! | E035 | trip_id does not belong to route_id | error |
//! | E036 | repeated stop_sequence | error |
//! | E037 | sequential updates for the same stop_id | warning |
//! | E038 | gtfs_realtime_version not 1.0/2.0 | warning |
//! | E039 | is_deleted in a FULL_DATASET message | warning |
//! | E040 | stop_time_update without stop_id and stop_sequence | error |
//! | E041 | trip update without stop_time_updates (not cancelled) | error (warning with `delay`) |
//! | E042 | arrival/departure given for a NO_DATA stop | warning |
//! | E043 | SCHEDULED stop_time_update without arrival and departure | error |
//! | E044 | arrival/departure without time and delay | error |
//! | E045 | stop_sequence and stop_id name different GTFS stop times | error |
//! | E046 | delay-only update for a stop whose GTFS time was left blank | warning |
//! | E048, E049 | header timestamp / incrementality missing (version 2.0) | warning |
//! | E050 | a timestamp more than 60 s in the future (1 h: error; header: message) | warning |
//! | E051 | stop_sequence not in the GTFS trip | error |
//! | E052 | vehicle id repeated in one message | warning |
//! | W001 | timestamp missing | warning |
//! | W002 | vehicle id missing | warning |
//! | W004 | speed above 26 m/s | warning |
//! | W006 | trip update without trip_id | warning |
//! | W008 | header more than 65 s old | warning |
//!
//! Our own codes: `differential` (DIFFERENTIAL messages are not supported: message error),
//! `duplicate_entity_id`, `missing_entity_id`, `empty_entity` (warnings), `stop_not_in_trip`
//! (error).
//!
//! Why some rules are warnings here: E029 is a detour or a GPS glitch, and the tracker flags
//! the vehicle off-route rather than losing it; E022 with *equal* times is minute rounding,
//! common in bus feeds, and harmless; E048/E049 are recoverable (entity timestamps, full
//! dataset assumed); E012, E023, E027, E042 and E046 concern fields the engine does not need.
//!
//! Entities are named in findings by their `id`, or `#N` (0-based position) when it is empty,
//! so [`usable`] can drop exactly the entities that have errors. Within one entity each code is
//! reported once, with a count of further occurrences.

use std::borrow::Cow;

use gtfs_rt::{
    Alert, FeedEntity, FeedMessage, TripDescriptor, TripUpdate, VehiclePosition, alert,
    feed_header, trip_descriptor, trip_update,
};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Finding, Level};
use crate::schedule::{DirectionType, LatLon, LocationType, Schedule, StopTime, TripIdx};

/// E029: farther than this from the trip's shape (transitland-lib's limit; the CUTR validator
/// uses 200 m, which lets the conformance vectors through at 192 m).
pub const MAX_DISTANCE_FROM_SHAPE_M: f64 = 100.0;
/// E050: timestamps this far ahead of our clock are reported…
pub const FUTURE_TOLERANCE_S: i64 = 60;
/// …and this far ahead rejected (a wrong clock or time zone, not skew).
pub const FUTURE_REJECT_S: i64 = 3600;
/// W008: the header is older than this.
pub const STALE_HEADER_S: i64 = 65;
/// W004: faster than this (m/s) is unrealistic for road vehicles.
pub const MAX_REALISTIC_SPEED: f32 = 26.0;
/// `ADDED` trips: deprecated in the spec in favour of `NEW`, still sent by many producers.
#[allow(deprecated)]
const ADDED: i32 = trip_descriptor::ScheduleRelationship::Added as i32;
/// E001: earliest plausible POSIX-seconds time (1990-01-01).
const MIN_POSIX: i64 = 631_152_000;
/// E001: from here on a "seconds" value is milliseconds (year 5138 in seconds).
const MAX_POSIX: i64 = 100_000_000_000;

/// Findings for a message; `previous_header` is the header timestamp of the last message
/// accepted from the same source.
pub fn validate(
    message: &FeedMessage,
    schedule: &Schedule,
    now: i64,
    previous_header: Option<u64>,
) -> Vec<Finding> {
    let mut v = Validator {
        schedule,
        now,
        header_ts: None,
        findings: Vec::new(),
        detours: Detours::collect(message),
    };
    v.header(message, previous_header);

    let mut ids: FxHashMap<&str, usize> = FxHashMap::default();
    let mut vehicles: FxHashSet<&str> = FxHashSet::default();
    let full_dataset = message.header.incrementality.unwrap_or(0)
        == feed_header::Incrementality::FullDataset as i32;
    for (i, entity) in message.entity.iter().enumerate() {
        let key = entity_key(entity, i);
        let mut e = EntityFindings::new(key.clone());
        if entity.id.is_empty() {
            e.warn(
                "missing_entity_id",
                format!("entity {key} has no id; give every entity a unique id"),
            );
        } else if let Some(first) = ids.insert(&entity.id, i) {
            e.warn(
                "duplicate_entity_id",
                format!(
                    "entity id {:?} is also used by entity #{first}; ids must be unique in a \
                     message (entities sharing an id are dropped together when one has errors)",
                    entity.id
                ),
            );
        }
        if entity.is_deleted.is_some() && full_dataset {
            e.warn(
                "E039",
                "is_deleted is set in a FULL_DATASET message; leave it out, or send DIFFERENTIAL",
            );
        }
        let mut any = false;
        if let Some(tu) = &entity.trip_update {
            any = true;
            v.trip_update(tu, &mut e);
        }
        if let Some(vp) = &entity.vehicle {
            any = true;
            if let Some(id) = vp.vehicle.as_ref().and_then(|d| d.id.as_deref())
                && !id.is_empty()
                && !vehicles.insert(id)
            {
                e.warn(
                    "E052",
                    format!("vehicle id {id:?} has another position in this message; send one position per vehicle"),
                );
            }
            v.vehicle(vp, &mut e);
        }
        if let Some(alert) = &entity.alert {
            any = true;
            v.alert(alert, &mut e);
        }
        if !any
            && entity.shape.is_none()
            && entity.stop.is_none()
            && entity.trip_modifications.is_none()
            && entity.is_deleted != Some(true)
        {
            e.warn(
                "empty_entity",
                "entity carries no trip_update, vehicle or alert; remove it",
            );
        }
        e.finish(&mut v.findings);
    }
    v.findings
}

/// The message the engine may use: `None` when an error concerns the message as a whole;
/// otherwise the message without the entities that have errors (borrowed when none has).
pub fn usable<'m>(message: &'m FeedMessage, findings: &[Finding]) -> Option<Cow<'m, FeedMessage>> {
    let errors = || findings.iter().filter(|f| f.level == Level::Error);
    if errors().any(|f| f.entity_id.is_none()) {
        return None;
    }
    let rejected: FxHashSet<&str> = errors().filter_map(|f| f.entity_id.as_deref()).collect();
    if rejected.is_empty() {
        return Some(Cow::Borrowed(message));
    }
    let entity = message
        .entity
        .iter()
        .enumerate()
        .filter(|(i, e)| !rejected.contains(entity_key(e, *i).as_ref()))
        .map(|(_, e)| e.clone())
        .collect();
    Some(Cow::Owned(FeedMessage {
        header: message.header.clone(),
        entity,
    }))
}

/// How findings name an entity: its id, or `#N` when it has none.
fn entity_key(entity: &FeedEntity, index: usize) -> Cow<'_, str> {
    if entity.id.is_empty() {
        Cow::Owned(format!("#{index}"))
    } else {
        Cow::Borrowed(&entity.id)
    }
}

/// Findings of one entity, each code once (with a count of repeats).
struct EntityFindings {
    key: String,
    found: Vec<(Finding, usize)>,
}

impl EntityFindings {
    fn new(key: Cow<'_, str>) -> Self {
        EntityFindings {
            key: key.into_owned(),
            found: Vec::new(),
        }
    }

    fn push(&mut self, code: &'static str, level: Level, message: String) {
        if let Some((f, more)) = self.found.iter_mut().find(|(f, _)| f.code == code) {
            *more += 1;
            if level == Level::Error {
                f.level = Level::Error;
            }
            return;
        }
        self.found.push((
            Finding {
                code,
                level,
                entity_id: Some(self.key.clone()),
                message,
            },
            0,
        ));
    }

    fn error(&mut self, code: &'static str, message: impl Into<String>) {
        self.push(code, Level::Error, message.into());
    }

    fn warn(&mut self, code: &'static str, message: impl Into<String>) {
        self.push(code, Level::Warning, message.into());
    }

    fn finish(self, out: &mut Vec<Finding>) {
        for (mut f, more) in self.found {
            if more > 0 {
                f.message
                    .push_str(&format!(" (and {more} more in this entity)"));
            }
            out.push(f);
        }
    }
}

/// Trips and routes with a DETOUR alert in the message: E029 does not apply to them.
#[derive(Default)]
struct Detours<'m> {
    trips: FxHashSet<&'m str>,
    routes: FxHashSet<&'m str>,
}

impl<'m> Detours<'m> {
    fn collect(message: &'m FeedMessage) -> Self {
        let mut d = Detours::default();
        for a in message.entity.iter().filter_map(|e| e.alert.as_ref()) {
            if a.effect != Some(alert::Effect::Detour as i32) {
                continue;
            }
            for s in &a.informed_entity {
                if let Some(t) = s.trip.as_ref().and_then(|t| t.trip_id.as_deref()) {
                    d.trips.insert(t);
                }
                if let Some(r) = s.route_id.as_deref() {
                    d.routes.insert(r);
                }
            }
        }
        d
    }
}

struct Validator<'a> {
    schedule: &'a Schedule,
    now: i64,
    /// The header timestamp, when it is valid POSIX seconds.
    header_ts: Option<i64>,
    findings: Vec<Finding>,
    detours: Detours<'a>,
}

/// Which message a trip descriptor comes from (some rules apply to trip updates only).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    TripUpdate,
    Vehicle,
}

fn is_posix_seconds(t: i64) -> bool {
    (MIN_POSIX..MAX_POSIX).contains(&t)
}

fn describe_bad_time(t: i64) -> String {
    if t >= MAX_POSIX {
        match jiff::Timestamp::from_millisecond(t) {
            Ok(ts) => format!("{t} looks like milliseconds ({ts})"),
            Err(_) => format!("{t} is far too large"),
        }
    } else {
        format!("{t} is before 1990")
    }
}

fn utc(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|ts| ts.to_string())
        .unwrap_or_else(|_| t.to_string())
}

impl<'a> Validator<'a> {
    fn message_finding(&mut self, code: &'static str, level: Level, message: String) {
        self.findings.push(Finding {
            code,
            level,
            entity_id: None,
            message,
        });
    }

    fn header(&mut self, message: &FeedMessage, previous: Option<u64>) {
        let h = &message.header;
        let v2 = h.gtfs_realtime_version.starts_with('2');
        if !matches!(h.gtfs_realtime_version.as_str(), "1.0" | "2.0") {
            self.message_finding(
                "E038",
                Level::Warning,
                format!(
                    "header.gtfs_realtime_version is {:?}; use \"2.0\" (or \"1.0\")",
                    h.gtfs_realtime_version
                ),
            );
        }
        match h.incrementality {
            None if v2 => self.message_finding(
                "E049",
                Level::Warning,
                "header.incrementality is missing; set FULL_DATASET (assumed)".to_owned(),
            ),
            Some(i) if i == feed_header::Incrementality::Differential as i32 => self
                .message_finding(
                    "differential",
                    Level::Error,
                    "DIFFERENTIAL messages are not supported; publish FULL_DATASET messages"
                        .to_owned(),
                ),
            _ => {}
        }
        let Some(raw) = h.timestamp else {
            let (code, what) = if v2 {
                ("E048", "is required from version 2.0")
            } else {
                ("W001", "should be set")
            };
            self.message_finding(
                code,
                Level::Warning,
                format!("header.timestamp is missing: it {what}; set it to when the data was produced, in POSIX seconds"),
            );
            return;
        };
        let t = i64::try_from(raw).unwrap_or(i64::MAX);
        if !is_posix_seconds(t) {
            self.message_finding(
                "E001",
                Level::Error,
                format!(
                    "header.timestamp {}; send POSIX seconds",
                    describe_bad_time(t)
                ),
            );
            return;
        }
        self.header_ts = Some(t);
        let ahead = t - self.now;
        if ahead > FUTURE_TOLERANCE_S {
            let level = if ahead > FUTURE_REJECT_S {
                Level::Error
            } else {
                Level::Warning
            };
            self.message_finding(
                "E050",
                level,
                format!(
                    "header.timestamp {} is {ahead} s ahead of our clock; check the producer's clock and time zone",
                    utc(t)
                ),
            );
        } else if self.now - t > STALE_HEADER_S {
            self.message_finding(
                "W008",
                Level::Warning,
                format!(
                    "header.timestamp {} is {} s old; data should be under a minute old",
                    utc(t),
                    self.now - t
                ),
            );
        }
        // A previous header from the future (a producer's clock that was off, now fixed) is
        // not held against the messages that follow it.
        if let Some(prev) = previous
            && raw < prev
            && i64::try_from(prev).is_ok_and(|p| p - self.now <= FUTURE_TOLERANCE_S)
        {
            self.message_finding(
                "E018",
                Level::Error,
                format!(
                    "header.timestamp {} is older than the last message accepted from this source ({}); \
                     the message is stale (several servers behind a load balancer?)",
                    utc(t),
                    utc(i64::try_from(prev).unwrap_or(i64::MAX))
                ),
            );
        }
    }

    /// E001 / E050 / E012 for an entity's own timestamp; W001 when missing.
    fn entity_timestamp(&self, what: &str, ts: Option<u64>, e: &mut EntityFindings) {
        let Some(raw) = ts else {
            e.warn(
                "W001",
                format!("{what}.timestamp is missing; set it to when this was measured"),
            );
            return;
        };
        let t = i64::try_from(raw).unwrap_or(i64::MAX);
        if !is_posix_seconds(t) {
            e.error(
                "E001",
                format!(
                    "{what}.timestamp {}; send POSIX seconds",
                    describe_bad_time(t)
                ),
            );
            return;
        }
        let ahead = t - self.now;
        if ahead > FUTURE_TOLERANCE_S {
            let msg = format!(
                "{what}.timestamp {} is {ahead} s ahead of our clock; check the producer's clock",
                utc(t)
            );
            if ahead > FUTURE_REJECT_S {
                e.error("E050", msg);
            } else {
                e.warn("E050", msg);
            }
        }
        if let Some(h) = self.header_ts
            && t > h
        {
            e.warn(
                "E012",
                format!(
                    "{what}.timestamp {} is later than header.timestamp {}; the header must be the newest time",
                    utc(t),
                    utc(h)
                ),
            );
        }
    }

    /// Checks a trip descriptor; returns the GTFS trip when it names one.
    fn trip(&self, td: &TripDescriptor, kind: Kind, e: &mut EntityFindings) -> Option<TripIdx> {
        use trip_descriptor::ScheduleRelationship as Sr;
        let s = self.schedule;
        let sr = td.schedule_relationship.and_then(|r| Sr::try_from(r).ok());
        let not_in_gtfs = td.schedule_relationship == Some(ADDED) || sr == Some(Sr::New);
        if let Some(route_id) = td.route_id.as_deref()
            && !route_id.is_empty()
            && s.route_by_id(route_id).is_none()
        {
            e.error(
                "E004",
                format!("route_id {route_id:?} is not in the GTFS routes.txt; use the schedule's route ids"),
            );
        }
        if let Some(start_time) = td.start_time.as_deref()
            && parse_start_time(start_time).is_none()
        {
            e.error(
                "E020",
                format!(
                    "trip.start_time {start_time:?} is not HH:MM:SS (e.g. 08:15:00 or 25:15:00)"
                ),
            );
        }
        if let Some(start_date) = td.start_date.as_deref()
            && parse_start_date(start_date).is_none()
        {
            e.error(
                "E021",
                format!("trip.start_date {start_date:?} is not a YYYYMMDD date (e.g. 20261123)"),
            );
        }
        let trip_id = match td.trip_id.as_deref() {
            Some(t) if !t.is_empty() => t,
            _ => {
                if kind == Kind::TripUpdate {
                    e.warn(
                        "W006",
                        "trip_update.trip has no trip_id; give the GTFS trip_id so the update can be matched",
                    );
                }
                return None;
            }
        };
        let Some(idx) = s.trip_by_id(trip_id) else {
            if !not_in_gtfs {
                e.error(
                    "E003",
                    format!(
                        "trip_id {trip_id:?} is not in the GTFS trips.txt; use the schedule's trip ids \
                         (or schedule_relationship NEW for trips not in the schedule)"
                    ),
                );
            }
            return None;
        };
        if td.schedule_relationship == Some(ADDED) {
            e.warn(
                "E016",
                format!("trip_id {trip_id:?} is ADDED but exists in GTFS; use DUPLICATED to repeat a scheduled trip, or a new trip_id"),
            );
        }
        let trip = s.trip(idx);
        if let Some(dir) = td.direction_id
            && let Some(gtfs_dir) = trip.direction
        {
            let gtfs = match gtfs_dir {
                DirectionType::Outbound => 0,
                DirectionType::Inbound => 1,
            };
            if dir != gtfs {
                e.error(
                    "E024",
                    format!("trip {trip_id:?} has direction_id {gtfs} in GTFS, not {dir}"),
                );
            }
        }
        if let Some(route_id) = td.route_id.as_deref()
            && let Some(r) = s.route_by_id(route_id)
            && r != trip.route
        {
            e.error(
                "E035",
                format!(
                    "trip {trip_id:?} belongs to route {:?} in GTFS, not {route_id:?}",
                    &*s.route(trip.route).id
                ),
            );
        }
        let start = td.start_time.as_deref().and_then(parse_start_time);
        let freqs = s.trip_frequencies(idx);
        if freqs.is_empty() {
            if let (Some(start), Some(first)) = (start, s.trip_stop_times(idx).first())
                && start != first.arrival
                && start != first.departure
            {
                e.warn(
                    "E023",
                    format!(
                        "trip.start_time {} differs from trip {trip_id:?}'s first time {} in GTFS",
                        crate::schedule::time::format_gtfs_time(start),
                        crate::schedule::time::format_gtfs_time(first.arrival)
                    ),
                );
            }
        } else {
            let inexact = freqs.iter().any(|f| !f.exact_times);
            if kind == Kind::TripUpdate
                && inexact
                && (td.start_time.is_none() || td.start_date.is_none())
            {
                e.error(
                    "E006",
                    format!(
                        "trip {trip_id:?} is frequency-based (exact_times=0): give start_time and start_date \
                         to say which run this is"
                    ),
                );
            }
            if let Some(start) = start
                && !inexact
                && !freqs.iter().any(|f| {
                    f.headway_secs > 0
                        && (f.start..f.end).contains(&start)
                        && (start - f.start) % f.headway_secs == 0
                })
            {
                e.warn(
                    "E019",
                    format!(
                        "trip.start_time {} is not a departure of trip {trip_id:?} (frequencies.txt start plus a multiple of headway_secs)",
                        crate::schedule::time::format_gtfs_time(start)
                    ),
                );
            }
        }
        Some(idx)
    }

    /// E011 / E015 for a stop id.
    fn stop_id(&self, what: &str, stop_id: &str, e: &mut EntityFindings) -> bool {
        match self.schedule.stop_by_id(stop_id) {
            None => {
                e.error(
                    "E011",
                    format!("{what} stop_id {stop_id:?} is not in the GTFS stops.txt"),
                );
                false
            }
            Some(stop) => {
                let t = self.schedule.stop(stop).location_type;
                if t != LocationType::StopPoint {
                    e.error(
                        "E015",
                        format!(
                            "{what} stop_id {stop_id:?} is a station, entrance or node ({t:?}); name the stop or platform"
                        ),
                    );
                }
                true
            }
        }
    }

    fn trip_update(&self, tu: &TripUpdate, e: &mut EntityFindings) {
        use trip_descriptor::ScheduleRelationship as Sr;
        use trip_update::stop_time_update::ScheduleRelationship as StuSr;

        let trip = self.trip(&tu.trip, Kind::TripUpdate, e);
        self.entity_timestamp("trip_update", tu.timestamp, e);
        let sr = tu
            .trip
            .schedule_relationship
            .and_then(|r| Sr::try_from(r).ok());
        // A cancelled or deleted trip has no vehicle to name.
        if !matches!(sr, Some(Sr::Canceled | Sr::Deleted))
            && tu
                .vehicle
                .as_ref()
                .and_then(|v| v.id.as_deref())
                .is_none_or(str::is_empty)
        {
            e.warn(
                "W002",
                "trip_update.vehicle.id is missing; say which vehicle runs the trip",
            );
        }
        if matches!(sr, Some(Sr::Canceled | Sr::Deleted)) {
            return;
        }
        if tu.stop_time_update.is_empty() {
            let msg = "trip_update has no stop_time_update; give at least one, or cancel the trip";
            if tu.delay.is_some() {
                e.warn("E041", msg);
            } else {
                e.error("E041", msg);
            }
            return;
        }
        let calls: &[StopTime] = trip.map_or(&[], |t| self.schedule.trip_stop_times(t));
        let trip_id = tu.trip.trip_id.as_deref().unwrap_or_default();

        let mut prev_seq: Option<u32> = None;
        let mut seen_seq: FxHashSet<u32> = FxHashSet::default();
        let mut prev_stop: Option<&str> = None;
        let mut prev_time: Option<i64> = None;
        // Position in `calls` of the previous update, to check the order of updates by stop_id.
        let mut prev_pos: Option<usize> = None;

        for (n, stu) in tu.stop_time_update.iter().enumerate() {
            let at = match (stu.stop_sequence, stu.stop_id.as_deref()) {
                (Some(seq), _) => format!("stop_time_update {n} (stop_sequence {seq})"),
                (None, Some(id)) => format!("stop_time_update {n} (stop {id:?})"),
                (None, None) => format!("stop_time_update {n}"),
            };
            let stop_id = stu.stop_id.as_deref().filter(|s| !s.is_empty());
            if stu.stop_sequence.is_none() && stop_id.is_none() {
                e.error(
                    "E040",
                    format!("{at} has neither stop_id nor stop_sequence; give at least one"),
                );
            }
            let stop_known = stop_id.is_none_or(|id| self.stop_id(&at, id, e));
            let stop_idx = stop_id.and_then(|id| self.schedule.stop_by_id(id));

            // Order and match against the GTFS trip.
            if let Some(seq) = stu.stop_sequence {
                if !seen_seq.insert(seq) {
                    e.error(
                        "E036",
                        format!("{at}: stop_sequence {seq} appears twice; one update per stop"),
                    );
                } else if prev_seq.is_some_and(|p| seq < p) {
                    e.error(
                        "E002",
                        format!(
                            "{at}: stop_sequence {seq} comes after {}; sort stop_time_updates by stop_sequence",
                            prev_seq.unwrap_or_default()
                        ),
                    );
                }
                prev_seq = Some(seq);
            }
            if let Some(id) = stop_id {
                if prev_stop == Some(id) {
                    e.warn(
                        "E037",
                        format!("{at}: the previous update is for the same stop {id:?}"),
                    );
                }
                prev_stop = Some(id);
            }
            let mut matched: Option<&StopTime> = None;
            if trip.is_some() {
                match (stu.stop_sequence, stop_id) {
                    (Some(seq), _) => match calls.iter().position(|c| c.stop_sequence == seq) {
                        None => e.error(
                            "E051",
                            format!("{at}: trip {trip_id:?} has no stop_sequence {seq} in GTFS"),
                        ),
                        Some(pos) => {
                            let call = &calls[pos];
                            if let Some(id) = stop_id
                                && stop_known
                                && &*self.schedule.stop(call.stop).id != id
                            {
                                e.error(
                                    "E045",
                                    format!(
                                        "{at}: stop_sequence {seq} of trip {trip_id:?} is stop {:?} in GTFS, not {id:?}",
                                        &*self.schedule.stop(call.stop).id
                                    ),
                                );
                            }
                            prev_pos = Some(pos);
                            matched = Some(call);
                        }
                    },
                    (None, Some(id)) => {
                        if let Some(stop) = stop_idx {
                            let visits = calls.iter().filter(|c| c.stop == stop).count();
                            if visits > 1 {
                                e.error(
                                    "E009",
                                    format!("{at}: trip {trip_id:?} visits stop {id:?} {visits} times; give stop_sequence"),
                                );
                            }
                            let from = prev_pos.map_or(0, |p| p + 1);
                            match calls
                                .iter()
                                .skip(from)
                                .position(|c| c.stop == stop)
                                .map(|p| p + from)
                            {
                                Some(pos) => {
                                    prev_pos = Some(pos);
                                    matched = Some(&calls[pos]);
                                }
                                None if calls.iter().any(|c| c.stop == stop) => e.error(
                                    "E002",
                                    format!("{at}: stop {id:?} comes earlier in trip {trip_id:?}; sort stop_time_updates in trip order"),
                                ),
                                None => e.error(
                                    "stop_not_in_trip",
                                    format!("{at}: trip {trip_id:?} does not call at stop {id:?} in GTFS"),
                                ),
                            }
                        }
                    }
                    _ => {}
                }
            }

            // Arrival and departure.
            let sr = stu
                .schedule_relationship
                .map_or(Some(StuSr::Scheduled), |r| StuSr::try_from(r).ok());
            let (arr, dep) = (stu.arrival.as_ref(), stu.departure.as_ref());
            match sr {
                Some(StuSr::Skipped) => continue,
                Some(StuSr::NoData) => {
                    if arr.is_some() || dep.is_some() {
                        e.warn(
                            "E042",
                            format!("{at} is NO_DATA but gives arrival or departure; leave them out (they are ignored)"),
                        );
                    }
                    continue;
                }
                _ => {}
            }
            if arr.is_none() && dep.is_none() && sr == Some(StuSr::Scheduled) {
                e.error(
                    "E043",
                    format!("{at} has neither arrival nor departure; give one, or mark the stop SKIPPED or NO_DATA"),
                );
            }
            let mut times = [None, None];
            for (k, (what, ev)) in [("arrival", arr), ("departure", dep)]
                .into_iter()
                .enumerate()
            {
                let Some(ev) = ev else { continue };
                if ev.time.is_none() && ev.delay.is_none() {
                    e.error(
                        "E044",
                        format!(
                            "{at}: {what} has neither time nor delay; give one, or leave {what} out"
                        ),
                    );
                }
                if let Some(t) = ev.time {
                    if is_posix_seconds(t) {
                        times[k] = Some(t);
                    } else {
                        e.error(
                            "E001",
                            format!(
                                "{at}: {what}.time {}; send POSIX seconds",
                                describe_bad_time(t)
                            ),
                        );
                    }
                } else if ev.delay.is_some()
                    && let Some(call) = matched
                    && call.interpolated
                {
                    e.warn(
                        "E046",
                        format!("{at}: {what} gives only a delay, but GTFS has no time at this stop; give a time"),
                    );
                }
            }
            let [arr_t, dep_t] = times;
            if let (Some(a), Some(d)) = (arr_t, dep_t)
                && d < a
            {
                e.error(
                    "E025",
                    format!("{at}: departure {} is before arrival {}", utc(d), utc(a)),
                );
            }
            if let (Some(first), Some(prev)) = (arr_t.or(dep_t), prev_time) {
                if first < prev {
                    e.error(
                        "E022",
                        format!(
                            "{at}: time {} is before the previous stop's {}; times must increase along the trip",
                            utc(first),
                            utc(prev)
                        ),
                    );
                } else if first == prev {
                    e.warn(
                        "E022",
                        format!("{at}: time {} equals the previous stop's; times should increase along the trip", utc(first)),
                    );
                }
            }
            if let Some(last) = dep_t.or(arr_t) {
                prev_time = Some(prev_time.map_or(last, |p| p.max(last)));
            }
        }
    }

    fn vehicle(&self, vp: &VehiclePosition, e: &mut EntityFindings) {
        let trip = vp
            .trip
            .as_ref()
            .and_then(|td| self.trip(td, Kind::Vehicle, e));
        self.entity_timestamp("vehicle", vp.timestamp, e);
        if vp
            .vehicle
            .as_ref()
            .and_then(|v| v.id.as_deref())
            .is_none_or(str::is_empty)
        {
            e.warn(
                "W002",
                "vehicle.vehicle.id is missing; give each vehicle a stable id",
            );
        }
        if let Some(stop_id) = vp.stop_id.as_deref().filter(|s| !s.is_empty()) {
            self.stop_id("vehicle", stop_id, e);
        }
        if let (Some(seq), Some(t)) = (vp.current_stop_sequence, trip)
            && !self
                .schedule
                .trip_stop_times(t)
                .iter()
                .any(|c| c.stop_sequence == seq)
        {
            e.error(
                "E051",
                format!(
                    "vehicle.current_stop_sequence {seq} is not a stop_sequence of trip {:?} in GTFS",
                    &*self.schedule.trip(t).id
                ),
            );
        }
        let Some(pos) = &vp.position else {
            return;
        };
        let (lat, lon) = (f64::from(pos.latitude), f64::from(pos.longitude));
        let mut valid = true;
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) || lat == 0.0 {
            e.error(
                "E026",
                format!("vehicle.position.latitude {lat} is not a valid WGS 84 latitude (-90 to 90, not 0)"),
            );
            valid = false;
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) || lon == 0.0 {
            e.error(
                "E026",
                format!("vehicle.position.longitude {lon} is not a valid WGS 84 longitude (-180 to 180, not 0)"),
            );
            valid = false;
        }
        if let Some(b) = pos.bearing
            && !(b.is_finite() && (0.0..=360.0).contains(&b))
        {
            e.warn(
                "E027",
                format!(
                    "vehicle.position.bearing {b} is not 0 to 360 degrees clockwise from north"
                ),
            );
        }
        if let Some(speed) = pos.speed
            && !(speed.is_finite() && (0.0..=MAX_REALISTIC_SPEED).contains(&speed))
        {
            e.warn(
                "W004",
                format!("vehicle.position.speed {speed} m/s is unrealistic; speed is in metres per second"),
            );
        }
        if !valid {
            return;
        }
        let Some(t) = trip else { return };
        let s = self.schedule;
        let trip = s.trip(t);
        if self.detours.trips.contains(&*trip.id)
            || self.detours.routes.contains(&*s.route(trip.route).id)
        {
            return;
        }
        // Only shapes from shapes.txt: a straight line through the stops is no road.
        let Some(shape) = trip
            .shape
            .and_then(|i| s.shapes.get(i.index()))
            .filter(|sh| sh.id.is_some())
        else {
            return;
        };
        let off = shape
            .line
            .candidates(LatLon::new(lat, lon), 1)
            .first()
            .map(|p| p.off_m);
        if let Some(off) = off
            && off > MAX_DISTANCE_FROM_SHAPE_M
        {
            e.warn(
                "E029",
                format!(
                    "vehicle at ({lat}, {lon}) is {off:.0} m from the shape of trip {:?}; check the trip \
                     assignment, or publish a DETOUR alert for the trip",
                    &*trip.id
                ),
            );
        }
    }

    fn alert(&self, alert: &Alert, e: &mut EntityFindings) {
        let s = self.schedule;
        for (what, t) in alert
            .active_period
            .iter()
            .flat_map(|p| [("start", p.start), ("end", p.end)])
        {
            if let Some(raw) = t {
                let t = i64::try_from(raw).unwrap_or(i64::MAX);
                if !is_posix_seconds(t) {
                    e.error(
                        "E001",
                        format!(
                            "alert.active_period.{what} {}; send POSIX seconds",
                            describe_bad_time(t)
                        ),
                    );
                }
            }
        }
        if alert.informed_entity.is_empty() {
            e.error(
                "E032",
                "alert has no informed_entity; say which agency, route, trip or stop it concerns",
            );
        }
        for sel in &alert.informed_entity {
            let trip = sel.trip.as_ref();
            if sel.agency_id.is_none()
                && sel.route_id.is_none()
                && sel.route_type.is_none()
                && trip.is_none()
                && sel.stop_id.is_none()
            {
                e.error(
                    "E033",
                    "alert informed_entity has no agency_id, route_id, route_type, trip or stop_id; give one",
                );
            }
            if let Some(agency) = sel.agency_id.as_deref() {
                let known = s.agencies.iter().any(|a| &*a.id == agency)
                    || (s.agencies.len() == 1 && s.agencies.iter().all(|a| a.id.is_empty()));
                if !known {
                    e.error(
                        "E034",
                        format!("alert agency_id {agency:?} is not in the GTFS agency.txt"),
                    );
                }
            }
            if let Some(route_id) = sel.route_id.as_deref()
                && s.route_by_id(route_id).is_none()
            {
                e.error(
                    "E004",
                    format!("alert route_id {route_id:?} is not in the GTFS routes.txt"),
                );
            }
            if let Some(stop_id) = sel.stop_id.as_deref() {
                self.stop_id("alert", stop_id, e);
            }
            if let Some(td) = trip {
                let sr = td.schedule_relationship;
                let added = sr == Some(ADDED)
                    || sr == Some(trip_descriptor::ScheduleRelationship::New as i32);
                if let Some(trip_id) = td.trip_id.as_deref()
                    && !added
                    && s.trip_by_id(trip_id).is_none()
                {
                    e.error(
                        "E003",
                        format!("alert trip_id {trip_id:?} is not in the GTFS trips.txt"),
                    );
                }
            }
        }
    }
}

/// `H:MM:SS` / `HH:MM:SS` / `HHH:MM:SS` (under a week) → seconds since service-day start.
pub fn parse_start_time(text: &str) -> Option<u32> {
    let mut parts = text.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || !(1..=3).contains(&h.len())
        || m.len() != 2
        || s.len() != 2
        || ![h, m, s]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (h, m, s): (u32, u32, u32) = (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?);
    (h < 7 * 24 && m < 60 && s < 60).then_some(h * 3600 + m * 60 + s)
}

/// `YYYYMMDD` → a date.
pub fn parse_start_date(text: &str) -> Option<jiff::civil::Date> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i16 = text.get(0..4)?.parse().ok()?;
    let m: i8 = text.get(4..6)?.parse().ok()?;
    let d: i8 = text.get(6..8)?.parse().ok()?;
    jiff::civil::Date::new(y, m, d).ok()
}

#[cfg(test)]
mod tests {
    use gtfs_rt::{
        EntitySelector, FeedHeader, Position, TimeRange, VehicleDescriptor,
        trip_update::{StopTimeEvent, StopTimeUpdate},
    };

    use super::*;
    use crate::feed::{Source, load};
    use crate::schedule::FeedId;

    fn fixture(name: &str) -> Schedule {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/gtfs")
            .join(name);
        load(
            Source::Path(&dir),
            FeedId::new(name).expect("valid id"),
            jiff::civil::date(2026, 11, 23),
        )
        .expect("fixture loads")
        .schedule
    }

    /// 2026-11-23 08:05 in Binh Duong (UTC+7): LOOP-1 is running.
    const NOW: i64 = 1_795_395_900;

    fn header(ts: i64) -> FeedHeader {
        FeedHeader {
            gtfs_realtime_version: "2.0".into(),
            incrementality: Some(feed_header::Incrementality::FullDataset as i32),
            timestamp: Some(ts as u64),
            ..Default::default()
        }
    }

    fn message(entity: Vec<FeedEntity>) -> FeedMessage {
        FeedMessage {
            header: header(NOW),
            entity,
        }
    }

    fn trip(id: &str) -> TripDescriptor {
        TripDescriptor {
            trip_id: Some(id.into()),
            route_id: Some("LOOP".into()),
            start_time: Some("08:00:00".into()),
            start_date: Some("20261123".into()),
            schedule_relationship: Some(trip_descriptor::ScheduleRelationship::Scheduled as i32),
            ..Default::default()
        }
    }

    fn vehicle(id: &str, lat: f32, lon: f32) -> FeedEntity {
        FeedEntity {
            id: id.into(),
            vehicle: Some(VehiclePosition {
                trip: Some(trip("LOOP-1")),
                vehicle: Some(VehicleDescriptor {
                    id: Some(id.into()),
                    ..Default::default()
                }),
                position: Some(Position {
                    latitude: lat,
                    longitude: lon,
                    ..Default::default()
                }),
                timestamp: Some(NOW as u64 - 5),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn stu(
        seq: Option<u32>,
        stop: Option<&str>,
        arr: Option<i64>,
        dep: Option<i64>,
    ) -> StopTimeUpdate {
        let ev = |t: Option<i64>| {
            t.map(|t| StopTimeEvent {
                time: Some(t),
                ..Default::default()
            })
        };
        StopTimeUpdate {
            stop_sequence: seq,
            stop_id: stop.map(str::to_owned),
            arrival: ev(arr),
            departure: ev(dep),
            ..Default::default()
        }
    }

    fn trip_update(id: &str, updates: Vec<StopTimeUpdate>) -> FeedEntity {
        FeedEntity {
            id: id.into(),
            trip_update: Some(TripUpdate {
                trip: trip("LOOP-1"),
                vehicle: Some(VehicleDescriptor {
                    id: Some("bus-1".into()),
                    ..Default::default()
                }),
                stop_time_update: updates,
                timestamp: Some(NOW as u64 - 5),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn codes(findings: &[Finding]) -> Vec<(&'static str, Level)> {
        findings.iter().map(|f| (f.code, f.level)).collect()
    }

    fn good_updates() -> Vec<StopTimeUpdate> {
        vec![
            stu(Some(2), Some("L2"), Some(NOW + 60), Some(NOW + 90)),
            stu(Some(3), Some("L3"), Some(NOW + 400), None),
            stu(Some(5), Some("L1"), Some(NOW + 900), None),
        ]
    }

    #[test]
    fn a_clean_message_has_no_findings() {
        let s = fixture("loop-route");
        let m = message(vec![
            vehicle("bus-1", 11.0, 106.605),
            trip_update("tu-1", good_updates()),
        ]);
        let findings = validate(&m, &s, NOW, Some(NOW as u64 - 15));
        assert_eq!(findings, vec![]);
        assert!(matches!(usable(&m, &findings), Some(Cow::Borrowed(_))));
    }

    #[test]
    fn header_errors_reject_the_whole_message() {
        let s = fixture("loop-route");
        let mut m = message(vec![vehicle("bus-1", 11.0, 106.605)]);
        m.header.timestamp = Some(NOW as u64 * 1000);
        let f = validate(&m, &s, NOW, None);
        assert_eq!(codes(&f), vec![("E001", Level::Error)]);
        assert!(f[0].message.contains("milliseconds"), "{}", f[0].message);
        assert!(usable(&m, &f).is_none());

        // Older than the last message accepted: stale.
        let m = message(vec![]);
        let f = validate(&m, &s, NOW, Some(NOW as u64 + 30));
        assert_eq!(codes(&f), vec![("E018", Level::Error)]);
        assert!(usable(&m, &f).is_none());
        // …unless that last message was from the future: a clock since fixed.
        assert_eq!(validate(&m, &s, NOW, Some(NOW as u64 + 600)), vec![]);

        // An hour ahead: a wrong clock; a little ahead: a warning.
        let mut m = message(vec![]);
        m.header.timestamp = Some(NOW as u64 + 7200);
        assert_eq!(
            codes(&validate(&m, &s, NOW, None)),
            vec![("E050", Level::Error)]
        );
        m.header.timestamp = Some(NOW as u64 + 120);
        assert_eq!(
            codes(&validate(&m, &s, NOW, None)),
            vec![("E050", Level::Warning)]
        );
        m.header.timestamp = Some(NOW as u64 - 600);
        assert_eq!(
            codes(&validate(&m, &s, NOW, None)),
            vec![("W008", Level::Warning)]
        );

        // Version 2.0 requires timestamp and incrementality; DIFFERENTIAL is refused.
        let mut m = message(vec![]);
        m.header.timestamp = None;
        m.header.incrementality = None;
        m.header.gtfs_realtime_version = "2.1".into();
        assert_eq!(
            codes(&validate(&m, &s, NOW, None)),
            vec![
                ("E038", Level::Warning),
                ("E049", Level::Warning),
                ("E048", Level::Warning)
            ]
        );
        m.header.incrementality = Some(feed_header::Incrementality::Differential as i32);
        let f = validate(&m, &s, NOW, None);
        assert!(
            f.iter()
                .any(|f| f.code == "differential" && f.level == Level::Error)
        );
    }

    #[test]
    fn unknown_references_drop_only_their_entity() {
        let s = fixture("loop-route");
        let mut bad_trip = vehicle("bus-2", 11.0, 106.605);
        if let Some(vp) = &mut bad_trip.vehicle {
            vp.trip = Some(trip("NOPE"));
            vp.stop_id = Some("NOWHERE".into());
        }
        let mut bad_route = trip_update("tu-2", good_updates());
        if let Some(tu) = &mut bad_route.trip_update {
            tu.trip.route_id = Some("R9".into());
            tu.stop_time_update[1].stop_id = Some("X".into());
        }
        let m = message(vec![vehicle("bus-1", 11.0, 106.605), bad_trip, bad_route]);
        let f = validate(&m, &s, NOW, None);
        let mut c = codes(&f);
        c.sort_by_key(|(code, _)| *code);
        assert_eq!(
            c,
            vec![
                ("E003", Level::Error),
                ("E004", Level::Error),
                ("E011", Level::Error),
                ("E011", Level::Error),
            ]
        );
        assert!(f.iter().all(|f| f.entity_id.is_some()));
        let kept = usable(&m, &f).expect("the message is usable");
        let ids: Vec<&str> = kept.entity.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, vec!["bus-1"]);
    }

    #[test]
    fn stop_time_update_order_and_content() {
        let s = fixture("loop-route");
        let case = |updates: Vec<StopTimeUpdate>| {
            codes(&validate(
                &message(vec![trip_update("t", updates)]),
                &s,
                NOW,
                None,
            ))
        };
        // E002 unsorted, E036 repeated.
        assert_eq!(
            case(vec![
                stu(Some(3), Some("L3"), Some(NOW), None),
                stu(Some(2), Some("L2"), Some(NOW + 60), None),
            ]),
            vec![("E002", Level::Error)]
        );
        assert_eq!(
            case(vec![
                stu(Some(2), Some("L2"), Some(NOW), None),
                stu(Some(2), Some("L2"), Some(NOW + 60), None),
            ]),
            vec![("E036", Level::Error), ("E037", Level::Warning)]
        );
        // Unsorted by stop_id alone (no stop_sequence) is E002 too.
        assert_eq!(
            case(vec![
                stu(None, Some("L3"), Some(NOW), None),
                stu(None, Some("L2"), Some(NOW + 60), None),
            ]),
            vec![("E002", Level::Error)]
        );
        // E022: backwards is an error, equal a warning; E025 departure before arrival.
        assert_eq!(
            case(vec![
                stu(Some(2), Some("L2"), Some(NOW + 60), None),
                stu(Some(3), Some("L3"), Some(NOW), None),
            ]),
            vec![("E022", Level::Error)]
        );
        assert_eq!(
            case(vec![
                stu(Some(2), Some("L2"), None, Some(NOW)),
                stu(Some(3), Some("L3"), Some(NOW), None),
            ]),
            vec![("E022", Level::Warning)]
        );
        assert_eq!(
            case(vec![stu(Some(2), Some("L2"), Some(NOW + 60), Some(NOW))]),
            vec![("E025", Level::Error)]
        );
        // E040 nothing to match; E043 nothing to say; E044 an empty event.
        assert_eq!(
            case(vec![stu(None, None, Some(NOW), None)]),
            vec![("E040", Level::Error)]
        );
        assert_eq!(
            case(vec![stu(Some(2), Some("L2"), None, None)]),
            vec![("E043", Level::Error)]
        );
        let mut empty = stu(Some(2), Some("L2"), None, None);
        empty.arrival = Some(StopTimeEvent::default());
        assert_eq!(case(vec![empty]), vec![("E044", Level::Error)]);
        // NO_DATA with times: a warning; SKIPPED without times: fine.
        let mut no_data = stu(Some(2), Some("L2"), Some(NOW), None);
        no_data.schedule_relationship =
            Some(trip_update::stop_time_update::ScheduleRelationship::NoData as i32);
        let mut skipped = stu(Some(3), Some("L3"), None, None);
        skipped.schedule_relationship =
            Some(trip_update::stop_time_update::ScheduleRelationship::Skipped as i32);
        assert_eq!(case(vec![no_data, skipped]), vec![("E042", Level::Warning)]);
        // Against GTFS: E045 mismatched pair, E051 unknown sequence, E009 ambiguous stop.
        assert_eq!(
            case(vec![stu(Some(2), Some("L3"), Some(NOW), None)]),
            vec![("E045", Level::Error)]
        );
        assert_eq!(
            case(vec![stu(Some(9), None, Some(NOW), None)]),
            vec![("E051", Level::Error)]
        );
        assert_eq!(
            case(vec![stu(None, Some("L1"), Some(NOW), None)]),
            vec![("E009", Level::Error)]
        );
        // E001 on a stop time in milliseconds; each code once per entity, with a count.
        let f = validate(
            &message(vec![trip_update(
                "t",
                vec![
                    stu(Some(2), Some("L2"), Some(NOW * 1000), None),
                    stu(Some(3), Some("L3"), Some(NOW * 1000 + 1), None),
                ],
            )]),
            &s,
            NOW,
            None,
        );
        assert_eq!(codes(&f), vec![("E001", Level::Error)]);
        assert!(
            f[0].message.ends_with("(and 1 more in this entity)"),
            "{}",
            f[0].message
        );
        // No updates at all: an error unless cancelled.
        assert_eq!(case(vec![]), vec![("E041", Level::Error)]);
        let mut cancelled = trip_update("t", vec![]);
        if let Some(tu) = &mut cancelled.trip_update {
            tu.trip.schedule_relationship =
                Some(trip_descriptor::ScheduleRelationship::Canceled as i32);
        }
        assert_eq!(
            validate(&message(vec![cancelled.clone()]), &s, NOW, None),
            vec![]
        );
        // Nor is a vehicle asked of a cancelled trip (the simulator's cancellations have none).
        if let Some(tu) = &mut cancelled.trip_update {
            tu.vehicle = None;
        }
        assert_eq!(validate(&message(vec![cancelled]), &s, NOW, None), vec![]);
    }

    #[test]
    fn trip_descriptors() {
        let s = fixture("loop-route");
        let case = |td: TripDescriptor| {
            let mut e = trip_update("t", good_updates());
            if let Some(tu) = &mut e.trip_update {
                tu.trip = td;
            }
            codes(&validate(&message(vec![e]), &s, NOW, None))
        };
        let with = |f: &dyn Fn(&mut TripDescriptor)| {
            let mut td = trip("LOOP-1");
            f(&mut td);
            td
        };
        assert_eq!(
            case(with(&|t| t.start_time = Some("AA:BB:CC".into()))),
            vec![("E020", Level::Error)]
        );
        assert_eq!(
            case(with(&|t| t.start_date = Some("2026-11-23".into()))),
            vec![("E021", Level::Error)]
        );
        assert_eq!(
            case(with(&|t| t.start_time = Some("08:01:00".into()))),
            vec![("E023", Level::Warning)]
        );
        assert_eq!(case(with(&|t| t.direction_id = Some(1))), vec![]);
        // An ADDED trip need not exist; NEW neither; SCHEDULED must.
        assert_eq!(
            case(with(&|t| {
                t.trip_id = Some("EXTRA-1".into());
                t.schedule_relationship = Some(trip_descriptor::ScheduleRelationship::New as i32);
            })),
            vec![]
        );
        assert_eq!(
            case(with(&|t| t.trip_id = None)),
            vec![("W006", Level::Warning)]
        );

        let f = fixture("frequencies");
        let freq = |id: &str, start: Option<&str>| {
            let td = TripDescriptor {
                trip_id: Some(id.into()),
                start_time: start.map(str::to_owned),
                start_date: Some("20261123".into()),
                ..Default::default()
            };
            let e = FeedEntity {
                id: "f".into(),
                trip_update: Some(TripUpdate {
                    trip: td,
                    vehicle: Some(VehicleDescriptor {
                        id: Some("bus".into()),
                        ..Default::default()
                    }),
                    stop_time_update: vec![stu(Some(2), Some("B"), Some(NOW), None)],
                    timestamp: Some(NOW as u64),
                    ..Default::default()
                }),
                ..Default::default()
            };
            codes(&validate(&message(vec![e]), &f, NOW, None))
        };
        assert_eq!(freq("F-FLEX", None), vec![("E006", Level::Error)]);
        assert_eq!(freq("F-FLEX", Some("06:07:00")), vec![]);
        assert_eq!(freq("F-EXACT", Some("10:10:00")), vec![]);
        assert_eq!(
            freq("F-EXACT", Some("10:05:00")),
            vec![("E019", Level::Warning)]
        );
    }

    #[test]
    fn vehicle_positions() {
        let s = fixture("loop-route");
        let case = |e: FeedEntity| codes(&validate(&message(vec![e]), &s, NOW, None));
        assert_eq!(
            case(vehicle("v", 95.0, 106.6)),
            vec![("E026", Level::Error)]
        );
        assert_eq!(case(vehicle("v", 11.0, 0.0)), vec![("E026", Level::Error)]);
        assert_eq!(
            case(vehicle("v", f32::NAN, 106.6)),
            vec![("E026", Level::Error)]
        );
        // 11.005 N is ~550 m inside the square: far from the loop's shape.
        assert_eq!(
            case(vehicle("v", 11.005, 106.605)),
            vec![("E029", Level::Warning)]
        );
        // …unless the trip has a DETOUR alert.
        let detour = FeedEntity {
            id: "detour".into(),
            alert: Some(Alert {
                effect: Some(alert::Effect::Detour as i32),
                informed_entity: vec![EntitySelector {
                    trip: Some(trip("LOOP-1")),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            ..Default::default()
        };
        let m = message(vec![vehicle("v", 11.005, 106.605), detour]);
        assert_eq!(validate(&m, &s, NOW, None), vec![]);

        let mut odd = vehicle("v", 11.0, 106.605);
        if let Some(vp) = &mut odd.vehicle {
            vp.vehicle = None;
            vp.timestamp = None;
            if let Some(p) = &mut vp.position {
                p.bearing = Some(400.0);
                p.speed = Some(60.0);
            }
        }
        assert_eq!(
            case(odd),
            vec![
                ("W001", Level::Warning),
                ("W002", Level::Warning),
                ("E027", Level::Warning),
                ("W004", Level::Warning)
            ]
        );
        // The same vehicle twice.
        let m = message(vec![vehicle("a", 11.0, 106.605), {
            let mut e = vehicle("a", 11.0, 106.606);
            e.id = "b".into();
            e
        }]);
        assert_eq!(
            codes(&validate(&m, &s, NOW, None)),
            vec![("E052", Level::Warning)]
        );
    }

    #[test]
    fn alerts() {
        let s = fixture("loop-route");
        let alert = |sel: Vec<EntitySelector>| FeedEntity {
            id: "a".into(),
            alert: Some(Alert {
                informed_entity: sel,
                active_period: vec![TimeRange {
                    start: Some(NOW as u64),
                    end: None,
                }],
                ..Default::default()
            }),
            ..Default::default()
        };
        let case = |e| codes(&validate(&message(vec![e]), &s, NOW, None));
        assert_eq!(case(alert(vec![])), vec![("E032", Level::Error)]);
        assert_eq!(
            case(alert(vec![EntitySelector::default()])),
            vec![("E033", Level::Error)]
        );
        assert_eq!(
            case(alert(vec![EntitySelector {
                route_id: Some("LOOP".into()),
                stop_id: Some("L2".into()),
                ..Default::default()
            }])),
            vec![]
        );
        assert_eq!(
            case(alert(vec![EntitySelector {
                route_id: Some("R9".into()),
                stop_id: Some("S9".into()),
                ..Default::default()
            }])),
            vec![("E004", Level::Error), ("E011", Level::Error)]
        );
    }

    #[test]
    fn entities_without_ids_are_named_by_position() {
        let s = fixture("loop-route");
        let mut bad = vehicle("x", 95.0, 106.6);
        bad.id = String::new();
        let mut good = vehicle("y", 11.0, 106.605);
        good.id = String::new();
        let m = message(vec![good, bad]);
        let f = validate(&m, &s, NOW, None);
        assert!(
            f.iter()
                .any(|f| f.code == "E026" && f.entity_id.as_deref() == Some("#1"))
        );
        let kept = usable(&m, &f).expect("usable");
        assert_eq!(kept.entity.len(), 1);
        assert_eq!(
            kept.entity[0]
                .vehicle
                .as_ref()
                .and_then(|v| v.vehicle.as_ref())
                .and_then(|d| d.id.as_deref()),
            Some("y")
        );
    }

    #[test]
    fn start_times_and_dates() {
        assert_eq!(parse_start_time("08:15:35"), Some(8 * 3600 + 15 * 60 + 35));
        assert_eq!(parse_start_time("8:15:35"), Some(8 * 3600 + 15 * 60 + 35));
        assert_eq!(parse_start_time("25:15:35"), Some(25 * 3600 + 15 * 60 + 35));
        for bad in [
            "AA:BB:CC",
            "1000:00:00",
            "08:60:00",
            "08:15",
            "08:15:00:00",
            "",
            "-1:00:00",
            "08:1:00",
        ] {
            assert_eq!(parse_start_time(bad), None, "{bad}");
        }
        assert!(parse_start_date("20261123").is_some());
        for bad in ["AAAABBCC", "20010000", "2023-01-01", "2026112", "20260230"] {
            assert_eq!(parse_start_date(bad), None, "{bad}");
        }
    }
}
