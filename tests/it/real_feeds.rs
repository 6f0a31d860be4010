//! Issue 12, "real feeds": what the 2018 KAZE SHUTTLE timetable, the World Bank's Hanoi feed
//! and NYCT's Bronx buses got wrong, through the real server on port 0 and a real HTTP client,
//! with small fixtures of our own (`tests/fixtures/gtfs/`):
//! - `real-feeds`: trips without `trip_headsign` (T1: none at all, to C "Trường Ngô Thời
//!   Nhiệm"; T2: `stop_headsign` "Về Bến xe" only), routes without `route_color` (R1, R2),
//!   a route that never runs (R8) and one without trips (R9), placeholder stop names on one
//!   point (P1–P3), a calendar date with a mistyped year (20270505 among 2026);
//! - `nfd-text`: names written decomposed (NFD);
//! - `loop-route`: LOOP-1 leaves L1 at 08:00 and comes back to it at 08:20;
//! - `missing-agency`: no agency.txt, routes naming agency ids `kaze` and `brt`.
//!
//! The clock stands at 07:40 on Monday 2026-11-23 (Asia/Ho_Chi_Minh).

use api_types::operator::ProblemReports;
use api_types::{
    DeparturesResponse, RouteArrivalsResponse, RouteDetail, RoutesResponse, SignageBoard,
    TripDetail, ValidationReport,
};
use backend::clock::Clock;
use backend::config::FeedConfig;
use backend::schedule::FeedId;
use backend::server::Application;
use reqwest::StatusCode;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization as _;

use crate::support::{add_operator, fixture, http_client, test_config, zip_of};

const NOW: &str = "2026-11-23T07:40:00+07:00";

struct App {
    base: String,
    client: reqwest::Client,
    dirs: tempfile::TempDir,
    _server: crate::support::Running,
}

impl App {
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
        response.json().await.expect("JSON")
    }

    async fn text(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.expect("text")
    }
}

/// The server with the fixtures `names` (feed id = fixture name), configured by `edit`.
async fn spawn_with(names: &[&str], edit: impl FnOnce(&mut backend::config::Config)) -> App {
    let dirs = tempfile::tempdir().expect("temp dir");
    let feeds = names
        .iter()
        .map(|n| FeedConfig {
            id: FeedId::new(n).expect("valid id"),
            gtfs: fixture(n),
        })
        .collect();
    let mut config = test_config(&dirs, feeds);
    edit(&mut config);
    let clock = Clock::fixed(NOW.parse().expect("valid instant"));
    let app = Application::build(&config, clock)
        .await
        .expect("the server starts");
    let server = crate::support::run(app);
    App {
        base: server.base.clone(),
        client: http_client(),
        dirs,
        _server: server,
    }
}

async fn spawn(names: &[&str]) -> App {
    spawn_with(names, |_| {}).await
}

fn headsigns(board: &DeparturesResponse) -> Vec<(String, Option<String>)> {
    board
        .departures
        .iter()
        .map(|d| (d.trip_id.clone(), d.headsign.clone()))
        .collect()
}

