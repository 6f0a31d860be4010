//! Stops, routes, vehicles and time over HTTP: the real server on port 0 with the sample Binh
//! Duong network, clock stopped on Monday 2026-11-23 at 07:40, realtime published by hand
//! through `Application::realtime()`.

use std::sync::Arc;

use api_types::{
    DeparturesResponse, ErrorBody, RouteDetail, RoutesResponse, StopDetail, StopsResponse,
    TimeResponse, VehiclesResponse,
};
use arc_swap::ArcSwap;
use backend::catalog::Catalog;
use backend::catalog::load_feed;
use backend::clock::Clock;
use backend::config::FeedConfig;
use backend::predict::{FeedSnapshot, Snapshot, VehicleView};
use backend::realtime::TripInstance;
use backend::schedule::{FeedId, Schedule};
use backend::server::Application;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::support::{at, http_client, repo_root, today};

const NOW: &str = "2026-11-23T07:40:00+07:00";
/// The new Mien Dong coach station (`stops.txt`: "Bến xe Miền Đông mới"): bus bays and BRT
/// platforms.
const BXMD: &str = "binh-duong:ST_BXMD";

struct TestApp {
    base: String,
    client: reqwest::Client,
    realtime: Arc<ArcSwap<Snapshot>>,
    schedule: Arc<Schedule>,
    _server: crate::support::Running,
    _dirs: tempfile::TempDir,
}

impl TestApp {
    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.client.get(format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request reaches the server")
    }

    async fn json<T: DeserializeOwned>(&self, path: &str, headers: &[(&str, &str)]) -> T {
        let response = self.get(path, headers).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("the documented JSON")
    }

    async fn stops(&self, path: &str) -> StopsResponse {
        self.json(path, &[]).await
    }

    async fn error(&self, path: &str, status: StatusCode) -> ErrorBody {
        let response = self.get(path, &[]).await;
        assert_eq!(response.status(), status, "GET {path}");
        response.json().await.expect("errors are JSON")
    }
}

async fn spawn() -> TestApp {
    let dirs = tempfile::tempdir().expect("temp dir");
    let feed = FeedConfig {
        id: FeedId::new("binh-duong").expect("valid id"),
        gtfs: repo_root().join("feeds/binh-duong"),
    };
    let entry = load_feed(&feed, today()).unwrap_or_else(|r| panic!("sample feed loads: {r:?}"));
    let schedule = entry.schedule.clone();
    let config = crate::support::test_config(&dirs, vec![feed]);
    let catalog = Catalog::new(vec![entry]).expect("one feed");
    let clock = Clock::fixed(NOW.parse().expect("valid instant"));
    let app = Application::with_catalog(&config, catalog, clock)
        .await
        .expect("the server starts");
    let server = crate::support::run(app);
    TestApp {
        base: server.base.clone(),
        client: http_client(),
        realtime: server.realtime.clone(),
        schedule,
        _server: server,
        _dirs: dirs,
    }
}

fn ids(r: &StopsResponse) -> Vec<&str> {
    r.stops.iter().map(|s| s.id.as_str()).collect()
}

#[tokio::test]
async fn search_ignores_case_diacritics_and_spaces() {
    let app = spawn().await;
    for q in [
        "ben%20xe%20mien%20dong",
        "B%E1%BA%BFn%20Xe",
        "benxe",
        "BEN XE MIEN DONG MOI",
    ] {
        let r = app.stops(&format!("/api/v1/stops?q={q}")).await;
        let first = r.stops.first().unwrap_or_else(|| panic!("{q}: no result"));
        assert_eq!(first.id, BXMD, "{q}: {:?}", ids(&r));
        assert_eq!(first.name, "Bến xe Miền Đông mới");
        assert_eq!(first.location_type, "station");
        assert_eq!(r.lang, "vi");
        let ranks: Vec<u8> = r.stops.iter().filter_map(|s| s.match_rank).collect();
        assert!(ranks.is_sorted(), "{q}: ranked {ranks:?}");
    }
    // The station's routes are its bays' routes.
    let r = app.stops("/api/v1/stops?q=ben%20xe%20mien%20dong").await;
    let routes: Vec<&str> = r.stops[0]
        .routes
        .iter()
        .map(|r| r.short_name.as_str())
        .collect();
    assert_eq!(routes, ["61-77", "BRT"]);
    assert_eq!(r.stops[0].routes[0].color, "ED1C24");
    // Exact name beats a prefix; limit is honoured.
    let r = app.stops("/api/v1/stops?q=ben%20xe&limit=2").await;
    assert_eq!(r.stops.len(), 2);
    let r = app.stops("/api/v1/stops?q=zzzz").await;
    assert!(r.stops.is_empty());
}

