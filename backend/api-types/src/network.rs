//! Stops, routes, vehicles and server time: `GET /api/v1/stops` (search and nearby),
//! `/stops/{id}`, `/routes`, `/routes/{id}`, `/vehicles` and `/time`.

use serde::{Deserialize, Serialize};

use crate::departures::StopRef;

/// A route as a badge: what a stop list or a vehicle shows of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteBadge {
    /// Global route id.
    pub id: String,
    /// `route_short_name`, else the long name.
    pub short_name: String,
    /// `RRGGBB`, no leading `#`.
    pub color: String,
    pub text_color: String,
}

/// One stop in a search, nearby or detail answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StopSummary {
    /// Global stop id.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The name in the response's `lang` (the feed's own name when there is no translation).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    /// `stop`, `station`, `entrance`, `generic_node` or `boarding_area`.
    pub location_type: String,
    /// Global id of the station this stop belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_station: Option<String>,
    /// Routes calling here (at its platforms, for a station), sorted by route order.
    pub routes: Vec<RouteBadge>,
    /// Search only: how the query matched, best first: 0 exact code or name, 1 name prefix,
    /// 2 word prefix, 3 substring, 4 substring ignoring spaces. Results are sorted by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_rank: Option<u8>,
    /// Nearby only: great-circle distance from the given point, metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    /// The bay this stop is, for a platform (see `StopRef.bay`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bay: Option<String>,
    /// Search and nearby, for a station: its bays (platforms), each with its routes (and
    /// distance, nearby), in bay order. A station is listed once with them: its platforms
    /// are not listed again on their own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    // A station's bays are stops: the schema refers to itself, once.
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub platforms: Vec<StopSummary>,
}

/// `GET /api/v1/stops?q=` or `?lat=&lon=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StopsResponse {
    /// Language of the names (`vi`, `en`, `ja`).
    pub lang: String,
    /// Best match first (search) or nearest first (nearby).
    pub stops: Vec<StopSummary>,
}

/// `GET /api/v1/stops/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StopDetail {
    pub lang: String,
    pub stop: StopSummary,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    /// `Some(true)` accessible, `Some(false)` not, `None` unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wheelchair_boarding: Option<bool>,
    /// The station of a platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<StopSummary>,
    /// The platforms (and entrances…) of a station.
    pub children: Vec<StopSummary>,
}

/// A route in the route list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteSummary {
    /// Global route id.
    pub id: String,
    pub short_name: String,
    /// In the response's `lang`.
    pub long_name: String,
    pub color: String,
    pub text_color: String,
    /// Global agency id.
    pub agency_id: String,
    /// In the response's `lang`.
    pub agency_name: String,
}

/// `GET /api/v1/routes`: every feed's routes, by agency then `route_sort_order` then short
/// name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoutesResponse {
    pub lang: String,
    pub routes: Vec<RouteSummary>,
}

/// One direction of a route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteDirection {
    /// GTFS `direction_id` (0 or 1); absent when the feed has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction_id: Option<u8>,
    /// The headsign of the most common stop pattern, in `lang`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headsign: Option<String>,
    /// The stops of the most common stop pattern of the direction, in order.
    pub stops: Vec<StopRef>,
    /// The pattern's shape as `[lat, lon]` points (at most about 500, simplified).
    pub shape: Vec<[f64; 2]>,
}

/// `GET /api/v1/routes/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteDetail {
    pub lang: String,
    pub route: RouteSummary,
    pub directions: Vec<RouteDirection>,
    /// Vehicles on the route now (from realtime; empty without it).
    pub vehicles: Vec<Vehicle>,
}

/// A vehicle as realtime sees it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Vehicle {
    /// Global vehicle id.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub lat: f64,
    pub lon: f64,
    /// Degrees clockwise from north.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearing: Option<f32>,
    /// Metres per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<f32>,
    /// Global trip id of the trip it runs (or is matched to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trip_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<RouteBadge>,
    /// The next stop it calls at (or is at, see `at_stop`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_stop: Option<StopRef>,
    pub at_stop: bool,
    /// When the position was measured (RFC 3339, agency offset).
    pub timestamp: String,
    /// Seconds between `timestamp` and the server's now.
    pub data_age_s: i64,
    /// Too far from its trip's shape.
    pub off_route: bool,
    /// Not moving for too long.
    pub stuck: bool,
    /// Waiting at a terminal before its trip starts.
    pub layover: bool,
}

/// `GET /api/v1/vehicles`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VehiclesResponse {
    pub lang: String,
    /// Server time (UTC, RFC 3339).
    pub now: String,
    pub vehicles: Vec<Vehicle>,
}

/// `GET /api/v1/time`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeResponse {
    /// Server time, UTC, RFC 3339.
    pub now: String,
    /// The same instant in unix milliseconds.
    pub unix_ms: i64,
    /// The same instant in each feed's time zone.
    pub feeds: Vec<FeedTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedTime {
    pub feed: String,
    /// IANA time zone.
    pub time_zone: String,
    /// RFC 3339 with the feed's offset.
    pub local: String,
}

// Route pages: the next arrivals along a route.

/// `GET /api/v1/routes/{id}/arrivals`: per direction (as in [`RouteDetail`]), each stop of
/// its most common stop pattern with the route's next buses there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteArrivalsResponse {
    pub lang: String,
    /// Global route id.
    pub route_id: String,
    /// Server time (RFC 3339, agency offset): minutes are counted from it.
    pub now: String,
    /// End of the window looked at (RFC 3339, agency offset).
    pub to: String,
    /// Whether the times include realtime predictions (as on a departure board).
    pub realtime: crate::RealtimeStatus,
    pub directions: Vec<DirectionArrivals>,
}

/// One direction of a route, its stops in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectionArrivals {
    /// GTFS `direction_id` (0 or 1); absent when the feed has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction_id: Option<u8>,
    /// The headsign of the most common stop pattern, in `lang`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headsign: Option<String>,
    pub stops: Vec<StopArrivals>,
}

/// A stop of a route and the route's next buses there in that direction, by expected time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StopArrivals {
    pub stop: StopRef,
    /// As on the stop's departure board (live, timetable, cancelled, skipped), the last stop
    /// of a trip included (arrival times there).
    pub arrivals: Vec<crate::Departure>,
}

/// `GET /api/v1/network`: every route of every feed (in the order of `/routes`) with its
/// shapes, for a map of the whole network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkResponse {
    pub lang: String,
    pub routes: Vec<NetworkRoute>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkRoute {
    pub route: RouteSummary,
    /// The distinct shapes of its directions, as `[lat, lon]` points (at most about 150
    /// each, simplified); empty when the feed has no shapes for it.
    pub shapes: Vec<Vec<[f64; 2]>>,
}
