//! The IO shell around the realtime engine: polls configured GTFS-Realtime feeds, accepts
//! pushed ones, runs the [`crate::pipeline::Pipeline`] in one task and publishes its snapshots.
//!
//! ```text
//! poller task per polled source ─┐                       ┌─► AppState.realtime (Snapshot)
//! POST /api/v1/realtime/{id} ────┼─► mpsc ─► worker ─────┼─► source statuses (/health)
//! tick every 5 s ────────────────┘   (one std thread,    └─► observed calls sink
//!                                      owns the Pipeline)
//! ```
//!
//! - [`poll`]: one tokio task per source with a `url`: conditional requests (ETag,
//!   Last-Modified), unchanged payloads skipped by hash, exponential backoff with full jitter
//!   on failure, failures recorded with clear messages.
//! - [`worker`]: the only owner of the `Pipeline`. It runs on a dedicated thread (decoding,
//!   validating and predicting is CPU work that must not stall the async runtime), takes
//!   events in batches, and after each batch and every [`REPUBLISH_EVERY`] publishes
//!   `pipeline.snapshot(now)`, so staleness shows even without new data.
//! - Push: the API handler checks the bearer token ([`token_matches`], constant time), then
//!   [`Handle::push`] hands the bytes to the worker and waits for its verdict.

pub mod poll;
mod worker;

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::body::Bytes;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::config::RealtimeConfig;
use crate::pipeline::SourceStatus;
use crate::predict::{History, ObservedCall, Snapshot};
use crate::realtime::Finding;
use crate::schedule::FeedId;

/// Largest payload accepted, polled or pushed (the biggest public feeds are a few MB).
pub const MAX_PAYLOAD_BYTES: usize = 16 * 1024 * 1024;
/// Snapshots are rebuilt at least this often, so that staleness applies without new data.
pub const REPUBLISH_EVERY: Duration = Duration::from_secs(5);
/// Events waiting for the worker; pollers wait when it is full, pushes get 503 after
/// [`PUSH_WAIT`].
const QUEUE: usize = 64;
/// How long a push waits for room in the queue, then for the worker's verdict.
const PUSH_WAIT: Duration = Duration::from_secs(30);

/// Where observed calls go: called on the worker thread with the static feed and the calls of
/// each message that completed some. The SQLite store plugs in as
/// `Box::new(move |feed, calls| { let _ = store.record_calls(feed, calls); })`.
pub type ObservedSink = Box<dyn FnMut(&FeedId, &[ObservedCall]) + Send>;

/// What the worker is told.
enum Event {
    /// A new payload from source number `source`; pushes wait for the verdict on `reply`.
    Payload {
        source: usize,
        bytes: Bytes,
        reply: Option<oneshot::Sender<PushReply>>,
    },
    /// The source answered, with nothing new.
    Unchanged { source: usize },
    /// The source could not be fetched.
    Failed { source: usize, error: String },
    /// A new set of schedules was activated, with what the store teaches about the feeds
    /// whose version changed.
    Catalog(Arc<Catalog>, History),
    /// Publish a fresh snapshot.
    Tick,
    /// Finish the batch and stop.
    Stop,
}

/// The worker's verdict on a pushed payload.
#[derive(Debug, Clone)]
pub struct PushReply {
    /// The message was used (possibly without some entities: see `findings`).
    pub accepted: bool,
    /// It was not a GTFS-Realtime message at all.
    pub undecodable: bool,
    pub entities: usize,
    pub findings: Vec<Finding>,
}

/// Why a push got no verdict.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("realtime ingest is busy; retry in a few seconds")]
    Busy,
    #[error("realtime ingest is not running (the server is starting or stopping); retry later")]
    Stopped,
    #[error("ingesting this payload failed inside the server; it was dropped (please report it)")]
    Internal,
}

struct Shared {
    sources: Vec<Arc<RealtimeConfig>>,
    tx: mpsc::Sender<Event>,
    status: ArcSwap<Vec<SourceStatus>>,
}

/// The ingest as request handlers see it: configured sources, their latest status, and the
/// way in for pushes. Cheap to clone.
#[derive(Clone)]
pub struct Handle(Arc<Shared>);

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ingest::Handle")
            .field("sources", &self.0.sources)
            .finish_non_exhaustive()
    }
}

impl Handle {
    /// The configured sources, in configuration order.
    pub fn sources(&self) -> &[Arc<RealtimeConfig>] {
        &self.0.sources
    }

    pub fn source(&self, id: &str) -> Option<&RealtimeConfig> {
        self.0.sources.iter().find(|s| s.id == id).map(|s| &**s)
    }

    /// What each source has done lately (sources that have done nothing yet are absent).
    pub fn status(&self) -> Arc<Vec<SourceStatus>> {
        self.0.status.load_full()
    }

