//! The IO shell: the simulator served over HTTP like a real GTFS-Realtime producer.
//!
//! `GET /vehicle-positions.pb`, `GET /trip-updates.pb` and `GET /alerts.pb` answer protobuf
//! (`application/x-protobuf`), or the proto3 JSON view with `?format=json`. A message is
//! generated at most once per [`TICK_S`] seconds of the clock and shared by the requests in
//! between, with a strong `ETag`: a poller sending `If-None-Match` gets `304 Not Modified`
//! until the next tick.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gtfs_rt::Message as _;
use serde::Deserialize;
use tokio::net::TcpListener;

use super::Simulator;
use super::hash::fnv1a;
use crate::clock::Clock;
use crate::schedule::Schedule;

/// Seconds between two generated messages (real producers refresh every 5–30 s).
pub const TICK_S: i64 = 5;

/// A simulator and its clock, shared by the HTTP handlers. Cheap to clone.
#[derive(Clone)]
pub struct SimFeed {
    inner: Arc<Inner>,
}

struct Inner {
    sim: Mutex<Simulator>,
    clock: Clock,
    /// The latest message of each kind.
    cache: Mutex<[Option<Encoded>; 3]>,
}

impl std::fmt::Debug for SimFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimFeed")
            .field("clock", &self.inner.clock)
            .finish_non_exhaustive()
    }
}

/// One generated message, encoded.
#[derive(Clone)]
struct Encoded {
    tick: i64,
    bytes: Bytes,
    hash: u64,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    VehiclePositions = 0,
    TripUpdates = 1,
    Alerts = 2,
}

impl SimFeed {
    pub fn new(sim: Simulator, clock: Clock) -> Self {
        SimFeed {
            inner: Arc::new(Inner {
                sim: Mutex::new(sim),
                clock,
                cache: Mutex::new([None, None, None]),
            }),
        }
    }

    /// The schedule it simulates.
    pub fn schedule(&self) -> Arc<Schedule> {
        self.lock_sim().schedule().clone()
    }

    /// Simulates `sim` from now on (a new version of the feed's schedule): the next request
    /// generates its message from it, even within the current tick.
    pub fn replace(&self, sim: Simulator) {
        // The lock order of `encoded`: the cache, then the simulator.
        let mut cache = self.lock_cache();
        *self.lock_sim() = sim;
        *cache = [None, None, None];
    }

    /// A new simulator of `schedule` with the current one's seed (indexing takes a moment: call
    /// it off the async workers).
    pub fn rebuilt(&self, schedule: Arc<Schedule>) -> Simulator {
        let seed = self.lock_sim().seed();
        Simulator::new(schedule, seed)
    }

