//! Stop search: names and codes folded for matching (case, diacritics, `đ`, spacing), built
//! once per schedule (by `Catalog::new`, so requests never fold a stop name), and the ranking
//! of a query against them. **Pure.**
//!
//! Folding: Unicode NFKD (so full-width `２０８１` is `2081` too), combining marks removed (`ế` → `e`), `đ`/`Đ` → `d`, lower case,
//! every run of non-alphanumeric characters one space. Each name is kept folded and folded
//! without spaces, so `benxe` finds `Bến xe`. Every name a stop has is indexed: the feed's
//! own and each translation in `translations.txt`.
//!
//! Ranks, best first: 0 exact code or name, 1 name (or code) prefix, 2 word prefix, 3
//! substring, 4 substring ignoring spaces.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::schedule::{Field, LocationType, RouteIdx, Schedule, StopIdx, TripIdx};

/// `"Bến Xe  Miền-Đông"` → `"ben xe mien dong"`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        for c in c.to_lowercase() {
            let c = if c == 'đ' { 'd' } else { c };
            if c.is_alphanumeric() {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(c);
            } else {
                space = true;
            }
        }
    }
    out
}

/// A folded text without its spaces.
pub fn compact(folded: &str) -> String {
    folded.chars().filter(|c| *c != ' ').collect()
}

/// A folded query.
#[derive(Debug, Clone)]
pub struct Query {
    folded: String,
    /// `folded` after a space: a word prefix inside a name.
    word: String,
    compact: String,
}

impl Query {
    /// `None` when the text has no letter or digit.
    pub fn new(text: &str) -> Option<Self> {
        let folded = fold(text);
        (!folded.is_empty()).then(|| Query {
            compact: compact(&folded),
            word: format!(" {folded}"),
            folded,
        })
    }
}

/// One indexed text: folded and compacted.
#[derive(Debug, Clone)]
struct Text {
    folded: String,
    compact: String,
}

impl Text {
    fn new(text: &str) -> Self {
        let folded = fold(text);
        Text {
            compact: compact(&folded),
            folded,
        }
    }
}

/// How `query` matches a name, if it does (see the module doc for the ranks).
fn rank_name(q: &Query, name: &Text) -> Option<u8> {
    if name.folded == q.folded {
        Some(0)
    } else if name.folded.starts_with(&q.folded) {
        Some(1)
    } else if name.folded.contains(&q.word) {
        Some(2)
    } else if name.folded.contains(&q.folded) {
        Some(3)
    } else if name.compact.contains(&q.compact) {
        Some(4)
    } else {
        None
    }
}

/// How `query` matches a stop code: exactly (0) or as a prefix (1).
fn rank_code(q: &Query, code: &Text) -> Option<u8> {
    if code.compact == q.compact {
        Some(0)
    } else if code.compact.starts_with(&q.compact) {
        Some(1)
    } else {
        None
    }
}

#[derive(Debug, Clone)]
struct Entry {
    stop: StopIdx,
    code: Option<Text>,
    names: Vec<Text>,
}

/// The search index of one schedule, and the routes serving each stop.
#[derive(Debug)]
pub struct StopIndex {
    feed: String,
    version: String,
    entries: Vec<Entry>,
    /// Per stop (a station: its platforms'), sorted by agency, sort order, short name.
    routes: Vec<Vec<RouteIdx>>,
}

/// The order routes are listed in: agency, `route_sort_order`, short name.
pub fn route_order(s: &Schedule, r: RouteIdx) -> (u32, u32, String) {
    let route = s.route(r);
    (
        route.agency.0,
        route.sort_order.unwrap_or(u32::MAX),
        s.route_short_name(r).to_owned(),
    )
}

