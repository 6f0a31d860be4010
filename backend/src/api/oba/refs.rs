//! The `references` of an answer: every agency, route, stop and trip an entry points to, once,
//! and nothing else. Handlers record ids as they render ([`Refs::stop`], [`Refs::route`],
//! [`Refs::trip`]); [`Refs::finish`] adds what those point to in turn (a trip's route, a stop's
//! routes, a route's agency) and renders them.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{agency_id, feed_scoped, ms};
use crate::catalog::Catalog;
use crate::schedule::{
    Availability, DirectionType, Field, LocationType, RouteIdx, Schedule, StopIdx, TripIdx,
};

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct References {
    pub agencies: Vec<Agency>,
    pub routes: Vec<Route>,
    pub situations: Vec<super::situations::Situation>,
    pub stops: Vec<Stop>,
    pub stop_times: Vec<serde_json::Value>,
    pub trips: Vec<Trip>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Agency {
    pub id: String,
    pub name: String,
    pub url: String,
    pub timezone: String,
    pub lang: String,
    pub phone: String,
    pub email: String,
    pub fare_url: String,
    pub disclaimer: String,
    pub private_service: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    pub id: String,
    pub agency_id: String,
    pub short_name: String,
    pub long_name: String,
    pub null_safe_short_name: String,
    pub description: String,
    #[serde(rename = "type")]
    pub route_type: i32,
    pub url: String,
    pub color: String,
    pub text_color: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stop {
    pub id: String,
    pub code: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub direction: String,
    pub location_type: i32,
    pub parent: String,
    pub route_ids: Vec<String>,
    pub static_route_ids: Vec<String>,
    pub wheelchair_boarding: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Trip {
    pub id: String,
    pub route_id: String,
    pub service_id: String,
    pub trip_headsign: String,
    pub trip_short_name: String,
    pub route_short_name: String,
    pub direction_id: String,
    pub block_id: String,
    pub shape_id: String,
    pub time_zone: String,
    pub peak_offpeak: i32,
}

/// Collects what an answer refers to; feeds are told apart by their position in the catalog.
pub struct Refs<'a> {
    catalog: &'a Catalog,
    lang: &'a str,
    agencies: BTreeSet<(usize, u32)>,
    routes: BTreeSet<(usize, u32)>,
    stops: BTreeSet<(usize, u32)>,
    trips: BTreeSet<(usize, u32)>,
    situations: BTreeMap<String, super::situations::Situation>,
}

impl<'a> Refs<'a> {
    pub fn new(catalog: &'a Catalog, lang: &'a str) -> Self {
        Refs {
            catalog,
            lang,
            agencies: BTreeSet::new(),
            routes: BTreeSet::new(),
            stops: BTreeSet::new(),
            trips: BTreeSet::new(),
            situations: BTreeMap::new(),
        }
    }

    /// Records a situation (a service alert) seen at `now` and returns its id.
    pub fn situation(
        &mut self,
        s: &Schedule,
        a: &crate::realtime::alerts::ServiceAlert,
        now: i64,
    ) -> String {
        let id = super::situations::situation_id(s, a);
        if !self.situations.contains_key(&id) {
            self.situations
                .insert(id.clone(), super::situations::render(s, a, self.lang, now));
        }
        id
    }

    pub fn lang(&self) -> &'a str {
        self.lang
    }

    fn pos(&self, s: &Schedule) -> usize {
        self.catalog
            .feeds()
            .iter()
            .position(|f| f.schedule.feed_id == s.feed_id)
            .unwrap_or(usize::MAX)
    }

    fn feed(&self, pos: usize) -> Option<&'a Schedule> {
        self.catalog.feeds().get(pos).map(|f| &*f.schedule)
    }

    /// Records stop `idx` and returns its id.
    pub fn stop(&mut self, s: &Schedule, idx: StopIdx) -> String {
        self.stops.insert((self.pos(s), idx.0));
        stop_id(s, idx)
    }

    pub fn route(&mut self, s: &Schedule, r: RouteIdx) -> String {
        self.routes.insert((self.pos(s), r.0));
        route_id(s, r)
    }

    pub fn trip(&mut self, s: &Schedule, t: TripIdx) -> String {
        self.trips.insert((self.pos(s), t.0));
        trip_id(s, t)
    }

    pub fn agency(&mut self, s: &Schedule, a: usize) -> String {
        self.agencies.insert((self.pos(s), a as u32));
        agency_id(s, a).to_owned()
    }

    /// A stop as an entry: its routes go to the references.
    pub fn stop_entry(&mut self, s: &Schedule, idx: StopIdx) -> Stop {
        let stop = render_stop(self.catalog, s, idx, self.lang);
        for &r in self.catalog.stop_index(s).routes(idx) {
            self.route(s, r);
        }
        stop
    }

    /// A route as an entry: its agency goes to the references.
    pub fn route_entry(&mut self, s: &Schedule, r: RouteIdx) -> Route {
        self.agency(s, s.route(r).agency.index());
        render_route(s, r, self.lang)
    }

    /// A trip as an entry: its route goes to the references.
    pub fn trip_entry(&mut self, s: &Schedule, t: TripIdx) -> Trip {
        self.route(s, s.trip(t).route);
        render_trip(s, t, self.lang)
    }

    /// The references, with what the recorded entities point to.
    pub fn finish(mut self) -> References {
        let mut out = References::default();
        for &(pos, t) in &self.trips.clone() {
            let Some(s) = self.feed(pos) else { continue };
            out.trips.push(self.trip_entry(s, TripIdx(t)));
        }
        for &(pos, stop) in &self.stops.clone() {
            let Some(s) = self.feed(pos) else { continue };
            out.stops.push(self.stop_entry(s, StopIdx(stop)));
        }
        for &(pos, r) in &self.routes.clone() {
            let Some(s) = self.feed(pos) else { continue };
            out.routes.push(self.route_entry(s, RouteIdx(r)));
        }
        for &(pos, a) in &self.agencies {
            let Some(s) = self.feed(pos) else { continue };
            out.agencies.push(render_agency(s, a as usize, self.lang));
        }
        out.situations = std::mem::take(&mut self.situations).into_values().collect();
        out
    }
}