    fn lock_sim(&self) -> std::sync::MutexGuard<'_, Simulator> {
        self.inner
            .sim
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, [Option<Encoded>; 3]> {
        self.inner
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The message of `kind` for the current tick, generated if it is not yet.
    fn encoded(&self, kind: Kind) -> Encoded {
        let now = self.inner.clock.now().as_second();
        let tick = now - now.rem_euclid(TICK_S);
        let slot = kind as usize;
        let mut cache = self.lock_cache();
        if let Some(hit) = cache[slot].as_ref().filter(|e| e.tick == tick) {
            return hit.clone();
        }
        let message = {
            let mut sim = self.lock_sim();
            match kind {
                Kind::VehiclePositions => sim.snapshot(tick),
                Kind::TripUpdates => sim.trip_updates(tick),
                Kind::Alerts => sim.alerts(tick),
            }
        };
        let bytes = message.encode_to_vec();
        let encoded = Encoded {
            tick,
            hash: fnv1a(&bytes),
            bytes: Bytes::from(bytes),
        };
        cache[slot] = Some(encoded.clone());
        encoded
    }
}

/// `GET /vehicle-positions.pb`, `GET /trip-updates.pb` and `GET /alerts.pb`.
pub fn router(feed: SimFeed) -> Router {
    Router::new()
        .route("/vehicle-positions.pb", get(vehicle_positions))
        .route("/trip-updates.pb", get(trip_updates))
        .route("/alerts.pb", get(alerts))
        .with_state(feed)
}

/// Serves `feed` on `listener` until `shutdown` completes (what `backend simulate` runs).
pub async fn serve(
    listener: TcpListener,
    feed: SimFeed,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(feed))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Starts a simulator of `schedule` on `addr` (port 0 picks a free port) in the background,
/// for as long as the runtime runs; returns the address it listens on, and the feed (to
/// [`SimFeed::replace`] its simulator). The server polls it like any GTFS-Realtime producer.
pub async fn spawn(
    schedule: Arc<Schedule>,
    seed: u64,
    addr: SocketAddr,
    clock: Clock,
) -> std::io::Result<(SocketAddr, SimFeed)> {
    let listener = TcpListener::bind(addr).await?;
    let address = listener.local_addr()?;
    // Indexing a big feed's trips takes a moment: off the async workers.
    let sim = tokio::task::spawn_blocking(move || Simulator::new(schedule, seed))
        .await
        .map_err(std::io::Error::other)?;
    let feed = SimFeed::new(sim, clock);
    let served = feed.clone();
    tokio::spawn(async move {
        if let Err(e) = serve(listener, served, std::future::pending()).await {
            tracing::error!("the GTFS-Realtime simulator stopped: {e}");
        }
    });
    Ok((address, feed))
}

#[derive(Debug, Deserialize)]
struct FormatQuery {
    format: Option<String>,
}

async fn vehicle_positions(
    State(feed): State<SimFeed>,
    Query(query): Query<FormatQuery>,
    headers: HeaderMap,
) -> Response {
    respond(&feed, Kind::VehiclePositions, &query, &headers)
}

async fn trip_updates(
    State(feed): State<SimFeed>,
    Query(query): Query<FormatQuery>,
    headers: HeaderMap,
) -> Response {
    respond(&feed, Kind::TripUpdates, &query, &headers)
}

async fn alerts(
    State(feed): State<SimFeed>,
    Query(query): Query<FormatQuery>,
    headers: HeaderMap,
) -> Response {
    respond(&feed, Kind::Alerts, &query, &headers)
}

fn respond(feed: &SimFeed, kind: Kind, query: &FormatQuery, headers: &HeaderMap) -> Response {
    let json = match query.format.as_deref() {
        None | Some("pb" | "protobuf") => false,
        Some("json") => true,
        Some(other) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("unknown format {other:?}: use format=json, or leave it out for protobuf"),
            )
                .into_response();
        }
    };
    let encoded = feed.encoded(kind);
    // The JSON view is another representation of the same message: its own tag.
    let etag = if json {
        format!("\"{:016x}-json\"", encoded.hash)
    } else {
        format!("\"{:016x}\"", encoded.hash)
    };
    let cache_headers = |etag: String| -> [(HeaderName, String); 2] {
        [
            (header::ETAG, etag),
            (header::CACHE_CONTROL, "no-cache".to_owned()),
        ]
    };
    if matches_etag(headers, &etag) {
        return (StatusCode::NOT_MODIFIED, cache_headers(etag)).into_response();
    }
    if json {
        match gtfs_rt::feed_message_json(&encoded.bytes) {
            Ok(value) => (cache_headers(etag), Json(value)).into_response(),
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        }
    } else {
        (
            [(header::CONTENT_TYPE, "application/x-protobuf")],
            cache_headers(etag),
            encoded.bytes,
        )
            .into_response()
    }
}

/// `If-None-Match` lists `etag` (weak comparison, as RFC 9110 asks for this header) or is `*`.
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        let mut h = HeaderMap::new();
        assert!(!matches_etag(&h, "\"a\""));
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"x\", W/\"a\""),
        );
        assert!(matches_etag(&h, "\"a\""));
        assert!(!matches_etag(&h, "\"b\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(matches_etag(&h, "\"b\""));
    }
}
