//! The schedule model: one feed's static GTFS, validated, indexed and immutable.
//!
//! Built once by [`ScheduleBuilder`] from rows that the `feed` module reads (this module never
//! opens a file, a socket or a clock: the caller passes "today" in), then shared read-only
//! behind an `Arc` by every request and by the realtime engine. Entities live in dense
//! vectors addressed by `u32` newtype indexes ([`StopIdx`], [`TripIdx`]…); GTFS string ids
//! appear only at the edges, through the `*_by_id` lookups.
//!
//! Indexes built at load answer the hot queries without scanning all trips:
//! - calls at a stop between two instants ([`Schedule::departures`]), including trips of
//!   yesterday's service day still running after midnight and frequency-based trips;
//! - trips of a route ([`Schedule::trips_of_route`]);
//! - the next trip of a vehicle's block ([`Schedule::next_trip_in_block`]);
//! - platforms of a station ([`Schedule::children`]).
//!
//! Every trip has a shape: its own from `shapes.txt`, or a straight-line one through its stops
//! (shared by trips with the same stop pattern), and every stop time knows its distance in
//! metres along that shape.

mod build;
pub mod calendar;
mod checks;
mod departures;
mod findings;
pub mod geo;
mod headsigns;
mod lint;
pub mod time;
pub mod translations;

use std::fmt;
use std::num::NonZeroU32;

pub use build::ScheduleBuilder;
pub use calendar::Service;
pub use departures::Call;
pub use findings::GtfsFile;
pub use geo::{LatLon, Polyline};
pub use gtfs_structures::{
    Availability, BikesAllowedType, DirectionType, LocationType, PickupDropOffType, RouteType,
};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rustc_hash::FxHashMap;
pub use translations::{Field, Translations};

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_type!(
    /// Position of a stop in [`Schedule::stops`].
    StopIdx
);
index_type!(
    /// Position of a route in [`Schedule::routes`].
    RouteIdx
);
index_type!(
    /// Position of a trip in [`Schedule::trips`].
    TripIdx
);
index_type!(
    /// Position of a shape in [`Schedule::shapes`].
    ShapeIdx
);
index_type!(
    /// Position of a service in [`Schedule::services`].
    ServiceIdx
);
index_type!(
    /// Position of an agency in [`Schedule::agencies`].
    AgencyIdx
);
index_type!(
    /// Position of a block in [`Schedule::blocks`].
    BlockIdx
);

/// Identifies one feed (one operator's GTFS) among those the server loads at once.
///
/// Lower-case ASCII letters, digits and `-`, 1–40 characters: safe in URLs, file names and as
/// the prefix of global ids (`{feed_id}:{local_id}`), where it can never contain the `:`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FeedId(Box<str>);

impl FeedId {
    pub fn new(id: &str) -> Result<Self, String> {
        let ok = !id.is_empty()
            && id.len() <= 40
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(FeedId(id.into()))
        } else {
            Err(format!(
                "feed id {id:?} is not valid: use 1 to 40 lower-case letters, digits or '-'"
            ))
        }
    }

    /// A feed id made from a file or folder name: `Binh Duong GTFS.zip` → `binh-duong-gtfs`.
    pub fn from_name(name: &str) -> Self {
        let stem = name
            .strip_suffix(".zip")
            .or_else(|| name.strip_suffix(".ZIP"))
            .unwrap_or(name);
        let mut id = String::new();
        for c in stem.chars() {
            if c.is_ascii_alphanumeric() {
                id.push(c.to_ascii_lowercase());
            } else if !id.ends_with('-') && !id.is_empty() {
                id.push('-');
            }
        }
        let id = id.trim_end_matches('-');
        let id = if id.is_empty() { "feed" } else { id };
        FeedId(
            id.chars()
                .take(40)
                .collect::<String>()
                .trim_end_matches('-')
                .into(),
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FeedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone)]
pub struct Agency {
    /// `agency_id`; empty when the feed has a single agency and leaves it out.
    pub id: Box<str>,
    pub name: Box<str>,
    pub url: Box<str>,
    pub timezone: Box<str>,
    pub lang: Option<Box<str>>,
    pub phone: Option<Box<str>>,
    pub fare_url: Option<Box<str>>,
}

