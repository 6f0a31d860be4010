//! Stations and bays: the bay (`platform_code`, else the platform's own name) on every line of
//! a station's board in the JSON, the signage JSON and text, the display and OneBusAway's
//! arrivals (`scheduledTrack`); search and nearby list a station once, its bays under it. The
//! real server on port 0 with the sample network (the Hikari terminal: six bays, codes 1–6).

use api_types::{DeparturesResponse, SignageBoard, StopsResponse};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::realtime_outputs::{TestApp, first_header, scene, spawn};

async fn json<T: DeserializeOwned>(app: &TestApp, path: &str) -> T {
    let response = app.get(path, &[]).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.expect("the documented JSON")
}

async fn text(app: &TestApp, path: &str) -> String {
    let response = app.get(path, &[]).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.text().await.expect("text")
}

/// `binh-duong:BD2083` → `3`: the sample's Hikari bays are coded by their stop id's last digit.
fn hikari_bay(stop_id: &str) -> String {
    stop_id
        .strip_prefix("binh-duong:BD208")
        .unwrap_or_else(|| panic!("{stop_id} is not a Hikari bay"))
        .to_owned()
}

#[tokio::test]
async fn a_bay_is_the_platform_code_else_the_platforms_own_name() {
    let app = spawn(&["binh-duong"]).await;
    let s = app.schedule();
    let stop = |id: &str| s.stop_by_id(id).expect("in the sample");
    assert_eq!(s.bay(stop("BD2081"), "vi"), Some("1"));
    assert_eq!(s.bay(stop("BD5110"), "en"), Some("BRT-A"));
    assert_eq!(s.bay(stop("ST_HIKARI"), "vi"), None, "a station is no bay");
    assert_eq!(s.bay(stop("BD1020"), "vi"), None, "a stop on its own");

    // No codes: the part of the platform's name that tells it apart from its station's.
    let fixture = crate::support::load("several-agencies");
    let stop = |id: &str| fixture.stop_by_id(id).expect("in the fixture");
    assert_eq!(fixture.bay(stop("BX-1"), "vi"), Some("Sân 1"));
    assert_eq!(fixture.bay(stop("BX-2"), "vi"), Some("Sân 2"));
    assert_eq!(
        fixture.bay(stop("BX-1"), "en"),
        Some("Thu Dau Mot Bus Station Bay 1"),
        "translated"
    );
    assert_eq!(fixture.bay(stop("CHO"), "vi"), None);
}

