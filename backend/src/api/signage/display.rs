//! `GET /display/{stop_id}`: the board as one full-screen HTML page for stop displays, made to
//! run unattended for weeks and never show a browser error.
//!
//! The page is whole as the server sends it (it works without JavaScript, with a
//! `<meta refresh>` inside `<noscript>`); a few lines of inline script (`display.js`, no
//! framework, no WebAssembly) then refresh it in place: it fetches the page itself every 15–20 s
//! and swaps in the parts that change, keeps the last board with "Mất kết nối từ 07:41 — đang
//! thử lại" when a fetch fails and retries with backoff, keeps the clock on the server's time,
//! counts minutes down between fetches, fits the rows to the screen and rotates the alerts band.
//! Its style (`display.css`) fits any screen, landscape or portrait: as many rows as fit,
//! headsigns on at most two lines, the alerts band always visible, Japanese line breaking, and
//! no static bright area (the page orbits by a few pixels). Each line says whether it is live,
//! an estimate or old (the web app's [`frontend::freshness`] reading), and where it leaves
//! from (its bay) at a station. Rendered with `format!`: every text from the feed or the
//! request goes through [`escape`].

use api_types::{DepartureStatus, Freshness, SignageBoard};
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

/// The page's style, inlined (the page makes no other request but its refresh).
pub const CSS: &str = include_str!("display.css");

/// The page's script as sent: `display.js` without its comment lines and indentation (the
/// comments are for us, not for thousands of displays every 30 s). A Content-Security-Policy
/// can allow it by its hash (it never changes while the server runs).
pub static SCRIPT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    include_str!("display.js")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
});

/// The version of the page's code: a display reloads itself when the server serves another.
static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let hash = super::etag(format!("{CSS}{}", *SCRIPT).as_bytes());
    hash.trim_matches('"')
        .get(..12)
        .unwrap_or_default()
        .to_owned()
});

/// The orbit of the whole page against burn-in (`display.css`), in seconds.
const ORBIT_S: i64 = 3600;

pub fn page(board: &SignageBoard) -> String {
    let l = labels(&board.lang);
    let ui = ui_lang(&board.lang);
    let stop = escape(&board.stop_name);
    let now = frontend::format::unix_seconds(&board.now).unwrap_or_default();
    // A station's board names each line's bay; a bay's own board names it once, in the title.
    let bays = board.bay.is_none() && board.departures.iter().any(|d| d.bay.is_some());
    let title = match &board.bay {
        Some(bay) => format!(
            "{stop} <span class=\"own-bay\">{}</span>",
            escape(&frontend::format::bay(ui, bay))
        ),
        None => stop.clone(),
    };
    let rows: String = if board.departures.is_empty() {
        format!(
            "<tr><td colspan=\"{}\" class=\"empty\">{}</td></tr>",
            if bays { 4 } else { 3 },
            escape(l.no_departures)
        )
    } else {
        board
            .departures
            .iter()
            .map(|d| row(l, ui, d, bays))
            .collect()
    };
    let bay_head = if bays {
        format!("<th class=\"bay\">{}</th>", escape(l.bay))
    } else {
        String::new()
    };
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <noscript><meta http-equiv=\"refresh\" content=\"30\"><style>.alerts li{{display:block}}.alerts ul{{height:auto;display:block}}</style></noscript>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{stop}</title><style>{CSS}</style></head>\n\
         <body data-version=\"{version}\" data-now=\"{now}\" data-offset=\"{offset}\" \
         data-min=\"{min}\" data-due=\"{due}\" data-lost=\"{lost}\" style=\"animation-delay:-{orbit}s\">\
         <header><h1 id=\"title\">{title}</h1><time class=\"clock\" id=\"clock\" datetime=\"{now_text}\">{clock}</time></header>\n\
         <div class=\"banners\">{status}<div id=\"lost\" class=\"lost\" role=\"status\" hidden></div></div>\n\
         <main id=\"board\"><table><thead><tr><th class=\"route\">{route}</th><th>{destination}</th>{bay_head}<th class=\"min\">{departs}</th></tr></thead>\n\
         <tbody>\n{rows}</tbody></table></main>\n\
         {alerts}\
         <script>{script}</script>\
         </body></html>\n",
        lang = escape(&board.lang),
        script = &*SCRIPT,
        version = escape(&VERSION),
        offset = offset_seconds(&board.now),
        min = escape(l.minutes),
        due = escape(l.now),
        lost = escape(l.lost),
        orbit = now.rem_euclid(ORBIT_S),
        now_text = escape(&board.now),
        clock = escape(&board.clock),
        status = status(l, ui, board),
        route = escape(l.route),
        destination = escape(l.destination),
        departs = escape(l.departs),
        alerts = alerts(l, &board.alerts),
    )
}

