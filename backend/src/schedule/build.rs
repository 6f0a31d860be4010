//! [`ScheduleBuilder`]: GTFS rows in, a validated and indexed [`Schedule`] out.
//!
//! The `feed` module reads the files and hands the builder one parsed row at a time, file by
//! file in [`GtfsFile::ALL`] order, so every reference points to a file already read (stops
//! before stop_times, trips before frequencies…). Rows are checked as they arrive and
//! converted straight into the compact model: `stop_times.txt`, nine tenths of a big feed,
//! is never held as text or as `gtfs_structures` rows, which keeps peak memory near the size
//! of the final model. [`ScheduleBuilder::finish`] then sorts, interpolates, places stops on
//! shapes, builds the indexes and runs the whole-feed checks.

use std::num::NonZeroU32;

use api_types::{ValidationReport, ValidationSummary};
use gtfs_structures as gtfs;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rustc_hash::{FxHashMap, FxHashSet};

use super::findings::Findings;
use super::geo::{self, LatLon, Polyline, Projection};
use super::time::format_gtfs_time;
use super::*;

/// Placeholder for a time the feed left blank; replaced by interpolation in `finish`.
const NO_TIME: u32 = u32::MAX;

/// A stop farther than this from its trip's shape is probably misplaced (or the shape is).
pub const FAR_FROM_SHAPE_M: f64 = 150.0;

#[derive(Debug, Clone, Copy)]
struct ShapePoint {
    shape: ShapeIdx,
    sequence: u32,
    position: LatLon,
    /// `shape_dist_traveled` in the feed's own unit, NaN when absent.
    dist: f32,
}

#[derive(Debug, Default)]
pub struct ScheduleBuilder {
    feed_id: Option<FeedId>,
    findings: Findings,
    has_calendar: bool,
    has_calendar_dates: bool,
    /// Files missing or only partly read: references into them are not reported one by one
    /// (the file's own error says what to fix; a million "unknown stop" lines would not).
    incomplete: FxHashSet<GtfsFile>,
    timezone: Option<(TimeZone, Box<str>)>,
    lang: Option<Box<str>>,
    meta: FeedMeta,
    has_feed_info: bool,

    agencies: Vec<Agency>,
    agency_by_id: FxHashMap<Box<str>, AgencyIdx>,
    stops: Vec<Stop>,
    stop_by_id: FxHashMap<Box<str>, StopIdx>,
    stop_lines: Vec<u64>,
    stop_parent_ids: Vec<Option<Box<str>>>,
    routes: Vec<Route>,
    route_by_id: FxHashMap<Box<str>, RouteIdx>,
    route_lines: Vec<u64>,
    services: Vec<Service>,
    service_by_id: FxHashMap<Box<str>, ServiceIdx>,
    service_lines: Vec<u64>,
    shape_points: Vec<ShapePoint>,
    shape_by_id: FxHashMap<Box<str>, ShapeIdx>,
    shape_ids: Vec<Box<str>>,
    shape_lines: Vec<u64>,
    trips: Vec<Trip>,
    trip_by_id: FxHashMap<Box<str>, TripIdx>,
    trip_lines: Vec<u64>,
    /// `calendar_dates.txt` rows (line, service, date), for the date checks.
    calendar_date_rows: Vec<(u64, ServiceIdx, Date)>,
    /// `agency_id`s routes refer to while `agency.txt` is missing: the example file to add
    /// names them.
    wanted_agency_ids: Vec<Box<str>>,
    /// Trips rejected for a broken reference: their stop times are skipped silently, the
    /// trip's own error already says what to fix.
    rejected_trips: FxHashSet<Box<str>>,
    block_by_id: FxHashMap<Box<str>, BlockIdx>,
    block_ids: Vec<Box<str>>,
    stop_times: Vec<StopTime>,
    headsigns: Vec<Box<str>>,
    headsign_by_text: FxHashMap<Box<str>, NonZeroU32>,
    frequencies: Vec<(u64, Frequency)>,
    translations: Translations,
    /// Routes read so far without `route_color`.
    colourless_routes: u32,
}

fn non_empty(s: Option<String>) -> Option<Box<str>> {
    s.filter(|s| !s.is_empty()).map(Into::into)
}

fn plausible_date(d: Date) -> bool {
    (1900..=2200).contains(&d.year())
}

impl ScheduleBuilder {
    pub fn new(feed_id: FeedId) -> Self {
        ScheduleBuilder {
            feed_id: Some(feed_id),
            headsigns: vec!["".into()],
            ..Default::default()
        }
    }

    /// A problem the reader found (bad CSV, wrong encoding, unreadable archive…).
    pub fn error(
        &mut self,
        code: &'static str,
        file: &str,
        line: Option<u64>,
        message: String,
        fix: &str,
    ) {
        self.findings.error(code, file, line, message, fix);
    }

    pub fn warning(
        &mut self,
        code: &'static str,
        file: &str,
        line: Option<u64>,
        message: String,
        fix: &str,
    ) {
        self.findings.warning(code, file, line, message, fix);
    }

    /// The reader found `file` in the feed (or not).
    pub fn file_present(&mut self, file: GtfsFile, present: bool) {
        match file {
            GtfsFile::Calendar => self.has_calendar = present,
            GtfsFile::CalendarDates => self.has_calendar_dates = present,
            _ => {}
        }
        // A missing required file, or both calendar files missing, already has its own error:
        // references into it are not repeated row by row. A missing optional file is no
        // excuse for references into it, so those are still reported.
        let no_calendar = file == GtfsFile::CalendarDates && !self.has_calendar;
        if !present && (file.required() || no_calendar) {
            self.incomplete.insert(file);
        }
        // A missing agency.txt is reported at the end, with the file to add (it can name the
        // agency_ids that routes.txt uses).
        if !present && file.required() && file != GtfsFile::Agency {
            self.findings.error(
                "missing_required_file",
                file.name(),
                None,
                format!("{} is missing", file.name()),
                format!(
                    "Add {} to the feed: every GTFS feed needs it. If it is there, check it is \
                     named exactly so (lower case, .txt).",
                    file.name()
                ),
            );
        }
    }

    /// The reader could not read all of `file` (and has reported why).
    pub fn file_incomplete(&mut self, file: GtfsFile) {
        self.incomplete.insert(file);
    }

    /// Reports a reference to a missing entity, unless the file it would be in is incomplete.
    fn unknown_reference(
        &mut self,
        target: GtfsFile,
        code: &'static str,
        file: GtfsFile,
        line: u64,
        message: String,
        fix: &str,
    ) {
        if !self.incomplete.contains(&target) {
            self.findings
                .error(code, file.name(), Some(line), message, fix);
        }
    }