#[tokio::test]
async fn no_trip_headsign_falls_back_to_stop_headsign_then_the_last_stops_name_everywhere() {
    let app = spawn(&["real-feeds"]).await;
    let t1 = (
        "real-feeds:T1".to_owned(),
        Some("Trường Ngô Thời Nhiệm".to_owned()),
    );
    // The board (and what the stop page, display and LED sign are made from).
    let board: DeparturesResponse = app
        .json("/api/v1/stops/real-feeds:A/departures?lang=vi")
        .await;
    assert!(headsigns(&board).contains(&t1), "{:?}", headsigns(&board));
    let en: DeparturesResponse = app
        .json("/api/v1/stops/real-feeds:A/departures?lang=en")
        .await;
    assert!(
        headsigns(&en).contains(&(
            "real-feeds:T1".to_owned(),
            Some("Ngo Thoi Nhiem School".to_owned())
        )),
        "the last stop's name is translated: {:?}",
        headsigns(&en)
    );
    // T2 has only stop headsigns: its own at B, and the trip's first one at A (its last stop).
    let at_b: DeparturesResponse = app
        .json("/api/v1/stops/real-feeds:B/departures?lang=en")
        .await;
    assert!(
        headsigns(&at_b).contains(&(
            "real-feeds:T2".to_owned(),
            Some("To the bus station".to_owned())
        )),
        "{:?}",
        headsigns(&at_b)
    );
    // Stop display sign (JSON and LED text) and the HTML display.
    let sign: SignageBoard = app.json("/api/v1/signage/real-feeds:A.json").await;
    assert!(
        sign.departures
            .iter()
            .any(|d| d.headsign.as_deref() == Some("Trường Ngô Thời Nhiệm")),
        "{sign:?}"
    );
    let led = app
        .text("/api/v1/signage/real-feeds:A.txt?width=40&ascii=1")
        .await;
    assert!(led.contains("10 Truong Ngo Thoi Nhiem"), "{led}");
    let display = app.text("/display/real-feeds:A").await;
    assert!(display.contains("Trường Ngô Thời Nhiệm"), "{display}");
    // The trips API and the route page's directions.
    let trip: TripDetail = app.json("/api/v1/trips/real-feeds:T1?lang=en").await;
    assert_eq!(trip.headsign.as_deref(), Some("Ngo Thoi Nhiem School"));
    let route: RouteDetail = app.json("/api/v1/routes/real-feeds:R2?lang=vi").await;
    assert_eq!(route.directions[0].headsign.as_deref(), Some("Về Bến xe"));
    // OneBusAway: the arrival's tripHeadsign and the trip reference's.
    let oba: Value = app
        .json("/api/where/arrivals-and-departures-for-stop/real-feeds_A.json?key=TEST")
        .await;
    let arrival = oba["data"]["entry"]["arrivalsAndDepartures"]
        .as_array()
        .expect("arrivals")
        .iter()
        .find(|a| a["tripId"] == "real-feeds_T1")
        .expect("T1 at A")
        .clone();
    assert_eq!(arrival["tripHeadsign"], "Trường Ngô Thời Nhiệm");
    let trips = oba["data"]["references"]["trips"]
        .as_array()
        .expect("trips");
    let t1_ref = trips
        .iter()
        .find(|t| t["id"] == "real-feeds_T1")
        .expect("T1 referenced");
    assert_eq!(t1_ref["tripHeadsign"], "Trường Ngô Thời Nhiệm");
}

#[tokio::test]
async fn nfd_text_is_read_as_nfc_so_the_led_ascii_text_reads_truong_ngo_thoi_nhiem() {
    let app = spawn(&["nfd-text"]).await;
    let nfc = "Trường Ngô Thời Nhiệm";
    assert_ne!(
        nfc.nfd().collect::<String>(),
        nfc,
        "the fixture's text is decomposed"
    );
    let board: DeparturesResponse = app.json("/api/v1/stops/nfd-text:H/departures").await;
    assert_eq!(board.stop.name, "Trạm trung chuyển Hikari");
    assert_eq!(board.departures[0].headsign.as_deref(), Some(nfc));
    let led = app
        .text("/api/v1/signage/nfd-text:H.txt?width=40&ascii=1")
        .await;
    assert!(led.contains("39 Truong Ngo Thoi Nhiem"), "{led}");
    assert!(led.contains("Tram trung chuyen Hikari"), "{led}");
    assert!(!led.contains('?'), "nothing lost in transliteration: {led}");
    // Names are not cut short: the same width holds as many letters as NFC text has.
    let narrow = app
        .text("/api/v1/signage/nfd-text:H.txt?width=24&ascii=1")
        .await;
    assert!(narrow.lines().all(|l| l.chars().count() == 24), "{narrow}");
    // Cut by characters after composition: 13 letters of the name, none lost to accents.
    assert!(narrow.contains("39 Truong Ngo Th 10 phut"), "{narrow}");
    // Search finds it typed either way.
    let found: Value = app
        .json(&format!(
            "/api/v1/stops?q={}",
            "Ngô Thời".nfd().collect::<String>()
        ))
        .await;
    assert_eq!(found["stops"][0]["name"], nfc);
}