/// The web app's language for a sign's (its formatting of ages and bays); English for
/// languages it does not have, as [`labels`].
fn ui_lang(lang: &str) -> frontend::i18n::Lang {
    frontend::i18n::Lang::parse(lang).unwrap_or(frontend::i18n::Lang::En)
}

/// The UTC offset of an RFC 3339 instant, in seconds (`+07:00` → 25200).
fn offset_seconds(text: &str) -> i64 {
    let Some(tail) = text.len().checked_sub(6).and_then(|i| text.get(i..)) else {
        return 0;
    };
    let sign = match tail.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return 0,
    };
    let hours: i64 = tail.get(1..3).and_then(|h| h.parse().ok()).unwrap_or(0);
    let minutes: i64 = tail.get(4..6).and_then(|m| m.parse().ok()).unwrap_or(0);
    sign * (hours * 3600 + minutes * 60)
}

/// The banner about the data (`#status`, always there so the script can swap it): the
/// timetable because realtime failed, or live data grown old, each with the data's age.
fn status(l: &Labels, ui: frontend::i18n::Lang, board: &SignageBoard) -> String {
    let age = board
        .data_age_s
        .map(|a| frontend::format::age(ui, a))
        .map(|age| l.data_age.replace("{age}", &age));
    let text = if board.stale {
        let mut text = l.stale.to_owned();
        if let Some(age) = age {
            text.push_str(" · ");
            text.push_str(&age);
        }
        Some(text)
    } else {
        board
            .data_age_s
            .filter(|a| *a > frontend::freshness::STALE_AFTER_S)
            .map(|a| format!("{}: {}", l.old, frontend::format::age(ui, a)))
    };
    match text {
        Some(text) => format!(
            "<div id=\"status\" class=\"stale\" role=\"alert\"><span aria-hidden=\"true\">⚠</span> {}</div>",
            escape(&text)
        ),
        None => "<div id=\"status\" class=\"stale\"></div>".to_owned(),
    }
}

/// The alerts band: one headline at a time (the script rotates them, `1/3`), with a warning
/// sign (an icon and the heading's word, not colour alone); hidden when there are none.
fn alerts(l: &Labels, alerts: &[String]) -> String {
    if alerts.is_empty() {
        return "<section id=\"alerts\" class=\"alerts\" hidden></section>\n".to_owned();
    }
    let items: String = alerts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            format!(
                "<li{on}><span aria-hidden=\"true\">⚠</span> {}</li>",
                escape(a),
                on = if i == 0 { " class=\"on\"" } else { "" }
            )
        })
        .collect();
    let count = if alerts.len() > 1 {
        format!("<span class=\"count\">1/{}</span>", alerts.len())
    } else {
        String::new()
    };
    format!(
        "<section id=\"alerts\" class=\"alerts\" aria-label=\"{label}\"><h2>{label}</h2><ul>{items}</ul>{count}</section>\n",
        label = escape(l.alerts),
    )
}

fn row(
    l: &Labels,
    ui: frontend::i18n::Lang,
    d: &api_types::SignageDeparture,
    bays: bool,
) -> String {
    let source = |class: &str, icon: &str, text: &str| {
        format!(
            "<span class=\"source {class}\"><span aria-hidden=\"true\">{icon}</span> {}</span>",
            escape(text)
        )
    };
    // What the server knows now (`freshness`); `aged` is what the script shows instead after
    // 90 s without news.
    let aged = source("aged", "◌", l.stale_line);
    let (class, sources) = match (d.status, d.freshness) {
        (DepartureStatus::Cancelled, _) => ("cancelled", String::new()),
        (DepartureStatus::Skipped, _) => ("skipped", String::new()),
        (DepartureStatus::Scheduled, _) => ("timetable", source("timetable", "◷", l.timetable)),
        (DepartureStatus::Live, Some(Freshness::Live) | None) => {
            ("live", source("live", "◉", l.live) + &aged)
        }
        (DepartureStatus::Live, Some(Freshness::Estimate)) => {
            ("estimate", source("estimate", "◌", l.estimate) + &aged)
        }
        (DepartureStatus::Live, Some(Freshness::Stale)) => {
            ("stale", source("stale", "◌", l.stale_line))
        }
    };
    let at = match d.status {
        DepartureStatus::Live | DepartureStatus::Scheduled => frontend::format::unix_seconds(&d.at)
            .map(|at| format!(" data-at=\"{at}\""))
            .unwrap_or_default(),
        DepartureStatus::Cancelled | DepartureStatus::Skipped => String::new(),
    };
    // In its column; in portrait (no room for the column) under the route's badge, short
    // when the full words would not fit there (`2番` for `2番のりば`).
    let (bay, bay_under) = match d.bay.as_deref().filter(|_| bays) {
        Some(b) => {
            let full = frontend::format::bay(ui, b);
            let under = if columns(&full) > 6 {
                frontend::format::bay_short(ui, b)
            } else {
                full.clone()
            };
            (
                format!("<td class=\"bay\">{}</td>", escape(&full)),
                format!("<span class=\"bay-under\">{}</span>", escape(&under)),
            )
        }
        None if bays => ("<td class=\"bay\"></td>".to_owned(), String::new()),
        None => (String::new(), String::new()),
    };
    format!(
        "<tr class=\"{class}\"{at}><td><span class=\"badge\" style=\"{badge}\">{route}</span>{bay_under}</td>\
         <td class=\"headsign\"><div class=\"hs\">{headsign}</div></td>{bay}\
         <td class=\"min\"><span class=\"minutes\">{minutes}</span><span class=\"time\">{time}</span>{sources}</td></tr>\n",
        // The route's colours, its text in black or white when the feed's would not read at AA.
        badge = frontend::colour::badge_style(&d.route_color, &d.route_text_color),
        route = escape(&d.route),
        headsign = escape(d.headsign.as_deref().unwrap_or_default()),
        minutes = escape(&minutes_text(l, d)),
        time = escape(&d.time),
    )
}