    fn duplicate(&mut self, file: GtfsFile, line: u64, column: &str, id: &str) {
        self.findings.error(
            "duplicate_id",
            file.name(),
            Some(line),
            format!("{column} {id:?} appears more than once"),
            format!(
                "Give each row of {} its own {column}, or remove the duplicate row.",
                file.name()
            ),
        );
    }

    pub fn agency(&mut self, line: u64, a: gtfs::Agency) {
        let file = GtfsFile::Agency.name();
        let id: Box<str> = a.id.unwrap_or_default().into();
        if self.agency_by_id.contains_key(&id) {
            self.duplicate(GtfsFile::Agency, line, "agency_id", &id);
            return;
        }
        match TimeZone::get(&a.timezone) {
            Ok(tz) => match &self.timezone {
                None => self.timezone = Some((tz, a.timezone.as_str().into())),
                Some((_, name)) if **name != *a.timezone => self.findings.error(
                    "inconsistent_timezone",
                    file,
                    Some(line),
                    format!(
                        "agency_timezone {:?} differs from {:?} of the first agency",
                        a.timezone, name
                    ),
                    "All agencies of one feed must use the same agency_timezone; split the feed \
                     per time zone or correct the value.",
                ),
                Some(_) => {}
            },
            Err(_) => self.findings.error(
                "invalid_timezone",
                file,
                Some(line),
                format!("agency_timezone {:?} is not a known time zone", a.timezone),
                "Use an IANA time zone name such as Asia/Ho_Chi_Minh.",
            ),
        }
        if self.lang.is_none() {
            self.lang = non_empty(a.lang.clone());
        }
        self.agency_by_id
            .insert(id.clone(), AgencyIdx(self.agencies.len() as u32));
        self.agencies.push(Agency {
            id,
            name: a.name.into(),
            url: a.url.into(),
            timezone: a.timezone.into(),
            lang: non_empty(a.lang),
            phone: non_empty(a.phone),
            fare_url: non_empty(a.fare_url),
        });
    }

    pub fn stop(&mut self, line: u64, s: gtfs::Stop) {
        let file = GtfsFile::Stops.name();
        if self.stop_by_id.contains_key(s.id.as_str()) {
            self.duplicate(GtfsFile::Stops, line, "stop_id", &s.id);
            return;
        }
        let needs_position = matches!(
            s.location_type,
            LocationType::StopPoint | LocationType::StopArea | LocationType::StationEntrance
        );
        if let LocationType::Unknown(n) = s.location_type {
            self.findings.error(
                "invalid_location_type",
                file,
                Some(line),
                format!("stop {:?} has location_type {n}", s.id),
                "Use 0 (stop or platform), 1 (station), 2 (entrance), 3 (generic node) or 4 \
                 (boarding area).",
            );
        }
        let position =
            match (s.latitude, s.longitude) {
                (Some(lat), Some(lon)) => {
                    let p = LatLon::new(lat, lon);
                    if !p.is_plausible() {
                        self.findings.error(
                        "invalid_coordinates",
                        file,
                        Some(line),
                        format!("stop {:?} is at ({lat}, {lon}), which is not a real place", s.id),
                        "Give stop_lat (−90…90) and stop_lon (−180…180) in WGS 84 degrees; (0, 0) \
                         is not accepted.",
                    );
                    }
                    Some(p)
                }
                _ => {
                    if needs_position {
                        self.findings.error(
                            "missing_coordinates",
                            file,
                            Some(line),
                            format!("stop {:?} has no stop_lat/stop_lon", s.id),
                            "Stops, stations and entrances need coordinates: fill stop_lat and \
                         stop_lon.",
                        );
                    }
                    None
                }
            };
        let name = non_empty(s.name);
        if name.is_none() && needs_position {
            self.findings.error(
                "missing_stop_name",
                file,
                Some(line),
                format!("stop {:?} has no stop_name", s.id),
                "Fill stop_name with the name riders see on the sign.",
            );
        }
        let idx = StopIdx(self.stops.len() as u32);
        self.stop_by_id.insert(s.id.as_str().into(), idx);
        self.stop_lines.push(line);
        self.stop_parent_ids.push(non_empty(s.parent_station));
        self.stops.push(Stop {
            id: s.id.into(),
            code: non_empty(s.code),
            name: name.unwrap_or_default(),
            desc: non_empty(s.description),
            position,
            location_type: s.location_type,
            parent: None,
            wheelchair_boarding: s.wheelchair_boarding,
            platform_code: non_empty(s.platform_code),
            zone_id: non_empty(s.zone_id),
        });
    }

    pub fn route(&mut self, line: u64, r: gtfs::Route) {
        let file = GtfsFile::Routes.name();
        if self.route_by_id.contains_key(r.id.as_str()) {
            self.duplicate(GtfsFile::Routes, line, "route_id", &r.id);
            return;
        }
        let agency = match r.agency_id.as_deref().filter(|a| !a.is_empty()) {
            Some(a) => match self.agency_by_id.get(a) {
                Some(&idx) => idx,
                None => {
                    if self.incomplete.contains(&GtfsFile::Agency)
                        && !self.wanted_agency_ids.iter().any(|w| **w == *a)
                    {
                        self.wanted_agency_ids.push(a.into());
                    }
                    self.unknown_reference(
                        GtfsFile::Agency,
                        "unknown_agency_id",
                        GtfsFile::Routes,
                        line,
                        format!(
                            "route {:?} refers to agency_id {a:?}, which is not in agency.txt",
                            r.id
                        ),
                        "Correct the agency_id or add the agency to agency.txt.",
                    );
                    AgencyIdx(0)
                }
            },
            None => {
                if self.agencies.len() > 1 {
                    self.findings.error(
                        "missing_agency_id",
                        file,
                        Some(line),
                        format!(
                            "route {:?} has no agency_id, but the feed has several agencies",
                            r.id
                        ),
                        "Fill agency_id with the agency that runs the route.",
                    );
                }
                AgencyIdx(0)
            }
        };
        let short_name = non_empty(r.short_name);
        let long_name = non_empty(r.long_name);
        if short_name.is_none() && long_name.is_none() {
            self.findings.error(
                "missing_route_name",
                file,
                Some(line),
                format!(
                    "route {:?} has neither route_short_name nor route_long_name",
                    r.id
                ),
                "Fill route_short_name (e.g. \"52\") or route_long_name, as riders know the route.",
            );
        }
        if let RouteType::Other(n) = r.route_type {
            self.findings.warning(
                "unknown_route_type",
                file,
                Some(line),
                format!(
                    "route {:?} has route_type {n}, which GTFS does not define",
                    r.id
                ),
                "Use a route_type from the GTFS reference (3 = bus) or the extended types.",
            );
        }
        let idx = RouteIdx(self.routes.len() as u32);
        self.route_by_id.insert(r.id.as_str().into(), idx);
        self.route_lines.push(line);
        let colour_slot = r.color.is_none().then(|| {
            self.colourless_routes += 1;
            self.colourless_routes - 1
        });
        self.routes.push(Route {
            id: r.id.into(),
            agency,
            short_name,
            long_name,
            desc: non_empty(r.desc),
            route_type: r.route_type,
            url: non_empty(r.url),
            color: r
                .color
                .map_or(Rgb(0xFF, 0xFF, 0xFF), |c| Rgb(c.r, c.g, c.b)),
            text_color: r.text_color.map_or(Rgb(0, 0, 0), |c| Rgb(c.r, c.g, c.b)),
            colour_slot,
            sort_order: r.order,
        });
    }

