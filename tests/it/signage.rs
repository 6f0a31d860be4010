//! Stop displays: `/api/v1/signage/{stop_id}.json` and `.txt`, `/display/{stop_id}`. The real
//! server on port 0 with the sample network, clock stopped at 07:40 on Monday 2026-11-23, and
//! the hand-built realtime scene of [`crate::realtime_outputs`] (route 51 at the Hikari
//! terminal's bay BD2081: a bus 10 minutes late expected 07:46:47, a cancelled trip, a trip
//! skipping the stop, a propagated one 5 minutes late).

use api_types::{DepartureStatus, ErrorBody, RealtimeStatus, SignageBoard};
use reqwest::StatusCode;

use crate::realtime_outputs::{TestApp, first_header, scene, spawn};

async fn live_app() -> TestApp {
    let app = spawn(&["binh-duong"]).await;
    app.publish(scene(app.schedule(), first_header()));
    app
}

async fn json(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> SignageBoard {
    let response = app.get(path, headers).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.expect("a signage board")
}

async fn text(app: &TestApp, path: &str) -> String {
    let response = app.get(path, &[]).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    response.text().await.expect("text")
}

async fn html(app: &TestApp, path: &str, status: StatusCode) -> String {
    let response = app.get(path, &[]).await;
    assert_eq!(response.status(), status, "GET {path}");
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    response.text().await.expect("html")
}

/// The JSON board is compared with `tests/fixtures/signage/hikari-bd2081.json` (clock fixed);
/// `UPDATE_FIXTURES=1` rewrites it.
#[tokio::test]
async fn the_json_board_is_compact_and_matches_the_snapshot() {
    let app = live_app().await;
    let board = json(&app, "/api/v1/signage/binh-duong:BD2081.json", &[]).await;
    assert_eq!(board.stop_ids, ["binh-duong:BD2081"]);
    assert_eq!(board.stop_name, "Trạm trung chuyển Hikari");
    assert_eq!(board.now, "2026-11-23T07:40:00+07:00");
    assert_eq!(board.clock, "07:40");
    assert_eq!(board.lang, "vi");
    assert_eq!(board.realtime, RealtimeStatus::Live);
    assert!(!board.stale);
    assert_eq!(board.data_age_s, Some(0), "20 s, to the whole minute");
    assert_eq!(board.departures.len(), 8, "the default limit");
    let late = board
        .departures
        .iter()
        .find(|d| d.live)
        .expect("a live departure");
    // 51_WD_0_0650, 10 minutes late: expected 07:46:47.
    assert_eq!((late.minutes, late.time.as_str()), (6, "07:46"));
    assert_eq!(late.route, "51");
    assert_eq!(late.route_color, "009B4E");
    assert_eq!(late.route_text_color, "FFFFFF");
    assert_eq!(late.headsign.as_deref(), Some("Đại học Quốc tế Miền Đông"));
    let statuses: Vec<DepartureStatus> = board.departures.iter().map(|d| d.status).collect();
    assert!(
        statuses.contains(&DepartureStatus::Cancelled),
        "{statuses:?}"
    );
    assert!(statuses.contains(&DepartureStatus::Skipped), "{statuses:?}");
    assert!(
        statuses.contains(&DepartureStatus::Scheduled),
        "{statuses:?}"
    );
    for d in &board.departures {
        assert_eq!(d.live, d.status == DepartureStatus::Live, "{d:?}");
    }
    let minutes: Vec<i64> = board.departures.iter().map(|d| d.minutes).collect();
    assert!(minutes.is_sorted(), "{minutes:?}");

    crate::support::assert_json_snapshot("signage/hikari-bd2081.json", &board);
}

#[tokio::test]
async fn several_stops_route_filter_and_limit() {
    let app = live_app().await;
    let merged = json(
        &app,
        "/api/v1/signage/binh-duong:BD2081,binh-duong:BD2083.json?limit=20",
        &[],
    )
    .await;
    assert_eq!(merged.stop_ids, ["binh-duong:BD2081", "binh-duong:BD2083"]);
    assert_eq!(
        merged.stop_name, "Trạm trung chuyển Hikari",
        "names are not repeated"
    );
    let routes: Vec<&str> = merged.departures.iter().map(|d| d.route.as_str()).collect();
    assert!(
        routes.contains(&"51") && routes.contains(&"52"),
        "{routes:?}"
    );
    let minutes: Vec<i64> = merged.departures.iter().map(|d| d.minutes).collect();
    assert!(minutes.is_sorted(), "one board sorted by time: {minutes:?}");

    let only_52 = json(
        &app,
        "/api/v1/signage/binh-duong:ST_HIKARI.json?route=52&limit=20",
        &[],
    )
    .await;
    assert!(!only_52.departures.is_empty());
    assert!(only_52.departures.iter().all(|d| d.route == "52"));
    let two = json(
        &app,
        "/api/v1/signage/binh-duong:ST_HIKARI.json?route=binh-duong:51,66&limit=20",
        &[],
    )
    .await;
    let routes: std::collections::BTreeSet<&str> =
        two.departures.iter().map(|d| d.route.as_str()).collect();
    assert_eq!(routes.into_iter().collect::<Vec<_>>(), ["51", "66"]);

    let three = json(
        &app,
        "/api/v1/signage/binh-duong:ST_HIKARI.json?limit=3",
        &[],
    )
    .await;
    assert_eq!(three.departures.len(), 3);

    for bad in [
        "/api/v1/signage/binh-duong:ST_HIKARI.json?limit=0",
        "/api/v1/signage/binh-duong:ST_HIKARI.json?route=999",
        "/api/v1/signage/binh-duong:ST_HIKARI.txt?width=10",
        "/api/v1/signage/binh-duong:ST_HIKARI.txt?width=81",
    ] {
        let response = app.get(bad, &[]).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        let e: ErrorBody = response.json().await.expect("JSON error");
        assert_eq!(e.error, "invalid_parameter", "{bad}");
    }
}

#[tokio::test]
async fn names_follow_lang_and_accept_language() {
    let app = live_app().await;
    let path = "/api/v1/signage/binh-duong:ST_HIKARI.json";
    let vi = json(&app, path, &[]).await;
    assert_eq!(
        (vi.lang.as_str(), vi.stop_name.as_str()),
        ("vi", "Trạm trung chuyển Hikari")
    );
    let en = json(&app, &format!("{path}?lang=en"), &[]).await;
    assert_eq!(en.stop_name, "Hikari Transfer Terminal");
    let ja = json(&app, &format!("{path}?lang=ja"), &[]).await;
    assert_eq!(ja.stop_name, "ヒカリ・トランスファーターミナル");
    let header = json(&app, path, &[("accept-language", "en-US,en;q=0.9")]).await;
    assert_eq!(header.stop_name, "Hikari Transfer Terminal");
    let both = json(
        &app,
        &format!("{path}?lang=vi"),
        &[("accept-language", "ja")],
    )
    .await;
    assert_eq!(
        both.stop_name, "Trạm trung chuyển Hikari",
        "the parameter wins"
    );
    let page = html(
        &app,
        "/display/binh-duong:ST_HIKARI?lang=ja",
        StatusCode::OK,
    )
    .await;
    assert!(page.contains("ヒカリ・トランスファーターミナル"));
    assert!(page.contains("<html lang=\"ja\">"));
}

#[tokio::test]
async fn the_text_board_keeps_its_width_and_can_be_ascii() {
    let app = live_app().await;
    for width in [16, 32, 80] {
        let body = text(
            &app,
            &format!("/api/v1/signage/binh-duong:ST_HIKARI.txt?width={width}"),
        )
        .await;
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(lines.len(), 9, "header and 8 departures:\n{body}");
        for line in &lines {
            assert_eq!(line.chars().count(), width, "{line:?}\n{body}");
        }
        assert!(lines[0].ends_with("07:40"), "{body}");
    }
    let default = text(&app, "/api/v1/signage/binh-duong:BD2081.txt").await;
    assert!(
        default.lines().all(|l| l.chars().count() == 32),
        "{default}"
    );
    assert!(default.starts_with("Trạm trung chuyển Hikari"), "{default}");
    assert!(default.contains("6 phút"), "{default}");
    assert!(default.contains("Hủy chuyến"), "{default}");

    let ascii = text(
        &app,
        "/api/v1/signage/binh-duong:BD1020.txt?ascii=1&width=40",
    )
    .await;
    assert!(ascii.is_ascii(), "{ascii}");
    assert!(ascii.starts_with("Ben xe khach tinh Binh Duong"), "{ascii}");
    assert!(ascii.contains("Dai hoc Quoc te Mien Dong"), "{ascii}");
    assert!(ascii.lines().all(|l| l.chars().count() == 40), "{ascii}");
    let utf8 = text(&app, "/api/v1/signage/binh-duong:BD1020.txt?width=40").await;
    assert!(utf8.starts_with("Bến xe khách tỉnh Bình Dương"), "{utf8}");
}

#[tokio::test]
async fn etags_answer_304_without_a_body() {
    let app = live_app().await;
    for path in [
        "/api/v1/signage/binh-duong:BD2081.json",
        "/api/v1/signage/binh-duong:BD2081.txt?width=20",
        "/display/binh-duong:BD2081",
    ] {
        let first = app.get(path, &[]).await;
        assert_eq!(first.status(), StatusCode::OK, "{path}");
        assert_eq!(first.headers()["cache-control"], "public, max-age=15");
        let etag = first.headers()["etag"].to_str().expect("ascii").to_owned();
        assert!(etag.starts_with('"') && !etag.starts_with("W/"), "{etag}");
        let body = first.bytes().await.expect("body");
        assert!(!body.is_empty());
        // The same board again: the same tag.
        let again = app.get(path, &[]).await;
        assert_eq!(again.headers()["etag"], etag.as_str());

        let cached = app.get(path, &[("if-none-match", &etag)]).await;
        assert_eq!(cached.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(cached.headers()["etag"], etag.as_str());
        assert!(cached.bytes().await.expect("body").is_empty());

        let other = app.get(path, &[("if-none-match", "\"other\"")]).await;
        assert_eq!(other.status(), StatusCode::OK, "{path}");
    }
    // The first request for a board (another URI, the same board) already sent with its
    // current tag: 304 with the caching headers, and again once that board is kept.
    let json = app.get("/api/v1/signage/binh-duong:BD2081.json", &[]).await;
    let etag = json.headers()["etag"].to_str().expect("ascii").to_owned();
    for _ in 0..2 {
        let fresh = app
            .get(
                "/api/v1/signage/binh-duong:BD2081.json?limit=8",
                &[("if-none-match", &etag)],
            )
            .await;
        assert_eq!(fresh.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(fresh.headers()["cache-control"], "public, max-age=15");
        assert!(fresh.bytes().await.expect("body").is_empty());
    }
    // A different board, a different tag.
    let a = app.get("/api/v1/signage/binh-duong:BD2081.json", &[]).await;
    let b = app
        .get("/api/v1/signage/binh-duong:BD2081.json?lang=en", &[])
        .await;
    assert_ne!(a.headers()["etag"], b.headers()["etag"]);
}

#[tokio::test]
async fn unknown_stops_are_404() {
    let app = live_app().await;
    for path in [
        "/api/v1/signage/binh-duong:NOPE.json",
        "/api/v1/signage/binh-duong:BD2081,binh-duong:NOPE.txt",
    ] {
        let response = app.get(path, &[]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let e: ErrorBody = response.json().await.expect("JSON error");
        assert_eq!(e.error, "stop_not_found");
    }
    let response = app.get("/api/v1/signage/binh-duong:BD2081.xml", &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let page = html(
        &app,
        "/display/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(page.contains("Không tìm thấy điểm dừng"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains("<script>"), "{page}");
    let en = html(&app, "/display/nope?lang=en", StatusCode::NOT_FOUND).await;
    assert!(en.contains("Stop not found"), "{en}");
}

#[tokio::test]
async fn one_board_takes_the_stops_of_one_feed() {
    let app = spawn(&["north", "south"]).await;
    let board = json(&app, "/api/v1/signage/north:BD2081,north:BD2083.json", &[]).await;
    assert_eq!(board.stop_ids, ["north:BD2081", "north:BD2083"]);
    let response = app
        .get("/api/v1/signage/north:BD2081,south:BD2083.json", &[])
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_display_page_shows_live_timetable_and_cancelled() {
    let app = live_app().await;
    let page = html(&app, "/display/binh-duong:BD2081", StatusCode::OK).await;
    // display_refreshes_by_script: the meta refresh only without JavaScript.
    assert!(page.contains("<noscript><meta http-equiv=\"refresh\" content=\"30\">"));
    assert_eq!(page.matches("http-equiv=\"refresh\"").count(), 1, "{page}");
    assert!(
        page.contains(
            "<h1 id=\"title\">Trạm trung chuyển Hikari <span class=\"own-bay\">Bến 1</span></h1>"
        ),
        "{page}"
    );
    assert!(page.contains(">07:40</time>"), "the clock: {page}");
    assert!(
        // White on route 51's green is 3.6:1, below AA: black (5.8:1).
        page.contains("background:#009B4E;color:#000000\">51<"),
        "{page}"
    );
    assert!(page.contains("Trực tiếp"), "live label: {page}");
    assert!(page.contains("Lịch trình"), "timetable label: {page}");
    assert!(page.contains("class=\"cancelled\""), "{page}");
    assert!(page.contains("Hủy chuyến"), "{page}");
    assert!(page.contains("6 phút"), "{page}");
    assert!(
        page.contains("Ước tính"),
        "the propagated line is an estimate: {page}"
    );
    assert!(
        page.contains("<section id=\"alerts\" class=\"alerts\" hidden>"),
        "no alerts band shown without alerts: {page}"
    );
    assert!(
        !page.contains("Dữ liệu trễ"),
        "no stale banner when live: {page}"
    );
    // A few lines of inline script, nothing loaded: no framework, no WebAssembly.
    assert_eq!(page.matches("<script").count(), 1, "{page}");
    assert!(page.contains("<script>(function () {"), "{page}");
    assert!(
        !page.contains(".wasm") && !page.contains("<script src"),
        "{page}"
    );
    assert!(
        page.contains(" data-at=\""),
        "rows carry their time to count down: {page}"
    );
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no external requests"
    );

    let en = html(&app, "/display/binh-duong:BD2081?lang=en", StatusCode::OK).await;
    assert!(en.contains("Live") && en.contains("Timetable") && en.contains("Cancelled"));
}

#[tokio::test]
async fn a_degraded_or_absent_feed_shows_the_stale_banner() {
    let app = spawn(&["binh-duong"]).await;
    // No realtime yet: unavailable.
    let page = html(&app, "/display/binh-duong:BD2081", StatusCode::OK).await;
    assert!(
        page.contains("Dữ liệu trễ — đang hiển thị lịch trình"),
        "{page}"
    );

    let mut snapshot = scene(app.schedule(), first_header());
    for fs in snapshot.feeds.values_mut() {
        fs.degraded = true;
    }
    app.publish(snapshot);
    let page = html(&app, "/display/binh-duong:BD2081", StatusCode::OK).await;
    assert!(
        page.contains("Dữ liệu trễ — đang hiển thị lịch trình"),
        "{page}"
    );
    assert!(!page.contains("Trực tiếp"), "nothing shown as live: {page}");
    let en = html(&app, "/display/binh-duong:BD2081?lang=en", StatusCode::OK).await;
    assert!(en.contains("Data is stale — showing timetable"), "{en}");

    let board = json(&app, "/api/v1/signage/binh-duong:BD2081.json", &[]).await;
    assert_eq!(board.realtime, RealtimeStatus::Degraded);
    assert!(board.stale);
    assert!(board.departures.iter().all(|d| !d.live));
    let text = text(&app, "/api/v1/signage/binh-duong:BD2081.txt?width=40").await;
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("Dữ liệu trễ")),
        "{text}"
    );
}

/// Reads server-sent events from `response` until one named `board` arrives; its data.
async fn next_board(response: &mut reqwest::Response, buffer: &mut String) -> serde_json::Value {
    let deadline = std::time::Duration::from_secs(30);
    tokio::time::timeout(deadline, async {
        loop {
            if let Some(end) = buffer.find("\n\n") {
                let event: String = buffer.drain(..end + 2).collect();
                if event.lines().any(|l| l == "event: board") {
                    let data: String = event
                        .lines()
                        .filter_map(|l| l.strip_prefix("data: "))
                        .collect();
                    return serde_json::from_str(&data).expect("the board as JSON");
                }
                continue;
            }
            let chunk = response
                .chunk()
                .await
                .expect("the stream stays open")
                .expect("more data");
            buffer.push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
        }
    })
    .await
    .expect("a board event within 30 s")
}

#[tokio::test]
async fn the_board_stream_sends_the_board_now_and_again_when_it_changes() {
    let app = spawn(&["binh-duong"]).await;
    let mut response = app
        .get(
            "/api/v1/stops/binh-duong:BD2081/departures/stream?lang=en",
            &[],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut buffer = String::new();
    // At once: the current board (no realtime yet).
    let first = next_board(&mut response, &mut buffer).await;
    assert_eq!(first["realtime"], "unavailable");
    assert_eq!(first["stop"]["id"], "binh-duong:BD2081");
    // Realtime arrives: the board changes and is sent again, without a new request.
    app.publish(scene(app.schedule(), first_header()));
    let second = next_board(&mut response, &mut buffer).await;
    assert_eq!(second["realtime"], "live");
    assert!(
        second["departures"]
            .as_array()
            .is_some_and(|d| d.iter().any(|x| x["status"] == "live")),
        "{second}"
    );
    // Unknown stops are refused before any stream starts.
    let missing = app
        .get("/api/v1/stops/binh-duong:NOPE/departures/stream", &[])
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

/// one_truth_about_staleness on signs: the sign's lines carry the web app's reading of their
/// freshness (the scene's line predicted from the bus's previous trip is an estimate), the
/// instant they count down from, and the alerts band shows several alerts, one at a time.
#[tokio::test]
async fn sign_lines_say_live_or_estimate_and_carry_their_instant() {
    let app = live_app().await;
    let board = json(&app, "/api/v1/signage/binh-duong:BD2081.json?limit=20", &[]).await;
    let live: Vec<_> = board.departures.iter().filter(|d| d.live).collect();
    assert!(
        live.iter()
            .any(|d| d.freshness == Some(api_types::Freshness::Live)),
        "{live:?}"
    );
    assert!(
        live.iter()
            .any(|d| d.freshness == Some(api_types::Freshness::Estimate)),
        "the propagated trip is an estimate: {live:?}"
    );
    for d in &board.departures {
        assert_eq!(d.freshness.is_some(), d.live, "{d:?}");
        let at: jiff::Timestamp = d.at.parse().expect("RFC 3339");
        let now: jiff::Timestamp = "2026-11-23T07:40:00+07:00".parse().expect("valid");
        assert_eq!(
            (at.as_second() - now.as_second()).max(0) / 60,
            d.minutes,
            "{d:?}"
        );
        assert_eq!(&d.at[11..16], d.time, "{d:?}");
    }
}
