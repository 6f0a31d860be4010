//! Bytes → `FeedMessage`.

use gtfs_rt::{FeedMessage, Message as _};

/// A payload that is not a GTFS-Realtime `FeedMessage`.
#[derive(Debug, thiserror::Error)]
#[error(
    "not a GTFS-Realtime FeedMessage ({0}); check that it is binary protobuf, not JSON, text or HTML"
)]
pub struct DecodeError(#[from] prost::DecodeError);

pub fn decode(bytes: &[u8]) -> Result<FeedMessage, DecodeError> {
    Ok(FeedMessage::decode(bytes)?)
}
