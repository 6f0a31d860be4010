//! Service alerts: GTFS-Realtime `Alert` entities resolved against the schedule.
//!
//! Pure. An alert's `informed_entity` selectors are resolved to schedule indexes once, when
//! the message arrives; readers then ask whether an alert is active at an instant
//! ([`ServiceAlert::active_at`]) and whether it concerns what they show
//! ([`ServiceAlert::concerns`]). Selectors follow the specification: the fields of one
//! selector must all match (AND), any selector may match (OR).

use gtfs_rt::{Alert, TranslatedString, alert};

use crate::schedule::{AgencyIdx, RouteIdx, Schedule, StopIdx, TripIdx};

/// One alert of one source, resolved against the schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceAlert {
    /// Unique among the feed's alerts: `{source}/{entity id}`.
    pub id: String,
    /// When it applies; empty means always.
    pub periods: Vec<Period>,
    pub selectors: Vec<Selector>,
    /// The proto enum names, lower case: `construction`, `detour`, `warning`…
    pub cause: &'static str,
    pub effect: &'static str,
    pub severity: &'static str,
    pub header: Text,
    pub description: Text,
    pub url: Text,
}

/// An active period, unix seconds; an open end is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: Option<i64>,
    pub end: Option<i64>,
}

/// One `informed_entity`: every field given must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Selector {
    pub agency: Option<AgencyIdx>,
    pub route: Option<RouteIdx>,
    pub route_type: Option<i32>,
    pub direction: Option<u32>,
    pub trip: Option<TripIdx>,
    pub stop: Option<StopIdx>,
}

/// A translated text: `(language, text)` pairs as the feed gave them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub Vec<(Option<String>, String)>);

