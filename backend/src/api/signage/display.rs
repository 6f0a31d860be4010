//! `GET /display/{stop_id}`: the board as one full-screen HTML page for stop displays.
//!
//! Works without JavaScript or WebAssembly: the page refreshes itself
//! (`<meta http-equiv="refresh" content="30">`), carries its CSS inline and makes no other
//! request. Large type, light on dark, route badges in the route's colours, minutes to
//! departure, live and timetable times told apart by an icon and a word (not colour alone),
//! cancelled trips shown as cancelled, an area for alerts, and a banner when the data is stale.
//! Rendered with `format!`: every text from the feed or the request goes through [`escape`].

use api_types::{DepartureStatus, SignageBoard};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{Labels, Params, cached, cached_with_status, labels, language, minutes_text};
use crate::api::ApiError;
use crate::api::error::Query;
use crate::state::AppState;

const HTML: &str = "text/html; charset=utf-8";

pub async fn display(
    State(state): State<AppState>,
    Path(stop_ids): Path<String>,
    params: Result<Query<Params>, ApiError>,
    request: HeaderMap,
) -> Response {
    let mut lang = language(None, &request);
    let result = params.and_then(|Query(params)| {
        lang = language(params.lang.as_deref(), &request);
        super::signage_board(&state, &stop_ids, &params, &request)
    });
    match result {
        Ok(board) => cached(&request, HTML, page(&board).into_bytes()),
        Err(e) => {
            let (status, message) = match e {
                ApiError::NotFound(_, m) => (StatusCode::NOT_FOUND, m),
                ApiError::BadRequest(_, m) => (StatusCode::BAD_REQUEST, m),
                ApiError::Unauthorized(_, m)
                | ApiError::Forbidden(_, m)
                | ApiError::PayloadTooLarge(_, m)
                | ApiError::Unavailable(_, m)
                | ApiError::Internal(_, m) => (StatusCode::INTERNAL_SERVER_ERROR, m),
                ApiError::RateLimited(secs) => (
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("Too many requests; try again in {secs} s"),
                ),
            };
            let l = labels(&lang);
            let title = if status == StatusCode::NOT_FOUND {
                l.not_found
            } else {
                "Error"
            };
            let body = format!(
                "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
                 <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                 <title>{title}</title><style>{CSS}</style></head><body><main class=\"error\">\
                 <h1>{title}</h1><p>{message}</p></main></body></html>",
                lang = escape(&lang),
                title = escape(title),
                message = escape(&message),
            );
            cached_with_status(&request, status, HTML, body.into_bytes())
        }
    }
}

use frontend::format::escape_html as escape;

pub fn page(board: &SignageBoard) -> String {
    let l = labels(&board.lang);
    let stop = escape(&board.stop_name);
    let stale = if board.stale {
        format!(
            "<div class=\"stale\" role=\"alert\"><span aria-hidden=\"true\">⚠</span> {}</div>",
            escape(l.stale)
        )
    } else {
        String::new()
    };
    let rows: String = if board.departures.is_empty() {
        format!(
            "<tr><td colspan=\"3\" class=\"empty\">{}</td></tr>",
            escape(l.no_departures)
        )
    } else {
        board.departures.iter().map(|d| row(l, d)).collect()
    };
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"30\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{stop}</title><style>{CSS}</style></head>\n<body>\
         <header><h1>{stop}</h1><time class=\"clock\" datetime=\"{now}\">{clock}</time></header>\n\
         {stale}\
         <main><table><thead><tr><th>{route}</th><th>{destination}</th><th class=\"min\">{departs}</th></tr></thead>\n\
         <tbody>\n{rows}</tbody></table></main>\n\
         {alerts}\
         </body></html>\n",
        lang = escape(&board.lang),
        now = escape(&board.now),
        clock = escape(&board.clock),
        route = escape(l.route),
        destination = escape(l.destination),
        departs = escape(l.departs),
        alerts = alerts(l, &board.alerts),
    )
}

/// The alerts area: each headline with a warning sign (an icon and the heading's word, not
/// colour alone); nothing when there are none.
fn alerts(l: &Labels, alerts: &[String]) -> String {
    if alerts.is_empty() {
        return String::new();
    }
    let items: String = alerts
        .iter()
        .map(|a| format!("<li><span aria-hidden=\"true\">⚠</span> {}</li>", escape(a)))
        .collect();
    format!(
        "<section class=\"alerts\" aria-label=\"{label}\"><h2>{label}</h2><ul>{items}</ul></section>\n",
        label = escape(l.alerts),
    )
}

