//! The real server on a real port, queried with a real HTTP client: health, the departure
//! board, errors, several feeds at once, and the web app's pages.

use api_types::{DepartureStatus, DeparturesResponse, ErrorBody, Health};
use backend::clock::Clock;
use backend::config::FeedConfig;
use backend::schedule::FeedId;
use backend::server::Application;
use reqwest::StatusCode;

use crate::support::{at, repo_root};

struct TestApp {
    base: String,
    client: reqwest::Client,
    _server: crate::support::Running,
    _dirs: tempfile::TempDir,
}

impl TestApp {
    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request reaches the server")
    }

    async fn json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response
            .json()
            .await
            .expect("the body is the documented JSON")
    }

    async fn error(&self, path: &str, status: StatusCode) -> ErrorBody {
        let response = self.get(path).await;
        assert_eq!(response.status(), status, "GET {path}");
        response.json().await.expect("errors are JSON")
    }
}

/// Monday 2026-11-23 07:00 in Binh Duong: weekday service, morning peak.
const MONDAY_7AM: &str = "2026-11-23T07:00:00+07:00";

fn sample_feed(id: &str) -> FeedConfig {
    FeedConfig {
        id: FeedId::new(id).expect("valid id"),
        gtfs: repo_root().join("feeds/binh-duong"),
    }
}

/// Starts the server on port 0 with `feeds` and a clock stopped at `now`.
async fn spawn(feeds: Vec<FeedConfig>, now: &str) -> TestApp {
    let dirs = tempfile::tempdir().expect("temp dir");
    let config = crate::support::test_config(&dirs, feeds);
    let clock = Clock::fixed(now.parse().expect("valid instant"));
    let app = Application::build(&config, clock)
        .await
        .expect("the server starts");
    let server = crate::support::run(app);
    TestApp {
        base: server.base.clone(),
        client: crate::support::http_client(),
        _server: server,
        _dirs: dirs,
    }
}

