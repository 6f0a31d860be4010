//! `GET /api/v1/routes/{id}/arrivals`: a route's stops with their next buses, per direction,
//! on the real server with the realtime scene of `realtime_outputs` published (route 51 at
//! the Hikari bay BD2081: a late bus, a cancelled trip, a skipped stop…).

use api_types::{Departure, RouteDetail};
use api_types::{DepartureStatus, DeparturesResponse, RealtimeStatus, RouteArrivalsResponse};
use reqwest::StatusCode;

use crate::realtime_outputs::{TestApp, first_header, scene, spawn};

async fn json<T: serde::de::DeserializeOwned>(app: &TestApp, path: &str) -> T {
    let response = app.get(path, &[]).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.expect("the documented JSON")
}

fn trips(arrivals: &[Departure]) -> Vec<(&str, DepartureStatus)> {
    arrivals
        .iter()
        .map(|d| (d.trip_id.as_str(), d.status))
        .collect()
}

#[tokio::test]
async fn each_stop_of_each_direction_lists_the_routes_next_buses_as_its_board_does() {
    let app = spawn(&["binh-duong"]).await;
    app.publish(scene(app.schedule(), first_header()));
    let r: RouteArrivalsResponse =
        json(&app, "/api/v1/routes/binh-duong:51/arrivals?limit=10").await;
    assert_eq!(r.route_id, "binh-duong:51");
    assert_eq!(r.realtime, RealtimeStatus::Live);
    assert_eq!(r.now, "2026-11-23T07:40:00+07:00");
    assert_eq!(r.to, "2026-11-23T09:40:00+07:00");

    // The same directions and stops as the route itself.
    let detail: RouteDetail = json(&app, "/api/v1/routes/binh-duong:51").await;
    assert_eq!(r.directions.len(), detail.directions.len());
    for (a, d) in r.directions.iter().zip(&detail.directions) {
        assert_eq!(a.direction_id, d.direction_id);
        assert_eq!(a.headsign, d.headsign);
        let ids: Vec<&str> = a.stops.iter().map(|s| s.stop.id.as_str()).collect();
        let expected: Vec<&str> = d.stops.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, expected);
    }

    // Towards the university (direction 0), at the Hikari bay: what its board says of route
    // 51's trips in that direction, in the same order (late bus, cancelled, skipped…).
    let outbound = &r.directions[0];
    assert_eq!(outbound.direction_id, Some(0));
    let hikari = outbound
        .stops
        .iter()
        .find(|s| s.stop.id == "binh-duong:BD2081")
        .expect("BD2081 is on route 51 towards the university");
    let board: DeparturesResponse = json(&app, "/api/v1/stops/binh-duong:BD2081/departures").await;
    let on_board: Vec<Departure> = board
        .departures
        .into_iter()
        .filter(|d| d.route.id == "binh-duong:51" && d.trip_id.contains("_WD_0_"))
        .collect();
    assert!(on_board.len() >= 3, "{on_board:#?}");
    let same = on_board.len().min(hikari.arrivals.len());
    assert_eq!(
        trips(&hikari.arrivals[..same]),
        trips(&on_board[..same]),
        "the stop's board and the route's arrivals agree"
    );
    let late = hikari
        .arrivals
        .iter()
        .find(|d| d.trip_id == "binh-duong:51_WD_0_0650")
        .expect("the late bus");
    assert_eq!(late.status, DepartureStatus::Live);
    assert_eq!(
        late.predicted_departure.as_deref(),
        Some("2026-11-23T07:46:47+07:00")
    );
    assert_eq!(late.vehicle_id.as_deref(), Some("binh-duong:bus-17"));
    let statuses: Vec<DepartureStatus> = hikari.arrivals.iter().map(|d| d.status).collect();
    assert!(
        statuses.contains(&DepartureStatus::Cancelled),
        "{statuses:?}"
    );
    assert!(statuses.contains(&DepartureStatus::Skipped), "{statuses:?}");

    // Every line is the route's, in the stop's direction, at that stop.
    for dir in &r.directions {
        let marker = format!(
            "_WD_{}_",
            dir.direction_id.expect("route 51 has directions")
        );
        for stop in &dir.stops {
            for d in &stop.arrivals {
                assert_eq!(d.route.id, "binh-duong:51");
                assert!(d.trip_id.contains(&marker), "{} in {marker}", d.trip_id);
                assert_eq!(d.stop_id, stop.stop.id);
            }
            assert!(stop.arrivals.len() <= 10);
        }
    }
    // A Monday morning: buses are coming to the terminus too (arrivals, not departures).
    let terminus = outbound.stops.last().expect("stops");
    assert!(
        !terminus.arrivals.is_empty(),
        "arrivals at {}",
        terminus.stop.id
    );
}