pub fn stop_id(s: &Schedule, idx: StopIdx) -> String {
    feed_scoped(s, &s.stop(idx).id)
}

pub fn route_id(s: &Schedule, r: RouteIdx) -> String {
    let route = s.route(r);
    format!("{}_{}", agency_id(s, route.agency.index()), route.id)
}

pub fn trip_id(s: &Schedule, t: TripIdx) -> String {
    feed_scoped(s, &s.trip(t).id)
}

pub fn render_agency(s: &Schedule, a: usize, lang: &str) -> Agency {
    let agency = &s.agencies[a];
    let opt = |o: &Option<Box<str>>| o.as_deref().unwrap_or_default().to_owned();
    Agency {
        id: agency_id(s, a).to_owned(),
        name: s
            .translate(Field::AgencyName, &agency.id, &agency.name, lang)
            .to_owned(),
        url: agency.url.to_string(),
        timezone: agency.timezone.to_string(),
        lang: opt(&agency.lang),
        phone: opt(&agency.phone),
        email: String::new(),
        fare_url: opt(&agency.fare_url),
        disclaimer: String::new(),
        private_service: false,
    }
}

pub fn render_route(s: &Schedule, r: RouteIdx, lang: &str) -> Route {
    let route = s.route(r);
    let (color, text_color) = crate::api::network::colours(route);
    let short = route.short_name.as_deref().unwrap_or_default();
    let long = route
        .long_name
        .as_deref()
        .map(|_| s.route_long_name(r, lang))
        .unwrap_or_default();
    Route {
        id: route_id(s, r),
        agency_id: agency_id(s, route.agency.index()).to_owned(),
        short_name: short.to_owned(),
        long_name: long.to_owned(),
        null_safe_short_name: if short.is_empty() { long } else { short }.to_owned(),
        description: route
            .desc
            .as_deref()
            .map(|d| s.translate(Field::RouteDesc, &route.id, d, lang))
            .unwrap_or_default()
            .to_owned(),
        route_type: route.type_code(),
        url: route.url.as_deref().unwrap_or_default().to_owned(),
        color,
        text_color,
    }
}

fn wheelchair(a: Availability) -> &'static str {
    match a {
        Availability::Available => "ACCESSIBLE",
        Availability::NotAvailable => "NOT_ACCESSIBLE",
        _ => "UNKNOWN",
    }
}

fn location_type(t: LocationType) -> i32 {
    match t {
        LocationType::StopPoint => 0,
        LocationType::StopArea => 1,
        LocationType::StationEntrance => 2,
        LocationType::GenericNode => 3,
        LocationType::BoardingArea => 4,
        LocationType::Unknown(n) => i32::from(n),
    }
}

pub fn render_stop(catalog: &Catalog, s: &Schedule, idx: StopIdx, lang: &str) -> Stop {
    let stop = s.stop(idx);
    let route_ids: Vec<String> = catalog
        .stop_index(s)
        .routes(idx)
        .iter()
        .map(|&r| route_id(s, r))
        .collect();
    Stop {
        id: stop_id(s, idx),
        code: stop.code.as_deref().unwrap_or(&stop.id).to_owned(),
        name: s.stop_name(idx, lang).to_owned(),
        lat: stop.position.map_or(0.0, |p| p.lat),
        lon: stop.position.map_or(0.0, |p| p.lon),
        direction: String::new(),
        location_type: location_type(stop.location_type),
        parent: stop.parent.map(|p| stop_id(s, p)).unwrap_or_default(),
        static_route_ids: route_ids.clone(),
        route_ids,
        wheelchair_boarding: wheelchair(stop.wheelchair_boarding).to_owned(),
    }
}

pub fn render_trip(s: &Schedule, t: TripIdx, lang: &str) -> Trip {
    let trip = s.trip(t);
    Trip {
        id: trip_id(s, t),
        route_id: route_id(s, trip.route),
        service_id: feed_scoped(s, &s.services[trip.service.index()].id),
        trip_headsign: s.trip_headsign_in(t, lang).unwrap_or_default().to_owned(),
        trip_short_name: trip.short_name.as_deref().unwrap_or_default().to_owned(),
        route_short_name: s.route_short_name(trip.route).to_owned(),
        direction_id: match trip.direction {
            Some(DirectionType::Outbound) => "0",
            Some(DirectionType::Inbound) => "1",
            None => "",
        }
        .to_owned(),
        block_id: trip
            .block
            .map(|b| feed_scoped(s, &s.blocks[b.index()].id))
            .unwrap_or_default(),
        shape_id: trip
            .shape
            .and_then(|sh| s.shapes.get(sh.index()))
            .and_then(|sh| sh.id.as_deref())
            .map(|id| feed_scoped(s, id))
            .unwrap_or_default(),
        time_zone: String::new(),
        peak_offpeak: 0,
    }
}

/// `serviceDate` of OneBusAway: the start of the service day, in milliseconds.
pub fn service_date_ms(s: &Schedule, date: jiff::civil::Date) -> i64 {
    ms(crate::schedule::time::service_day_start(date, &s.timezone))
}