    fn service(&mut self, id: &str, line: u64) -> ServiceIdx {
        if let Some(&idx) = self.service_by_id.get(id) {
            return idx;
        }
        let idx = ServiceIdx(self.services.len() as u32);
        self.service_by_id.insert(id.into(), idx);
        self.services.push(Service::new(id));
        self.service_lines.push(line);
        idx
    }

    fn check_date(&mut self, file: GtfsFile, line: u64, d: Date) -> bool {
        let ok = plausible_date(d);
        if !ok {
            self.findings.error(
                "invalid_date",
                file.name(),
                Some(line),
                format!("date {d} is outside the years 1900–2200"),
                "Write dates as YYYYMMDD with a real year.",
            );
        }
        ok
    }

    pub fn calendar(&mut self, line: u64, c: gtfs::Calendar) {
        let file = GtfsFile::Calendar.name();
        let idx = self.service(&c.id, line);
        if self.services[idx.index()].range.is_some() {
            self.duplicate(GtfsFile::Calendar, line, "service_id", &c.id);
            return;
        }
        if !(self.check_date(GtfsFile::Calendar, line, c.start_date)
            && self.check_date(GtfsFile::Calendar, line, c.end_date))
        {
            return;
        }
        if c.end_date < c.start_date {
            self.findings.error(
                "invalid_date_range",
                file,
                Some(line),
                format!(
                    "service {:?} ends ({}) before it starts ({})",
                    c.id, c.end_date, c.start_date
                ),
                "Swap start_date and end_date, or correct them.",
            );
            return;
        }
        let days = [
            c.monday,
            c.tuesday,
            c.wednesday,
            c.thursday,
            c.friday,
            c.saturday,
            c.sunday,
        ];
        let weekdays = days
            .iter()
            .enumerate()
            .filter(|(_, on)| **on)
            .fold(0u8, |m, (i, _)| m | 1 << i);
        let service = &mut self.services[idx.index()];
        service.weekdays = weekdays;
        service.range = Some((c.start_date, c.end_date));
        self.service_lines[idx.index()] = line;
    }

    pub fn calendar_date(&mut self, line: u64, d: gtfs::CalendarDate) {
        if !self.check_date(GtfsFile::CalendarDates, line, d.date) {
            return;
        }
        let idx = self.service(&d.service_id, line);
        self.calendar_date_rows.push((line, idx, d.date));
        let service = &mut self.services[idx.index()];
        match d.exception_type {
            gtfs::Exception::Added => service.added.push(d.date),
            gtfs::Exception::Deleted => service.removed.push(d.date),
        }
    }

    pub fn shape_point(&mut self, line: u64, p: gtfs::Shape) {
        let position = LatLon::new(p.latitude, p.longitude);
        if !position.is_plausible() {
            self.findings.error(
                "invalid_coordinates",
                GtfsFile::Shapes.name(),
                Some(line),
                format!(
                    "shape {:?} point {} is at ({}, {}), which is not a real place",
                    p.id, p.sequence, p.latitude, p.longitude
                ),
                "Give shape_pt_lat and shape_pt_lon in WGS 84 degrees; (0, 0) is not accepted.",
            );
            return;
        }
        let shape = match self.shape_by_id.get(p.id.as_str()) {
            Some(&s) => s,
            None => {
                let s = ShapeIdx(self.shape_ids.len() as u32);
                self.shape_by_id.insert(p.id.as_str().into(), s);
                self.shape_ids.push(p.id.into());
                self.shape_lines.push(line);
                s
            }
        };
        self.shape_points.push(ShapePoint {
            shape,
            sequence: u32::try_from(p.sequence).unwrap_or(u32::MAX),
            position,
            dist: p.dist_traveled.unwrap_or(f32::NAN),
        });
    }

    pub fn trip(&mut self, line: u64, t: gtfs::RawTrip) {
        let file = GtfsFile::Trips.name();
        if self.trip_by_id.contains_key(t.id.as_str()) {
            self.duplicate(GtfsFile::Trips, line, "trip_id", &t.id);
            return;
        }
        let route = self.route_by_id.get(t.route_id.as_str()).copied();
        if route.is_none() {
            self.unknown_reference(
                GtfsFile::Routes,
                "unknown_route_id",
                GtfsFile::Trips,
                line,
                format!(
                    "trip {:?} refers to route_id {:?}, which is not in routes.txt",
                    t.id, t.route_id
                ),
                "Correct the route_id or add the route to routes.txt.",
            );
        }
        let service = self.service_by_id.get(t.service_id.as_str()).copied();
        // The service may be in either calendar file: if one was not fully read, we cannot tell.
        let calendars_read = !(self.incomplete.contains(&GtfsFile::Calendar)
            || self.incomplete.contains(&GtfsFile::CalendarDates));
        if service.is_none() && calendars_read {
            self.findings.error(
                "unknown_service_id",
                file,
                Some(line),
                format!(
                    "trip {:?} refers to service_id {:?}, which is in neither calendar.txt nor \
                     calendar_dates.txt",
                    t.id, t.service_id
                ),
                "Correct the service_id or define the service in calendar.txt or \
                 calendar_dates.txt.",
            );
        }
        let shape_id = t.shape_id.as_deref().filter(|s| !s.is_empty());
        let shape = shape_id.and_then(|s| self.shape_by_id.get(s).copied());
        if let (Some(id), None) = (shape_id, shape) {
            self.unknown_reference(
                GtfsFile::Shapes,
                "unknown_shape_id",
                GtfsFile::Trips,
                line,
                format!(
                    "trip {:?} refers to shape_id {id:?}, which is not in shapes.txt",
                    t.id
                ),
                "Correct the shape_id, add the shape to shapes.txt, or leave shape_id empty.",
            );
        }
        let (Some(route), Some(service)) = (route, service) else {
            self.rejected_trips.insert(t.id.into());
            return;
        };
        let block = non_empty(t.block_id).map(|b| match self.block_by_id.get(&b) {
            Some(&idx) => idx,
            None => {
                let idx = BlockIdx(self.block_ids.len() as u32);
                self.block_by_id.insert(b.clone(), idx);
                self.block_ids.push(b);
                idx
            }
        });
        let idx = TripIdx(self.trips.len() as u32);
        self.trip_by_id.insert(t.id.as_str().into(), idx);
        self.trip_lines.push(line);
        self.trips.push(Trip {
            id: t.id.into(),
            route,
            service,
            headsign: non_empty(t.trip_headsign),
            short_name: non_empty(t.trip_short_name),
            direction: t.direction_id,
            block,
            shape,
            wheelchair_accessible: t.wheelchair_accessible,
            bikes_allowed: t.bikes_allowed,
            stop_times: Span::default(),
            frequencies: Span::default(),
            usable: false,
        });
    }

