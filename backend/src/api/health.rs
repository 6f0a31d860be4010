//! `GET /health`: which schedules are served, from where, since when, and how big; and what
//! each realtime source has done lately.

use api_types::{FeedHealth, Health, RealtimeSourceHealth};
use axum::Json;
use axum::extract::State;

use crate::schedule::time::format_rfc3339;
use crate::state::AppState;

/// Whether the server is up, which schedules it serves (version, source, counts) and what each
/// realtime source has done lately.
#[utoipa::path(
    get,
    path = "/health",
    tag = "meta",
    responses((status = 200, description = "Server health", body = Health)),
)]
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
    let statuses = state.ingest.status();
    let realtime = state
        .ingest
        .sources()
        .iter()
        .map(|source| {
            let tz = catalog
                .feed(source.feed.as_str())
                .map_or_else(|| utc.clone(), |f| f.schedule.timezone.clone());
            let time = |t: i64| format_rfc3339(t, &tz);
            let status = statuses.iter().find(|s| s.id == source.id);
            let mut health = RealtimeSourceHealth {
                source_id: source.id.clone(),
                feed_id: source.feed.to_string(),
                kind: source.kind.as_str().to_owned(),
                polled: source.url.is_some(),
                push: source.token.is_some(),
                last_success: None,
                age_seconds: None,
                last_checked: None,
                last_header_timestamp: None,
                failing_since: None,
                last_error: None,
                messages: 0,
                entities: 0,
                entities_rejected: 0,
                findings: Vec::new(),
                finding_counts: Default::default(),
            };
            if let Some(s) = status {
                health.last_success = s.last_success.map(time);
                health.age_seconds = s.last_success.map(|t| now.as_second() - t);
                health.last_checked = s.last_checked.map(time);
                health.last_header_timestamp = s
                    .last_header_timestamp
                    .and_then(|t| i64::try_from(t).ok())
                    .map(time);
                health.failing_since = s.failing_since.map(time);
                health.last_error = s.last_error.clone();
                health.messages = s.messages;
                health.entities = s.entities;
                health.entities_rejected = s.entities_rejected;
                health.findings = s.findings.iter().map(super::realtime::finding).collect();
                health.finding_counts = s
                    .finding_counts
                    .iter()
                    .map(|(code, n)| ((*code).to_owned(), *n))
                    .collect();
            }
            health
        })
        .collect();
    Json(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        started_at: format_rfc3339(state.started_at.as_second(), &utc),
        now: format_rfc3339(now.as_second(), &utc),
        feeds,
        realtime,
    })
}
