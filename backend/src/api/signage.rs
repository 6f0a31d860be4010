//! Stop displays: `GET /api/v1/signage/{stop_id}.json` (the compact board),
//! `GET /api/v1/signage/{stop_id}.txt` (fixed-width text for LED signs) and, in [`display`],
//! `GET /display/{stop_id}` (a full-screen HTML page).
//!
//! Every one of them is the same view model: [`departures::board`] built once per request from
//! one catalog snapshot and one realtime snapshot, then reduced to a [`SignageBoard`] and
//! rendered. Thousands of displays poll every 15–30 s, so every answer carries a strong
//! `ETag` (a hash of the body) and `Cache-Control: public, max-age=15` (the realtime
//! republish interval), and `If-None-Match` gets a bodiless 304.
//!
//! Parameters: `{stop_id}` may list several stops of one feed separated by commas (one board,
//! merged and sorted by time); `route` (comma-separated route ids, global or local, or short
//! names), `limit` (default 8, 1–50), `lang` (default from `Accept-Language`, else `vi`);
//! for `.txt`: `width` (16–80 characters, default 32) and `ascii=1` (Vietnamese without
//! diacritics, for controllers without those glyphs).

pub mod display;
mod text;

use api_types::{
    DepartureStatus, DeparturesResponse, Freshness, GlobalId, RealtimeStatus, SignageBoard,
    SignageDeparture,
};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::departures::{self, BoardQuery};
use super::error::{ApiError, Query};
use crate::schedule::time::format_rfc3339;
use crate::schedule::{RouteIdx, Schedule};
use crate::state::AppState;
use frontend::freshness::Shown;

/// How far ahead a sign looks.
const WINDOW_MINUTES: i64 = 120;
const DEFAULT_LIMIT: usize = 8;
const MAX_LIMIT: usize = 50;
const MAX_STOPS: usize = 20;
/// The realtime republish interval: a sign gains nothing by asking more often.
pub const MAX_AGE_SECS: u32 = 15;
const DEFAULT_WIDTH: usize = 32;
const MIN_WIDTH: usize = 16;
const MAX_WIDTH: usize = 80;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Params {
    /// Only these routes: comma-separated route ids (global or local) or short names.
    route: Option<String>,
    /// Most departures on the board, 1 to 50 (default 8).
    #[param(minimum = 1, maximum = 50)]
    limit: Option<usize>,
    /// Language of names (default from `Accept-Language`, else `vi`).
    lang: Option<String>,
    /// `.txt` only: line width in characters, 16 to 80 (default 32).
    #[param(minimum = 16, maximum = 80)]
    width: Option<usize>,
    /// `.txt` only: `1` writes Vietnamese without diacritics (for signs without those
    /// glyphs), `0` (default) keeps them.
    ascii: Option<String>,
}

/// `GET /api/v1/signage/{file}`, `file` being `{stop_ids}.json` or `{stop_ids}.txt`.
///
/// The board of one or several stops reduced for a display: minutes and clock time per
/// departure, live flag, stale flag. Strong `ETag` and `Cache-Control: public, max-age=15`;
/// `If-None-Match` with the current tag gets 304.
#[utoipa::path(
    get,
    path = "/signage/{file}",
    tag = "signage",
    params(
        ("file" = String, Path, description = "`{stop_ids}.json` (the board as JSON) or \
            `{stop_ids}.txt` (fixed-width text); `stop_ids` is one global stop id or several of \
            one feed separated by commas (at most 20), e.g. `binh-duong:BD2081.json`"),
        ("If-None-Match" = Option<String>, Header, description = "An `ETag` received before"),
        Params,
    ),
    responses(
        (status = 200, description = "The board",
            headers(("ETag" = String, description = "Strong tag of the body")),
            content(
                (SignageBoard = "application/json"),
                (String = "text/plain"),
            )),
        (status = 304, description = "Unchanged since the `If-None-Match` tag"),
        (status = 400, description = "Invalid parameter", body = api_types::ErrorBody),
        (status = 404, description = "No such stop, or neither `.json` nor `.txt`", body = api_types::ErrorBody),
    ),
)]
pub async fn signage(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(params): Query<Params>,
    request: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(stops) = file.strip_suffix(".json") {
        let board = signage_board(&state, stops, &params, &request)?;
        let body = serde_json::to_vec(&board)
            .map_err(|e| ApiError::Internal("internal", format!("cannot encode the board: {e}")))?;
        return Ok(cached(&request, "application/json", body));
    }
    if let Some(stops) = file.strip_suffix(".txt") {
        let width = params.width.unwrap_or(DEFAULT_WIDTH);
        if !(MIN_WIDTH..=MAX_WIDTH).contains(&width) {
            return Err(ApiError::invalid_parameter(
                "width",
                format!("{width} is out of range; use {MIN_WIDTH} to {MAX_WIDTH}"),
            ));
        }
        let ascii = match params.ascii.as_deref() {
            None | Some("0" | "false" | "no") => false,
            Some("1" | "true" | "yes" | "") => true,
            Some(other) => {
                return Err(ApiError::invalid_parameter(
                    "ascii",
                    format!("{other:?}: use ascii=1 or ascii=0"),
                ));
            }
        };
        let board = signage_board(&state, stops, &params, &request)?;
        let body = text::render(&board, width, ascii);
        return Ok(cached(
            &request,
            "text/plain; charset=utf-8",
            body.into_bytes(),
        ));
    }
    Err(ApiError::NotFound(
        "not_found",
        format!(
            "Signage boards are /api/v1/signage/{{stop_id}}.json or .txt; {file:?} has neither \
             extension."
        ),
    ))
}