#[tokio::test]
async fn health_lists_the_sample_feed_with_its_counts() {
    let app = spawn(vec![sample_feed("binh-duong")], MONDAY_7AM).await;
    let health: Health = app.json("/health").await;
    assert_eq!(health.status, "ok");
    assert_eq!(health.now, "2026-11-23T00:00:00+00:00");
    assert_eq!(health.feeds.len(), 1);
    let feed = &health.feeds[0];
    assert_eq!(feed.feed_id, "binh-duong");
    assert_eq!(feed.time_zone, "Asia/Ho_Chi_Minh");
    assert_eq!(feed.schedule_version.len(), 16);
    assert!(feed.schedule_version.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(feed.feed_version.as_deref(), Some("2026.11-illustrative"));
    assert!(
        feed.publisher
            .as_deref()
            .is_some_and(|p| p.contains("illustrative"))
    );
    assert_eq!(feed.agencies.len(), 2);
    assert_eq!(feed.counts.routes, 6);
    assert_eq!(feed.counts.stops, 143);
    assert_eq!(feed.counts.trips, 682);
    assert_eq!(feed.counts.stop_times, 14_742);
    assert_eq!(feed.counts.frequencies, 18);
    assert_eq!(feed.warnings, 0);
    assert_eq!(feed.first_service_date.as_deref(), Some("2026-01-01"));
}

#[tokio::test]
async fn departures_default_to_the_next_hour_from_now() {
    let app = spawn(vec![sample_feed("binh-duong")], MONDAY_7AM).await;
    // Bay 1 of the Hikari terminal: route 51 towards Eastern International University.
    let board: DeparturesResponse = app.json("/api/v1/stops/binh-duong:BD2081/departures").await;
    assert_eq!(board.stop.id, "binh-duong:BD2081");
    assert_eq!(board.stop.name, "Trạm trung chuyển Hikari");
    assert_eq!(
        board.stop.parent_station.as_deref(),
        Some("binh-duong:ST_HIKARI")
    );
    assert_eq!(board.from, MONDAY_7AM);
    assert_eq!(board.to, "2026-11-23T08:00:00+07:00");
    assert_eq!(board.lang, "vi");
    // Peak: a bus every 10 minutes.
    assert!(board.departures.len() >= 5, "{:#?}", board.departures);
    let (from, to) = (at(&board.from), at(&board.to));
    let mut last = from;
    for d in &board.departures {
        let t = at(&d.scheduled_departure);
        assert!((from..to).contains(&t), "{d:?} is outside the hour");
        assert!(t >= last, "sorted by departure");
        last = t;
        assert_eq!(d.status, DepartureStatus::Scheduled);
        assert_eq!(d.route.short_name, "51");
        assert_eq!(d.route.color, "009B4E");
        assert_eq!(d.service_date, "2026-11-23");
        assert!(d.trip_id.starts_with("binh-duong:51_WD_"), "{}", d.trip_id);
        assert!(at(&d.scheduled_arrival) <= t);
        assert_eq!(d.headsign.as_deref(), Some("Đại học Quốc tế Miền Đông"));
    }
}

#[tokio::test]
async fn a_station_board_covers_its_platforms_and_the_brt_shows_its_headway() {
    let app = spawn(vec![sample_feed("binh-duong")], MONDAY_7AM).await;
    let hikari: DeparturesResponse = app
        .json("/api/v1/stops/binh-duong:ST_HIKARI/departures?minutes=30")
        .await;
    let platforms: std::collections::BTreeSet<&str> = hikari
        .departures
        .iter()
        .map(|d| d.stop_id.as_str())
        .collect();
    let routes: std::collections::BTreeSet<&str> = hikari
        .departures
        .iter()
        .map(|d| d.route.short_name.as_str())
        .collect();
    assert!(platforms.len() >= 3, "{platforms:?}");
    assert!(routes.len() >= 3, "{routes:?}");

    // The BRT is frequency-based: every 5 minutes in the morning peak.
    let brt: DeparturesResponse = app
        .json("/api/v1/stops/binh-duong:ST_BRT01/departures?minutes=30")
        .await;
    let brt: Vec<_> = brt
        .departures
        .iter()
        .filter(|d| d.route.short_name == "BRT")
        .collect();
    assert!(brt.len() >= 5, "{brt:#?}");
    for d in &brt {
        let h = d
            .headway
            .expect("frequency-based trips carry their headway");
        assert_eq!(h.headway_secs, 300);
        assert!(!h.exact_times);
    }
}

#[tokio::test]
async fn names_follow_the_requested_language() {
    let app = spawn(vec![sample_feed("binh-duong")], MONDAY_7AM).await;
    let path =
        "/api/v1/stops/binh-duong:BD2081/departures?from=2026-11-23T07:00:00%2B07:00&limit=1";
    let vi: DeparturesResponse = app.json(path).await;
    let en: DeparturesResponse = app.json(&format!("{path}&lang=en")).await;
    let ja: DeparturesResponse = app.json(&format!("{path}&lang=ja")).await;
    assert_eq!(vi.stop.name, "Trạm trung chuyển Hikari");
    assert_eq!(en.stop.name, "Hikari Transfer Terminal");
    assert!(ja.stop.name.contains("ヒカリ"), "{}", ja.stop.name);
    assert_eq!(en.departures.len(), 1);
    assert_eq!(
        en.departures[0].headsign.as_deref(),
        Some("Eastern International University")
    );
    assert_ne!(
        ja.departures[0].route.long_name,
        vi.departures[0].route.long_name
    );
    assert_eq!(en.lang, "en");
}

#[tokio::test]
async fn after_midnight_the_board_shows_yesterdays_late_trip() {
    // 51_WD_0_2330 leaves Becamex Tower at 23:30 on Monday's service and arrives at the
    // university at 24:15:59, i.e. Tuesday 00:15:59.
    let app = spawn(vec![sample_feed("binh-duong")], MONDAY_7AM).await;
    let board: DeparturesResponse = app
        .json("/api/v1/stops/binh-duong:ST_HIKARI/departures?from=2026-11-24T00:00:00%2B07:00&minutes=30")
        .await;
    let late = board
        .departures
        .iter()
        .find(|d| d.trip_id == "binh-duong:51_WD_0_2330")
        .unwrap_or_else(|| panic!("late trip missing: {:#?}", board.departures));
    assert_eq!(late.service_date, "2026-11-23");
    assert!(late.scheduled_departure.starts_with("2026-11-24T00:"));
}

#[tokio::test]
async fn bad_requests_get_json_errors_that_say_what_to_fix() {
    let app = spawn(vec![sample_feed("binh-duong")], MONDAY_7AM).await;
    let e = app
        .error(
            "/api/v1/stops/binh-duong:NOPE/departures",
            StatusCode::NOT_FOUND,
        )
        .await;
    assert_eq!(e.error, "stop_not_found");
    assert!(e.message.contains("binh-duong:NOPE"), "{}", e.message);

    let e = app
        .error(
            "/api/v1/stops/binh-duong:BD2081/departures?from=yesterday",
            StatusCode::BAD_REQUEST,
        )
        .await;
    assert_eq!(e.error, "invalid_parameter");
    assert!(e.message.contains("RFC 3339"), "{}", e.message);

    let e = app
        .error(
            "/api/v1/stops/binh-duong:BD2081/departures?minutes=0",
            StatusCode::BAD_REQUEST,
        )
        .await;
    assert!(e.message.starts_with("minutes"), "{}", e.message);

    let e = app
        .error(
            "/api/v1/stops/binh-duong:BD2081/departures?limit=lots",
            StatusCode::BAD_REQUEST,
        )
        .await;
    assert_eq!(e.error, "invalid_query");

    let e = app
        .error("/api/v1/nothing-here", StatusCode::NOT_FOUND)
        .await;
    assert_eq!(e.error, "not_found");
    assert!(e.message.contains("/api/v1/nothing-here"), "{}", e.message);
}

#[tokio::test]
async fn two_feeds_with_the_same_local_ids_do_not_collide() {
    let app = spawn(vec![sample_feed("north"), sample_feed("south")], MONDAY_7AM).await;
    let health: Health = app.json("/health").await;
    let ids: Vec<&str> = health.feeds.iter().map(|f| f.feed_id.as_str()).collect();
    assert_eq!(ids, ["north", "south"]);

    for feed in ["north", "south"] {
        let board: DeparturesResponse = app
            .json(&format!("/api/v1/stops/{feed}:BD2081/departures"))
            .await;
        assert_eq!(board.stop.id, format!("{feed}:BD2081"));
        assert!(!board.departures.is_empty());
        assert!(
            board
                .departures
                .iter()
                .all(|d| d.trip_id.starts_with(&format!("{feed}:"))
                    && d.route.id.starts_with(&format!("{feed}:")))
        );
    }
    // The bare id is ambiguous with two feeds: the client must say which.
    let e = app
        .error("/api/v1/stops/BD2081/departures", StatusCode::NOT_FOUND)
        .await;
    assert_eq!(e.error, "stop_not_found");
}

#[tokio::test]
async fn with_one_feed_the_agencys_own_stop_id_works_too() {
    let app = spawn(vec![sample_feed("binh-duong")], MONDAY_7AM).await;
    let board: DeparturesResponse = app.json("/api/v1/stops/BD2081/departures").await;
    assert_eq!(board.stop.id, "binh-duong:BD2081");
}

#[tokio::test]
async fn web_pages_are_server_rendered_and_unknown_pages_are_404() {
    let app = spawn(vec![sample_feed("binh-duong")], MONDAY_7AM).await;
    let home = app.get("/").await;
    assert_eq!(home.status(), StatusCode::OK);
    let content_type = home.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = home.text().await.expect("body");
    assert!(html.contains("<html lang=\"vi\">"), "{html}");
    // The site's name: the sample network's main agency's (issue 12: never hard-coded).
    assert!(
        html.contains("<title>Xe buýt Becamex Tokyu (KAZE SHUTTLE)</title>"),
        "{html}"
    );
    // The hydration script loads the bundle that .ci/build-web produces.
    assert!(html.contains("/pkg/frontend.js"), "{html}");
    assert!(html.contains("frontend_bg.wasm"), "{html}");
    assert!(
        !html.contains("/pkg/console"),
        "riders do not load the console's bundle: {html}"
    );
    // The operator console has a bundle of its own.
    let console = app.get("/operator").await.text().await.expect("body");
    assert!(console.contains("/pkg/console.js"), "{console}");
    assert!(console.contains("console_bg.wasm"), "{console}");
    assert!(!console.contains("/pkg/frontend.js"), "{console}");

    let missing = app.get("/no/such/page").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(
        missing
            .text()
            .await
            .expect("body")
            .contains("Không tìm thấy")
    );

    let wasm = app.get("/pkg/frontend_bg.wasm").await;
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
}

/// The pages work without WebAssembly: the server renders search results, boards, the
/// not-found page (status 404) and the chosen language, which a cookie remembers.
#[tokio::test]
async fn web_pages_render_search_boards_and_languages_on_the_server() {
    let app = spawn(vec![sample_feed("binh-duong")], MONDAY_7AM).await;
    let page = |path: &'static str, cookie: Option<&'static str>, accept: Option<&'static str>| {
        let mut request = app.client.get(format!("{}{path}", app.base));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(accept) = accept {
            request = request.header("accept-language", accept);
        }
        async move {
            let response = request.send().await.expect("request reaches the server");
            let status = response.status();
            let set_cookie = response
                .headers()
                .get("set-cookie")
                .map(|v| v.to_str().expect("ascii").to_owned());
            (status, set_cookie, response.text().await.expect("body"))
        }
    };

    // The search form's plain GET: results as links, diacritics ignored.
    let (status, _, html) = page("/?q=ben+xe", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(r#"href="/stops/binh-duong:ST_BXMD""#),
        "{html}"
    );
    assert!(html.contains("Bến xe Miền Đông mới"), "{html}");

    // A stop's board, rendered with its departures (in process: no call to our own port).
    let (status, _, html) = page("/stops/binh-duong:ST_HIKARI", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Trạm trung chuyển Hikari</h1>"), "{html}");
    assert!(html.contains(r#"class="departure "#), "{html}");
    assert!(
        html.contains("Theo lịch") || html.contains("Trực tiếp"),
        "{html}"
    );

    let (status, _, html) = page("/stops/binh-duong:NO_SUCH_STOP", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Không tìm thấy"), "{html}");

    // ?lang= switches and is remembered in a cookie; the cookie and Accept-Language choose
    // the language of the next page.
    let (status, cookie, html) = page("/stops/binh-duong:ST_BXMD?lang=en", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(cookie.is_some_and(|c| c.starts_with("lang=en;")));
    assert!(html.contains(r#"<html lang="en">"#), "{html}");
    assert!(html.contains("New Mien Dong Coach Station"), "{html}");
    let (_, cookie, html) = page("/stops/binh-duong:ST_BXMD", Some("lang=ja"), Some("en")).await;
    assert_eq!(cookie, None);
    assert!(html.contains(r#"<html lang="ja">"#), "{html}");
    assert!(html.contains("ミエンドン新バスターミナル"), "{html}");
    let (_, _, html) = page("/", None, Some("en-GB,en;q=0.9")).await;
    assert!(html.contains("Find a stop"), "{html}");
    let (status, _, html) = page("/no/such/page", None, Some("ja")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("見つかりません"), "{html}");
}

/// Stop display setup: the page is a plain GET form, so without WebAssembly the server
/// renders the chosen stops, the routes calling there (ticked as asked) and the display's URL,
/// which then serves the board with those routes only, in the chosen language.
#[tokio::test]
async fn the_display_setup_form_renders_the_display_url_on_the_server() {
    let app = spawn(vec![sample_feed("binh-duong")], MONDAY_7AM).await;
    let response = app
        .get("/displays/new?stop=binh-duong%3ABD1020&stop=binh-duong%3AST_HIKARI&route=binh-duong%3A51&dlang=en&limit=60&q=ben+xe")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.expect("body");
    let display = "/display/binh-duong:BD1020,binh-duong:ST_HIKARI?route=binh-duong%3A51&amp;limit=50&amp;lang=en";
    assert!(
        html.contains(&format!(r#"value="{}{display}""#, app.base)),
        "the URL to copy, absolute, the limit brought into 1..=50: {html}"
    );
    assert!(
        html.contains(&format!(r#"id="open-display" href="{display}""#)),
        "{html}"
    );
    assert!(
        html.contains(&format!(r#"class="display-preview" src="{display}""#)),
        "{html}"
    );
    assert!(
        html.contains("/api/v1/signage/binh-duong:BD1020,binh-duong:ST_HIKARI.txt?route=binh-duong%3A51&amp;limit=50&amp;lang=en"),
        "{html}"
    );
    // Chips for both stops, the routes at them (51 ticked), the search's results to add.
    assert!(
        html.contains(r#"<span>Bến xe khách tỉnh Bình Dương</span>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<span>Trạm trung chuyển Hikari</span>"#),
        "{html}"
    );
    assert!(html.contains(r#"value="binh-duong:51" checked"#), "{html}");
    assert!(html.contains(r#"value="binh-duong:66">"#), "{html}");
    assert!(html.contains(r#"data-stop="binh-duong:ST_BXMD""#), "{html}");
    assert!(
        html.contains(r#"<option value="en" lang="en" selected>"#),
        "{html}"
    );

    // The display itself: English, route 51 only.
    let board = app
        .get("/display/binh-duong:BD1020,binh-duong:ST_HIKARI?route=binh-duong%3A51&limit=50&lang=en")
        .await;
    assert_eq!(board.status(), StatusCode::OK);
    let board = board.text().await.expect("body");
    assert!(board.contains(r#"<html lang="en">"#), "{board}");
    let badges: Vec<&str> = board
        .split(r#"class="badge""#)
        .skip(1)
        .filter_map(|b| b.split_once('>').and_then(|(_, rest)| rest.split_once('<')))
        .map(|(name, _)| name)
        .collect();
    assert!(!badges.is_empty(), "{board}");
    assert!(badges.iter().all(|b| *b == "51"), "{badges:?}");

    // The stop page links to the setup, prefilled with that stop.
    let stop = app.get("/stops/binh-duong:BD1020").await;
    let stop = stop.text().await.expect("body");
    assert!(
        stop.contains(r#"href="/displays/new?stop=binh-duong%3ABD1020""#),
        "{stop}"
    );
}
