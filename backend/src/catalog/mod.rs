//! The schedules served at once (one per feed, one feed per operator) and how a global id
//! (`{feed_id}:{local_id}`) finds its entity.
//!
//! A [`Catalog`] is immutable. Whoever changes the set of schedules (start-up today, schedule
//! activation later) builds a new one and publishes it whole through the server's `ArcSwap`;
//! a request loads one catalog and answers from it alone.

use std::sync::Arc;

use api_types::{GlobalId, ValidationReport};
use jiff::Timestamp;

use crate::schedule::{RouteIdx, Schedule, StopIdx, TripIdx};
use crate::search::StopIndex;

mod load;

pub use load::{load_catalog, load_feed};

/// One loaded feed.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub schedule: Arc<Schedule>,
    /// Where it was loaded from (a path today; a stored version later).
    pub source: String,
    pub loaded_at: Timestamp,
    /// The validation report of the loaded schedule (warnings only, or it would not load).
    pub report: Arc<ValidationReport>,
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    feeds: Vec<FeedEntry>,
    /// The stop search index of each feed, same order (built here, once per catalog).
    stop_indexes: Vec<Arc<StopIndex>>,
}

impl Catalog {
    /// Feeds must have distinct ids; a later duplicate is an error for the caller to report.
    pub fn new(feeds: Vec<FeedEntry>) -> Result<Self, String> {
        for (i, f) in feeds.iter().enumerate() {
            if feeds[..i]
                .iter()
                .any(|g| g.schedule.feed_id == f.schedule.feed_id)
            {
                return Err(format!(
                    "two feeds are named {:?}; give each feed its own id (--gtfs ID=PATH)",
                    f.schedule.feed_id.as_str()
                ));
            }
        }
        let stop_indexes = feeds
            .iter()
            .map(|f| Arc::new(StopIndex::build(&f.schedule)))
            .collect();
        Ok(Catalog {
            feeds,
            stop_indexes,
        })
    }

    pub fn feeds(&self) -> &[FeedEntry] {
        &self.feeds
    }

    /// The stop search index of `schedule` (one of this catalog's; built on the spot for any
    /// other).
    pub fn stop_index(&self, schedule: &Schedule) -> Arc<StopIndex> {
        self.stop_indexes
            .iter()
            .find(|ix| ix.is_for(schedule))
            .cloned()
            .unwrap_or_else(|| Arc::new(StopIndex::build(schedule)))
    }

    pub fn feed(&self, id: &str) -> Option<&FeedEntry> {
        self.feeds
            .iter()
            .find(|f| f.schedule.feed_id.as_str() == id)
    }

    /// Finds a stop by global id, or by its feed's own id when exactly one feed has it (so
    /// single-feed deployments can use the ids printed on their stop signs).
    pub fn resolve_stop(&self, id: &str) -> Option<(&Arc<Schedule>, StopIdx)> {
        self.resolve(id, |s, local| s.stop_by_id(local))
    }

    /// Finds a route by global id, or by its feed's own id when exactly one feed has it.
    pub fn resolve_route(&self, id: &str) -> Option<(&Arc<Schedule>, RouteIdx)> {
        self.resolve(id, |s, local| s.route_by_id(local))
    }

    /// Finds a trip by global id, or by its feed's own id when exactly one feed has it.
    pub fn resolve_trip(&self, id: &str) -> Option<(&Arc<Schedule>, TripIdx)> {
        self.resolve(id, |s, local| s.trip_by_id(local))
    }

    fn resolve<T>(
        &self,
        id: &str,
        find: impl Fn(&Schedule, &str) -> Option<T>,
    ) -> Option<(&Arc<Schedule>, T)> {
        if let Some(g) = GlobalId::parse(id)
            && let Some(feed) = self.feed(g.feed)
            && let Some(found) = find(&feed.schedule, g.local)
        {
            return Some((&feed.schedule, found));
        }
        let mut matches = self
            .feeds
            .iter()
            .filter_map(|f| Some((&f.schedule, find(&f.schedule, id)?)));
        let first = matches.next()?;
        matches.next().is_none().then_some(first)
    }
}