#[tokio::test]
async fn search_by_code_and_by_translated_names() {
    let app = spawn().await;
    let r = app.stops("/api/v1/stops?q=2081").await;
    assert_eq!(r.stops[0].id, "binh-duong:BD2081");
    assert_eq!(r.stops[0].match_rank, Some(0));
    assert_eq!(
        r.stops[0].parent_station.as_deref(),
        Some("binh-duong:ST_HIKARI")
    );

    let r = app.stops("/api/v1/stops?q=coach%20station&lang=en").await;
    assert_eq!(r.stops[0].id, BXMD, "{:?}", ids(&r));
    assert_eq!(r.stops[0].name, "New Mien Dong Coach Station");
    assert_eq!(r.lang, "en");

    let r: StopsResponse = app
        .json(
            "/api/v1/stops?q=%E3%83%9F%E3%82%A8%E3%83%B3%E3%83%89%E3%83%B3",
            &[("accept-language", "fr;q=1, ja;q=0.9, en;q=0.8")],
        )
        .await;
    assert_eq!(r.lang, "ja");
    assert_eq!(r.stops[0].id, BXMD, "{:?}", ids(&r));
    assert_eq!(r.stops[0].name, "ミエンドン新バスターミナル");

    // English names are found whatever the response language.
    let r = app.stops("/api/v1/stops?q=new%20mien%20dong").await;
    assert_eq!(r.stops[0].id, BXMD);
    assert_eq!(r.stops[0].name, "Bến xe Miền Đông mới");
}

#[tokio::test]
async fn nearby_stops_are_sorted_by_distance_within_the_radius() {
    let app = spawn().await;
    let r = app
        .stops("/api/v1/stops?lat=10.879385&lon=106.814545&radius=300")
        .await;
    assert_eq!(r.stops[0].id, BXMD, "{:?}", ids(&r));
    let d: Vec<f64> = r.stops.iter().filter_map(|s| s.distance_m).collect();
    assert_eq!(d.len(), r.stops.len());
    assert!(d.is_sorted(), "{d:?}");
    assert!(d.iter().all(|d| *d <= 300.0), "{d:?}");
    // The coach station's bus bays are listed under it, not on their own.
    assert!(!ids(&r).contains(&"binh-duong:BD4080"), "{:?}", ids(&r));
    assert!(
        r.stops[0]
            .platforms
            .iter()
            .any(|p| p.id == "binh-duong:BD4080"),
        "{:?}",
        r.stops[0].platforms
    );
    // Default radius 500 m; nothing in the sea.
    let r = app.stops("/api/v1/stops?lat=10.0&lon=107.0").await;
    assert!(r.stops.is_empty());
}

#[tokio::test]
async fn bad_stop_queries_are_400_with_a_message() {
    let app = spawn().await;
    let long_query = format!("/api/v1/stops?q={}", "a".repeat(201));
    for (path, code) in [
        ("/api/v1/stops", "missing_parameter"),
        (
            "/api/v1/stops?q=ben&lat=10.9&lon=106.8",
            "conflicting_parameters",
        ),
        ("/api/v1/stops?lat=10.9", "missing_parameter"),
        ("/api/v1/stops?lat=abc&lon=106.8", "invalid_parameter"),
        ("/api/v1/stops?lat=95&lon=106.8", "invalid_parameter"),
        (
            "/api/v1/stops?lat=10.9&lon=106.8&radius=6000",
            "invalid_parameter",
        ),
        ("/api/v1/stops?q=ben&limit=0", "invalid_parameter"),
        ("/api/v1/stops?q=ben&limit=101", "invalid_parameter"),
        ("/api/v1/stops?q=%20-%20", "invalid_parameter"),
        (&long_query, "invalid_parameter"),
    ] {
        let e = app.error(path, StatusCode::BAD_REQUEST).await;
        assert_eq!(e.error, code, "{path}: {}", e.message);
        assert!(!e.message.is_empty());
    }
}

#[tokio::test]
async fn stop_detail_has_its_station_platforms_and_routes() {
    let app = spawn().await;
    let d: StopDetail = app.json("/api/v1/stops/binh-duong:ST_BXMD", &[]).await;
    assert_eq!(d.stop.id, BXMD);
    assert!(d.parent.is_none());
    let children: Vec<&str> = d.children.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        children,
        [
            "binh-duong:BD4080",
            "binh-duong:BD4081",
            "binh-duong:BD5110",
            "binh-duong:BD5111"
        ]
    );
    let d: StopDetail = app
        .json(
            "/api/v1/stops/BD4080",
            &[("accept-language", "en-GB,en;q=0.9")],
        )
        .await;
    assert_eq!(d.lang, "en");
    assert_eq!(d.stop.name, "New Mien Dong Coach Station");
    assert_eq!(d.parent.map(|p| p.id).as_deref(), Some(BXMD));
    assert!(!d.stop.routes.is_empty());

    // The departure board follows Accept-Language too.
    let board: DeparturesResponse = app
        .json(
            "/api/v1/stops/binh-duong:ST_BXMD/departures",
            &[("accept-language", "ja")],
        )
        .await;
    assert_eq!(board.lang, "ja");
    assert_eq!(board.stop.name, "ミエンドン新バスターミナル");

    let e = app
        .error("/api/v1/stops/binh-duong:NOPE", StatusCode::NOT_FOUND)
        .await;
    assert_eq!(e.error, "stop_not_found");
    let e = app
        .error("/api/v1/routes/binh-duong:NOPE", StatusCode::NOT_FOUND)
        .await;
    assert_eq!(e.error, "route_not_found");
    let e = app
        .error("/api/v1/vehicles?route=NOPE", StatusCode::NOT_FOUND)
        .await;
    assert_eq!(e.error, "route_not_found");
}

