//! The OneBusAway REST API (`/api/where/*.json`), so OneBusAway's apps, SDKs and sign software
//! work unchanged against this server. Same data as `/api/v1`, OneBusAway's shapes:
//!
//! - every answer is an envelope `{code, currentTime, text, version: 2, data}`; `data` holds an
//!   `entry` or a `list` and the `references` the entries point to ([`refs`]);
//! - times are milliseconds since the epoch, `serviceDate` is the service day's start;
//! - ids are `{agencyId}_{entityId}`: the GTFS agency of a route, the feed's first agency for
//!   stops, trips, shapes, blocks and vehicles (as OneBusAway does). An id is read back by the
//!   agency prefix (so agency ids may contain `_`); with several feeds that share an agency id,
//!   the first feed wins;
//! - the `key` query parameter must be one of the configured keys (`[oba] keys`, else the
//!   development key `TEST`): otherwise 401 in the envelope. Unknown ids are 404 and bad
//!   parameters 400, each with a `text` that says what to fix.
//!
//! Handlers are thin: the schedule's queries, the stop search, the board ([`super::departures`])
//! and the realtime snapshot do the work; this module only renders.

mod arrivals;
mod refs;
mod reports;
mod routes;
mod schedule;
mod shape;
mod situations;
mod stops;
mod trips;
mod vehicles;

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::schedule::Schedule;
use crate::state::AppState;

pub use refs::{References, Refs};
pub use situations::{situation_ids, trip_situation_ids};

/// The key accepted when none is configured: OneBusAway's convention for development servers.
pub const TEST_KEY: &str = "TEST";

/// Routes under `/api/where`.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/agencies-with-coverage.json",
            get(routes::agencies_with_coverage),
        )
        .route("/agency/{id}", get(routes::agency))
        .route("/current-time.json", get(current_time))
        .route("/stop/{id}", get(stops::stop))
        .route("/stops-for-location.json", get(stops::stops_for_location))
        .route("/stops-for-route/{id}", get(stops::stops_for_route))
        .route("/stops-for-agency/{id}", get(stops::stops_for_agency))
        .route("/stop-ids-for-agency/{id}", get(stops::stop_ids_for_agency))
        .route("/search/stop.json", get(stops::search_stop))
        .route("/route/{id}", get(routes::route))
        .route("/routes-for-agency/{id}", get(routes::routes_for_agency))
        .route(
            "/route-ids-for-agency/{id}",
            get(routes::route_ids_for_agency),
        )
        .route(
            "/routes-for-location.json",
            get(routes::routes_for_location),
        )
        .route("/search/route.json", get(routes::search_route))
        .route(
            "/arrivals-and-departures-for-stop/{id}",
            get(arrivals::arrivals_and_departures_for_stop),
        )
        .route(
            "/arrivals-and-departures-for-location.json",
            get(arrivals::arrivals_and_departures_for_location),
        )
        .route(
            "/arrival-and-departure-for-stop/{id}",
            get(arrivals::arrival_and_departure_for_stop),
        )
        .route("/trip/{id}", get(trips::trip))
        .route("/trip-details/{id}", get(trips::trip_details))
        .route("/trip-for-vehicle/{id}", get(trips::trip_for_vehicle))
        .route("/trips-for-route/{id}", get(trips::trips_for_route))
        .route("/trips-for-location.json", get(trips::trips_for_location))
        .route("/config.json", get(config))
        .route("/block/{id}", get(trips::block))
        .route(
            "/vehicles-for-agency/{id}",
            get(vehicles::vehicles_for_agency),
        )
        .route("/schedule-for-stop/{id}", get(schedule::schedule_for_stop))
        .route(
            "/schedule-for-route/{id}",
            get(schedule::schedule_for_route),
        )
        .route("/shape/{id}", get(shape::shape))
        .route(
            "/report-problem-with-stop/{id}",
            get(reports::report_problem_with_stop),
        )
        .route(
            "/report-problem-with-trip/{id}",
            get(reports::report_problem_with_trip),
        )
        .fallback(not_found_endpoint)
        .layer(axum::middleware::from_fn_with_state(state, check_key))
        .layer(crate::ops::public_cors())
}

/// The keys accepted: the configured ones, else [`TEST_KEY`].
pub fn accepted_keys(configured: &[String]) -> Vec<String> {
    if configured.is_empty() {
        vec![TEST_KEY.to_owned()]
    } else {
        configured.to_vec()
    }
}

#[derive(Deserialize)]
struct KeyParam {
    key: Option<String>,
}

/// Refuses requests without one of the accepted keys (compared in constant time).
async fn check_key(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let given = axum::extract::Query::<KeyParam>::try_from_uri(request.uri())
        .ok()
        .and_then(|q| q.0.key);
    let Some(given) = given.filter(|k| !k.is_empty()) else {
        return ObaError::new(
            StatusCode::UNAUTHORIZED,
            "permission denied: give your API key as the key= query parameter",
        )
        .into_response();
    };
    // Every key is compared, so the time taken does not say which one nearly matched.
    let matched = state
        .oba_keys
        .iter()
        .fold(false, |ok, k| crate::ingest::token_matches(k, &given) | ok);
    if !matched {
        return ObaError::new(
            StatusCode::UNAUTHORIZED,
            "permission denied: the key= query parameter is not a key of this server",
        )
        .into_response();
    }
    next.run(request).await
}