#[tokio::test]
async fn every_line_of_a_station_board_names_its_bay_in_every_answer() {
    let app = spawn(&["binh-duong"]).await;
    app.publish(scene(app.schedule(), first_header()));

    let board: DeparturesResponse =
        json(&app, "/api/v1/stops/binh-duong:ST_HIKARI/departures").await;
    assert_eq!(board.stop.bay, None);
    assert!(board.departures.len() > 5);
    for d in &board.departures {
        assert_eq!(
            d.bay.as_deref(),
            Some(hikari_bay(&d.stop_id).as_str()),
            "{d:?}"
        );
    }
    let bay3: DeparturesResponse = json(&app, "/api/v1/stops/binh-duong:BD2083/departures").await;
    assert_eq!(
        bay3.stop.bay.as_deref(),
        Some("3"),
        "a bay's board says which"
    );

    // Signage: per line at a station; once for a bay's own board.
    let sign: SignageBoard = json(&app, "/api/v1/signage/binh-duong:ST_HIKARI.json").await;
    assert_eq!(sign.bay, None);
    assert!(sign.departures.iter().all(|d| d.bay.is_some()), "{sign:?}");
    let sign1: SignageBoard = json(&app, "/api/v1/signage/binh-duong:BD2081.json").await;
    assert_eq!(sign1.bay.as_deref(), Some("1"));

    // LED text: the short form before the minutes, every line exactly the width.
    let led = text(&app, "/api/v1/signage/binh-duong:ST_HIKARI.txt?width=40").await;
    let lines: Vec<&str> = led.lines().collect();
    for line in &lines[1..=sign.departures.len()] {
        assert_eq!(line.chars().count(), 40, "{line:?}");
        let words: Vec<&str> = line.split_whitespace().collect();
        let bay_word = words
            .iter()
            .rev()
            .find(|w| w.starts_with('B') && w[1..].parse::<u8>().is_ok());
        assert!(bay_word.is_some(), "the bay on {line:?}\n{led}");
    }
    let led1 = text(
        &app,
        "/api/v1/signage/binh-duong:BD2081.txt?width=40&ascii=1",
    )
    .await;
    assert!(
        led1.lines()
            .next()
            .is_some_and(|l| l.starts_with("Tram trung chuyen Hikari B1")),
        "{led1}"
    );

    // The display: a bay column at a station.
    let html = text(&app, "/display/binh-duong:ST_HIKARI").await;
    assert!(html.contains("<th class=\"bay\">Bến</th>"), "{html}");
    assert!(html.contains("<td class=\"bay\">Bến 1</td>"), "{html}");
    let html = text(&app, "/display/binh-duong:BD2081?lang=ja").await;
    assert!(
        html.contains("<span class=\"own-bay\">1番のりば</span>")
            && !html.contains("<th class=\"bay\">"),
        "a bay's display names it once"
    );

    // OneBusAway: the bay is the arrival's scheduledTrack.
    let oba: serde_json::Value = json(
        &app,
        "/api/where/arrivals-and-departures-for-stop/becamex-tokyu_ST_HIKARI.json?key=TEST",
    )
    .await;
    let arrivals = oba["data"]["entry"]["arrivalsAndDepartures"]
        .as_array()
        .expect("arrivals");
    assert!(!arrivals.is_empty());
    for a in arrivals {
        let stop = a["stopId"].as_str().expect("stopId");
        let bay = stop
            .strip_prefix("becamex-tokyu_BD208")
            .expect("a Hikari bay");
        assert_eq!(a["scheduledTrack"], bay, "{a}");
        assert_eq!(a["actualTrack"], "", "{a}");
    }
}

#[tokio::test]
async fn search_and_nearby_list_a_station_once_with_its_bays() {
    let app = spawn(&["binh-duong"]).await;
    let found: StopsResponse = json(&app, "/api/v1/stops?q=hikari").await;
    let ids: Vec<&str> = found.stops.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids.iter()
            .filter(|id| **id == "binh-duong:ST_HIKARI")
            .count(),
        1,
        "{ids:?}"
    );
    assert!(
        !ids.iter().any(|id| id.starts_with("binh-duong:BD208")),
        "bays only under their station: {ids:?}"
    );
    let hikari = &found.stops[0];
    assert_eq!(hikari.id, "binh-duong:ST_HIKARI");
    let bays: Vec<&str> = hikari
        .platforms
        .iter()
        .map(|p| p.bay.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(bays, ["1", "2", "3", "4", "5", "6"]);
    for p in &hikari.platforms {
        assert!(!p.routes.is_empty(), "bay {:?} has its routes", p.bay);
        assert_eq!(p.parent_station.as_deref(), Some("binh-duong:ST_HIKARI"));
    }

    // A bay asked for by its code comes on its own, saying which bay it is.
    let found: StopsResponse = json(&app, "/api/v1/stops?q=2085").await;
    assert_eq!(found.stops[0].id, "binh-duong:BD2085");
    assert_eq!(found.stops[0].bay.as_deref(), Some("5"));
    assert!(found.stops[0].platforms.is_empty());

    // Nearby: the station once, at the distance of the nearest bay, each bay with its own.
    let near: StopsResponse = json(
        &app,
        "/api/v1/stops?lat=11.058377&lon=106.683195&radius=200",
    )
    .await;
    let ids: Vec<&str> = near.stops.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["binh-duong:ST_HIKARI"], "{ids:?}");
    let station = &near.stops[0];
    let nearest_bay = station
        .platforms
        .iter()
        .filter_map(|p| p.distance_m)
        .fold(f64::INFINITY, f64::min);
    assert_eq!(station.platforms.len(), 6);
    assert_eq!(station.distance_m, Some(nearest_bay), "{station:?}");
    assert!(nearest_bay < 1.0, "standing at bay 5: {nearest_bay}");
}
