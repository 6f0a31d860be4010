//! `GET /metrics`: Prometheus metrics in the OpenMetrics text format.
//!
//! Request metrics (count by route template, method and status; latency histogram by route)
//! are recorded by [`track`], a middleware that reads axum's `MatchedPath`: labels are route
//! templates such as `/api/v1/stops/{stop_id}/departures`, never raw paths, so their number is
//! bounded by the routes the server has. Everything else (realtime sources, vehicles, schedules)
//! is read from the published state at scrape time, so it is never stale and costs nothing
//! between scrapes.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::api::ApiError;
use crate::state::AppState;

/// Latency buckets, seconds: 1 ms to 10 s.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The route label of requests no route matched (the pages' fallback, unknown paths).
const UNMATCHED: &str = "unmatched";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabels {
    source: String,
    feed: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FeedLabels {
    feed: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// The HTTP request metrics, shared by every request (cheap to clone).
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: LatencyFamily =
            Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register(
            "rtpi_http_requests",
            "HTTP requests answered, by route template, method and status",
            requests.clone(),
        );
        registry.register(
            "rtpi_http_request_duration_seconds",
            "Time to answer an HTTP request (until the response head), by route template",
            latency.clone(),
        );
        Metrics(Arc::new(Inner {
            registry,
            requests,
            latency,
        }))
    }
}

impl Metrics {
    /// Records one answered request.
    pub fn record(&self, method: &Method, route: &str, status: u16, seconds: f64) {
        let method = method_label(method);
        self.0
            .requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.0
            .latency
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(seconds);
    }
}

/// Methods outside the standard set share one label value (a client may send any token).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The route template of a request, for labels and logs: `MatchedPath` when a route matched;
/// `/pkg/{*path}` for the web app's bundle (a nested service, which axum gives no
/// `MatchedPath`); else `unmatched` (the pages' fallback, unknown paths).
pub fn route_of<B>(req: &axum::http::Request<B>) -> String {
    if let Some(m) = req.extensions().get::<MatchedPath>() {
        return m.as_str().to_owned();
    }
    let pkg = crate::state::PKG_DIR;
    match req.uri().path().strip_prefix('/') {
        Some(rest) if rest.strip_prefix(pkg).is_some_and(|r| r.starts_with('/')) => {
            format!("/{pkg}/{{*path}}")
        }
        _ => UNMATCHED.to_owned(),
    }
}

/// Middleware: counts the request and times it, by route template. Installed with
/// `Router::layer`, so it runs after routing and sees `MatchedPath`.
pub async fn track(State(metrics): State<Metrics>, req: Request<Body>, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = route_of(&req);
    let response = next.run(req).await;
    metrics.record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> Response {
    match render(&state) {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                ),
            )],
            text,
        )
            .into_response(),
        Err(e) => {
            ApiError::Internal("metrics", format!("cannot encode metrics: {e}")).into_response()
        }
    }
}

/// The whole exposition: request metrics, then the state read now.
pub fn render(state: &AppState) -> Result<String, std::fmt::Error> {
    let mut out = String::new();
    encode_registry(&mut out, &state.ops.metrics.0.registry)?;
    encode_registry(&mut out, &state_registry(state))?;
    encode_eof(&mut out)?;
    Ok(out)
}