fn row(l: &Labels, d: &api_types::SignageDeparture) -> String {
    let (class, source) = match d.status {
        DepartureStatus::Cancelled => ("cancelled", String::new()),
        DepartureStatus::Skipped => ("skipped", String::new()),
        DepartureStatus::Live => (
            "live",
            format!(
                "<span class=\"source live\"><span aria-hidden=\"true\">◉</span> {}</span>",
                escape(l.live)
            ),
        ),
        DepartureStatus::Scheduled => (
            "timetable",
            format!(
                "<span class=\"source timetable\"><span aria-hidden=\"true\">◷</span> {}</span>",
                escape(l.timetable)
            ),
        ),
    };
    format!(
        "<tr class=\"{class}\"><td><span class=\"badge\" style=\"{badge}\">{route}</span></td>\
         <td class=\"headsign\">{headsign}</td>\
         <td class=\"min\"><span class=\"minutes\">{minutes}</span> <span class=\"time\">{time}</span> {source}</td></tr>\n",
        // The route's colours, its text in black or white when the feed's would not read at AA.
        badge = frontend::colour::badge_style(&d.route_color, &d.route_text_color),
        route = escape(&d.route),
        headsign = escape(d.headsign.as_deref().unwrap_or_default()),
        minutes = escape(&minutes_text(l, d)),
        time = escape(&d.time),
    )
}

/// Sizes are in `--u`, a hundredth of the screen's height, or less on a screen in portrait
/// (1.3 % of its width), so a tall, narrow display never scrolls sideways.
const CSS: &str = "\
:root{--u:min(1vh,1.3vw)}\
*{box-sizing:border-box}\
html,body{margin:0;height:100%;background:#000;color:#fff;font-family:system-ui,sans-serif}\
body{padding:calc(2*var(--u)) 2vw;font-size:calc(4*var(--u))}\
header{display:flex;justify-content:space-between;align-items:baseline;border-bottom:calc(.3*var(--u)) solid #fff}\
h1{font-size:calc(6*var(--u));margin:0 0 calc(1*var(--u))}\
.clock{font-size:calc(7*var(--u));font-weight:700;font-variant-numeric:tabular-nums}\
.stale{background:#ffd400;color:#000;font-weight:700;padding:calc(1*var(--u)) 1vw;margin:calc(1*var(--u)) 0}\
table{width:100%;border-collapse:collapse}\
th{text-align:left;color:#ccc;font-weight:400;font-size:calc(3*var(--u))}\
td{padding:calc(1*var(--u)) .5vw;border-bottom:calc(.2*var(--u)) solid #333;vertical-align:middle}\
.badge{display:inline-block;min-width:3em;text-align:center;font-weight:700;padding:calc(.3*var(--u)) .6vw;border-radius:calc(.6*var(--u));border:calc(.2*var(--u)) solid #fff}\
.headsign{font-size:calc(5*var(--u));overflow-wrap:break-word}\
.min{text-align:right}\
.minutes,.time{white-space:nowrap}\
.minutes{font-size:calc(5.5*var(--u));font-weight:700;font-variant-numeric:tabular-nums}\
.time{color:#ccc}\
.source{display:block;font-size:calc(2.6*var(--u))}\
.source.live{color:#7CFC9A}\
.source.timetable{color:#ddd;font-style:italic}\
.cancelled .headsign,.cancelled .time{text-decoration:line-through;color:#aaa}\
.cancelled .minutes,.skipped .minutes{color:#ff8080}\
.empty{text-align:center;color:#ccc}\
.alerts{margin-top:calc(2*var(--u));border:calc(.3*var(--u)) solid #ffd400;border-radius:calc(.8*var(--u));padding:calc(1*var(--u)) 1.5vw}\
.alerts h2{font-size:calc(3*var(--u));margin:0;color:#ffd400;text-transform:uppercase;letter-spacing:.1em}\
.alerts ul{margin:calc(.5*var(--u)) 0 0;padding:0;list-style:none}\
.alerts li{font-size:calc(4*var(--u));margin:calc(.5*var(--u)) 0}\
.error{padding:calc(10*var(--u)) 5vw}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_box_only_when_there_are_alerts() {
        let l = labels("en");
        assert_eq!(alerts(l, &[]), "");
        let html = alerts(l, &["Lift <out>".to_owned()]);
        assert!(
            html.contains("<h2>Alerts</h2>") && html.contains("Lift &lt;out&gt;"),
            "{html}"
        );
    }
}
