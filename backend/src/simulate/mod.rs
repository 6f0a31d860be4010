//! A GTFS-Realtime producer for any loaded feed: realistic simulated buses, served over HTTP
//! as a `VehiclePositions` feed (and a `TripUpdates` feed of cancelled trips).
//!
//! It stands in for an operator's AVL system where there is none (the sample network, demos,
//! tests): the server polls it over HTTP exactly like a real feed, so everything downstream
//! runs for real. `backend simulate` runs it alone.
//!
//! - [`Simulator`] (`generator`, `motion`, `hash`): **pure**, no clock and no IO. A schedule, a
//!   seed and `now` in, a `FeedMessage` out; the same inputs always give the same message. Every
//!   trip instance running at `now` gets a bus whose progress follows the timetable with a
//!   per-instance personality (most 0–3 min late, some up to 10, a few running 1–3 min early
//!   and held at timepoints), traffic by time of day, dwell at stops and motion along the
//!   shape; positions carry 5–15 m of GPS noise; some vehicles report only every 20–60 s.
//!   Block trips are one vehicle. About 5 % of vehicles send no trip_id (half only their
//!   route_id, half nothing but their position) and about 1 trip instance in 50 is cancelled:
//!   no bus runs it, and the trip updates feed says `CANCELED`.
//! - `alerts`: two simulated service alerts (a route's rush-hour delays, a moved stop), in
//!   Vietnamese, English and Japanese, served as an Alerts feed.
//! - [`router`], [`spawn`], [`serve`] (`http`): the IO shell: a clock, a cache per tick, ETags.

mod alerts;
mod generator;
mod hash;
mod http;
mod motion;

pub use generator::Simulator;
pub use http::{SimFeed, TICK_S, router, serve, spawn};

#[cfg(test)]
mod tests;
