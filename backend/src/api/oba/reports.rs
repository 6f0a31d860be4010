//! `report-problem-with-stop/{id}.json` and `report-problem-with-trip/{id}.json`: riders'
//! problem reports, which OneBusAway's apps and SDKs send (a GET, as OneBusAway takes them).
//!
//! Parameters as OneBusAway documents them: `code` (the problem: see
//! `ReportKind::codes`; default `other`), `userComment`, `userLat`, `userLon`,
//! `userLocationAccuracy`; for trips also `serviceDate` (ms), `vehicleId`, `stopId` (the SDK
//! writes `vehicleID`, `stopID`: both are read), `userOnVehicle`, `userVehicleNumber`. The
//! answer is the bare envelope (`code` 200, no `data`); the report is kept in the store for the
//! feed's operators (`operator::reports`), at most 10 an hour per client (429 beyond).

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Ctx, Envelope, ObaError, Query, json_id, ms};
use crate::operator::reports::{ReportRefused, client_key};
use crate::schedule::time::format_date;
use crate::state::AppState;
use crate::store::{ProblemReport, ReportKind};

/// Longest comment kept, in characters.
const MAX_COMMENT: usize = 1000;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportParams {
    code: Option<String>,
    user_comment: Option<String>,
    user_lat: Option<f64>,
    user_lon: Option<f64>,
    user_location_accuracy: Option<f64>,
    service_date: Option<i64>,
    #[serde(alias = "vehicleID")]
    vehicle_id: Option<String>,
    #[serde(alias = "stopID")]
    stop_id: Option<String>,
    user_on_vehicle: Option<bool>,
    user_vehicle_number: Option<String>,
    lang: Option<String>,
}

pub async fn report_problem_with_stop(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Query(p): Query<ReportParams>,
) -> Result<Response, ObaError> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let (s, stop) = super::stops::resolve_stop(&ctx, id)?;
    let mut report = base(&p, ReportKind::Stop, ctx.now, &state, &headers, peer)?;
    report.feed = s.feed_id.to_string();
    report.stop_id = Some(s.stop(stop).id.to_string());
    keep(&state, ctx.now, report).await
}

pub async fn report_problem_with_trip(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Query(p): Query<ReportParams>,
) -> Result<Response, ObaError> {
    let id = json_id(&id)?;
    let ctx = Ctx::new(&state, p.lang.as_deref(), &headers);
    let (s, trip) = super::trips::resolve_trip(&ctx, id)?;
    let mut report = base(&p, ReportKind::Trip, ctx.now, &state, &headers, peer)?;
    report.feed = s.feed_id.to_string();
    report.trip_id = Some(s.trip(trip).id.to_string());
    report.service_date = p
        .service_date
        .map(|d| format_date(super::trips::service_date_param(&s, d)));
    // Stops and vehicles are named like everything else (`{agencyId}_{id}`); one of
    // another feed, or unknown, is a mistake the sender should hear about.
    if let Some(stop) = p.stop_id.as_deref().filter(|v| !v.is_empty()) {
        let (ss, idx) = super::stops::resolve_stop(&ctx, stop)?;
        if ss.feed_id != s.feed_id {
            return Err(ObaError::not_found("stop of this trip's agency", stop));
        }
        report.stop_id = Some(ss.stop(idx).id.to_string());
    }
    if let Some(v) = p.vehicle_id.as_deref().filter(|v| !v.is_empty()) {
        let local = match ctx.resolve(v) {
            Some((vs, local)) if vs.feed_id == s.feed_id => local.to_owned(),
            _ => return Err(ObaError::not_found("vehicle of this trip's agency", v)),
        };
        report.vehicle_id = Some(limited(&local, 100));
    }
    report.user_on_vehicle = p.user_on_vehicle;
    report.user_vehicle_number = p
        .user_vehicle_number
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        .map(|v| limited(v.trim(), 100));
    keep(&state, ctx.now, report).await
}

/// The first `n` characters.
fn limited(text: &str, n: usize) -> String {
    text.chars().take(n).collect()
}

/// The report's common part, checked: the code, the comment, the rider's position.
fn base(
    p: &ReportParams,
    kind: ReportKind,
    now: i64,
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
) -> Result<ProblemReport, ObaError> {
    let code = p
        .code
        .as_deref()
        .filter(|c| !c.is_empty())
        .unwrap_or("other");
    if !kind.codes().contains(&code) {
        return Err(ObaError::bad(
            "code",
            format!(
                "{code:?} is not a problem code; use one of {}",
                kind.codes().join(", ")
            ),
        ));
    }
    let comment = p.user_comment.as_deref().unwrap_or_default().trim();
    if comment.chars().count() > MAX_COMMENT {
        return Err(ObaError::bad(
            "userComment",
            format!("at most {MAX_COMMENT} characters, please"),
        ));
    }
    let position = match (p.user_lat, p.user_lon) {
        (Some(lat), Some(lon)) => {
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                return Err(ObaError::bad(
                    "userLat",
                    "userLat and userLon are WGS 84 degrees (−90…90, −180…180)",
                ));
            }
            Some((lat, lon))
        }
        (None, None) => None,
        _ => {
            return Err(ObaError::bad(
                "userLat",
                "give both userLat and userLon, or neither",
            ));
        }
    };
    let peer = peer.map(|Extension(ConnectInfo(addr))| addr);
    let ip = match &state.ops.rate_limit {
        Some(limit) => limit.client(headers, peer),
        None => peer.map(|p| p.ip()),
    };
    Ok(ProblemReport {
        at: now,
        feed: String::new(),
        kind,
        stop_id: None,
        trip_id: None,
        service_date: None,
        vehicle_id: None,
        code: code.to_owned(),
        comment: comment.to_owned(),
        user_lat: position.map(|p| p.0),
        user_lon: position.map(|p| p.1),
        user_location_accuracy: p
            .user_location_accuracy
            .filter(|a| a.is_finite() && *a >= 0.0),
        user_on_vehicle: None,
        user_vehicle_number: None,
        client: client_key(ip),
    })
}

async fn keep(state: &AppState, now: i64, report: ProblemReport) -> Result<Response, ObaError> {
    let Some(operators) = &state.operators else {
        return Err(ObaError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "this server runs without its store, so it cannot keep problem reports",
        ));
    };
    match operators.add_problem_report(report).await {
        Ok(()) => Ok(axum::Json(Envelope::<()> {
            code: 200,
            current_time: ms(now),
            text: "OK".to_owned(),
            version: 2,
            data: None,
        })
        .into_response()),
        Err(ReportRefused::Limited(secs)) => {
            let mut response = ObaError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too many problem reports from this address; thank you, try again later",
            )
            .into_response();
            if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, v);
            }
            Ok(response)
        }
        Err(ReportRefused::Unavailable(e)) => {
            tracing::error!("a problem report was not kept: {e}");
            Err(ObaError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the report could not be kept; try again later",
            ))
        }
    }
}