/// The language of a sign: `lang`, else the first of `Accept-Language`, else Vietnamese.
pub fn language(param: Option<&str>, request: &HeaderMap) -> String {
    if let Some(lang) = param.map(str::trim).filter(|l| !l.is_empty()) {
        return lang.to_owned();
    }
    request
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|tag| tag.split(';').next())
        .map(str::trim)
        .filter(|tag| !tag.is_empty() && *tag != "*")
        .map_or_else(|| "vi".to_owned(), str::to_owned)
}

/// One sign's board: resolves the stops and routes, builds the board from one catalog and
/// one realtime snapshot, and reduces it.
pub fn signage_board(
    state: &AppState,
    stop_ids: &str,
    params: &Params,
    request: &HeaderMap,
) -> Result<SignageBoard, ApiError> {
    let ids: Vec<&str> = stop_ids
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .collect();
    if ids.is_empty() {
        return Err(ApiError::stop_not_found(stop_ids));
    }
    if ids.len() > MAX_STOPS {
        return Err(ApiError::invalid_parameter(
            "stop_id",
            format!("{} stops; a board merges at most {MAX_STOPS}", ids.len()),
        ));
    }
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_parameter(
            "limit",
            format!("{limit} is out of range; use 1 to {MAX_LIMIT}"),
        ));
    }
    let lang = language(params.lang.as_deref(), request);
    let catalog = state.catalog.load();
    let mut schedule: Option<&std::sync::Arc<Schedule>> = None;
    let mut stops = Vec::with_capacity(ids.len());
    for id in &ids {
        let (s, stop) = catalog
            .resolve_stop(id)
            .ok_or_else(|| ApiError::stop_not_found(id))?;
        match schedule {
            Some(first) if !std::sync::Arc::ptr_eq(first, s) => {
                return Err(ApiError::invalid_parameter(
                    "stop_id",
                    "the stops of one board must belong to one feed",
                ));
            }
            _ => schedule = Some(s),
        }
        if !stops.contains(&stop) {
            stops.push(stop);
        }
    }
    let (Some(s), Some((&stop, more_stops))) = (schedule, stops.split_first()) else {
        return Err(ApiError::stop_not_found(stop_ids));
    };
    let routes = match params.route.as_deref() {
        Some(list) => Some(routes(s, list)?),
        None => None,
    };
    let now = state.clock.now().as_second();
    let realtime = state.realtime.load();
    let rt = realtime.for_schedule(s);
    let board = departures::board(
        s,
        rt,
        &BoardQuery {
            stop,
            more_stops,
            routes: routes.as_deref(),
            now,
            from: now,
            to: now + WINDOW_MINUTES * 60,
            lang: &lang,
            limit,
            arrivals: false,
        },
    );
    let mut names: Vec<&str> = Vec::new();
    for &idx in &stops {
        let name = s.stop_name(idx, &lang);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    // To the minute: the body (and so its ETag) changes when what a sign shows changes, not
    // every second, so displays polling every 15–30 s mostly get 304s.
    let data_age_s = rt
        .and_then(|fs| fs.data_time)
        .map(|t| (now - t).max(0) / 60 * 60);
    let minute = now - now.rem_euclid(60);
    let mut compact = compact(
        &board,
        stops
            .iter()
            .map(|&i| GlobalId::format(s.feed_id.as_str(), &s.stop(i).id))
            .collect(),
        names.join(" / "),
        now,
        format_rfc3339(minute, &s.timezone),
        data_age_s,
    );
    if more_stops.is_empty() {
        compact.bay = s.bay(stop, &lang).map(str::to_owned);
    }
    Ok(compact)
}