    pub fn stop_time(&mut self, line: u64, st: gtfs::RawStopTime) {
        let file = GtfsFile::StopTimes.name();
        let Some(&trip) = self.trip_by_id.get(st.trip_id.as_str()) else {
            if !self.rejected_trips.contains(st.trip_id.as_str()) {
                self.unknown_reference(
                    GtfsFile::Trips,
                    "unknown_trip_id",
                    GtfsFile::StopTimes,
                    line,
                    format!("trip_id {:?} is not in trips.txt", st.trip_id),
                    "Correct the trip_id or add the trip to trips.txt.",
                );
            }
            return;
        };
        let Some(&stop) = self.stop_by_id.get(st.stop_id.as_str()) else {
            self.unknown_reference(
                GtfsFile::Stops,
                "unknown_stop_id",
                GtfsFile::StopTimes,
                line,
                format!(
                    "stop_id {:?} (trip {:?}) is not in stops.txt",
                    st.stop_id, st.trip_id
                ),
                "Correct the stop_id or add the stop to stops.txt.",
            );
            return;
        };
        let location_type = self.stops[stop.index()].location_type;
        if !matches!(
            location_type,
            LocationType::StopPoint | LocationType::BoardingArea
        ) {
            self.findings.error(
                "stop_time_not_at_stop",
                file,
                Some(line),
                format!(
                    "trip {:?} calls at {:?}, a station, entrance or node, not a stop",
                    st.trip_id, st.stop_id
                ),
                "Refer to the platform or stop (location_type 0) where the vehicle halts, not \
                 its station.",
            );
            return;
        }
        let (arrival, departure) = match (st.arrival_time, st.departure_time) {
            (Some(a), Some(d)) => (a, d),
            (Some(t), None) | (None, Some(t)) => (t, t),
            (None, None) => (NO_TIME, NO_TIME),
        };
        let stop_headsign = non_empty(st.stop_headsign).map(|h| self.intern_headsign(h));
        self.stop_times.push(StopTime {
            trip,
            stop_sequence: st.stop_sequence,
            stop,
            arrival,
            departure,
            dist_m: st.shape_dist_traveled.unwrap_or(f32::NAN),
            stop_headsign,
            pickup: st.pickup_type.into(),
            drop_off: st.drop_off_type.into(),
            timepoint: arrival != NO_TIME && st.timepoint == gtfs::TimepointType::Exact,
            interpolated: false,
        });
    }

    fn intern_headsign(&mut self, text: Box<str>) -> NonZeroU32 {
        if let Some(&i) = self.headsign_by_text.get(&text) {
            return i;
        }
        let i = NonZeroU32::new(self.headsigns.len() as u32).unwrap_or(NonZeroU32::MIN);
        self.headsigns.push(text.clone());
        self.headsign_by_text.insert(text, i);
        i
    }

    pub fn frequency(&mut self, line: u64, f: gtfs::RawFrequency) {
        let file = GtfsFile::Frequencies.name();
        let Some(&trip) = self.trip_by_id.get(f.trip_id.as_str()) else {
            if !self.rejected_trips.contains(f.trip_id.as_str()) {
                self.unknown_reference(
                    GtfsFile::Trips,
                    "unknown_trip_id",
                    GtfsFile::Frequencies,
                    line,
                    format!("trip_id {:?} is not in trips.txt", f.trip_id),
                    "Correct the trip_id or add the trip to trips.txt.",
                );
            }
            return;
        };
        if f.start_time >= f.end_time || f.headway_secs == 0 {
            self.findings.error(
                "invalid_frequency",
                file,
                Some(line),
                format!(
                    "trip {:?}: start_time {} end_time {} headway_secs {} describe no departures",
                    f.trip_id,
                    format_gtfs_time(f.start_time),
                    format_gtfs_time(f.end_time),
                    f.headway_secs
                ),
                "start_time must be before end_time and headway_secs greater than 0.",
            );
            return;
        }
        self.frequencies.push((
            line,
            Frequency {
                trip,
                start: f.start_time,
                end: f.end_time,
                headway_secs: f.headway_secs,
                exact_times: f.exact_times == Some(gtfs::ExactTimes::ScheduleBased),
            },
        ));
    }

    pub fn translation(&mut self, line: u64, t: gtfs::RawTranslation) {
        let file = GtfsFile::Translations.name();
        let Some(field) = Field::parse(&t.table_name, &t.field_name) else {
            // A field we do not show riders (e.g. stop_url): nothing to check or keep.
            return;
        };
        let record_id = t.record_id.as_deref().filter(|r| !r.is_empty());
        match (
            record_id,
            t.field_value.as_deref().filter(|v| !v.is_empty()),
        ) {
            (Some(id), _) => {
                let known = match t.table_name.as_str() {
                    "stops" => self.stop_by_id.contains_key(id),
                    "routes" => self.route_by_id.contains_key(id),
                    "trips" | "stop_times" => self.trip_by_id.contains_key(id),
                    "agency" => self.agency_by_id.contains_key(id),
                    _ => true,
                };
                if !known {
                    self.findings.warning(
                        "translation_unknown_record",
                        file,
                        Some(line),
                        format!(
                            "translation of {} for record_id {id:?}, which does not exist",
                            t.field_name
                        ),
                        "Correct the record_id or remove the row.",
                    );
                    return;
                }
                let key = Translations::record_key(id, t.record_sub_id.as_deref());
                self.translations
                    .add_for_record(field, key, &t.language, &t.translation);
            }
            (None, Some(value)) => {
                self.translations
                    .add_for_value(field, value, &t.language, &t.translation)
            }
            (None, None) => self.findings.warning(
                "translation_without_target",
                file,
                Some(line),
                format!(
                    "translation of {} names neither record_id nor field_value",
                    t.field_name
                ),
                "Fill record_id (the id of the translated row) or field_value (the text to \
                 translate).",
            ),
        }
    }