#[tokio::test]
async fn a_loops_departure_and_arrival_at_the_stop_it_visits_twice_are_told_apart() {
    let app = spawn(&["loop-route"]).await;
    // The route page: the first row of L1 is the departure (stop_sequence 1), the last row
    // the arrival back (5), never the same line twice.
    let arrivals: RouteArrivalsResponse = app.json("/api/v1/routes/loop-route:LOOP/arrivals").await;
    let stops = &arrivals.directions[0].stops;
    assert_eq!(stops.len(), 5, "{stops:?}");
    let first = stops.first().expect("first row");
    let last = stops.last().expect("last row");
    assert_eq!(first.stop.id, "loop-route:L1");
    assert_eq!(last.stop.id, "loop-route:L1");
    let seqs = |s: &api_types::StopArrivals| {
        s.arrivals
            .iter()
            .map(|a| a.stop_sequence)
            .collect::<Vec<_>>()
    };
    assert_eq!(seqs(first), [1], "{first:?}");
    assert_eq!(seqs(last), [5], "{last:?}");
    assert!(first.arrivals[0].scheduled_departure.contains("T08:00:00"));
    assert!(last.arrivals[0].scheduled_arrival.contains("T08:20:00"));
    // The board lists the departure only (no one boards the arrival).
    let board: DeparturesResponse = app.json("/api/v1/stops/loop-route:L1/departures").await;
    let board_seqs: Vec<u32> = board.departures.iter().map(|d| d.stop_sequence).collect();
    assert_eq!(board_seqs, [1]);
    // OneBusAway: two calls, told apart by stopSequence (0-based) and what riders may do.
    let oba: Value = app
        .json("/api/where/arrivals-and-departures-for-stop/loop-route_L1.json?key=TEST&minutesAfter=60")
        .await;
    let calls: Vec<(i64, bool, bool)> = oba["data"]["entry"]["arrivalsAndDepartures"]
        .as_array()
        .expect("arrivals")
        .iter()
        .map(|a| {
            (
                a["stopSequence"].as_i64().expect("stopSequence"),
                a["arrivalEnabled"].as_bool().expect("arrivalEnabled"),
                a["departureEnabled"].as_bool().expect("departureEnabled"),
            )
        })
        .collect();
    assert_eq!(calls, [(0, false, true), (4, true, false)]);
    let service_date = oba["data"]["entry"]["arrivalsAndDepartures"][1]["serviceDate"]
        .as_i64()
        .expect("serviceDate");
    let back: Value = app
        .json(&format!(
            "/api/where/arrival-and-departure-for-stop/loop-route_L1.json?key=TEST\
             &tripId=loop-route_LOOP-1&serviceDate={service_date}&stopSequence=4"
        ))
        .await;
    assert_eq!(back["data"]["entry"]["stopSequence"], 4);
    assert_eq!(back["data"]["entry"]["arrivalEnabled"], true);
}