/// The routes a `route=` list names: global ids, the feed's own ids, or short names.
fn routes(s: &Schedule, list: &str) -> Result<Vec<RouteIdx>, ApiError> {
    let mut out = Vec::new();
    for token in list.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let local = GlobalId::parse(token)
            .filter(|g| g.feed == s.feed_id.as_str())
            .map_or(token, |g| g.local);
        let before = out.len();
        if let Some(r) = s.route_by_id(local) {
            out.push(r);
        } else {
            out.extend(
                (0..s.routes.len())
                    .map(|i| RouteIdx(i as u32))
                    .filter(|&r| s.route_short_name(r) == token),
            );
        }
        if out.len() == before {
            return Err(ApiError::invalid_parameter(
                "route",
                format!("no route {token:?} in feed {}", s.feed_id),
            ));
        }
    }
    Ok(out)
}

/// The board as a sign shows it.
fn compact(
    board: &DeparturesResponse,
    stop_ids: Vec<String>,
    stop_name: String,
    now: i64,
    now_text: String,
    data_age_s: Option<i64>,
) -> SignageBoard {
    let departures = board
        .departures
        .iter()
        .filter_map(|d| {
            let live = d.status == DepartureStatus::Live;
            let expected = if live {
                d.predicted_departure
                    .as_deref()
                    .or(d.predicted_arrival.as_deref())
                    .unwrap_or(&d.scheduled_departure)
            } else {
                &d.scheduled_departure
            };
            let at = expected.parse::<jiff::Timestamp>().ok()?.as_second();
            // The web app's own reading, so a sign and the stop page never disagree.
            let freshness = match frontend::freshness::line(d, 0) {
                Shown::Live => Some(Freshness::Live),
                Shown::Estimate => Some(Freshness::Estimate),
                Shown::Stale => Some(Freshness::Stale),
                Shown::Timetable | Shown::Cancelled | Shown::Skipped => None,
            };
            Some(SignageDeparture {
                route: d.route.short_name.clone(),
                route_color: d.route.color.clone(),
                route_text_color: d.route.text_color.clone(),
                headsign: d.headsign.clone(),
                minutes: (at - now).max(0) / 60,
                time: clock(expected),
                status: d.status,
                live,
                bay: d.bay.clone(),
                at: expected.to_owned(),
                freshness,
            })
        })
        .collect();
    SignageBoard {
        stop_ids,
        stop_name,
        bay: None,
        clock: clock(&now_text),
        now: now_text,
        lang: board.lang.clone(),
        realtime: board.realtime,
        stale: board.realtime != RealtimeStatus::Live,
        data_age_s,
        departures,
        alerts: board
            .alerts
            .iter()
            .filter(|a| a.active)
            .filter_map(|a| {
                let text = if a.header.is_empty() {
                    a.description.as_deref()?
                } else {
                    &a.header
                };
                Some(text.to_owned())
            })
            .collect(),
    }
}

/// `HH:MM` of an RFC 3339 time written in local time.
fn clock(rfc3339: &str) -> String {
    rfc3339.get(11..16).unwrap_or_default().to_owned()
}

/// A strong validator: the hash of the body.
pub fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// RFC 9110: `*` and (for `If-None-Match`, weak comparison) `W/` tags match.
fn matches(request: &HeaderMap, etag: &str) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag
        })
}

/// `body` with its `ETag` and `Cache-Control`, or a bodiless 304 when the client has it.
pub fn cached(request: &HeaderMap, content_type: &'static str, body: Vec<u8>) -> Response {
    cached_with_status(request, StatusCode::OK, content_type, body)
}