    pub fn feed_info(&mut self, line: u64, fi: gtfs::FeedInfo) {
        if self.has_feed_info {
            self.findings.warning(
                "duplicate_feed_info",
                GtfsFile::FeedInfo.name(),
                Some(line),
                "feed_info.txt has more than one row; only the first is used".into(),
                "Keep one row in feed_info.txt.",
            );
            return;
        }
        self.has_feed_info = true;
        // `mul` means names are in several languages; then default_lang, if any, says
        // which language an untranslated name is in.
        let lang = if fi.lang.eq_ignore_ascii_case("mul") {
            non_empty(fi.default_lang.clone())
        } else {
            non_empty(Some(fi.lang.clone()))
        };
        if lang.is_some() {
            self.lang = lang.clone();
        }
        self.meta = FeedMeta {
            publisher_name: non_empty(Some(fi.name)),
            publisher_url: non_empty(Some(fi.url)),
            lang,
            version: non_empty(fi.version),
            start_date: fi.start_date,
            end_date: fi.end_date,
        };
    }

    /// Sorts, interpolates, places stops on shapes, indexes, and runs the whole-feed checks.
    ///
    /// `version` identifies the content (SHA-256); `today` is the local date the feed is
    /// validated against (expired calendars…). Returns the schedule with its report, or the
    /// report alone when the feed has errors.
    pub fn finish(
        mut self,
        version: String,
        today: Date,
    ) -> Result<(Schedule, ValidationReport), Box<ValidationReport>> {
        if !self.has_calendar && !self.has_calendar_dates {
            self.findings.error(
                "missing_calendar",
                "calendar.txt",
                None,
                "the feed has neither calendar.txt nor calendar_dates.txt, so no trip ever runs"
                    .into(),
                "Add calendar.txt (weekly patterns) and/or calendar_dates.txt (dates).",
            );
        }
        if self.incomplete.contains(&GtfsFile::Agency) && self.agencies.is_empty() {
            self.missing_agency_file();
        } else if self.agencies.is_empty() && !self.findings.has_errors() {
            self.findings.error(
                "missing_agency",
                "agency.txt",
                None,
                "agency.txt has no rows".into(),
                "Describe at least one agency in agency.txt.",
            );
        }
        self.resolve_stops();
        for s in &mut self.services {
            s.added.sort_unstable();
            s.added.dedup();
            s.removed.sort_unstable();
            s.removed.dedup();
        }
        self.group_stop_times();
        let (mut shapes, feed_dists) = self.build_shapes();
        self.place_stops_on_shapes(&mut shapes, &feed_dists);
        let frequencies = self.group_frequencies();
        let blocks = self.build_blocks();

        let feed_id = self
            .feed_id
            .take()
            .unwrap_or_else(|| FeedId::from_name("feed"));
        let (timezone, timezone_name) = self
            .timezone
            .take()
            .unwrap_or_else(|| (TimeZone::UTC, "UTC".into()));
        let index = Indexes {
            stop_by_id: std::mem::take(&mut self.stop_by_id),
            route_by_id: std::mem::take(&mut self.route_by_id),
            trip_by_id: std::mem::take(&mut self.trip_by_id),
            ..Indexes::default()
        };
        let mut schedule = Schedule {
            feed_id,
            version,
            timezone,
            timezone_name,
            lang: self.lang.take(),
            meta: std::mem::take(&mut self.meta),
            agencies: std::mem::take(&mut self.agencies),
            stops: std::mem::take(&mut self.stops),
            routes: std::mem::take(&mut self.routes),
            trips: std::mem::take(&mut self.trips),
            stop_times: std::mem::take(&mut self.stop_times),
            shapes,
            services: std::mem::take(&mut self.services),
            frequencies,
            blocks,
            headsigns: std::mem::take(&mut self.headsigns),
            translations: std::mem::take(&mut self.translations),
            service_span: None,
            index,
        };
        build_indexes(&mut schedule);
        let context = checks::Context {
            stop_lines: &self.stop_lines,
            route_lines: &self.route_lines,
            service_lines: &self.service_lines,
            shape_lines: &self.shape_lines,
            trip_lines: &self.trip_lines,
            calendar_date_rows: &self.calendar_date_rows,
            today,
        };
        checks::run(&schedule, &context, &mut self.findings);

        let (first, last) = match schedule.service_span {
            Some((a, b)) => (Some(a.to_string()), Some(b.to_string())),
            None => (None, None),
        };
        let counts = schedule.counts();
        let summary = ValidationSummary {
            agencies: counts.agencies,
            stops: counts.stops,
            routes: counts.routes,
            trips: counts.trips,
            stop_times: counts.stop_times,
            shapes: counts.shapes,
            services: counts.services,
            frequencies: counts.frequencies,
            first_service_date: first,
            last_service_date: last,
        };
        let report = self
            .findings
            .into_report(schedule.feed_id.as_str(), summary);
        if report.valid {
            Ok((schedule, report))
        } else {
            Err(Box::new(report))
        }
    }

    /// `agency.txt` is missing: the error shows the smallest file that would do, with the
    /// `agency_id`s routes.txt uses (one row each) and, for the time zone, the one real feeds
    /// like ours need.
    fn missing_agency_file(&mut self) {
        let rows: Vec<String> = if self.wanted_agency_ids.is_empty() {
            vec!["Your agency's name,https://www.example.com,Asia/Ho_Chi_Minh".to_owned()]
        } else {
            self.wanted_agency_ids
                .iter()
                .map(|id| {
                    format!("{id},Your agency's name,https://www.example.com,Asia/Ho_Chi_Minh")
                })
                .collect()
        };
        let header = if self.wanted_agency_ids.is_empty() {
            "agency_name,agency_url,agency_timezone"
        } else {
            "agency_id,agency_name,agency_url,agency_timezone"
        };
        self.findings.error(
            "missing_required_file",
            GtfsFile::Agency.name(),
            None,
            "agency.txt is missing: the feed does not say who runs it, nor its time zone, so no \
             time in it can be read"
                .into(),
            format!(
                "Add agency.txt to the feed (if it is there, check it is named exactly so, lower \
                 case). The smallest file that works, with your agency's name, web site and IANA \
                 time zone in place of these:\n{header}\n{}",
                rows.join("\n")
            ),
        );
    }

