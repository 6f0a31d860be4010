//! Predictions: from tracked vehicles and learned travel times to arrival and departure times
//! at every downstream stop, published as one immutable [`Snapshot`].
//!
//! Pure: the realtime state, the history and `now` in; a snapshot out. Readers (API handlers,
//! GTFS-Realtime output) load the published snapshot and never wait for the engine.

pub mod history;
pub mod model;
pub mod snapshot;

pub use history::{History, ObservedCall};
pub use model::{Settings, feed_snapshot, merge_agency};
pub use snapshot::{
    Basis, FeedSnapshot, Snapshot, StopPrediction, TripPrediction, TripStatus, VehicleView,
    publishable,
};