/// Realtime sources, vehicles and schedules, as they are now.
fn state_registry(state: &AppState) -> Registry {
    let now = state.clock.now().as_second();
    let mut registry = Registry::default();

    let fetches = Family::<SourceLabels, Counter>::default();
    let messages = Family::<SourceLabels, Counter>::default();
    let errors = Family::<SourceLabels, Counter>::default();
    let age = Family::<SourceLabels, Gauge<f64, AtomicU64>>::default();
    let failing = Family::<SourceLabels, Gauge>::default();
    let statuses = state.ingest.status();
    for source in state.ingest.sources() {
        let labels = SourceLabels {
            source: source.id.clone(),
            feed: source.feed.to_string(),
        };
        let status = statuses.iter().find(|s| s.id == source.id);
        let (f, m, e) = status.map_or((0, 0, 0), |s| (s.fetches, s.messages, s.errors));
        fetches.get_or_create(&labels).inc_by(f);
        messages.get_or_create(&labels).inc_by(m);
        errors.get_or_create(&labels).inc_by(e);
        failing
            .get_or_create(&labels)
            .set(i64::from(status.is_some_and(|s| s.failing_since.is_some())));
        if let Some(t) = status.and_then(|s| s.last_success) {
            age.get_or_create(&labels).set((now - t) as f64);
        }
    }
    registry.register(
        "rtpi_realtime_fetches",
        "Realtime answers received or attempted per source (accepted, unchanged or failed)",
        fetches,
    );
    registry.register(
        "rtpi_realtime_messages",
        "Realtime messages accepted per source",
        messages,
    );
    registry.register(
        "rtpi_realtime_errors",
        "Realtime fetches or messages that failed per source",
        errors,
    );
    registry.register(
        "rtpi_realtime_failing",
        "1 while the source's latest fetch or message failed",
        failing,
    );
    registry.register(
        "rtpi_realtime_data_age_seconds",
        "Seconds since the source's last accepted message",
        age,
    );

    let tracked = Family::<FeedLabels, Gauge>::default();
    let matched = Family::<FeedLabels, Gauge>::default();
    let degraded = Family::<FeedLabels, Gauge>::default();
    let snapshot = state.realtime.load();
    for (feed, fs) in &snapshot.feeds {
        let labels = FeedLabels {
            feed: feed.to_string(),
        };
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        tracked.get_or_create(&labels).set(count(fs.vehicles.len()));
        matched.get_or_create(&labels).set(count(
            fs.vehicles.iter().filter(|v| v.trip.is_some()).count(),
        ));
        degraded.get_or_create(&labels).set(i64::from(fs.degraded));
    }
    registry.register(
        "rtpi_vehicles_tracked",
        "Vehicles in the latest realtime snapshot, per feed",
        tracked,
    );
    registry.register(
        "rtpi_vehicles_matched",
        "Vehicles matched to a trip in the latest realtime snapshot, per feed",
        matched,
    );
    registry.register(
        "rtpi_feed_degraded",
        "1 while every realtime source of the feed has failed or fallen silent",
        degraded,
    );

    let catalog = state.catalog.load();
    let loaded = Gauge::<i64>::default();
    loaded.set(i64::try_from(catalog.feeds().len()).unwrap_or(i64::MAX));
    let stop_times = Family::<FeedLabels, Gauge>::default();
    let trips = Family::<FeedLabels, Gauge>::default();
    let loaded_at = Family::<FeedLabels, Gauge>::default();
    for f in catalog.feeds() {
        let labels = FeedLabels {
            feed: f.schedule.feed_id.to_string(),
        };
        let counts = f.schedule.counts();
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        stop_times
            .get_or_create(&labels)
            .set(count(counts.stop_times));
        trips.get_or_create(&labels).set(count(counts.trips));
        loaded_at
            .get_or_create(&labels)
            .set(f.loaded_at.as_second());
    }
    registry.register("rtpi_schedule_feeds", "Static feeds served", loaded);
    registry.register(
        "rtpi_schedule_stop_times",
        "Stop times in the served schedule, per feed",
        stop_times,
    );
    registry.register(
        "rtpi_schedule_trips",
        "Trips in the served schedule, per feed",
        trips,
    );
    registry.register(
        "rtpi_schedule_loaded_timestamp_seconds",
        "When the served schedule was loaded (unix seconds), per feed",
        loaded_at,
    );
    registry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_metrics_are_labelled_by_route_template() {
        let metrics = Metrics::default();
        metrics.record(
            &Method::GET,
            "/api/v1/stops/{stop_id}/departures",
            200,
            0.003,
        );
        metrics.record(&Method::GET, "/api/v1/stops/{stop_id}/departures", 200, 0.2);
        metrics.record(
            &Method::from_bytes(b"BREW").expect("token"),
            UNMATCHED,
            404,
            0.0,
        );
        let mut out = String::new();
        encode_registry(&mut out, &metrics.0.registry).expect("encodes");
        assert!(
            out.contains(
                "rtpi_http_requests_total{method=\"GET\",route=\"/api/v1/stops/{stop_id}/departures\",status=\"200\"} 2"
            ),
            "{out}"
        );
        assert!(out.contains("method=\"other\""), "{out}");
        assert!(
            out.contains("rtpi_http_request_duration_seconds_bucket{le=\"0.005\",method=\"GET\",route=\"/api/v1/stops/{stop_id}/departures\"} 1")
                || out.contains("rtpi_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/stops/{stop_id}/departures\",le=\"0.005\"} 1"),
            "{out}"
        );
    }
}