    fn resolve_stops(&mut self) {
        let file = GtfsFile::Stops.name();
        for i in 0..self.stops.len() {
            let Some(parent_id) = self.stop_parent_ids[i].take() else {
                if matches!(
                    self.stops[i].location_type,
                    LocationType::StationEntrance
                        | LocationType::GenericNode
                        | LocationType::BoardingArea
                ) {
                    self.findings.error(
                        "missing_parent_station",
                        file,
                        Some(self.stop_lines[i]),
                        format!(
                            "{:?} is an entrance, node or boarding area without parent_station",
                            self.stops[i].id
                        ),
                        "Set parent_station to the station (or platform, for boarding areas) it \
                         belongs to.",
                    );
                }
                continue;
            };
            let Some(&parent) = self.stop_by_id.get(&parent_id) else {
                self.findings.error(
                    "unknown_parent_station",
                    file,
                    Some(self.stop_lines[i]),
                    format!(
                        "stop {:?} refers to parent_station {parent_id:?}, which is not in stops.txt",
                        self.stops[i].id
                    ),
                    "Correct parent_station or add the station to stops.txt.",
                );
                continue;
            };
            let (child_type, parent_type) = (
                self.stops[i].location_type,
                self.stops[parent.index()].location_type,
            );
            let expected = if child_type == LocationType::BoardingArea {
                LocationType::StopPoint
            } else {
                LocationType::StopArea
            };
            if child_type == LocationType::StopArea || parent_type != expected {
                self.findings.warning(
                    "wrong_parent_location_type",
                    file,
                    Some(self.stop_lines[i]),
                    format!(
                        "stop {:?} (location_type {:?}) has parent {:?} (location_type {:?})",
                        self.stops[i].id, child_type, parent_id, parent_type
                    ),
                    "A platform's parent is a station (1); a boarding area's parent is a \
                     platform (0); stations have no parent.",
                );
            }
            self.stops[i].parent = Some(parent);
            if self.stops[i].wheelchair_boarding == Availability::InformationNotAvailable {
                self.stops[i].wheelchair_boarding = self.stops[parent.index()].wheelchair_boarding;
            }
        }
    }

    /// Sorts stop times into trips, checks each trip's sequence and times, fills blank times.
    fn group_stop_times(&mut self) {
        let file = GtfsFile::StopTimes.name();
        self.stop_times
            .sort_unstable_by_key(|st| (st.trip, st.stop_sequence));
        let mut start = 0;
        while start < self.stop_times.len() {
            let trip = self.stop_times[start].trip;
            let mut end = start + 1;
            while end < self.stop_times.len() && self.stop_times[end].trip == trip {
                end += 1;
            }
            self.trips[trip.index()].stop_times = Span {
                start: start as u32,
                end: end as u32,
            };
            start = end;
        }
        for t in 0..self.trips.len() {
            let span = self.trips[t].stop_times;
            let id = &self.trips[t].id;
            if span.len() < 2 {
                self.findings.warning(
                    "trip_without_enough_stops",
                    file,
                    None,
                    format!(
                        "trip {id:?} has {} stop time(s); it is left out of the schedule",
                        span.len()
                    ),
                    "Give every trip at least two stop_times rows, or remove the trip.",
                );
                continue;
            }
            let sts = &mut self.stop_times[span.range()];
            if let Some(w) = sts
                .windows(2)
                .find(|w| w[0].stop_sequence == w[1].stop_sequence)
            {
                self.findings.error(
                    "duplicate_stop_sequence",
                    file,
                    None,
                    format!("trip {id:?} has stop_sequence {} twice", w[0].stop_sequence),
                    "Number the calls of a trip with distinct, increasing stop_sequence values.",
                );
                continue;
            }
            let (first, last) = (sts[0], sts[sts.len() - 1]);
            if first.arrival == NO_TIME || last.arrival == NO_TIME {
                self.findings.error(
                    "missing_trip_edge_time",
                    file,
                    None,
                    format!("trip {id:?} has no time at its first or last stop"),
                    "Give arrival_time and departure_time at the first and last stop of every \
                     trip; times of stops in between may be left blank.",
                );
                continue;
            }
            interpolate_blank_times(sts, &self.stops);
            if let Some(k) = (0..sts.len()).find(|&k| {
                sts[k].departure < sts[k].arrival
                    || (k + 1 < sts.len() && sts[k + 1].arrival < sts[k].departure)
            }) {
                let (a, b) = if sts[k].departure < sts[k].arrival {
                    (k, k)
                } else {
                    (k, k + 1)
                };
                self.findings.warning(
                    "times_go_backwards",
                    file,
                    None,
                    format!(
                        "trip {id:?}: stop_sequence {} arrives at {}, before stop_sequence {} \
                         departs at {}",
                        sts[b].stop_sequence,
                        format_gtfs_time(sts[b].arrival),
                        sts[a].stop_sequence,
                        format_gtfs_time(sts[a].departure),
                    ),
                    "Times must not decrease along a trip; check for a typo or an hour missing \
                     after midnight (use 24:10:00, not 00:10:00).",
                );
            }
            self.trips[t].usable = true;
        }
    }

    /// Shapes from `shapes.txt`, in [`ShapeIdx`] order, with each point's
    /// `shape_dist_traveled` (feed units) when the shape has usable ones. Shapes with fewer
    /// than two points come out empty; their trips get straight-line shapes instead.
    fn build_shapes(&mut self) -> (Vec<Shape>, Vec<Option<Vec<f32>>>) {
        let file = GtfsFile::Shapes.name();
        let mut points = std::mem::take(&mut self.shape_points);
        points.sort_unstable_by_key(|p| (p.shape, p.sequence));
        let mut shapes: Vec<Shape> = self
            .shape_ids
            .iter()
            .map(|id| Shape {
                id: Some(id.clone()),
                line: Polyline::new(Vec::new()),
            })
            .collect();
        // Feed units of shape_dist_traveled per shape point, when usable.
        let mut feed_dists: Vec<Option<Vec<f32>>> = vec![None; shapes.len()];
        for group in points.chunk_by(|a, b| a.shape == b.shape) {
            let s = group[0].shape.index();
            let id = &self.shape_ids[s];
            if group.windows(2).any(|w| w[0].sequence == w[1].sequence) {
                self.findings.warning(
                    "duplicate_shape_sequence",
                    file,
                    Some(self.shape_lines[s]),
                    format!("shape {id:?} has two points with the same shape_pt_sequence"),
                    "Number the points of a shape with distinct, increasing shape_pt_sequence.",
                );
            }
            if group.len() < 2 {
                self.findings.warning(
                    "shape_too_short",
                    file,
                    Some(self.shape_lines[s]),
                    format!("shape {id:?} has fewer than two points; its trips use straight lines"),
                    "Give the shape the points of the street path, or remove its shape_id from \
                     trips.txt.",
                );
                continue;
            }
            shapes[s].line = Polyline::new(group.iter().map(|p| p.position).collect());
            let dists: Vec<f32> = group.iter().map(|p| p.dist).collect();
            if dists.iter().all(|d| d.is_finite()) {
                if dists.windows(2).all(|w| w[0] <= w[1]) {
                    feed_dists[s] = Some(dists);
                } else {
                    self.findings.warning(
                        "shape_dist_decreasing",
                        file,
                        Some(self.shape_lines[s]),
                        format!("shape {id:?}: shape_dist_traveled decreases along the shape"),
                        "shape_dist_traveled must not decrease with shape_pt_sequence; we \
                         measure distances ourselves for this shape.",
                    );
                }
            }
        }
        (shapes, feed_dists)
    }