async fn not_found_endpoint(uri: axum::http::Uri) -> ObaError {
    ObaError::new(
        StatusCode::NOT_FOUND,
        format!(
            "There is no OneBusAway endpoint at {}; see /api/where/agencies-with-coverage.json",
            uri.path()
        ),
    )
}

/// The id in a path segment `{id}.json`; other segments name no endpoint (404).
pub fn json_id(segment: &str) -> Result<&str, ObaError> {
    segment
        .strip_suffix(".json")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| {
            ObaError::new(
                StatusCode::NOT_FOUND,
                format!("{segment:?}: OneBusAway paths end in {{id}}.json"),
            )
        })
}

/// Milliseconds since the epoch of unix seconds.
pub fn ms(unix: i64) -> i64 {
    unix * 1000
}

/// The envelope of every answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope<T> {
    pub code: u16,
    pub current_time: i64,
    pub text: String,
    pub version: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
}

/// `data` with one `entry`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryData<T> {
    pub entry: T,
    pub references: References,
}

/// `data` with a `list`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListData<T> {
    pub list: Vec<T>,
    pub limit_exceeded: bool,
    pub out_of_range: bool,
    pub references: References,
}

pub type Answer<T> = Result<Json<Envelope<T>>, ObaError>;

/// A successful answer.
pub fn ok<T>(now: i64, data: T) -> Answer<T> {
    Ok(Json(Envelope {
        code: 200,
        current_time: ms(now),
        text: "OK".to_owned(),
        version: 2,
        data: Some(data),
    }))
}

pub fn entry<T>(now: i64, entry: T, references: References) -> Answer<EntryData<T>> {
    ok(now, EntryData { entry, references })
}

/// A list answer of the first `limit` of `found` (kept in order), each rendered by `entry`
/// (which records what it refers to); `limitExceeded` when some were left out.
pub fn capped_list<F, T>(
    ctx: &Ctx,
    mut found: Vec<F>,
    limit: usize,
    mut entry: impl FnMut(&mut Refs<'_>, F) -> T,
) -> Answer<ListData<T>> {
    let exceeded = found.len() > limit;
    found.truncate(limit);
    let mut refs = Refs::new(&ctx.catalog, &ctx.lang);
    let out = found.into_iter().map(|f| entry(&mut refs, f)).collect();
    list(ctx.now, out, exceeded, refs.finish())
}

pub fn list<T>(
    now: i64,
    list: Vec<T>,
    limit_exceeded: bool,
    references: References,
) -> Answer<ListData<T>> {
    ok(
        now,
        ListData {
            list,
            limit_exceeded,
            out_of_range: false,
            references,
        },
    )
}

/// An error, as OneBusAway sends it: the envelope with `code` = the HTTP status and `text`.
#[derive(Debug)]
pub struct ObaError {
    status: StatusCode,
    text: String,
}

impl ObaError {
    pub fn new(status: StatusCode, text: impl Into<String>) -> Self {
        ObaError {
            status,
            text: text.into(),
        }
    }

    /// 404: no `what` has this id.
    pub fn not_found(what: &str, id: &str) -> Self {
        ObaError::new(
            StatusCode::NOT_FOUND,
            format!(
                "resource not found: no {what} has the id {id:?}. Ids look like \
                 \"{{agencyId}}_{{id}}\"; /api/where/agencies-with-coverage.json lists the \
                 agencies"
            ),
        )
    }

    /// 400: parameter `name` is wrong.
    pub fn bad(name: &str, problem: impl std::fmt::Display) -> Self {
        ObaError::new(StatusCode::BAD_REQUEST, format!("{name}: {problem}"))
    }
}

impl IntoResponse for ObaError {
    fn into_response(self) -> Response {
        let body = Envelope::<()> {
            code: self.status.as_u16(),
            current_time: jiff::Timestamp::now().as_millisecond(),
            text: self.text,
            version: 2,
            data: None,
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<QueryRejection> for ObaError {
    fn from(r: QueryRejection) -> Self {
        ObaError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "{}; check the query parameters' names and values",
                r.body_text()
            ),
        )
    }
}

/// `axum::extract::Query`, answering malformed query strings with the OneBusAway envelope.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ObaError))]
pub struct Query<T>(pub T);

/// The `lang` parameter every endpoint takes (names in that language when the feed has them).
#[derive(Debug, Default, Deserialize)]
pub struct LangParam {
    pub lang: Option<String>,
}

/// What every handler starts from: one catalog, the request's language, now.
pub struct Ctx {
    pub catalog: Arc<Catalog>,
    pub realtime: Arc<crate::predict::Snapshot>,
    pub lang: String,
    pub now: i64,
}

impl Ctx {
    pub fn new(state: &AppState, lang: Option<&str>, headers: &HeaderMap) -> Self {
        Ctx {
            catalog: state.catalog.load_full(),
            realtime: state.realtime.load_full(),
            lang: super::lang::negotiate(lang, headers),
            now: state.clock.now().as_second(),
        }
    }

    /// The live realtime of `s` (`None` when there is none or the feed is degraded).
    pub fn live(&self, s: &Schedule) -> Option<&crate::predict::FeedSnapshot> {
        self.realtime.for_schedule(s).filter(|fs| !fs.degraded)
    }

    /// The feed an OneBusAway id points into, and the id within the feed.
    pub fn resolve<'a>(&self, id: &'a str) -> Option<(Arc<Schedule>, &'a str)> {
        parse_id(&self.catalog, id).map(|(s, local)| (s.clone(), local))
    }
}

/// The OneBusAway agency id of agency `i` of a feed (its GTFS `agency_id`; the feed id when
/// the feed leaves it blank).
pub fn agency_id(s: &Schedule, i: usize) -> &str {
    match s.agencies.get(i).map(|a| &*a.id) {
        Some(id) if !id.is_empty() => id,
        _ => s.feed_id.as_str(),
    }
}

/// `{agencyId}_{local}` with the feed's first agency: stops, trips, shapes, blocks, vehicles.
pub fn feed_scoped(s: &Schedule, local: &str) -> String {
    format!("{}_{local}", agency_id(s, 0))
}

/// Splits `{agencyId}_{local}`: the longest agency id (of any feed) followed by `_`.
pub fn parse_id<'c, 'i>(catalog: &'c Catalog, id: &'i str) -> Option<(&'c Arc<Schedule>, &'i str)> {
    let mut best: Option<(&Arc<Schedule>, usize)> = None;
    for f in catalog.feeds() {
        let s = &f.schedule;
        for i in 0..s.agencies.len().max(1) {
            let agency = agency_id(s, i);
            if id.len() > agency.len() + 1
                && id.starts_with(agency)
                && id.as_bytes()[agency.len()] == b'_'
                && best.is_none_or(|(_, len)| agency.len() > len)
            {
                best = Some((s, agency.len()));
            }
        }
    }
    best.map(|(s, len)| (s, &id[len + 1..]))
}

/// The feed and index of agency `id`.
pub fn resolve_agency<'c>(catalog: &'c Catalog, id: &str) -> Option<(&'c Arc<Schedule>, usize)> {
    catalog.feeds().iter().find_map(|f| {
        let s = &f.schedule;
        (0..s.agencies.len())
            .find(|&i| agency_id(s, i) == id)
            .map(|i| (s, i))
    })
}