#[tokio::test]
async fn the_limit_language_and_unknown_routes_are_answered_clearly() {
    let app = spawn(&["binh-duong"]).await;
    let r: RouteArrivalsResponse = json(&app, "/api/v1/routes/binh-duong:51/arrivals").await;
    // Without realtime: the timetable, three buses a stop by default.
    assert_eq!(r.realtime, RealtimeStatus::Unavailable);
    let counts: Vec<usize> = r.directions[0]
        .stops
        .iter()
        .map(|s| s.arrivals.len())
        .collect();
    assert!(counts.iter().all(|n| *n <= 3), "{counts:?}");
    assert!(counts.contains(&3), "{counts:?}");
    assert!(
        r.directions
            .iter()
            .flat_map(|d| &d.stops)
            .flat_map(|s| &s.arrivals)
            .all(|d| d.status == DepartureStatus::Scheduled)
    );

    let one: RouteArrivalsResponse = json(
        &app,
        "/api/v1/routes/binh-duong:51/arrivals?limit=1&lang=en",
    )
    .await;
    assert_eq!(one.lang, "en");
    assert!(
        one.directions
            .iter()
            .flat_map(|d| &d.stops)
            .all(|s| s.arrivals.len() <= 1)
    );
    assert_eq!(
        one.directions[0].headsign.as_deref(),
        Some("Eastern International University")
    );

    for (path, status, code) in [
        (
            "/api/v1/routes/binh-duong:51/arrivals?limit=0",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/v1/routes/binh-duong:51/arrivals?limit=11",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/v1/routes/binh-duong:51/arrivals?limit=x",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "/api/v1/routes/binh-duong:NOPE/arrivals",
            StatusCode::NOT_FOUND,
            "route_not_found",
        ),
    ] {
        let response = app.get(path, &[]).await;
        assert_eq!(response.status(), status, "GET {path}");
        let body: api_types::ErrorBody = response.json().await.expect("errors are JSON");
        assert_eq!(body.error, code, "GET {path}: {}", body.message);
        assert!(!body.message.is_empty());
    }
}

/// `GET /api/v1/network`: every route, in the order of `/routes`, with its shapes simplified
/// for a map of the whole network.
#[tokio::test]
async fn the_network_lists_every_route_with_its_simplified_shapes() {
    let app = spawn(&["binh-duong"]).await;
    let n: api_types::NetworkResponse = json(&app, "/api/v1/network?lang=en").await;
    let all: api_types::RoutesResponse = json(&app, "/api/v1/routes?lang=en").await;
    let ids: Vec<&str> = n.routes.iter().map(|r| r.route.id.as_str()).collect();
    let expected: Vec<&str> = all.routes.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, expected);
    assert_eq!(n.routes[0].route, all.routes[0], "the same summaries");
    let detail: RouteDetail = json(&app, "/api/v1/routes/binh-duong:51").await;
    for r in &n.routes {
        assert!(!r.shapes.is_empty(), "{} has shapes", r.route.id);
        for shape in &r.shapes {
            assert!(shape.len() > 1 && shape.len() <= 151, "{}", shape.len());
            // Within Binh Duong and Ho Chi Minh City.
            assert!(
                shape
                    .iter()
                    .all(|[lat, lon]| (10.5..11.5).contains(lat) && (106.3..107.0).contains(lon))
            );
        }
    }
    // Route 51's two directions, same ends as the route view's shapes.
    let r51 = &n.routes[0];
    assert_eq!(r51.shapes.len(), 2);
    for (simple, full) in r51.shapes.iter().zip(&detail.directions) {
        assert_eq!(simple.first(), full.shape.first());
        assert_eq!(simple.last(), full.shape.last());
        assert!(simple.len() <= full.shape.len());
    }
}
