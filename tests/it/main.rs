//! The integration tests: one binary (`cargo test --test it`), one module per capability.
//! They drive the real components: feeds read from files by the real loader, the real server
//! on a real port with a real HTTP client, the real `backend` executable.

mod alerts;
mod architecture;
// Stations and bays
mod bays;
mod cli;
mod oba;
mod openapi;
mod operator;
mod ops;
mod prediction;
// Issue 12: what real feeds get wrong.
mod real_feeds;
mod realtime_ingest;
mod realtime_outputs;
// Route pages: the next arrivals along a route.
mod route_arrivals;
mod schedule_cases;
mod search;
mod server;
mod shared_data;
mod signage;
mod simulate;
mod support;
mod trips;
mod validation;