#[tokio::test]
async fn routes_are_listed_in_order_with_directions_stops_and_shapes() {
    let app = spawn().await;
    let r: RoutesResponse = app.json("/api/v1/routes?lang=en", &[]).await;
    let names: Vec<&str> = r.routes.iter().map(|r| r.short_name.as_str()).collect();
    assert_eq!(names, ["51", "52", "66", "70", "61-77", "BRT"]);
    assert_eq!(r.routes[0].id, "binh-duong:51");
    assert_eq!(r.routes[0].color, "009B4E");
    assert_eq!(r.routes[0].agency_name, "Becamex Tokyu Bus (KAZE SHUTTLE)");

    let d: RouteDetail = app.json("/api/v1/routes/binh-duong:51", &[]).await;
    assert_eq!(d.directions.len(), 2);
    for dir in &d.directions {
        assert!(dir.stops.len() > 5, "{:?}", dir.direction_id);
        assert!(dir.shape.len() > 1);
        assert!(dir.shape.len() <= 501);
        assert!(dir.headsign.is_some());
    }
    assert_eq!(d.directions[0].direction_id, Some(0));
    assert_eq!(
        d.directions[0].headsign.as_deref(),
        Some("Đại học Quốc tế Miền Đông")
    );
    assert!(d.vehicles.is_empty());
}

fn vehicle_on(s: &Schedule, id: &str, trip_id: &str) -> VehicleView {
    let trip = s.trip_by_id(trip_id).expect("trip in the sample feed");
    let first = s.trip(trip).stop_times.start;
    let next = &s.stop_times[first as usize + 3];
    VehicleView {
        id: id.to_owned(),
        label: Some(format!("KAZE {id}")),
        position: s.stop(next.stop).position.expect("stop position"),
        bearing: Some(90.0),
        speed: Some(6.0),
        timestamp: at(NOW) - 30,
        trip: Some(TripInstance {
            trip,
            service_date: today(),
            start: None,
        }),
        route: Some(s.trip(trip).route),
        next_stop_time: Some(first + 3),
        at_stop: false,
        progress_m: None,
        off_route: true,
        stuck: false,
        layover: false,
    }
}

#[tokio::test]
async fn vehicles_come_from_the_realtime_snapshot() {
    let app = spawn().await;
    let s = &app.schedule;
    let r: VehiclesResponse = app.json("/api/v1/vehicles", &[]).await;
    assert!(r.vehicles.is_empty());

    let mut snapshot = Snapshot {
        at: at(NOW),
        header_timestamp: 1,
        ..Snapshot::default()
    };
    snapshot.feeds.insert(
        s.feed_id.clone(),
        FeedSnapshot {
            schedule_version: s.version.clone(),
            vehicles: vec![
                vehicle_on(s, "bus-17", "51_WD_0_0650"),
                vehicle_on(s, "bus-30", "52_WD_0_0600"),
            ],
            data_time: Some(at(NOW) - 30),
            ..FeedSnapshot::default()
        },
    );
    app.realtime.store(Arc::new(snapshot));

    let r: VehiclesResponse = app.json("/api/v1/vehicles", &[]).await;
    assert_eq!(r.vehicles.len(), 2);
    let r: VehiclesResponse = app
        .json("/api/v1/vehicles?route=binh-duong:51&lang=en", &[])
        .await;
    assert_eq!(r.vehicles.len(), 1);
    let v = &r.vehicles[0];
    assert_eq!(v.id, "binh-duong:bus-17");
    assert_eq!(v.trip_id.as_deref(), Some("binh-duong:51_WD_0_0650"));
    assert_eq!(v.route.as_ref().map(|r| r.short_name.as_str()), Some("51"));
    assert_eq!(v.data_age_s, 30);
    assert!(v.off_route && !v.stuck && !v.layover);
    assert!(v.next_stop.is_some());
    assert_eq!(v.timestamp, "2026-11-23T07:39:30+07:00");

    let d: RouteDetail = app.json("/api/v1/routes/binh-duong:51", &[]).await;
    let on_route: Vec<&str> = d.vehicles.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(on_route, ["binh-duong:bus-17"]);
}

#[tokio::test]
async fn server_time_in_utc_and_per_feed() {
    let app = spawn().await;
    let t: TimeResponse = app.json("/api/v1/time", &[]).await;
    assert_eq!(t.now, "2026-11-23T00:40:00Z");
    assert_eq!(t.unix_ms, at(NOW) * 1000);
    assert_eq!(t.feeds.len(), 1);
    assert_eq!(t.feeds[0].time_zone, "Asia/Ho_Chi_Minh");
    assert_eq!(t.feeds[0].local, "2026-11-23T07:40:00+07:00");
}
