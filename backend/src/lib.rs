//! The real-time passenger information server.
//!
//! Data flow, one module per step (see ARCHITECTURE.md):
//! feed in ([`feed`]) → schedule model ([`schedule`]) → realtime state ([`realtime`]) →
//! predictions ([`predict`]) → API ([`api`], served by [`server`]) → UI (the `frontend` crate).
//! [`pipeline`] runs realtime → predictions for one message, for the server ([`ingest`]) and for
//! replays; [`catalog`] holds the schedules served at once; [`config`] and [`cli`] are the shell.
//! [`operator`] lets operators upload, activate and roll back schedule versions.
//! [`simulate`] produces realistic GTFS-Realtime for any feed, for demos and tests.

pub mod api;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod config;
pub mod feed;
pub mod ingest;
pub mod operator;
pub mod ops;
pub mod pipeline;
pub mod predict;
pub mod realtime;
pub mod replay;
pub mod schedule;
pub mod search;
pub mod server;
pub mod simulate;
pub mod site;
pub mod state;
pub mod store;
