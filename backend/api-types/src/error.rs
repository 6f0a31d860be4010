//! The body of every JSON API error response.

use serde::{Deserialize, Serialize};

/// `{"error": "stop_not_found", "message": "…"}`, sent with the matching HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable machine-readable code.
    pub error: String,
    /// What went wrong and what to do about it, for a human.
    pub message: String,
}
