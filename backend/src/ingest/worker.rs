//! The one owner of the [`Pipeline`]: a dedicated thread that takes events in batches, feeds
//! the engine, and publishes a snapshot and the source statuses after each batch.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use arc_swap::ArcSwap;
use tokio::sync::mpsc;

use super::{Event, Handle, ObservedSink, PushReply};
use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::pipeline::Pipeline;
use crate::predict::{History, Settings, Snapshot};
use crate::schedule::FeedId;

/// Events handled before a snapshot is published, at most: under a flood, riders still see
/// fresh predictions.
const MAX_BATCH: usize = 32;

pub(super) struct Worker {
    pipeline: Pipeline,
    /// (id, feed) per source, indexed like the configuration.
    sources: Vec<(String, FeedId)>,
    handle: Handle,
    realtime: Arc<ArcSwap<Snapshot>>,
    clock: Clock,
    observed: ObservedSink,
}

impl Worker {
    pub(super) fn new(
        catalog: &Catalog,
        handle: &Handle,
        realtime: Arc<ArcSwap<Snapshot>>,
        clock: Clock,
        observed: ObservedSink,
        history: History,
    ) -> Self {
        Worker {
            pipeline: Pipeline::new(catalog, history, Settings::default()),
            sources: handle
                .sources()
                .iter()
                .map(|s| (s.id.clone(), s.feed.clone()))
                .collect(),
            handle: handle.clone(),
            realtime,
            clock,
            observed,
        }
    }

    /// Runs until told to stop, or until every sender is gone.
    pub(super) fn run(mut self, mut rx: mpsc::Receiver<Event>) {
        while let Some(first) = rx.blocking_recv() {
            let now = self.clock.now().as_second();
            let mut stop = false;
            let mut next = Some(first);
            let mut handled = 0;
            while let Some(event) = next.take() {
                if matches!(event, Event::Stop) {
                    stop = true;
                    break;
                }
                self.handle_event(event, now);
                handled += 1;
                if handled < MAX_BATCH {
                    next = rx.try_recv().ok();
                }
            }
            self.publish(now);
            if stop {
                break;
            }
        }
    }

    fn handle_event(&mut self, event: Event, now: i64) {
        match event {
            Event::Payload {
                source,
                bytes,
                reply,
            } => {
                let Some((id, feed)) = self.sources.get(source) else {
                    return;
                };
                let pipeline = &mut self.pipeline;
                // The engine never panics on input, by design and by fuzzing; should it ever,
                // one payload is lost, not realtime for the whole server.
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    pipeline.ingest_bytes(id, feed, &bytes, now)
                }));
                match outcome {
                    Ok(report) => {
                        if !report.observed.is_empty() {
                            let sink = &mut self.observed;
                            if catch_unwind(AssertUnwindSafe(|| sink(feed, &report.observed)))
                                .is_err()
                            {
                                tracing::error!(source = %id, "the observed-calls sink panicked");
                            }
                        }
                        let entities = self
                            .pipeline
                            .sources()
                            .iter()
                            .find(|s| &s.id == id)
                            .map_or(0, |s| s.entities);
                        if let Some(reply) = reply {
                            let _ = reply.send(PushReply {
                                accepted: report.accepted,
                                undecodable: report.findings.iter().any(|f| f.code == "decode"),
                                entities: if report.accepted { entities } else { 0 },
                                findings: report.findings,
                            });
                        }
                    }
                    Err(_) => {
                        tracing::error!(source = %id, bytes = bytes.len(), "ingesting a payload panicked; it was dropped");
                        self.pipeline.source_failed(
                            id,
                            feed,
                            "internal error while ingesting the last payload; it was dropped",
                            now,
                        );
                        // `reply` is dropped: the push answers 500.
                    }
                }
            }
            Event::Unchanged { source } => {
                if let Some((id, feed)) = self.sources.get(source) {
                    self.pipeline.source_unchanged(id, feed, now);
                }
            }
            Event::Failed { source, error } => {
                if let Some((id, feed)) = self.sources.get(source) {
                    tracing::warn!(source = %id, %error, "realtime source failed");
                    self.pipeline.source_failed(id, feed, &error, now);
                }
            }
            Event::Catalog(catalog, relearned) => {
                self.pipeline.set_catalog(&catalog);
                self.pipeline.adopt_history(relearned);
            }
            Event::Tick | Event::Stop => {}
        }
    }

    fn publish(&mut self, now: i64) {
        let pipeline = &mut self.pipeline;
        match catch_unwind(AssertUnwindSafe(|| pipeline.snapshot(now))) {
            Ok(snapshot) => self.realtime.store(Arc::new(snapshot)),
            Err(_) => {
                tracing::error!("building the realtime snapshot panicked; the last one stays")
            }
        }
        self.handle
            .0
            .status
            .store(Arc::new(self.pipeline.sources()));
    }
}