#[derive(Debug, Clone)]
pub struct Stop {
    pub id: Box<str>,
    pub code: Option<Box<str>>,
    pub name: Box<str>,
    pub desc: Option<Box<str>>,
    /// `None` only for generic nodes and boarding areas, for which coordinates are optional.
    pub position: Option<LatLon>,
    pub location_type: LocationType,
    pub parent: Option<StopIdx>,
    /// For platforms without their own value, inherited from the parent station (as GTFS says).
    pub wheelchair_boarding: Availability,
    pub platform_code: Option<Box<str>>,
    pub zone_id: Option<Box<str>>,
}

/// An `RRGGBB` colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `RRGGBB`, upper case (every departure on a board has two).
    pub fn hex(self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
        let mut hex = String::with_capacity(6);
        for b in [self.0, self.1, self.2] {
            hex.push(char::from(DIGITS[usize::from(b >> 4)]));
            hex.push(char::from(DIGITS[usize::from(b & 15)]));
        }
        hex
    }
}

#[derive(Debug, Clone)]
pub struct Route {
    pub id: Box<str>,
    pub agency: AgencyIdx,
    pub short_name: Option<Box<str>>,
    pub long_name: Option<Box<str>>,
    pub desc: Option<Box<str>>,
    pub route_type: RouteType,
    pub url: Option<Box<str>>,
    /// GTFS defaults: white background, black text.
    pub color: Rgb,
    pub text_color: Rgb,
    /// `Some(n)` when the feed gives no `route_color`: this is its `n`-th such route, and
    /// outputs draw it in the `n`-th default colour (`frontend::colour::default_route_colour`)
    /// rather than GTFS's white.
    pub colour_slot: Option<u32>,
    pub sort_order: Option<u32>,
}

impl Route {
    /// The GTFS `route_type` number (3 = bus; extended types as they are).
    pub fn type_code(&self) -> i32 {
        match self.route_type {
            RouteType::Tramway => 0,
            RouteType::Subway => 1,
            RouteType::Rail => 2,
            RouteType::Bus => 3,
            RouteType::Ferry => 4,
            RouteType::CableCar => 5,
            RouteType::Gondola => 6,
            RouteType::Funicular => 7,
            RouteType::Extended(e) => i32::from(e as i16),
            RouteType::Other(n) => i32::from(n),
        }
    }
}

/// A contiguous range of another vector: `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
}

#[derive(Debug, Clone)]
pub struct Trip {
    pub id: Box<str>,
    pub route: RouteIdx,
    pub service: ServiceIdx,
    pub headsign: Option<Box<str>>,
    pub short_name: Option<Box<str>>,
    pub direction: Option<DirectionType>,
    pub block: Option<BlockIdx>,
    /// Always set for trips with stop times: `shapes.txt`'s or a straight-line one.
    pub shape: Option<ShapeIdx>,
    pub wheelchair_accessible: Availability,
    pub bikes_allowed: BikesAllowedType,
    /// This trip's rows of [`Schedule::stop_times`], in stop_sequence order.
    pub stop_times: Span,
    /// This trip's rows of [`Schedule::frequencies`]; empty for timetabled trips.
    pub frequencies: Span,
    /// `false` when the trip cannot run (fewer than two stop times); it is left out of every
    /// index, and the validation report says why.
    pub usable: bool,
}

impl Trip {
    pub fn is_frequency_based(&self) -> bool {
        !self.frequencies.is_empty()
    }
}

/// Whether and how riders may board or alight at a stop time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boarding {
    Regular,
    None,
    PhoneAgency,
    CoordinateWithDriver,
}

impl From<PickupDropOffType> for Boarding {
    fn from(t: PickupDropOffType) -> Self {
        match t {
            PickupDropOffType::NotAvailable => Boarding::None,
            PickupDropOffType::ArrangeByPhone => Boarding::PhoneAgency,
            PickupDropOffType::CoordinateWithDriver => Boarding::CoordinateWithDriver,
            // Unknown values: serving riders as usual is the least surprising reading.
            PickupDropOffType::Regular | PickupDropOffType::Unknown(_) => Boarding::Regular,
        }
    }
}