/// `time=`: milliseconds since the epoch (OneBusAway) or an RFC 3339 instant (the SDKs send
/// ISO 8601); now when absent.
pub fn parse_time(param: Option<&str>, now: i64) -> Result<i64, ObaError> {
    let Some(text) = param.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(now);
    };
    if let Ok(ms) = text.parse::<i64>() {
        return Ok(ms.div_euclid(1000));
    }
    text.parse::<jiff::Timestamp>()
        .map(|t| t.as_second())
        .map_err(|_| {
            ObaError::bad(
                "time",
                format!(
                    "{text:?} is neither milliseconds since the epoch nor an RFC 3339 time \
                     such as 2026-11-23T07:40:00+07:00"
                ),
            )
        })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrentTime {
    time: i64,
    readable_time: String,
}

async fn current_time(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<LangParam>,
) -> Answer<EntryData<CurrentTime>> {
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let now = state.clock.now();
    entry(
        ctx.now,
        CurrentTime {
            time: now.as_millisecond(),
            readable_time: now.to_string(),
        },
        References::default(),
    )
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerConfig {
    id: String,
    name: String,
    /// The first and last service dates any served feed has, as ms of the day's start.
    service_date_from: String,
    service_date_to: String,
}

/// `config.json`: what this server serves.
async fn config(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<LangParam>,
) -> Answer<EntryData<ServerConfig>> {
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let mut from: Option<i64> = None;
    let mut to: Option<i64> = None;
    let mut versions = Vec::new();
    for f in ctx.catalog.feeds() {
        let s = &f.schedule;
        versions.push(format!("{}@{}", s.feed_id, s.version));
        if let Some((a, b)) = s.service_span {
            let (a, b) = (refs::service_date_ms(s, a), refs::service_date_ms(s, b));
            from = Some(from.map_or(a, |x| x.min(a)));
            to = Some(to.map_or(b, |x| x.max(b)));
        }
    }
    entry(
        ctx.now,
        ServerConfig {
            id: versions.join(","),
            name: "rtpi".to_owned(),
            service_date_from: from.map(|x| x.to_string()).unwrap_or_default(),
            service_date_to: to.map(|x| x.to_string()).unwrap_or_default(),
        },
        References::default(),
    )
}
