//! The IO shell around the realtime engine: polls configured GTFS-Realtime feeds, accepts
//! pushed ones, runs the [`crate::pipeline::Pipeline`] in one task and publishes its snapshots.