impl Text {
    fn from_proto(t: Option<&TranslatedString>) -> Self {
        Text(
            t.map(|t| {
                t.translation
                    .iter()
                    .filter(|tr| !tr.text.trim().is_empty())
                    .map(|tr| {
                        (
                            tr.language.clone().filter(|l| !l.is_empty()),
                            tr.text.clone(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        )
    }

    /// The text in `lang`: the same language tag, else the same primary language (`en` for
    /// `en-GB`), else the text without a language, else the first one.
    pub fn get(&self, lang: &str) -> Option<&str> {
        let primary = |tag: &str| tag.split(['-', '_']).next().unwrap_or(tag).to_owned();
        let wanted = primary(lang).to_ascii_lowercase();
        let exact = self
            .0
            .iter()
            .find(|(l, _)| l.as_deref().is_some_and(|l| l.eq_ignore_ascii_case(lang)));
        let same_primary = || {
            self.0.iter().find(|(l, _)| {
                l.as_deref()
                    .is_some_and(|l| primary(l).eq_ignore_ascii_case(&wanted))
            })
        };
        let untagged = || self.0.iter().find(|(l, _)| l.is_none());
        exact
            .or_else(same_primary)
            .or_else(untagged)
            .or_else(|| self.0.first())
            .map(|(_, t)| t.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What a reader shows, to decide which alerts concern it. `None` for a dimension means
/// "anything": an alerts list filtered by route only passes `stops: None`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Concern<'a> {
    pub stops: Option<&'a [StopIdx]>,
    pub routes: Option<&'a [RouteIdx]>,
    pub trips: Option<&'a [TripIdx]>,
}

impl ServiceAlert {
    /// Resolves an alert of `source`'s entity `entity_id`. Selectors naming something the
    /// schedule does not have were rejected by validation (E034 and others); any left are
    /// dropped here, and an alert with no selector left is `None`.
    pub fn resolve(s: &Schedule, source: &str, entity_id: &str, a: &Alert) -> Option<Self> {
        let selectors: Vec<Selector> = a
            .informed_entity
            .iter()
            .filter_map(|sel| selector(s, sel))
            .collect();
        if selectors.is_empty() {
            return None;
        }
        let name = |n: Option<&'static str>, default: &'static str| n.unwrap_or(default);
        Some(ServiceAlert {
            id: format!("{source}/{entity_id}"),
            periods: a
                .active_period
                .iter()
                .map(|p| Period {
                    start: p
                        .start
                        .and_then(|t| i64::try_from(t).ok())
                        .filter(|&t| t > 0),
                    end: p.end.and_then(|t| i64::try_from(t).ok()).filter(|&t| t > 0),
                })
                .collect(),
            selectors,
            cause: name(
                a.cause
                    .and_then(|c| alert::Cause::try_from(c).ok())
                    .map(cause_name),
                "unknown_cause",
            ),
            effect: name(
                a.effect
                    .and_then(|c| alert::Effect::try_from(c).ok())
                    .map(effect_name),
                "unknown_effect",
            ),
            severity: name(
                a.severity_level
                    .and_then(|c| alert::SeverityLevel::try_from(c).ok())
                    .map(severity_name),
                "unknown_severity",
            ),
            header: Text::from_proto(a.header_text.as_ref()),
            description: Text::from_proto(a.description_text.as_ref()),
            url: Text::from_proto(a.url.as_ref()),
        })
    }

    /// In one of its active periods at `t` (or it has none: always).
    pub fn active_at(&self, t: i64) -> bool {
        self.periods.is_empty()
            || self
                .periods
                .iter()
                .any(|p| p.start.is_none_or(|start| start <= t) && p.end.is_none_or(|end| t < end))
    }

    /// Over for good at `t`: every period has ended.
    pub fn expired_at(&self, t: i64) -> bool {
        !self.periods.is_empty() && self.periods.iter().all(|p| p.end.is_some_and(|e| e <= t))
    }

    /// Whether one of its selectors matches what a reader shows.
    pub fn concerns(&self, s: &Schedule, c: &Concern<'_>) -> bool {
        self.selectors.iter().any(|sel| sel.matches(s, c))
    }

    /// The routes, stops and trips it names, each once, in the feed's order.
    pub fn informed(&self) -> (Vec<RouteIdx>, Vec<StopIdx>, Vec<TripIdx>) {
        let mut routes = Vec::new();
        let mut stops = Vec::new();
        let mut trips = Vec::new();
        for sel in &self.selectors {
            push_new(&mut routes, sel.route);
            push_new(&mut stops, sel.stop);
            push_new(&mut trips, sel.trip);
        }
        (routes, stops, trips)
    }
}

fn push_new<T: PartialEq>(v: &mut Vec<T>, x: Option<T>) {
    if let Some(x) = x
        && !v.contains(&x)
    {
        v.push(x);
    }
}

impl Selector {
    fn matches(&self, s: &Schedule, c: &Concern<'_>) -> bool {
        let any_route =
            |f: &dyn Fn(RouteIdx) -> bool| c.routes.is_none_or(|rs| rs.iter().any(|&r| f(r)));
        self.stop.is_none_or(|x| within(c.stops, x))
            && self.trip.is_none_or(|x| within(c.trips, x))
            && self.route.is_none_or(|x| within(c.routes, x))
            && self
                .route_type
                .is_none_or(|ty| any_route(&|r| s.route(r).type_code() == ty))
            && self
                .agency
                .is_none_or(|a| any_route(&|r| s.route(r).agency == a))
    }
}

/// `x` is in `set`, or there is no set to be in.
fn within<T: PartialEq>(set: Option<&[T]>, x: T) -> bool {
    set.is_none_or(|set| set.contains(&x))
}

fn nonempty(x: &Option<String>) -> Option<&str> {
    x.as_deref().filter(|x| !x.is_empty())
}

fn selector(s: &Schedule, sel: &gtfs_rt::EntitySelector) -> Option<Selector> {
    let agency = match nonempty(&sel.agency_id) {
        Some(id) => Some(AgencyIdx(
            u32::try_from(s.agencies.iter().position(|a| &*a.id == id)?).ok()?,
        )),
        None => None,
    };
    let mut route = match nonempty(&sel.route_id) {
        Some(id) => Some(s.route_by_id(id)?),
        None => None,
    };
    let trip_desc = sel.trip.as_ref();
    let trip = match trip_desc.and_then(|t| nonempty(&t.trip_id)) {
        Some(id) => Some(s.trip_by_id(id)?),
        None => None,
    };
    if route.is_none() {
        route = match trip_desc.and_then(|t| nonempty(&t.route_id)) {
            Some(id) => Some(s.route_by_id(id)?),
            // A trip's alert concerns its route too: a route page lists it.
            None => trip.map(|t| s.trip(t).route),
        };
    }
    let stop = match nonempty(&sel.stop_id) {
        Some(id) => Some(s.stop_by_id(id)?),
        None => None,
    };
    let out = Selector {
        agency,
        route,
        route_type: sel.route_type,
        direction: sel.direction_id.or(trip_desc.and_then(|t| t.direction_id)),
        trip,
        stop,
    };
    (out != Selector::default()).then_some(out)
}

fn cause_name(c: alert::Cause) -> &'static str {
    use alert::Cause as C;
    match c {
        C::UnknownCause => "unknown_cause",
        C::OtherCause => "other_cause",
        C::TechnicalProblem => "technical_problem",
        C::Strike => "strike",
        C::Demonstration => "demonstration",
        C::Accident => "accident",
        C::Holiday => "holiday",
        C::Weather => "weather",
        C::Maintenance => "maintenance",
        C::Construction => "construction",
        C::PoliceActivity => "police_activity",
        C::MedicalEmergency => "medical_emergency",
    }
}

fn effect_name(e: alert::Effect) -> &'static str {
    use alert::Effect as E;
    match e {
        E::NoService => "no_service",
        E::ReducedService => "reduced_service",
        E::SignificantDelays => "significant_delays",
        E::Detour => "detour",
        E::AdditionalService => "additional_service",
        E::ModifiedService => "modified_service",
        E::OtherEffect => "other_effect",
        E::UnknownEffect => "unknown_effect",
        E::StopMoved => "stop_moved",
        E::NoEffect => "no_effect",
        E::AccessibilityIssue => "accessibility_issue",
    }
}

fn severity_name(l: alert::SeverityLevel) -> &'static str {
    use alert::SeverityLevel as L;
    match l {
        L::UnknownSeverity => "unknown_severity",
        L::Info => "info",
        L::Warning => "warning",
        L::Severe => "severe",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gtfs_rt::translated_string::Translation;

    fn text(pairs: &[(Option<&str>, &str)]) -> Text {
        Text::from_proto(Some(&TranslatedString {
            translation: pairs
                .iter()
                .map(|(l, t)| Translation {
                    text: (*t).to_owned(),
                    language: l.map(str::to_owned),
                })
                .collect(),
        }))
    }

    #[test]
    fn text_picks_the_language_then_falls_back() {
        let t = text(&[
            (Some("vi"), "Đổi lộ trình"),
            (Some("en-GB"), "Detour"),
            (None, "x"),
        ]);
        assert_eq!(t.get("vi"), Some("Đổi lộ trình"));
        assert_eq!(t.get("en"), Some("Detour"));
        assert_eq!(t.get("en-GB"), Some("Detour"));
        assert_eq!(t.get("ja"), Some("x"));
        let only = text(&[(Some("vi"), "Chỉ tiếng Việt")]);
        assert_eq!(only.get("ja"), Some("Chỉ tiếng Việt"));
        assert_eq!(text(&[(Some("vi"), "  ")]).get("vi"), None);
    }

    #[test]
    fn periods() {
        let mut a = ServiceAlert {
            id: "s/a".into(),
            periods: vec![],
            selectors: vec![],
            cause: "unknown_cause",
            effect: "detour",
            severity: "warning",
            header: Text::default(),
            description: Text::default(),
            url: Text::default(),
        };
        assert!(a.active_at(0) && !a.expired_at(i64::MAX));
        a.periods = vec![
            Period {
                start: Some(100),
                end: Some(200),
            },
            Period {
                start: Some(300),
                end: None,
            },
        ];
        assert!(!a.active_at(99) && a.active_at(100) && !a.active_at(200));
        assert!(a.active_at(1_000_000));
        assert!(!a.expired_at(1_000_000));
        a.periods.pop();
        assert!(a.expired_at(200) && !a.expired_at(199));
    }
}