    /// Sets every stop time's `dist_m`: metres along its trip's shape.
    ///
    /// With `shape_dist_traveled` on both the shape and the stop times, the feed's values
    /// are converted to metres along the shape's points. Otherwise stops are projected on
    /// the shape (once per shape and stop pattern: trips share patterns). Trips without a
    /// shape get a straight-line one through their stops, shared by trips with the same stops.
    fn place_stops_on_shapes(&mut self, shapes: &mut Vec<Shape>, feed_dists: &[Option<Vec<f32>>]) {
        let mut patterns: FxHashMap<(ShapeIdx, Vec<StopIdx>), Vec<f32>> = FxHashMap::default();
        let mut candidates: FxHashMap<(ShapeIdx, StopIdx), Vec<Projection>> = FxHashMap::default();
        let mut straight: FxHashMap<Vec<StopIdx>, ShapeIdx> = FxHashMap::default();
        let mut far: FxHashSet<(ShapeIdx, StopIdx)> = FxHashSet::default();
        for t in 0..self.trips.len() {
            if !self.trips[t].usable {
                continue;
            }
            let span = self.trips[t].stop_times;
            let pattern: Vec<StopIdx> = self.stop_times[span.range()]
                .iter()
                .map(|st| st.stop)
                .collect();
            let shape = self.trips[t]
                .shape
                .filter(|s| shapes[s.index()].line.points.len() >= 2);
            let Some(shape) = shape else {
                let next = ShapeIdx(shapes.len() as u32);
                let s = *straight.entry(pattern).or_insert_with_key(|pattern| {
                    // One vertex per call, so vertex k is stop k. A boarding area may have no
                    // coordinates: it takes its neighbour's.
                    let known: Vec<Option<LatLon>> = pattern
                        .iter()
                        .map(|s| self.stops[s.index()].position)
                        .collect();
                    let first_known = known.iter().flatten().next().copied();
                    let mut last = first_known;
                    let points = known
                        .iter()
                        .filter_map(|p| {
                            last = p.or(last);
                            last
                        })
                        .collect();
                    shapes.push(Shape {
                        id: None,
                        line: Polyline::new(points),
                    });
                    next
                });
                self.trips[t].shape = Some(s);
                let line = &shapes[s.index()].line;
                for (k, st) in self.stop_times[span.range()].iter_mut().enumerate() {
                    st.dist_m = line.dist.get(k).copied().unwrap_or(0.0) as f32;
                }
                continue;
            };
            let line = &shapes[shape.index()].line;
            let sts = &mut self.stop_times[span.range()];
            let converted = feed_dists[shape.index()]
                .as_ref()
                .and_then(|fd| feed_units_to_metres(sts, fd, &line.dist));
            let (dists, offsets): (Vec<f32>, Vec<f64>) = match converted {
                Some(d) => {
                    let offsets = sts
                        .iter()
                        .zip(&d)
                        .map(|(st, &m)| {
                            match (
                                self.stops[st.stop.index()].position,
                                line.point_at(f64::from(m)),
                            ) {
                                (Some(p), Some(q)) => geo::distance_m(p, q),
                                _ => 0.0,
                            }
                        })
                        .collect();
                    (d, offsets)
                }
                None => {
                    let key = (shape, pattern);
                    if let Some(d) = patterns.get(&key) {
                        (d.clone(), Vec::new())
                    } else {
                        let cands: Vec<Vec<Projection>> = key
                            .1
                            .iter()
                            .map(|&stop| {
                                candidates
                                    .entry((shape, stop))
                                    .or_insert_with(|| match self.stops[stop.index()].position {
                                        Some(p) => line.candidates(p, geo::MAX_CANDIDATES),
                                        None => Vec::new(),
                                    })
                                    .clone()
                            })
                            .collect();
                        let placed = geo::place_stops(&cands);
                        let d: Vec<f32> = placed.iter().map(|p| p.along_m as f32).collect();
                        let offsets = placed.iter().map(|p| p.off_m).collect();
                        patterns.insert(key, d.clone());
                        (d, offsets)
                    }
                }
            };
            for (k, st) in sts.iter_mut().enumerate() {
                st.dist_m = dists[k];
                let off = offsets.get(k).copied().unwrap_or(0.0);
                if off > FAR_FROM_SHAPE_M && off.is_finite() && far.insert((shape, st.stop)) {
                    let stop = &self.stops[st.stop.index()];
                    self.findings.warning(
                        "stop_far_from_shape",
                        GtfsFile::Stops.name(),
                        Some(self.stop_lines[st.stop.index()]),
                        format!(
                            "stop {:?} is {:.0} m from shape {:?} of trip {:?}",
                            stop.id,
                            off,
                            shapes[shape.index()].id.as_deref().unwrap_or(""),
                            self.trips[t].id
                        ),
                        "Check the stop's coordinates and the shape: a stop should lie on the \
                         street its buses use.",
                    );
                }
            }
        }
    }

    fn group_frequencies(&mut self) -> Vec<Frequency> {
        let mut rows = std::mem::take(&mut self.frequencies);
        rows.sort_unstable_by_key(|(_, f)| (f.trip, f.start));
        let mut out = Vec::with_capacity(rows.len());
        for group in rows.chunk_by(|a, b| a.1.trip == b.1.trip) {
            let trip = group[0].1.trip;
            if let Some(w) = group.windows(2).find(|w| w[1].1.start < w[0].1.end) {
                self.findings.warning(
                    "frequency_overlap",
                    GtfsFile::Frequencies.name(),
                    Some(w[1].0),
                    format!(
                        "trip {:?}: the window from {} overlaps the one before it",
                        self.trips[trip.index()].id,
                        format_gtfs_time(w[1].1.start)
                    ),
                    "Make the frequency windows of a trip follow each other without overlap.",
                );
            }
            let start = out.len() as u32;
            out.extend(group.iter().map(|(_, f)| *f));
            self.trips[trip.index()].frequencies = Span {
                start,
                end: out.len() as u32,
            };
        }
        out
    }