#[tokio::test]
async fn routes_without_trips_in_the_active_period_are_hidden_from_lists_but_reachable() {
    let app = spawn(&["real-feeds"]).await;
    let routes: RoutesResponse = app.json("/api/v1/routes").await;
    let ids: Vec<&str> = routes.routes.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["real-feeds:R1", "real-feeds:R2", "real-feeds:R3"]);
    let network: api_types::NetworkResponse = app.json("/api/v1/network").await;
    assert_eq!(network.routes.len(), 3);
    assert!(
        network
            .routes
            .iter()
            .all(|r| !r.route.id.ends_with("R8") && !r.route.id.ends_with("R9"))
    );
    // Still there by id.
    let r9: RouteDetail = app.json("/api/v1/routes/real-feeds:R9").await;
    assert_eq!(r9.route.short_name, "99");
    // OneBusAway lists.
    let oba: Value = app
        .json("/api/where/route-ids-for-agency/real-feeds.json?key=TEST")
        .await;
    assert_eq!(
        oba["data"]["list"],
        serde_json::json!(["real-feeds_R1", "real-feeds_R2", "real-feeds_R3"])
    );
    let r8: Value = app
        .json("/api/where/route/real-feeds_R8.json?key=TEST")
        .await;
    assert_eq!(r8["data"]["entry"]["shortName"], "88");
    // The routes page.
    let page = app.text("/routes").await;
    assert!(
        page.contains("Khu P") && !page.contains("Tuyến không chạy"),
        "{page}"
    );
}

#[tokio::test]
async fn a_route_without_route_color_gets_a_readable_default_distinct_per_route() {
    let app = spawn(&["real-feeds"]).await;
    let routes: RoutesResponse = app.json("/api/v1/routes").await;
    let colour = |id: &str| {
        let r = routes.routes.iter().find(|r| r.id == id).expect("listed");
        (r.color.clone(), r.text_color.clone())
    };
    let (r1, r1_text) = colour("real-feeds:R1");
    let (r2, r2_text) = colour("real-feeds:R2");
    assert_ne!(r1, "FFFFFF", "not GTFS's white");
    assert_ne!(r1, r2, "distinct per route");
    for (c, text) in [(&r1, &r1_text), (&r2, &r2_text)] {
        assert!(frontend::colour::contrast(c, text) >= 4.5, "{c} on {text}");
        assert!(
            frontend::colour::contrast(c, "FFFFFF") >= 3.0,
            "{c} on the light map"
        );
        assert!(
            frontend::colour::contrast(c, "121417") >= 3.0,
            "{c} on the dark map"
        );
    }
    assert_eq!(
        colour("real-feeds:R3"),
        ("0072BC".into(), "FFFFFF".into()),
        "the feed's kept"
    );
    // The same colour on the board and in OneBusAway.
    let board: DeparturesResponse = app.json("/api/v1/stops/real-feeds:A/departures").await;
    let line = board
        .departures
        .iter()
        .find(|d| d.route.id == "real-feeds:R1")
        .expect("route 10 at A");
    assert_eq!(line.route.color, r1);
    let oba: Value = app
        .json("/api/where/route/real-feeds_R1.json?key=TEST")
        .await;
    assert_eq!(oba["data"]["entry"]["color"], r1.as_str());
}

#[tokio::test]
async fn the_site_name_is_the_agencys_unless_site_name_is_configured() {
    let app = spawn(&["real-feeds"]).await;
    let home = app.text("/").await;
    assert!(home.contains("<title>Xe buýt Thử nghiệm</title>"), "{home}");
    assert!(
        !home.contains("Bình Dương"),
        "no other agency's brand: {home}"
    );
    let routes = app.text("/routes?lang=en").await;
    assert!(routes.contains("· Xe buýt Thử nghiệm</title>"), "{routes}");
    // Every page and language, the header and the title alike (the title is rendered from
    // the shell's <head>, where a context read late was once missing: "バス情報").
    for path in [
        "/?lang=ja",
        "/?lang=en",
        "/",
        "/stops/real-feeds:A?lang=ja",
        "/nowhere",
    ] {
        let response = app.get(path).await;
        let html = response.text().await.expect("html");
        assert!(
            html.contains("Xe buýt Thử nghiệm</title>"),
            "{path}: {html}"
        );
        assert!(
            html.contains("<span>Xe buýt Thử nghiệm</span>"),
            "{path}: the header: {html}"
        );
    }

    let names = std::collections::BTreeMap::from([
        ("vi".to_owned(), "Xe buýt Hà Nội".to_owned()),
        ("en".to_owned(), "Hanoi buses".to_owned()),
        ("ja".to_owned(), "ハノイのバス".to_owned()),
    ]);
    let configured = spawn_with(&["real-feeds"], |c| {
        c.site_name = backend::site::SiteName::per_language(names).expect("valid names");
    })
    .await;
    let en = configured.text("/?lang=en").await;
    assert!(en.contains("<title>Hanoi buses</title>"), "{en}");
    assert!(en.contains(r#"data-site-ja="ハノイのバス""#), "{en}");
    let ja = configured.text("/routes?lang=ja").await;
    assert!(ja.contains("ハノイのバス</title>"), "{ja}");
}

/// The report of a dry-run upload of fixture `name` (the operator console's and CLI's path).
async fn uploaded_report(app: &App, token: &str, feed: &str, name: &str) -> ValidationReport {
    let dir = fixture(name);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("fixture")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let file = path.file_name()?.to_str()?.to_owned();
            Some((file, std::fs::read(&path).ok()?))
        })
        .collect();
    files.sort();
    let response = app
        .client
        .post(format!(
            "{}/api/v1/operator/feeds/{feed}/versions?validate_only=true",
            app.base
        ))
        .bearer_auth(token)
        .body(zip_of(&files))
        .send()
        .await
        .expect("upload");
    assert!(
        [StatusCode::OK, StatusCode::UNPROCESSABLE_ENTITY].contains(&response.status()),
        "{}",
        response.status()
    );
    response.json().await.expect("a validation report")
}

