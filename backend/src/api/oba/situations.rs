//! OneBusAway situations: the service alerts of the realtime snapshot
//! ([`crate::realtime::alerts`]) as OneBusAway renders them, and the `situationIds` of each
//! element (what concerns it, active at the answer's time). Ids are `{agencyId}_{alert id}`;
//! every situation an element names is in the answer's `references.situations`.

use serde::Serialize;

use super::refs::{Refs, route_id, stop_id, trip_id};
use super::{agency_id, feed_scoped, ms};
use crate::predict::FeedSnapshot;
use crate::realtime::alerts::{Concern, ServiceAlert, Text};
use crate::schedule::{Schedule, StopIdx, TripIdx};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Situation {
    id: String,
    creation_time: i64,
    active_windows: Vec<Window>,
    all_affects: Vec<Affects>,
    consequence_message: String,
    consequences: Vec<Consequence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<Localized>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<Localized>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<Localized>,
    publication_windows: Vec<Window>,
    reason: String,
    severity: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Window {
    from: i64,
    to: i64,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Affects {
    #[serde(skip_serializing_if = "Option::is_none")]
    agency_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    route_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    direction_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trip_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_id: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Consequence {
    condition: String,
}

#[derive(Debug, Serialize)]
pub struct Localized {
    lang: String,
    value: String,
}

/// The ids of the situations active at `now` that concern `c`, recorded in `refs`.
pub fn situation_ids(
    refs: &mut Refs<'_>,
    s: &Schedule,
    fs: Option<&FeedSnapshot>,
    c: &Concern<'_>,
    now: i64,
) -> Vec<String> {
    let Some(fs) = fs else {
        return Vec::new();
    };
    fs.alerts
        .iter()
        .filter(|a| a.active_at(now) && a.concerns(s, c))
        .map(|a| refs.situation(s, a, now))
        .collect()
}

/// The situations of a trip: naming it, its route, or one of its stops.
pub fn trip_situation_ids(
    refs: &mut Refs<'_>,
    s: &Schedule,
    fs: Option<&FeedSnapshot>,
    trip: TripIdx,
    now: i64,
) -> Vec<String> {
    if fs.is_none_or(|fs| fs.alerts.is_empty()) {
        return Vec::new();
    }
    let stops: Vec<StopIdx> = s.trip_stop_times(trip).iter().map(|st| st.stop).collect();
    let concern = Concern {
        stops: Some(&stops),
        routes: Some(&[s.trip(trip).route]),
        trips: Some(&[trip]),
    };
    situation_ids(refs, s, fs, &concern, now)
}

pub fn situation_id(s: &Schedule, a: &ServiceAlert) -> String {
    feed_scoped(s, &a.id)
}

/// GTFS-Realtime's `Effect` as OneBusAway's camel-case condition (`significantDelays`).
fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn localized(t: &Text, lang: &str) -> Option<Localized> {
    let value = t.get(lang)?;
    let lang_of =
        t.0.iter()
            .find(|(_, v)| v == value)
            .and_then(|(l, _)| l.clone())
            .unwrap_or_default();
    Some(Localized {
        lang: lang_of,
        value: value.to_owned(),
    })
}

pub fn render(s: &Schedule, a: &ServiceAlert, lang: &str, now: i64) -> Situation {
    let windows: Vec<Window> = a
        .periods
        .iter()
        .map(|p| Window {
            from: p.start.map_or(0, ms),
            to: p.end.map_or(0, ms),
        })
        .collect();
    let creation = a
        .periods
        .iter()
        .filter_map(|p| p.start)
        .min()
        .unwrap_or(now);
    Situation {
        id: situation_id(s, a),
        creation_time: ms(creation),
        active_windows: windows,
        all_affects: a
            .selectors
            .iter()
            .map(|sel| Affects {
                agency_id: sel.agency.map(|i| agency_id(s, i.index()).to_owned()),
                route_id: sel.route.map(|r| route_id(s, r)),
                direction_id: sel.direction.map(|d| d.to_string()),
                trip_id: sel.trip.map(|t| trip_id(s, t)),
                stop_id: sel.stop.map(|st| stop_id(s, st)),
            })
            .collect(),
        consequence_message: String::new(),
        consequences: vec![Consequence {
            condition: camel(a.effect),
        }],
        summary: localized(&a.header, lang),
        description: localized(&a.description, lang),
        url: localized(&a.url, lang),
        publication_windows: Vec::new(),
        reason: a.cause.to_ascii_uppercase(),
        severity: match a.severity {
            "severe" => "severe",
            "warning" => "normal",
            "info" => "slight",
            _ => "unknown",
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn effects_in_camel_case() {
        assert_eq!(super::camel("significant_delays"), "significantDelays");
        assert_eq!(super::camel("detour"), "detour");
    }
}