    fn build_blocks(&mut self) -> Vec<Block> {
        let mut members: Vec<(BlockIdx, u32, TripIdx)> = self
            .trips
            .iter()
            .enumerate()
            .filter(|(_, t)| t.usable)
            .filter_map(|(i, t)| {
                let first = self.stop_times[t.stop_times.start as usize].departure;
                Some((t.block?, first, TripIdx(i as u32)))
            })
            .collect();
        members.sort_unstable();
        let mut blocks: Vec<Block> = self
            .block_ids
            .iter()
            .map(|id| Block {
                id: id.clone(),
                trips: Vec::new(),
            })
            .collect();
        for (b, _, t) in members {
            blocks[b.index()].trips.push(t);
        }
        for block in &blocks {
            let overlap = block.trips.windows(2).find(|w| {
                let (a, b) = (&self.trips[w[0].index()], &self.trips[w[1].index()]);
                let a_end = self.stop_times[a.stop_times.end as usize - 1].arrival;
                let b_start = self.stop_times[b.stop_times.start as usize].departure;
                a.service == b.service && b_start < a_end
            });
            if let Some(w) = overlap {
                self.findings.warning(
                    "block_trips_overlap",
                    GtfsFile::Trips.name(),
                    None,
                    format!(
                        "block {:?}: trip {:?} starts before trip {:?} ends, on the same service",
                        block.id,
                        self.trips[w[1].index()].id,
                        self.trips[w[0].index()].id
                    ),
                    "One vehicle runs the trips of a block one after the other; check the \
                     block_id and the times.",
                );
            }
        }
        blocks
    }
}

/// Converts stop times' `shape_dist_traveled` (feed units, in `dist_m` until now) to metres,
/// by interpolating between the shape points' values. `None` when a stop time has no value
/// or the values decrease: then the caller projects the stops instead.
fn feed_units_to_metres(sts: &[StopTime], feed: &[f32], metres: &[f64]) -> Option<Vec<f32>> {
    if sts.iter().any(|st| !st.dist_m.is_finite())
        || sts.windows(2).any(|w| w[1].dist_m < w[0].dist_m)
    {
        return None;
    }
    let out = sts
        .iter()
        .map(|st| {
            let d = st.dist_m;
            let i = feed.partition_point(|&f| f <= d);
            let m = if i == 0 {
                metres[0]
            } else if i >= feed.len() {
                metres[feed.len() - 1]
            } else {
                let (f0, f1) = (f64::from(feed[i - 1]), f64::from(feed[i]));
                let t = if f1 > f0 {
                    (f64::from(d) - f0) / (f1 - f0)
                } else {
                    0.0
                };
                metres[i - 1] + t * (metres[i] - metres[i - 1])
            };
            m as f32
        })
        .collect();
    Some(out)
}

/// Fills blank times between timed stops, in proportion to distance: the feed's
/// `shape_dist_traveled` when every stop in the gap has one, else straight-line distance
/// between the stops, else equal steps. The first and last stop always have times.
fn interpolate_blank_times(sts: &mut [StopTime], stops: &[Stop]) {
    let mut i = 1;
    while i < sts.len() {
        if sts[i].arrival != NO_TIME {
            i += 1;
            continue;
        }
        let a = i - 1;
        let mut b = i;
        while sts[b].arrival == NO_TIME {
            b += 1;
        }
        let gap = &sts[a..=b];
        let mut cum = vec![0.0f64; gap.len()];
        let feed_dists = gap.iter().all(|st| st.dist_m.is_finite());
        for k in 1..gap.len() {
            let step = if feed_dists {
                f64::from(gap[k].dist_m - gap[k - 1].dist_m).max(0.0)
            } else {
                match (
                    stops[gap[k - 1].stop.index()].position,
                    stops[gap[k].stop.index()].position,
                ) {
                    (Some(p), Some(q)) => geo::distance_m(p, q),
                    _ => 1.0,
                }
            };
            cum[k] = cum[k - 1] + step;
        }
        let total = cum[gap.len() - 1];
        let (t0, t1) = (sts[a].departure, sts[b].arrival.max(sts[a].departure));
        for k in (a + 1)..b {
            let frac = if total > 0.0 {
                cum[k - a] / total
            } else {
                (k - a) as f64 / (b - a) as f64
            };
            let t = t0 + (frac * f64::from(t1 - t0)).round() as u32;
            sts[k].arrival = t;
            sts[k].departure = t;
            sts[k].interpolated = true;
        }
        i = b + 1;
    }
}

fn build_indexes(s: &mut Schedule) {
    let trips = &s.trips;
    let st = &s.stop_times;
    let timetabled = || {
        trips
            .iter()
            .filter(|t| t.usable && !t.is_frequency_based())
            .flat_map(|t| t.stop_times.range())
    };
    let mut visits = Groups::build(
        s.stops.len(),
        timetabled().map(|i| (st[i].stop.index(), i as u32)),
    );
    for stop in 0..s.stops.len() {
        visits
            .get_mut(stop)
            .sort_unstable_by_key(|&i| (st[i as usize].departure, st[i as usize].trip));
    }
    let frequency_visits = Groups::build(
        s.stops.len(),
        trips
            .iter()
            .filter(|t| t.usable && t.is_frequency_based())
            .flat_map(|t| t.stop_times.range())
            .map(|i| (st[i].stop.index(), i as u32)),
    );
    let first_departure = |t: TripIdx| st[trips[t.index()].stop_times.start as usize].departure;
    let mut route_trips = Groups::build(
        s.routes.len(),
        trips
            .iter()
            .enumerate()
            .filter(|(_, t)| t.usable)
            .map(|(i, t)| (t.route.index(), TripIdx(i as u32))),
    );
    for r in 0..s.routes.len() {
        route_trips
            .get_mut(r)
            .sort_by_key(|&t| (first_departure(t), t));
    }
    let children = Groups::build(
        s.stops.len(),
        s.stops
            .iter()
            .enumerate()
            .filter_map(|(i, stop)| Some((stop.parent?.index(), StopIdx(i as u32)))),
    );
    let mut max_time = timetabled()
        .map(|i| st[i].arrival.max(st[i].departure))
        .max()
        .unwrap_or(0);
    for t in trips.iter().filter(|t| t.usable && t.is_frequency_based()) {
        let calls = &st[t.stop_times.range()];
        let duration = calls[calls.len() - 1]
            .arrival
            .saturating_sub(calls[0].departure);
        for f in &s.frequencies[t.frequencies.range()] {
            max_time = max_time.max(f.end.saturating_add(duration));
        }
    }
    let mut used_services = vec![false; s.services.len()];
    for t in trips.iter().filter(|t| t.usable) {
        used_services[t.service.index()] = true;
    }
    let spans: Vec<Option<(Date, Date)>> = s
        .services
        .iter()
        .zip(&used_services)
        .map(|(svc, used)| if *used { svc.active_span() } else { None })
        .collect();
    s.service_span = spans
        .iter()
        .flatten()
        .copied()
        .reduce(|(a0, a1), (b0, b1)| (a0.min(b0), a1.max(b1)));
    s.index.route_runs = (0..s.routes.len())
        .map(|r| {
            route_trips
                .get(r)
                .iter()
                .any(|t| spans[trips[t.index()].service.index()].is_some())
        })
        .collect();
    s.index.visits = visits;
    s.index.frequency_visits = frequency_visits;
    s.index.route_trips = route_trips;
    s.index.children = children;
    s.index.max_time = max_time;
}