fn finding<'a>(r: &'a ValidationReport, code: &str) -> &'a api_types::Finding {
    r.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code}: {:#?}", r.findings))
}

#[tokio::test]
async fn validation_tells_operators_what_real_feeds_get_wrong_with_file_line_and_fix() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let token = add_operator(&dirs, "ana", &["real-feeds"], false);
    let config_dirs = dirs;
    let feeds = vec![FeedConfig {
        id: FeedId::new("real-feeds").expect("valid"),
        gtfs: fixture("real-feeds"),
    }];
    let config = test_config(&config_dirs, feeds);
    let app = Application::build(&config, Clock::fixed(NOW.parse().expect("instant")))
        .await
        .expect("starts");
    let server = crate::support::run(app);
    let app = App {
        base: server.base.clone(),
        client: http_client(),
        dirs: config_dirs,
        _server: server,
    };

    let r = uploaded_report(&app, &token, "real-feeds", "real-feeds").await;
    assert!(r.valid, "{:#?}", r.findings);
    let placeholder = finding(&r, "placeholder_name");
    assert_eq!(
        (placeholder.file.as_str(), placeholder.line),
        ("stops.txt", Some(5))
    );
    assert!(placeholder.message.contains("STOP_01_1_S1"));
    let stacked = finding(&r, "stacked_stops");
    assert_eq!(
        (stacked.file.as_str(), stacked.line),
        ("stops.txt", Some(5))
    );
    assert!(
        stacked.message.starts_with("3 stops"),
        "{}",
        stacked.message
    );
    let typo = finding(&r, "calendar_date_outlier");
    assert_eq!(
        (typo.file.as_str(), typo.line),
        ("calendar_dates.txt", Some(3))
    );
    assert!(typo.message.contains("2026-05-05"), "{}", typo.message);
    let bare = finding(&r, "missing_headsign");
    assert_eq!((bare.file.as_str(), bare.line), ("trips.txt", Some(2)));
    assert!(bare.message.starts_with("1 of 4 trips"), "{}", bare.message);
    assert!(r.findings.iter().all(|f| !f.fix.is_empty()));

    let missing = uploaded_report(&app, &token, "real-feeds", "missing-agency").await;
    assert!(!missing.valid);
    let agency = finding(&missing, "missing_required_file");
    assert_eq!(agency.file, "agency.txt");
    assert!(
        agency
            .fix
            .contains("agency_id,agency_name,agency_url,agency_timezone\nkaze,"),
        "{}",
        agency.fix
    );
    assert!(agency.fix.contains("\nbrt,"), "{}", agency.fix);

    let nfd = uploaded_report(&app, &token, "real-feeds", "nfd-text").await;
    let not_nfc = finding(&nfd, "text_not_nfc");
    assert_eq!(
        (not_nfc.file.as_str(), not_nfc.line),
        ("stops.txt", Some(2))
    );
    assert!(not_nfc.message.contains("stop_name"), "{}", not_nfc.message);
    assert!(
        nfd.findings
            .iter()
            .any(|f| f.code == "text_not_nfc" && f.file == "trips.txt"),
        "{:#?}",
        nfd.findings
    );
}