    /// Hands a pushed payload to the worker and waits for its verdict. The caller has checked
    /// that `source` exists and accepts pushes.
    pub async fn push(&self, source: &str, bytes: Bytes) -> Result<PushReply, PushError> {
        let Some(index) = self.0.sources.iter().position(|s| s.id == source) else {
            return Err(PushError::Internal);
        };
        let (reply, verdict) = oneshot::channel();
        let event = Event::Payload {
            source: index,
            bytes,
            reply: Some(reply),
        };
        match tokio::time::timeout(PUSH_WAIT, self.0.tx.send(event)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Err(PushError::Stopped),
            Err(_) => return Err(PushError::Busy),
        }
        match tokio::time::timeout(PUSH_WAIT, verdict).await {
            Ok(Ok(reply)) => Ok(reply),
            // The worker dropped the reply: it caught a panic while ingesting.
            Ok(Err(_)) => Err(PushError::Internal),
            Err(_) => Err(PushError::Busy),
        }
    }

    /// Tells the engine that a new set of schedules is served, and what was learned of the
    /// feeds whose version changed (relearned from the store for the new version). Without a
    /// running worker (no realtime source) there is nothing to tell.
    pub async fn set_catalog(&self, catalog: Arc<Catalog>, relearned: History) {
        let _ = self.0.tx.send(Event::Catalog(catalog, relearned)).await;
    }
}

/// Whether a presented bearer token is the configured one, in time independent of where they
/// differ (both are hashed first, so their lengths do not leak either).
pub fn token_matches(expected: &str, given: &str) -> bool {
    digests_match(&Sha256::digest(expected), &Sha256::digest(given))
}

/// Whether two digests are equal, in time independent of where they differ (operator tokens
/// are stored as their SHA-256 only and checked with this).
pub fn digests_match(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The ingest before it runs: created with the server's state, started with the server.
pub struct Ingest {
    handle: Handle,
    rx: mpsc::Receiver<Event>,
    realtime: Arc<ArcSwap<Snapshot>>,
    observed: ObservedSink,
    history: History,
}

impl Ingest {
    /// Sets up the sources of `config`; snapshots will be published into `realtime`.
    pub fn new(sources: &[RealtimeConfig], realtime: Arc<ArcSwap<Snapshot>>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        let shared = Shared {
            sources: sources.iter().cloned().map(Arc::new).collect(),
            tx,
            status: ArcSwap::from_pointee(Vec::new()),
        };
        Ingest {
            handle: Handle(Arc::new(shared)),
            rx,
            realtime,
            observed: Box::new(|_, _| {}),
            history: History::default(),
        }
    }

    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }

    /// What the engine starts knowing (learned from the store at start-up).
    pub fn set_history(&mut self, history: History) {
        self.history = history;
    }

    /// Where observed calls go (default: nowhere).
    pub fn on_observed(&mut self, sink: ObservedSink) {
        self.observed = sink;
    }

    /// Starts the worker thread, one poller per polled source, and the republish timer.
    /// Without sources nothing runs, and whatever is published in the snapshot stays there.
    /// Must run inside a tokio runtime.
    pub fn start(self, catalog: &Catalog, clock: Clock) -> std::io::Result<Running> {
        let Ingest {
            handle,
            rx,
            realtime,
            observed,
            history,
        } = self;
        if handle.0.sources.is_empty() {
            return Ok(Running {
                handle,
                tasks: Vec::new(),
                thread: None,
            });
        }
        let worker = worker::Worker::new(catalog, &handle, realtime, clock, observed, history);
        let thread = std::thread::Builder::new()
            .name("realtime-ingest".into())
            .spawn(move || worker.run(rx))?;
        let mut tasks = Vec::new();
        if handle.0.sources.iter().any(|s| s.url.is_some()) {
            poll::install_crypto_provider();
        }
        for (index, source) in handle.0.sources.iter().enumerate() {
            if source.url.is_some() {
                let poller = poll::Poller::new(index, source.clone(), handle.0.tx.clone());
                tasks.push(tokio::spawn(poller.run()));
            }
        }
        let tx = handle.0.tx.clone();
        tasks.push(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(REPUBLISH_EVERY);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                // A full queue will publish soon anyway; a closed one means we are stopping.
                if let Err(mpsc::error::TrySendError::Closed(_)) = tx.try_send(Event::Tick) {
                    return;
                }
            }
        }));
        tracing::info!(
            sources = handle.0.sources.len(),
            polled = tasks.len() - 1,
            "realtime ingest started"
        );
        Ok(Running {
            handle,
            tasks,
            thread: Some(thread),
        })
    }
}

/// The running ingest; [`Running::shutdown`] stops it.
pub struct Running {
    handle: Handle,
    tasks: Vec<JoinHandle<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Stops the pollers and the timer, lets the worker finish what it holds, and waits for it.
    pub async fn shutdown(mut self) {
        for task in &self.tasks {
            task.abort();
        }
        if let Some(thread) = self.thread.take() {
            let _ = self.handle.0.tx.send(Event::Stop).await;
            let joined = tokio::task::spawn_blocking(move || thread.join()).await;
            if !matches!(joined, Ok(Ok(()))) {
                tracing::error!("the realtime ingest thread ended abnormally");
            }
            tracing::info!("realtime ingest stopped");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        assert!(token_matches("s3cret-token", "s3cret-token"));
        assert!(!token_matches("s3cret-token", "s3cret-tokeN"));
        assert!(!token_matches("s3cret-token", "s3cret"));
        assert!(!token_matches("s3cret-token", ""));
    }
}
