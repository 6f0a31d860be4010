//! `GET /health`: which schedules are served, from where, since when, and how big.

use api_types::{FeedHealth, Health};
use axum::Json;
use axum::extract::State;

use crate::schedule::time::format_rfc3339;
use crate::server::AppState;

pub async fn health(State(state): State<AppState>) -> Json<Health> {
    let catalog = state.catalog.load();
    let now = state.clock.now();
    let utc = jiff::tz::TimeZone::UTC;
    let feeds = catalog
        .feeds()
        .iter()
        .map(|f| {
            let s = &f.schedule;
            FeedHealth {
                feed_id: s.feed_id.to_string(),
                schedule_version: s.version.chars().take(16).collect(),
                feed_version: s.meta.version.as_deref().map(str::to_owned),
                publisher: s.meta.publisher_name.as_deref().map(str::to_owned),
                source: f.source.clone(),
                loaded_at: format_rfc3339(f.loaded_at.as_second(), &s.timezone),
                time_zone: s.timezone_name.to_string(),
                agencies: s.agencies.iter().map(|a| a.name.to_string()).collect(),
                first_service_date: s.service_span.map(|(a, _)| a.to_string()),
                last_service_date: s.service_span.map(|(_, b)| b.to_string()),
                counts: s.counts(),
                warnings: f.report.warning_count(),
            }
        })
        .collect();
    Json(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        started_at: format_rfc3339(state.started_at.as_second(), &utc),
        now: format_rfc3339(now.as_second(), &utc),
        feeds,
    })
}
