//! [`AppState`]: everything a handler may read, one value cloned into every request. The API,
//! the operator handlers and the metrics read it; only [`crate::server`] builds it.

use std::sync::Arc;

use arc_swap::ArcSwap;
use axum::extract::FromRef;
use jiff::Timestamp;
use leptos::config::LeptosOptions;

use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::ingest;
use crate::ops::Ops;
use crate::predict::Snapshot;

/// Everything a handler may read. Cheap to clone (all `Arc`s).
#[derive(Clone, Debug)]
pub struct AppState {
    /// The published set of schedules: readers `load()` a snapshot without locking;
    /// writers build a whole new catalog and `store()` it.
    pub catalog: Arc<ArcSwap<Catalog>>,
    /// The latest realtime predictions, published by the ingest task (same discipline).
    pub realtime: Arc<ArcSwap<Snapshot>>,
    /// Realtime sources: their configuration and status, and the way in for pushes.
    pub ingest: ingest::Handle,
    pub started_at: Timestamp,
    pub clock: Clock,
    /// Where the web app's files are and what the bundle is called.
    pub leptos: LeptosOptions,
    /// Request metrics and the rate limiter.
    pub ops: Ops,
    /// Keys the OneBusAway API accepts (`key=`).
    pub oba_keys: Arc<[String]>,
    /// Operator accounts and schedule versions (`None` when serving without a store).
    pub operators: Option<crate::operator::Operators>,
    /// The configured site name (`crate::site`); read with [`AppState::site_name`].
    pub site_name: Arc<crate::site::SiteName>,
}

impl AppState {
    /// The site's name in `lang`: the one place the header, page titles and the web app
    /// manifest take it from.
    pub fn site_name(&self, lang: &str) -> String {
        self.site_name.name(&self.catalog.load(), lang)
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// Folder of the browser bundle under the site dir, and the URL path it is served at.
pub(crate) const PKG_DIR: &str = "pkg";