pub fn cached_with_status(
    request: &HeaderMap,
    status: StatusCode,
    content_type: &'static str,
    body: Vec<u8>,
) -> Response {
    let tag = etag(&body);
    let mut response = if status == StatusCode::OK && matches(request, &tag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = (status, Body::from(body)).into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        r
    };
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        headers.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={MAX_AGE_SECS}")) {
        headers.insert(header::CACHE_CONTROL, v);
    }
    headers.insert(header::VARY, HeaderValue::from_static("accept-language"));
    response
}

/// What a sign says, per language (by primary subtag; English for languages without labels).
#[derive(Debug)]
pub struct Labels {
    pub now: &'static str,
    /// After the number of minutes.
    pub minutes: &'static str,
    pub cancelled: &'static str,
    pub skipped: &'static str,
    pub live: &'static str,
    pub timetable: &'static str,
    pub stale: &'static str,
    pub no_departures: &'static str,
    pub route: &'static str,
    pub destination: &'static str,
    pub departs: &'static str,
    pub alerts: &'static str,
    pub not_found: &'static str,
    /// A prediction not from a current position of the trip's vehicle.
    pub estimate: &'static str,
    /// A prediction from data older than 90 s (or no news from the server for that long).
    pub stale_line: &'static str,
    /// The display lost its server; `{t}` is when (`HH:MM`).
    pub lost: &'static str,
    /// Live data, but old: before its age.
    pub old: &'static str,
    /// The age of the last realtime data; `{age}` is it (`12 phút`).
    pub data_age: &'static str,
    /// The bays' column.
    pub bay: &'static str,
}

const VI: Labels = Labels {
    now: "Đang đến",
    minutes: " phút",
    cancelled: "Hủy chuyến",
    skipped: "Không dừng",
    live: "Trực tiếp",
    timetable: "Lịch trình",
    stale: "Dữ liệu trễ — đang hiển thị lịch trình",
    no_departures: "Không có chuyến nào sắp tới",
    route: "Tuyến",
    destination: "Hướng đi",
    departs: "Khởi hành",
    alerts: "Thông báo",
    not_found: "Không tìm thấy điểm dừng",
    estimate: "Ước tính",
    stale_line: "Dữ liệu cũ",
    lost: "Mất kết nối từ {t} — đang thử lại",
    old: "Dữ liệu trực tiếp đã cũ",
    data_age: "dữ liệu trực tiếp cuối cùng: {age} trước",
    bay: "Bến",
};

const EN: Labels = Labels {
    now: "Now",
    minutes: " min",
    cancelled: "Cancelled",
    skipped: "Not stopping",
    live: "Live",
    timetable: "Timetable",
    stale: "Data is stale — showing timetable",
    no_departures: "No upcoming departures",
    route: "Route",
    destination: "Destination",
    departs: "Departs",
    alerts: "Alerts",
    not_found: "Stop not found",
    estimate: "Estimate",
    stale_line: "Old data",
    lost: "Connection lost at {t} — retrying",
    old: "Live data is old",
    data_age: "last live data {age} ago",
    bay: "Bay",
};

const JA: Labels = Labels {
    now: "まもなく",
    minutes: "分",
    cancelled: "運休",
    skipped: "通過",
    live: "リアルタイム",
    timetable: "時刻表",
    stale: "データが古いため時刻表を表示しています",
    no_departures: "発車予定はありません",
    route: "系統",
    destination: "行先",
    departs: "発車",
    alerts: "お知らせ",
    not_found: "停留所が見つかりません",
    estimate: "推定",
    stale_line: "古い情報",
    lost: "{t}から接続が切れています — 再接続中",
    old: "リアルタイム情報が古くなっています",
    data_age: "最後のリアルタイム情報: {age}前",
    bay: "のりば",
};

pub fn labels(lang: &str) -> &'static Labels {
    match lang.split(['-', '_']).next().unwrap_or_default() {
        "vi" => &VI,
        "ja" => &JA,
        _ => &EN,
    }
}

/// What the minutes column says for one departure.
pub fn minutes_text(l: &Labels, d: &SignageDeparture) -> String {
    match d.status {
        DepartureStatus::Cancelled => l.cancelled.to_owned(),
        DepartureStatus::Skipped => l.skipped.to_owned(),
        DepartureStatus::Live | DepartureStatus::Scheduled if d.minutes == 0 => l.now.to_owned(),
        DepartureStatus::Live | DepartureStatus::Scheduled => format!("{}{}", d.minutes, l.minutes),
    }
}
