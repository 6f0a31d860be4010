//! The real-time passenger information server.
//!
//! Data flow, one module per step (see ARCHITECTURE.md):
//! feed in ([`feed`]) → schedule model ([`schedule`]) → realtime state → predictions →
//! API ([`api`], served by [`server`]) → UI (the `frontend` crate).
//! [`catalog`] holds the schedules served at once; [`config`] and [`cli`] are the shell.

pub mod api;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod feed;
pub mod schedule;
pub mod server;
