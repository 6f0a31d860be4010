//! The validation report of a static GTFS feed.
//!
//! Produced by `backend validate` and, later, returned by the operator upload API and shown in
//! the operator console. Every finding says where (file, line when known) and what to do.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The feed cannot be used as it is.
    Error,
    /// The feed can be served, but something is probably wrong and riders may notice.
    Warning,
}

/// One problem found in a feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub severity: Severity,
    /// Stable machine-readable code, e.g. `missing_required_file`, `unknown_stop_id`.
    pub code: String,
    /// The GTFS file concerned, e.g. `stop_times.txt`; empty for the feed as a whole.
    pub file: String,
    /// 1-based line in `file` (the header is line 1), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// What is wrong, naming the ids involved.
    pub message: String,
    /// What to change to fix it.
    pub fix: String,
}

/// Counts of what was read, so an operator can check the upload is the feed they meant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidationSummary {
    pub agencies: usize,
    pub stops: usize,
    pub routes: usize,
    pub trips: usize,
    pub stop_times: usize,
    pub shapes: usize,
    pub services: usize,
    pub frequencies: usize,
    /// First and last dates on which any service runs (`YYYY-MM-DD`), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_service_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_service_date: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidationReport {
    pub feed_id: String,
    /// `true` when there is no error: the feed can be activated.
    pub valid: bool,
    /// Errors first, then warnings; within a severity, in file order.
    pub findings: Vec<Finding>,
    /// Findings left out of `findings` because one code repeated too often (the first
    /// occurrences of each code are always kept). Counted per code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<SuppressedFindings>,
    pub summary: ValidationSummary,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuppressedFindings {
    pub code: String,
    pub severity: Severity,
    pub count: usize,
}

impl ValidationReport {
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
    }

    /// Total errors, including suppressed ones.
    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    /// Total warnings, including suppressed ones.
    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
            + self
                .suppressed
                .iter()
                .filter(|s| s.severity == severity)
                .map(|s| s.count)
                .sum::<usize>()
    }
}
