//! Vehicles, matched to trip instances, with their progress along the trip.