impl StopIndex {
    pub fn build(s: &Schedule) -> Self {
        let languages = s.translations.languages();
        let entries = s
            .stops
            .iter()
            .enumerate()
            .filter(|(_, stop)| {
                matches!(
                    stop.location_type,
                    LocationType::StopPoint
                        | LocationType::StopArea
                        | LocationType::StationEntrance
                )
            })
            .map(|(i, stop)| {
                let mut names = vec![Text::new(&stop.name)];
                for lang in languages {
                    if let Some(t) = s
                        .translations
                        .get(Field::StopName, &stop.id, &stop.name, lang)
                    {
                        let t = Text::new(t);
                        if !names.iter().any(|n| n.folded == t.folded) {
                            names.push(t);
                        }
                    }
                }
                Entry {
                    stop: StopIdx(i as u32),
                    code: stop.code.as_deref().map(Text::new),
                    names,
                }
            })
            .collect();
        let mut routes: Vec<Vec<RouteIdx>> = vec![Vec::new(); s.stops.len()];
        for (t, trip) in s.trips.iter().enumerate() {
            for st in s.trip_stop_times(TripIdx(t as u32)) {
                let at = &mut routes[st.stop.index()];
                if !at.contains(&trip.route) {
                    at.push(trip.route);
                }
                if let Some(parent) = s.stop(st.stop).parent {
                    let at = &mut routes[parent.index()];
                    if !at.contains(&trip.route) {
                        at.push(trip.route);
                    }
                }
            }
        }
        for at in &mut routes {
            at.sort_by_cached_key(|r| route_order(s, *r));
        }
        StopIndex {
            feed: s.feed_id.as_str().to_owned(),
            version: s.version.clone(),
            entries,
            routes,
        }
    }

    /// Whether this index was built from `s` (same feed, same version).
    pub fn is_for(&self, s: &Schedule) -> bool {
        self.feed == s.feed_id.as_str() && self.version == s.version
    }

    /// Routes calling at `stop` (at its platforms, for a station).
    pub fn routes(&self, stop: StopIdx) -> &[RouteIdx] {
        self.routes.get(stop.index()).map_or(&[], Vec::as_slice)
    }

    /// Every matching stop with its best rank, unsorted.
    pub fn search(&self, q: &Query) -> Vec<(StopIdx, u8)> {
        self.entries
            .iter()
            .filter_map(|e| {
                let by_code = e.code.as_ref().and_then(|c| rank_code(q, c));
                let by_name = e.names.iter().filter_map(|n| rank_name(q, n)).min();
                Some((e.stop, by_code.into_iter().chain(by_name).min()?))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rank(query: &str, name: &str) -> Option<u8> {
        rank_name(&Query::new(query).expect("a query"), &Text::new(name))
    }

    #[test]
    fn folding_removes_case_diacritics_and_punctuation() {
        assert_eq!(fold("Bến xe Miền Đông mới"), "ben xe mien dong moi");
        assert_eq!(fold("  BẾN  XE–miền\tĐÔNG "), "ben xe mien dong");
        assert_eq!(
            fold("Đại lộ Bình Dương (số 230)"),
            "dai lo binh duong so 230"
        );
        assert_eq!(fold("Trạm BRT Trần Ngọc Lên"), "tram brt tran ngoc len");
        assert_eq!(
            fold("New Mien Dong Coach Station"),
            "new mien dong coach station"
        );
        assert_eq!(compact(&fold("Bến xe")), "benxe");
        assert_eq!(fold("２０８１"), "2081");
        assert_eq!(
            fold("ミエンドン新バスターミナル"),
            fold("ミエンドン新バスターミナル")
        );
        assert!(Query::new(" – ").is_none());
    }

    #[test]
    fn ranks_exact_then_prefix_then_word_then_substring_then_spaceless() {
        let name = "Bến xe Miền Đông mới";
        assert_eq!(rank("ben xe mien dong moi", name), Some(0));
        assert_eq!(rank("Bến Xe", name), Some(1));
        assert_eq!(rank("mien dong", name), Some(2));
        assert_eq!(rank("en xe", name), Some(3));
        assert_eq!(rank("benxe", name), Some(4));
        assert_eq!(rank("xemien", name), Some(4));
        assert_eq!(rank("hikari", name), None);
        let q = Query::new("408").expect("a query");
        assert_eq!(rank_code(&q, &Text::new("408")), Some(0));
        assert_eq!(rank_code(&q, &Text::new("4080")), Some(1));
        assert_eq!(rank_code(&q, &Text::new("1408")), None);
    }
}
