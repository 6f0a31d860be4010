//! A short-lived cache of rendered boards.
//!
//! A departure board depends on the request (path, query, language), the published catalog, the
//! published realtime snapshot and the current second. Within one second, with the same
//! snapshot, every display polling the same stop gets the same bytes: the first request renders
//! them, the others are served from here. Nothing is ever stale by more than a second or by a
//! snapshot. Only successful GET responses of the board routes are kept. Conditional requests
//! (`If-None-Match`) are answered here from the kept board: 304 when its tag matches, so a
//! display polling with the current tag costs a lookup, not a render.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use quick_cache::sync::Cache;

use crate::state::AppState;

/// Bytes of rendered boards kept at once (a board is a few KB to a few tens of KB).
const CAPACITY_BYTES: u64 = 64 << 20;
/// Boards expected at once, for sizing the table.
const ESTIMATED_BOARDS: usize = 4096;
/// Larger responses are not cached.
const MAX_BODY: usize = 1 << 20;

/// An entry weighs its body (plus a little for the key and headers).
#[derive(Debug, Clone, Copy)]
struct BodySize;

impl quick_cache::Weighter<Key, Entry> for BodySize {
    fn weight(&self, key: &Key, entry: &Entry) -> u64 {
        (entry.body.len() + key.uri.len() + 512) as u64
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    uri: String,
    accept_language: Option<HeaderValue>,
    catalog: usize,
    snapshot: usize,
    second: i64,
}

#[derive(Debug, Clone)]
struct Entry {
    /// The catalog and snapshot it was rendered from, kept alive so that their addresses (the
    /// key) cannot be reused by newer ones while the entry exists.
    _pins: (Arc<crate::catalog::Catalog>, Arc<crate::predict::Snapshot>),
    status: StatusCode,
    headers: HeaderMap,
    body: axum::body::Bytes,
}

/// The cache shared by every request (cheap to clone).
#[derive(Clone)]
pub struct BoardCache {
    state: AppState,
    entries: Arc<Cache<Key, Entry, BodySize>>,
}

impl BoardCache {
    pub fn new(state: AppState) -> Self {
        BoardCache {
            state,
            entries: Arc::new(Cache::with_weighter(
                ESTIMATED_BOARDS,
                CAPACITY_BYTES,
                BodySize,
            )),
        }
    }
}

/// Whether a path is a board whose rendering may be shared.
fn cacheable(path: &str) -> bool {
    (path.starts_with("/api/v1/stops/") && path.ends_with("/departures"))
        || path.starts_with("/api/v1/signage/")
        || path.starts_with("/display/")
}

/// Middleware: serves a board rendered for the same request in the same second and snapshot.
pub async fn boards(State(cache): State<BoardCache>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET || !cacheable(req.uri().path()) {
        return next.run(req).await;
    }
    let catalog = cache.state.catalog.load_full();
    let snapshot = cache.state.realtime.load_full();
    let key = Key {
        uri: req.uri().to_string(),
        accept_language: req.headers().get(header::ACCEPT_LANGUAGE).cloned(),
        // The published objects themselves identify the versions: a new catalog or snapshot
        // is a new allocation (and entries pin theirs, so an address is never reused).
        catalog: Arc::as_ptr(&catalog) as usize,
        snapshot: Arc::as_ptr(&snapshot) as usize,
        second: cache.state.clock.now().as_second(),
    };
    let mut req = req;
    // The handler renders the whole board (which is what is kept); the tag is compared below,
    // so that displays sending the current tag are answered from the cache too.
    let if_none_match = req.headers_mut().remove(header::IF_NONE_MATCH);
    let entry = match cache.entries.get(&key) {
        Some(entry) => entry,
        None => {
            let response = next.run(req).await;
            if response.status() != StatusCode::OK {
                return response;
            }
            let (parts, body) = response.into_parts();
            let Ok(body) = to_bytes(body, MAX_BODY).await else {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            let entry = Entry {
                _pins: (catalog, snapshot),
                status: parts.status,
                headers: parts.headers,
                body,
            };
            cache.entries.insert(key, entry.clone());
            entry
        }
    };
    // A conditional request whose tag still matches gets 304 without a body.
    if let (Some(tag), Some(sent)) = (entry.headers.get(header::ETAG), if_none_match)
        && sent == tag
    {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
            if let Some(value) = entry.headers.get(&name) {
                response.headers_mut().insert(name, value.clone());
            }
        }
        return response;
    }
    let mut response = Response::new(Body::from(entry.body));
    *response.status_mut() = entry.status;
    *response.headers_mut() = entry.headers;
    response
}