/// One call of a trip at a stop. 32 bytes: a million-row feed fits in ~32 MB.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StopTime {
    pub trip: TripIdx,
    pub stop_sequence: u32,
    pub stop: StopIdx,
    /// Seconds since the start of the service day (may exceed 24 h). For frequency-based
    /// trips, times of the template trip: only differences from its first departure matter.
    pub arrival: u32,
    pub departure: u32,
    /// Metres along the trip's shape.
    pub dist_m: f32,
    /// Index into [`Schedule::headsigns`] when `stop_headsign` overrides the trip's.
    pub stop_headsign: Option<NonZeroU32>,
    pub pickup: Boarding,
    pub drop_off: Boarding,
    /// `timepoint=1`: the operator holds to this time (an early bus waits).
    pub timepoint: bool,
    /// The feed left the time blank; we interpolated it along the trip.
    pub interpolated: bool,
}

#[derive(Debug, Clone)]
pub struct Shape {
    /// `shapes.txt` id; `None` for straight-line shapes we made for trips without one.
    pub id: Option<Box<str>>,
    pub line: Polyline,
}

/// One `frequencies.txt` row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frequency {
    pub trip: TripIdx,
    /// First departure from the first stop, seconds since service-day start.
    pub start: u32,
    /// Departures happen strictly before this time.
    pub end: u32,
    pub headway_secs: u32,
    /// `exact_times=1`: departures are exactly `start + k·headway` (a compressed timetable);
    /// otherwise only the headway is promised.
    pub exact_times: bool,
}

/// Trips run by one vehicle in turn (`block_id`).
#[derive(Debug, Clone)]
pub struct Block {
    pub id: Box<str>,
    /// Sorted by first departure time.
    pub trips: Vec<TripIdx>,
}

/// `feed_info.txt`.
#[derive(Debug, Clone, Default)]
pub struct FeedMeta {
    pub publisher_name: Option<Box<str>>,
    pub publisher_url: Option<Box<str>>,
    pub lang: Option<Box<str>>,
    pub version: Option<Box<str>>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
}