#[tokio::test]
async fn oba_problem_reports_are_kept_shown_to_the_feeds_operators_and_rate_limited() {
    let app = spawn(&["real-feeds"]).await;
    let token = add_operator(&app.dirs, "ana", &["real-feeds"], false);
    let other = add_operator(&app.dirs, "bo", &["elsewhere"], false);
    let stop = app
        .get(
            "/api/where/report-problem-with-stop/real-feeds_A.json?key=TEST\
             &code=stop_location_wrong&userComment=Tr%E1%BA%A1m%20%E1%BB%9F%20b%C3%AAn%20kia\
             &userLat=11.0001&userLon=106.6002",
        )
        .await;
    assert_eq!(stop.status(), StatusCode::OK);
    let body: Value = stop.json().await.expect("the envelope");
    assert_eq!(
        (body["code"].as_i64(), body["version"].as_i64()),
        (Some(200), Some(2))
    );
    let trip = app
        .get(
            "/api/where/report-problem-with-trip/real-feeds_T1.json?key=TEST\
             &code=vehicle_never_came&serviceDate=1795366800000&stopID=real-feeds_A\
             &userOnVehicle=false",
        )
        .await;
    assert_eq!(trip.status(), StatusCode::OK);
    // Refused, each saying what to fix.
    let bad = app
        .get("/api/where/report-problem-with-stop/real-feeds_A.json?key=TEST&code=smells")
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let text: Value = bad.json().await.expect("envelope");
    assert!(
        text["text"]
            .as_str()
            .expect("text")
            .contains("stop_name_wrong"),
        "{text}"
    );
    let unknown = app
        .get("/api/where/report-problem-with-trip/real-feeds_NOPE.json?key=TEST")
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    // The feed's operators read them, newest first, with names.
    let list: ProblemReports = app
        .client
        .get(format!(
            "{}/api/v1/operator/feeds/real-feeds/reports",
            app.base
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("reports");
    assert_eq!(list.reports.len(), 2);
    let (t, s) = (&list.reports[0], &list.reports[1]);
    assert_eq!(t.code, "vehicle_never_came");
    assert_eq!(t.trip_id.as_deref(), Some("real-feeds:T1"));
    assert_eq!(t.route.as_deref(), Some("10"));
    assert_eq!(t.headsign.as_deref(), Some("Trường Ngô Thời Nhiệm"));
    assert_eq!(t.stop_id.as_deref(), Some("real-feeds:A"));
    assert_eq!(t.user_on_vehicle, Some(false));
    assert_eq!(s.code, "stop_location_wrong");
    assert_eq!(s.comment, "Trạm ở bên kia");
    assert_eq!(s.stop_name.as_deref(), Some("Bến xe Thủ Dầu Một"));
    assert_eq!(s.user_position, Some([11.0001, 106.6002]));
    let forbidden = app
        .client
        .get(format!(
            "{}/api/v1/operator/feeds/real-feeds/reports",
            app.base
        ))
        .bearer_auth(&other)
        .send()
        .await
        .expect("request");
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);

    // Ten an hour from one client: the rest get 429.
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let r = app
            .get("/api/where/report-problem-with-stop/real-feeds_B.json?key=TEST")
            .await;
        statuses.push(r.status());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 8);
    assert_eq!(
        *statuses.last().expect("ten"),
        StatusCode::TOO_MANY_REQUESTS
    );
}
