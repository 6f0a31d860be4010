//! Wire types of the JSON API: what `/api/v1/*` and `/health` send, and what the web app reads.
//!
//! This crate is the single definition of those shapes. The backend builds them from its
//! domain model; the web app (`frontend`, also compiled to WebAssembly) deserialises them.
//! It depends on `serde` only, so it compiles for every target and never drags server code
//! into the browser bundle. The optional feature `openapi` (the backend's, never the web app's)
//! derives `utoipa::ToSchema` for the server's OpenAPI document. Domain types (the schedule, realtime state) never appear here:
//! everything is plain strings, numbers and enums, already localised and formatted for the
//! reader.
//!
//! Conventions:
//! - ids are global: `{feed_id}:{local_id}` (see [`GlobalId`]); a feed id never contains `:`;
//! - instants are RFC 3339 strings with the agency's UTC offset (`2026-11-23T07:05:00+07:00`),
//!   so a client can show local time without a time-zone database;
//! - service dates are `YYYY-MM-DD`.

pub mod alerts;
pub mod departures;
pub mod error;
pub mod health;
pub mod network;
pub mod operator;
pub mod realtime;
pub mod report;
pub mod signage;
pub mod trips;

pub use alerts::{ActivePeriod, Alert, AlertsResponse};
pub use departures::{
    Basis, Departure, DepartureStatus, DeparturesResponse, Freshness, Headway, RealtimeStatus,
    RouteRef, StopRef,
};
pub use error::ErrorBody;
pub use health::{FeedCounts, FeedHealth, Health};
pub use network::{
    FeedTime, RouteBadge, RouteDetail, RouteDirection, RouteSummary, RoutesResponse, StopDetail,
    StopSummary, StopsResponse, TimeResponse, Vehicle, VehiclesResponse,
};
pub use realtime::{PushResponse, RealtimeFinding, RealtimeSourceHealth};
// Route pages: the next arrivals along a route.
pub use network::{
    DirectionArrivals, NetworkResponse, NetworkRoute, RouteArrivalsResponse, StopArrivals,
};
pub use report::{Finding, Severity, ValidationReport, ValidationSummary};
pub use signage::{SignageBoard, SignageDeparture};
pub use trips::{TripDetail, TripStop};

/// A global entity id: `{feed_id}:{local_id}`.
///
/// Feed ids are restricted to `[a-z0-9-]`, so the first `:` always separates the two parts,
/// even when the agency's own id contains colons (`de:08111:6118`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlobalId<'a> {
    pub feed: &'a str,
    pub local: &'a str,
}

impl<'a> GlobalId<'a> {
    /// Splits `feed:local`. Returns `None` when there is no `:` or the feed part is empty.
    pub fn parse(id: &'a str) -> Option<Self> {
        let (feed, local) = id.split_once(':')?;
        (!feed.is_empty() && !local.is_empty()).then_some(GlobalId { feed, local })
    }

    pub fn format(feed: &str, local: &str) -> String {
        // Not `format!`: boards write several ids per departure.
        let mut id = String::with_capacity(feed.len() + 1 + local.len());
        id.push_str(feed);
        id.push(':');
        id.push_str(local);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_id_splits_at_the_first_colon() {
        let id = GlobalId::parse("de-vvs:de:08111:6118").expect("valid id");
        assert_eq!(id.feed, "de-vvs");
        assert_eq!(id.local, "de:08111:6118");
        assert_eq!(GlobalId::parse("no-colon"), None);
        assert_eq!(GlobalId::parse(":x"), None);
        assert_eq!(GlobalId::parse("x:"), None);
        assert_eq!(GlobalId::format("a", "b:c"), "a:b:c");
    }
}