/// Compressed-sparse-row grouping: `items[offsets[k]..offsets[k+1]]` belong to key `k`.
#[derive(Debug, Clone, Default)]
struct Groups<T> {
    offsets: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy + Default> Groups<T> {
    /// Groups `(key, item)` pairs by key (0..keys), keeping the pairs' order within a key.
    fn build(keys: usize, pairs: impl Iterator<Item = (usize, T)> + Clone) -> Self {
        let mut offsets = vec![0u32; keys + 1];
        for (k, _) in pairs.clone() {
            offsets[k + 1] += 1;
        }
        for k in 0..keys {
            offsets[k + 1] += offsets[k];
        }
        let mut fill = offsets.clone();
        let mut items = vec![T::default(); offsets[keys] as usize];
        for (k, item) in pairs {
            items[fill[k] as usize] = item;
            fill[k] += 1;
        }
        Groups { offsets, items }
    }

    fn get(&self, key: usize) -> &[T] {
        match (self.offsets.get(key), self.offsets.get(key + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }

    fn get_mut(&mut self, key: usize) -> &mut [T] {
        match (self.offsets.get(key), self.offsets.get(key + 1)) {
            (Some(&a), Some(&b)) => &mut self.items[a as usize..b as usize],
            _ => &mut [],
        }
    }
}

/// Lookups from GTFS ids and the precomputed query indexes.
#[derive(Debug, Clone, Default)]
struct Indexes {
    stop_by_id: FxHashMap<Box<str>, StopIdx>,
    route_by_id: FxHashMap<Box<str>, RouteIdx>,
    trip_by_id: FxHashMap<Box<str>, TripIdx>,
    /// Stop-time indexes of timetabled trips per stop, sorted by departure time.
    visits: Groups<u32>,
    /// Stop-time indexes of frequency-based (template) trips per stop.
    frequency_visits: Groups<u32>,
    /// Trips per route, sorted by first departure.
    route_trips: Groups<TripIdx>,
    /// Child stops (platforms, entrances…) per station.
    children: Groups<StopIdx>,
    /// Per route: whether any of its trips runs on some date of the feed. Lists (routes,
    /// the map, OneBusAway) show only those; the rest stay reachable by id.
    route_runs: Vec<bool>,
    /// Latest time of day of any call (frequency windows included), in seconds: how far past
    /// its start a service day can reach.
    max_time: u32,
}

/// One feed's static schedule. Immutable once built; share it with `Arc`.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub feed_id: FeedId,
    /// SHA-256 (hex) of the feed's content: identifies this exact schedule.
    pub version: String,
    pub timezone: TimeZone,
    pub timezone_name: Box<str>,
    /// Language of the names as written in the feed (`feed_lang`, else `agency_lang`).
    pub lang: Option<Box<str>>,
    pub meta: FeedMeta,
    pub agencies: Vec<Agency>,
    pub stops: Vec<Stop>,
    pub routes: Vec<Route>,
    pub trips: Vec<Trip>,
    pub stop_times: Vec<StopTime>,
    pub shapes: Vec<Shape>,
    pub services: Vec<Service>,
    pub frequencies: Vec<Frequency>,
    pub blocks: Vec<Block>,
    /// Distinct `stop_headsign` texts; index 0 is unused.
    pub headsigns: Vec<Box<str>>,
    pub translations: Translations,
    /// First and last date any trip runs.
    pub service_span: Option<(Date, Date)>,
    index: Indexes,
}

impl Schedule {
    pub fn stop_by_id(&self, id: &str) -> Option<StopIdx> {
        self.index.stop_by_id.get(id).copied()
    }

    pub fn route_by_id(&self, id: &str) -> Option<RouteIdx> {
        self.index.route_by_id.get(id).copied()
    }

    pub fn trip_by_id(&self, id: &str) -> Option<TripIdx> {
        self.index.trip_by_id.get(id).copied()
    }

    pub fn stop(&self, idx: StopIdx) -> &Stop {
        &self.stops[idx.index()]
    }

    pub fn route(&self, idx: RouteIdx) -> &Route {
        &self.routes[idx.index()]
    }

    pub fn trip(&self, idx: TripIdx) -> &Trip {
        &self.trips[idx.index()]
    }

    /// The trip's calls in stop_sequence order.
    pub fn trip_stop_times(&self, idx: TripIdx) -> &[StopTime] {
        &self.stop_times[self.trips[idx.index()].stop_times.range()]
    }

    pub fn trip_frequencies(&self, idx: TripIdx) -> &[Frequency] {
        &self.frequencies[self.trips[idx.index()].frequencies.range()]
    }

    /// Usable trips of a route, sorted by first departure.
    pub fn trips_of_route(&self, idx: RouteIdx) -> &[TripIdx] {
        self.index.route_trips.get(idx.index())
    }

    /// Whether a route belongs in lists: some trip of it runs on some date of the feed
    /// (NYCT's Bronx feed lists 307 routes, 46 of which run).
    pub fn route_is_listed(&self, idx: RouteIdx) -> bool {
        self.index
            .route_runs
            .get(idx.index())
            .copied()
            .unwrap_or(false)
    }

    /// The routes that belong in lists ([`Schedule::route_is_listed`]), in feed order.
    pub fn listed_routes(&self) -> impl Iterator<Item = RouteIdx> + '_ {
        (0..self.routes.len() as u32)
            .map(RouteIdx)
            .filter(|&r| self.route_is_listed(r))
    }

    /// Child stops of a station (empty for other stops).
    pub fn children(&self, idx: StopIdx) -> &[StopIdx] {
        self.index.children.get(idx.index())
    }

    /// The stop and, for a station, its platforms: what "departures at this stop" covers.
    pub fn stop_and_children(&self, idx: StopIdx) -> Vec<StopIdx> {
        let mut out = vec![idx];
        out.extend_from_slice(self.children(idx));
        out
    }

    pub fn service_active(&self, service: ServiceIdx, date: Date) -> bool {
        self.services[service.index()].is_active(date)
    }

    /// The trip that the same vehicle runs after `trip` on service date `date`.
    pub fn next_trip_in_block(&self, trip: TripIdx, date: Date) -> Option<TripIdx> {
        let block = &self.blocks[self.trip(trip).block?.index()];
        let pos = block.trips.iter().position(|&t| t == trip)?;
        block.trips[pos + 1..]
            .iter()
            .copied()
            .find(|&t| self.service_active(self.trip(t).service, date))
    }

    /// Latest time of day any call happens at, in seconds since service-day start.
    pub fn max_time_of_day(&self) -> u32 {
        self.index.max_time
    }

    /// `name` translated into `lang` when the feed has a translation, else `name` itself.
    pub fn translate<'a>(&'a self, field: Field, key: &str, name: &'a str, lang: &str) -> &'a str {
        if self
            .lang
            .as_deref()
            .is_some_and(|l| l.eq_ignore_ascii_case(lang))
        {
            return name;
        }
        self.translations
            .get(field, key, name, lang)
            .unwrap_or(name)
    }

    pub fn stop_name(&self, idx: StopIdx, lang: &str) -> &str {
        let stop = self.stop(idx);
        self.translate(Field::StopName, &stop.id, &stop.name, lang)
    }

    /// The bay (platform) riders board at, in `lang`: the stop's `platform_code`, else, for a
    /// platform of a station, its own name when it differs from the station's (a feed that
    /// names its platforms "Hikari – Bay A" but gives no code). `None` for a station, or a
    /// platform named like its station without a code: nothing tells it apart.
    pub fn bay(&self, idx: StopIdx, lang: &str) -> Option<&str> {
        let stop = self.stop(idx);
        if !matches!(
            stop.location_type,
            LocationType::StopPoint | LocationType::BoardingArea
        ) {
            return None;
        }
        if let Some(code) = stop.platform_code.as_deref() {
            return Some(self.translate(Field::PlatformCode, &stop.id, code, lang));
        }
        let station = self.stop_name(stop.parent?, lang);
        let own = self.stop_name(idx, lang);
        if own == station {
            return None;
        }
        // "Hikari – Bay A" at station "Hikari": the part that tells it apart.
        let rest = own
            .strip_prefix(station)
            .map(|r| r.trim_start_matches(|c: char| c.is_whitespace() || "-–—,:·/()".contains(c)))
            .filter(|r| !r.is_empty());
        Some(rest.unwrap_or(own))
    }

    pub fn route_short_name(&self, idx: RouteIdx) -> &str {
        let r = self.route(idx);
        r.short_name
            .as_deref()
            .or(r.long_name.as_deref())
            .unwrap_or("")
    }

    pub fn route_long_name(&self, idx: RouteIdx, lang: &str) -> &str {
        let r = self.route(idx);
        match r.long_name.as_deref() {
            Some(name) => self.translate(Field::RouteLongName, &r.id, name, lang),
            None => "",
        }
    }

    pub fn counts(&self) -> api_types::FeedCounts {
        api_types::FeedCounts {
            agencies: self.agencies.len(),
            stops: self.stops.len(),
            routes: self.routes.len(),
            trips: self.trips.len(),
            stop_times: self.stop_times.len(),
            shapes: self.shapes.iter().filter(|s| s.id.is_some()).count(),
            services: self.services.len(),
            frequencies: self.frequencies.len(),
            blocks: self.blocks.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_ids_are_url_and_prefix_safe() {
        assert!(FeedId::new("binh-duong").is_ok());
        assert!(FeedId::new("Binh").is_err());
        assert!(FeedId::new("a:b").is_err());
        assert!(FeedId::new("").is_err());
        assert_eq!(
            FeedId::from_name("Binh Duong GTFS.zip").as_str(),
            "binh-duong-gtfs"
        );
        assert_eq!(FeedId::from_name("__.zip").as_str(), "feed");
        assert_eq!(
            FeedId::from_name("nyct_bus-bronx").as_str(),
            "nyct-bus-bronx"
        );
    }

    #[test]
    fn colours_are_six_upper_case_hex_digits() {
        for rgb in [Rgb(0, 0, 0), Rgb(255, 255, 255), Rgb(0x0a, 0xb1, 0x7f)] {
            assert_eq!(
                rgb.hex(),
                format!("{:02X}{:02X}{:02X}", rgb.0, rgb.1, rgb.2)
            );
        }
        assert_eq!(Rgb(0x0a, 0xb1, 0x7f).hex(), "0AB17F");
    }

    #[test]
    fn groups_keep_order_within_a_key() {
        let g = Groups::build(3, [(2, 'a'), (0, 'b'), (2, 'c')].into_iter());
        assert_eq!(g.get(0), &['b']);
        assert_eq!(g.get(1), &[] as &[char]);
        assert_eq!(g.get(2), &['a', 'c']);
        assert_eq!(g.get(7), &[] as &[char]);
    }
}