/// How many columns `text` takes: East Asian wide characters two, others one.
fn columns(text: &str) -> usize {
    text.chars()
        .map(|c| if c >= '\u{2E80}' { 2 } else { 1 })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alerts_band_shows_one_at_a_time_and_is_hidden_without_alerts() {
        let l = labels("en");
        assert_eq!(
            alerts(l, &[]),
            "<section id=\"alerts\" class=\"alerts\" hidden></section>\n"
        );
        let html = alerts(l, &["Lift <out>".to_owned()]);
        assert!(
            html.contains("<h2>Alerts</h2>") && html.contains("Lift &lt;out&gt;"),
            "{html}"
        );
        assert!(!html.contains("count"), "one alert, no counter: {html}");
        let two = alerts(l, &["A".to_owned(), "B".to_owned()]);
        assert!(
            two.contains("<li class=\"on\">") && two.contains("<li><span") && two.contains("1/2"),
            "the first shown, the second waiting its turn: {two}"
        );
    }

    #[test]
    fn offsets_and_the_script_as_sent() {
        assert_eq!(offset_seconds("2026-11-23T07:40:00+07:00"), 25_200);
        assert_eq!(offset_seconds("2026-11-23T07:40:00-03:30"), -12_600);
        assert_eq!(offset_seconds("2026-11-23T00:40:00Z"), 0);
        assert_eq!(offset_seconds("bad"), 0);
        assert!(SCRIPT.starts_with("(function () {"), "{}", &SCRIPT[..40]);
        assert!(!SCRIPT.contains("\n//"), "comment lines are left out");
        assert!(SCRIPT.len() < 4000, "a few lines: {} bytes", SCRIPT.len());
        assert_eq!(VERSION.len(), 12);
    }

    /// The stale banner says the age of the last live data; live data grown old says so too.
    #[test]
    fn the_status_says_timetable_or_old_with_the_data_age() {
        let board = |stale: bool, age: Option<i64>| SignageBoard {
            stop_ids: vec!["bd:S".to_owned()],
            stop_name: "S".to_owned(),
            bay: None,
            now: "2026-11-23T07:40:00+07:00".to_owned(),
            clock: "07:40".to_owned(),
            lang: "vi".to_owned(),
            realtime: if stale {
                api_types::RealtimeStatus::Degraded
            } else {
                api_types::RealtimeStatus::Live
            },
            stale,
            data_age_s: age,
            departures: Vec::new(),
            alerts: Vec::new(),
        };
        let l = labels("vi");
        let ui = ui_lang("vi");
        let degraded = status(l, ui, &board(true, Some(720)));
        assert!(
            degraded.contains(
                "Dữ liệu trễ — đang hiển thị lịch trình · dữ liệu trực tiếp cuối cùng: 12 phút trước"
            ),
            "{degraded}"
        );
        let old = status(l, ui, &board(false, Some(180)));
        assert!(old.contains("Dữ liệu trực tiếp đã cũ: 3 phút"), "{old}");
        assert_eq!(
            status(l, ui, &board(false, Some(60))),
            "<div id=\"status\" class=\"stale\"></div>",
            "fresh: an empty status, kept for the script to fill"
        );
    }
}
