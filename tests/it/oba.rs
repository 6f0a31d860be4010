//! The OneBusAway REST API (`/api/where`): the real server serving the sample network with its
//! clock stopped at `realtime_outputs::NOW` (Monday 2026-11-23 07:40), the hand-built realtime
//! scene of `realtime_outputs` published as the engine would, read back over HTTP.

use std::collections::BTreeSet;

use backend::catalog::Catalog;
use backend::catalog::load_feed;
use backend::clock::Clock;
use backend::config::FeedConfig;
use backend::schedule::FeedId;
use backend::server::Application;
use reqwest::StatusCode;
use serde_json::Value;

use crate::realtime_outputs::{NOW, TestApp, first_header, scene, spawn, stop_alert};
use crate::support::{at, http_client, repo_root, today};

const AGENCY: &str = "becamex-tokyu";
/// Route 51's bay at the Hikari terminal.
const STOP: &str = "becamex-tokyu_BD2081";

fn ms(rfc3339: &str) -> i64 {
    at(rfc3339) * 1000
}

/// GET `path` (with `key=TEST` added), expecting `status`; the envelope.
async fn get(app: &TestApp, path: &str, status: StatusCode) -> Value {
    let sep = if path.contains('?') { '&' } else { '?' };
    oba(app, &format!("{path}{sep}key=TEST"), status).await
}

/// GET `path` as given, expecting `status`; checks the envelope around the answer.
async fn oba(app: &TestApp, path: &str, status: StatusCode) -> Value {
    let response = app.get(&format!("/api/where/{path}"), &[]).await;
    assert_eq!(response.status(), status, "GET {path}");
    let body: Value = response
        .json()
        .await
        .expect("the OneBusAway envelope, as JSON");
    assert_eq!(body["code"], status.as_u16(), "{body}");
    assert_eq!(body["version"], 2, "{body}");
    assert!(
        body["text"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(body["currentTime"].as_i64().is_some(), "{body}");
    if status == StatusCode::OK {
        assert_eq!(body["currentTime"], ms(NOW), "the server's clock, in ms");
        assert_eq!(body["text"], "OK");
    } else {
        assert!(body.get("data").is_none(), "errors carry no data: {body}");
    }
    body
}

fn ids(list: &Value, field: &str) -> BTreeSet<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .filter_map(|x| x[field].as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn keys_errors_and_the_envelope() {
    let app = spawn(&["binh-duong"]).await;
    let body = oba(&app, "current-time.json", StatusCode::UNAUTHORIZED).await;
    assert!(
        body["text"].as_str().unwrap_or_default().contains("key"),
        "{body}"
    );
    oba(&app, "current-time.json?key=nope", StatusCode::UNAUTHORIZED).await;
    oba(
        &app,
        "stop/becamex-tokyu_BD2081.json?key=",
        StatusCode::UNAUTHORIZED,
    )
    .await;

    let time = get(&app, "current-time.json", StatusCode::OK).await;
    assert_eq!(time["data"]["entry"]["time"], ms(NOW));

    let missing = get(&app, "stop/becamex-tokyu_NOPE.json", StatusCode::NOT_FOUND).await;
    assert!(
        missing["text"]
            .as_str()
            .unwrap_or_default()
            .contains("becamex-tokyu_NOPE")
    );
    get(&app, "stop/nobody_BD2081.json", StatusCode::NOT_FOUND).await;
    get(&app, "route/becamex-tokyu_99.json", StatusCode::NOT_FOUND).await;
    get(&app, "trip/becamex-tokyu_nope.json", StatusCode::NOT_FOUND).await;
    get(&app, "agency/nope.json", StatusCode::NOT_FOUND).await;
    get(&app, "no-such-endpoint.json", StatusCode::NOT_FOUND).await;

    for (path, names) in [
        ("stops-for-location.json?lat=abc&lon=106.68", "lat"),
        ("stops-for-location.json?lat=95&lon=106.68", "lat"),
        ("stops-for-location.json?lon=106.68", "lat"),
        (
            "stops-for-location.json?lat=11&lon=106.68&radius=0",
            "radius",
        ),
        (
            "arrivals-and-departures-for-stop/becamex-tokyu_BD2081.json?minutesBefore=-1",
            "minutesBefore",
        ),
        (
            "arrivals-and-departures-for-stop/becamex-tokyu_BD2081.json?time=yesterday",
            "time",
        ),
        (
            "schedule-for-stop/becamex-tokyu_BD2081.json?date=23/11/2026",
            "date",
        ),
        ("search/stop.json", "input"),
        ("search/stop.json?input=%20%21", "input"),
        (
            "arrival-and-departure-for-stop/becamex-tokyu_BD2081.json",
            "tripId",
        ),
    ] {
        let body = get(&app, path, StatusCode::BAD_REQUEST).await;
        let text = body["text"].as_str().unwrap_or_default();
        assert!(text.contains(names), "{path}: {text:?} should name {names}");
    }
}

#[tokio::test]
async fn configured_keys_replace_the_development_key() {
    let dirs = tempfile::tempdir().expect("temp dir");
    let feed = FeedConfig {
        id: FeedId::new("binh-duong").expect("valid id"),
        gtfs: repo_root().join("feeds/binh-duong"),
    };
    let entry = load_feed(&feed, today()).expect("the sample feed loads");
    let mut config = crate::support::test_config(&dirs, vec![feed]);
    config.oba_keys = vec!["s3cret".to_owned(), "other".to_owned()];
    let app = Application::with_catalog(
        &config,
        Catalog::new(vec![entry]).expect("one feed"),
        Clock::fixed(NOW.parse().expect("instant")),
    )
    .await
    .expect("the server starts");
    let server = crate::support::run(app);
    let client = http_client();
    for (key, status) in [
        ("TEST", StatusCode::UNAUTHORIZED),
        ("s3cre", StatusCode::UNAUTHORIZED),
        ("s3cret", StatusCode::OK),
        ("other", StatusCode::OK),
    ] {
        let url = format!("{}/api/where/current-time.json?key={key}", server.base);
        let response = client.get(url).send().await.expect("request");
        assert_eq!(response.status(), status, "key {key}");
    }
}

#[tokio::test]
async fn ids_are_agency_prefixed_and_round_trip() {
    let app = spawn(&["binh-duong"]).await;
    let coverage = get(&app, "agencies-with-coverage.json", StatusCode::OK).await;
    let agencies = ids(&coverage["data"]["list"], "agencyId");
    assert_eq!(
        agencies,
        BTreeSet::from([AGENCY.to_owned(), "bd-brt".to_owned()])
    );
    assert_eq!(
        ids(&coverage["data"]["references"]["agencies"], "id"),
        agencies
    );

    let near = get(
        &app,
        "stops-for-location.json?lat=11.058272&lon=106.683555&radius=300",
        StatusCode::OK,
    )
    .await;
    let stops = ids(&near["data"]["list"], "id");
    assert!(stops.contains(STOP), "{stops:?}");
    for id in &stops {
        assert!(id.starts_with("becamex-tokyu_"), "{id}");
        let stop = get(&app, &format!("stop/{id}.json"), StatusCode::OK).await;
        assert_eq!(&stop["data"]["entry"]["id"], id);
        // The stop's routes, and nothing else, are referenced; each one resolves.
        let routes: BTreeSet<String> = stop["data"]["entry"]["routeIds"]
            .as_array()
            .expect("routeIds")
            .iter()
            .filter_map(|r| r.as_str().map(str::to_owned))
            .collect();
        assert_eq!(ids(&stop["data"]["references"]["routes"], "id"), routes);
        assert!(
            stop["data"]["references"]["stops"]
                .as_array()
                .expect("list")
                .is_empty()
        );
        for r in &routes {
            let route = get(&app, &format!("route/{r}.json"), StatusCode::OK).await;
            assert_eq!(&route["data"]["entry"]["id"], r);
            let agency = route["data"]["entry"]["agencyId"].as_str().expect("agency");
            assert!(
                r.starts_with(&format!("{agency}_")),
                "{r} belongs to {agency}"
            );
        }
    }
    // A BRT route carries its own agency; its stations the feed's first agency (GTFS stops
    // have none), as OneBusAway does.
    let brt = get(&app, "routes-for-agency/bd-brt.json", StatusCode::OK).await;
    let brt_routes = ids(&brt["data"]["list"], "id");
    assert!(!brt_routes.is_empty());
    assert!(
        brt_routes.iter().all(|r| r.starts_with("bd-brt_")),
        "{brt_routes:?}"
    );
    let route_ids = get(&app, "route-ids-for-agency/bd-brt.json", StatusCode::OK).await;
    assert_eq!(
        route_ids["data"]["list"]
            .as_array()
            .expect("ids")
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect::<BTreeSet<_>>(),
        brt_routes
    );
}

/// The arrivals of [`STOP`] with the scene published, by trip id.
async fn arrivals(app: &TestApp, query: &str) -> (Value, Vec<Value>) {
    let body = get(
        app,
        &format!("arrivals-and-departures-for-stop/{STOP}.json{query}"),
        StatusCode::OK,
    )
    .await;
    let list = body["data"]["entry"]["arrivalsAndDepartures"]
        .as_array()
        .expect("arrivalsAndDepartures")
        .clone();
    (body, list)
}

fn by_trip<'a>(list: &'a [Value], trip: &str) -> &'a Value {
    list.iter()
        .find(|a| a["tripId"] == format!("{AGENCY}_{trip}"))
        .unwrap_or_else(|| panic!("{trip} not among {list:#?}"))
}

#[tokio::test]
async fn arrivals_merge_the_timetable_with_live_predictions() {
    let app = spawn(&["binh-duong"]).await;
    app.publish(scene(app.schedule(), first_header()));
    let (body, list) = arrivals(&app, "?minutesAfter=60").await;
    let s = app.schedule();
    let trip = s.trip_by_id("51_WD_0_0650").expect("trip");
    let index = s
        .trip_stop_times(trip)
        .iter()
        .position(|st| s.stop(st.stop).id.as_ref() == "BD2081")
        .expect("the trip calls at BD2081");

    // bus-17, 10 minutes late and losing 10 s a stop, next stop seq 24 (index 23): scheduled
    // to leave at 07:36:37, before `now`; predicted 07:46:47.
    let late = by_trip(&list, "51_WD_0_0650");
    assert_eq!(late["stopSequence"], index, "a 0-based index into the trip");
    assert_eq!(late["totalStopsInTrip"], s.trip_stop_times(trip).len());
    assert_eq!(
        late["scheduledDepartureTime"],
        ms("2026-11-23T07:36:37+07:00")
    );
    assert_eq!(
        late["predictedDepartureTime"],
        ms("2026-11-23T07:46:47+07:00")
    );
    assert_eq!(
        late["predictedArrivalTime"].as_i64().expect("ms")
            - late["scheduledArrivalTime"].as_i64().expect("ms"),
        610_000
    );
    assert_eq!(late["predicted"], true);
    assert_eq!(late["vehicleId"], "becamex-tokyu_bus-17");
    assert_eq!(late["numberOfStopsAway"], 1);
    assert_eq!(late["serviceDate"], ms("2026-11-23T00:00:00+07:00"));
    assert_eq!(late["status"], "default");
    let status = &late["tripStatus"];
    assert_eq!(status["predicted"], true);
    assert_eq!(status["scheduleDeviation"], 600);
    assert_eq!(status["phase"], "in_progress");
    assert_eq!(status["lastUpdateTime"], ms(NOW) - 20_000, "data 20 s old");
    assert_eq!(status["activeTripId"], late["tripId"]);

    // Cancelled by the agency: listed, CANCELED, no predicted times.
    let cancelled = by_trip(&list, "51_WD_0_0700");
    assert_eq!(cancelled["status"], "CANCELED");
    assert_eq!(cancelled["predicted"], false);
    assert_eq!(cancelled["predictedArrivalTime"], 0);
    assert_eq!(cancelled["tripStatus"]["status"], "CANCELED");

    // The agency says bus-18 will not stop here.
    assert_eq!(by_trip(&list, "51_WD_0_0710")["status"], "SKIPPED");

    // Next trip of bus-17's block: propagated 5 minutes late, the bus still on its trip.
    let next = by_trip(&list, "51_WD_0_0720");
    assert_eq!(next["predicted"], true);
    assert_eq!(next["vehicleId"], "becamex-tokyu_bus-17");
    assert_eq!(next["tripStatus"]["phase"], "layover_before");
    assert_eq!(
        next["tripStatus"]["activeTripId"], late["tripId"],
        "the block's active trip"
    );

    // Only the timetable for 07:50: not predicted, predicted times 0.
    let scheduled = by_trip(&list, "51_WD_0_0750");
    assert_eq!(scheduled["predicted"], false);
    assert_eq!(scheduled["predictedArrivalTime"], 0);
    assert_eq!(scheduled["predictedDepartureTime"], 0);
    assert!(scheduled["scheduledArrivalTime"].as_i64() > Some(ms(NOW)));

    // In the window: 5 minutes before to 60 after (by expected time).
    for a in &list {
        let t = a["predictedArrivalTime"]
            .as_i64()
            .filter(|t| *t > 0)
            .or(a["scheduledArrivalTime"].as_i64())
            .expect("a time");
        // (Arrivals may come a dwell before the departure that decides the window.)
        assert!(
            t >= ms(NOW) - 6 * 60_000 && t <= ms(NOW) + 60 * 60_000,
            "{a}"
        );
    }

    // References: exactly what the entries point to.
    let refs = &body["data"]["references"];
    let mut trips = ids(&Value::Array(list.clone()), "tripId");
    for a in &list {
        if let Some(t) = a["tripStatus"]["activeTripId"].as_str() {
            trips.insert(t.to_owned());
        }
    }
    assert_eq!(ids(&refs["trips"], "id"), trips);
    let mut stops = BTreeSet::from([STOP.to_owned()]);
    for a in &list {
        stops.extend(a["stopId"].as_str().map(str::to_owned));
        stops.extend(a["tripStatus"]["closestStop"].as_str().map(str::to_owned));
    }
    assert_eq!(ids(&refs["stops"], "id"), stops);
    let mut routes = ids(&refs["trips"], "routeId");
    for stop in refs["stops"].as_array().expect("stops") {
        for r in stop["routeIds"].as_array().expect("routeIds") {
            routes.insert(r.as_str().expect("id").to_owned());
        }
    }
    assert_eq!(ids(&refs["routes"], "id"), routes);
    assert_eq!(
        ids(&refs["agencies"], "id"),
        ids(&refs["routes"], "agencyId")
    );
    assert_eq!(
        refs["situations"],
        serde_json::json!([]),
        "no alerts in this scene"
    );

    // `time` in ms names the same instant; the default window (5 minutes before, 35 after)
    // keeps the late bus and leaves out the 07:50 trip (at Hikari at 08:36).
    let (_, same) = arrivals(&app, &format!("?minutesAfter=60&time={}", ms(NOW))).await;
    assert_eq!(same, list);
    let (_, default) = arrivals(&app, "").await;
    let trips = ids(&Value::Array(default), "tripId");
    assert!(trips.contains("becamex-tokyu_51_WD_0_0650"), "{trips:?}");
    assert!(!trips.contains("becamex-tokyu_51_WD_0_0750"), "{trips:?}");
}

#[tokio::test]
async fn without_realtime_every_arrival_is_the_timetable() {
    let app = spawn(&["binh-duong"]).await;
    let (_, list) = arrivals(&app, "?minutesAfter=60").await;
    assert!(
        !list.is_empty(),
        "route 51 calls at Hikari every 10 minutes"
    );
    for a in &list {
        assert_eq!(a["predicted"], false, "{a}");
        assert_eq!(a["predictedArrivalTime"], 0);
        assert_eq!(a["predictedDepartureTime"], 0);
        assert_eq!(a["vehicleId"], "");
        assert!(a["tripStatus"].is_null());
    }
}

#[tokio::test]
async fn one_arrival_trip_details_and_vehicles() {
    let app = spawn(&["binh-duong"]).await;
    app.publish(scene(app.schedule(), first_header()));
    let (_, list) = arrivals(&app, "").await;
    let late = by_trip(&list, "51_WD_0_0650");

    let around = get(
        &app,
        "arrivals-and-departures-for-location.json?lat=11.058272&lon=106.683555&radius=50",
        StatusCode::OK,
    )
    .await;
    let entry = &around["data"]["entry"];
    assert_eq!(entry["stopIds"][0], STOP, "nearest first");
    assert!(
        entry["stopIds"]
            .as_array()
            .is_some_and(|s| s.contains(&"becamex-tokyu_ST_HIKARI".into()))
    );
    let nearby = entry["arrivalsAndDepartures"].as_array().expect("arrivals");
    assert!(
        nearby.contains(late),
        "the same arrivals as the stop's own board"
    );

    let one = get(
        &app,
        &format!(
            "arrival-and-departure-for-stop/{STOP}.json?tripId={}&serviceDate={}&stopSequence={}",
            late["tripId"].as_str().expect("id"),
            late["serviceDate"],
            late["stopSequence"]
        ),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        &one["data"]["entry"], late,
        "the same call, rendered the same"
    );

    let details = get(
        &app,
        "trip-details/becamex-tokyu_51_WD_0_0650.json",
        StatusCode::OK,
    )
    .await;
    let entry = &details["data"]["entry"];
    assert_eq!(entry["serviceDate"], ms("2026-11-23T00:00:00+07:00"));
    assert_eq!(entry["status"]["vehicleId"], "becamex-tokyu_bus-17");
    let times = entry["schedule"]["stopTimes"]
        .as_array()
        .expect("stop times");
    assert_eq!(
        times.len(),
        late["totalStopsInTrip"].as_u64().expect("n") as usize
    );
    // 06:50:00 → seconds since the service day's start.
    assert_eq!(times[0]["departureTime"], 6 * 3600 + 50 * 60);
    let s = app.schedule();
    let trip = s.trip_by_id("51_WD_0_0650").expect("trip");
    let next = s
        .next_trip_in_block(trip, today())
        .expect("the block goes on");
    assert_eq!(
        entry["schedule"]["nextTripId"],
        format!("{AGENCY}_{}", s.trip(next).id)
    );

    let vehicles = get(
        &app,
        "vehicles-for-agency/becamex-tokyu.json",
        StatusCode::OK,
    )
    .await;
    let list = vehicles["data"]["list"].as_array().expect("vehicles");
    let on_51: BTreeSet<&str> = list
        .iter()
        .filter_map(|v| v["vehicleId"].as_str())
        .collect();
    assert_eq!(
        on_51,
        BTreeSet::from([
            "becamex-tokyu_bus-17",
            "becamex-tokyu_bus-18",
            "becamex-tokyu_bus-19"
        ]),
        "the BRT buses belong to bd-brt"
    );
    let brt = get(&app, "vehicles-for-agency/bd-brt.json", StatusCode::OK).await;
    assert_eq!(brt["data"]["list"].as_array().map(Vec::len), Some(2));

    let for_vehicle = get(
        &app,
        "trip-for-vehicle/becamex-tokyu_bus-17.json",
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        for_vehicle["data"]["entry"]["tripId"],
        "becamex-tokyu_51_WD_0_0650"
    );
    assert_eq!(
        for_vehicle["data"]["entry"]["status"]["scheduleDeviation"],
        600
    );
    get(
        &app,
        "trip-for-vehicle/becamex-tokyu_bus-99.json",
        StatusCode::NOT_FOUND,
    )
    .await;

    let running = get(
        &app,
        "trips-for-route/becamex-tokyu_51.json",
        StatusCode::OK,
    )
    .await;
    let trips = ids(&running["data"]["list"], "tripId");
    assert!(trips.contains("becamex-tokyu_51_WD_0_0650"), "{trips:?}");
    assert!(trips.contains("becamex-tokyu_51_WD_0_0730"), "{trips:?}");
}

#[tokio::test]
async fn shapes_schedules_and_search() {
    let app = spawn(&["binh-duong"]).await;
    let trip = get(&app, "trip/becamex-tokyu_51_WD_0_0650.json", StatusCode::OK).await;
    let shape_id = trip["data"]["entry"]["shapeId"].as_str().expect("a shape");
    let shape = get(&app, &format!("shape/{shape_id}.json"), StatusCode::OK).await;
    let points = shape["data"]["entry"]["points"].as_str().expect("points");
    assert!(points.len() > 20 && shape["data"]["entry"]["length"].as_u64() > Some(10));

    let schedule = get(
        &app,
        &format!("schedule-for-stop/{STOP}.json?date=2026-11-23"),
        StatusCode::OK,
    )
    .await;
    let entry = &schedule["data"]["entry"];
    assert_eq!(entry["date"], ms("2026-11-23T00:00:00+07:00"));
    let first =
        &entry["stopRouteSchedules"][0]["stopRouteDirectionSchedules"][0]["scheduleStopTimes"][0];
    assert!(first["arrivalTime"].as_i64() > Some(ms("2026-11-23T04:00:00+07:00")));

    let weekday = get(
        &app,
        "schedule-for-route/becamex-tokyu_51.json?date=2026-11-23",
        StatusCode::OK,
    )
    .await;
    let groupings = weekday["data"]["entry"]["stopTripGroupings"]
        .as_array()
        .expect("groupings");
    assert_eq!(groupings.len(), 2, "both directions");
    let trips: BTreeSet<&str> = groupings
        .iter()
        .flat_map(|g| g["tripIds"].as_array().expect("trip ids"))
        .filter_map(Value::as_str)
        .collect();
    assert!(trips.contains("becamex-tokyu_51_WD_0_0650"));
    let saturday = get(
        &app,
        "schedule-for-route/becamex-tokyu_51.json?date=2026-11-28",
        StatusCode::OK,
    )
    .await;
    let text = saturday["data"]["entry"].to_string();
    assert!(!text.contains("_WD_"), "no weekday trips on a Saturday");

    let found = get(&app, "search/stop.json?input=hikari", StatusCode::OK).await;
    assert!(ids(&found["data"]["list"], "id").contains(STOP));
    let routes = get(&app, "search/route.json?input=51", StatusCode::OK).await;
    assert_eq!(routes["data"]["list"][0]["id"], "becamex-tokyu_51");

    let stops = get(
        &app,
        "stops-for-route/becamex-tokyu_51.json",
        StatusCode::OK,
    )
    .await;
    let groups = &stops["data"]["entry"]["stopGroupings"][0]["stopGroups"];
    assert_eq!(groups.as_array().map(Vec::len), Some(2), "both directions");
    assert_eq!(
        ids(&stops["data"]["references"]["stops"], "id"),
        stops["data"]["entry"]["stopIds"]
            .as_array()
            .expect("ids")
            .iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect()
    );
    let en = get(&app, &format!("stop/{STOP}.json?lang=en"), StatusCode::OK).await;
    let vi = get(&app, &format!("stop/{STOP}.json"), StatusCode::OK).await;
    assert_ne!(en["data"]["entry"]["name"], vi["data"]["entry"]["name"]);
}

/// Service alerts are OneBusAway situations: named by the elements they concern, rendered once
/// in the references, in the language asked.
#[tokio::test]
async fn alerts_are_situations_of_the_stop_and_its_arrivals() {
    let app = spawn(&["binh-duong"]).await;
    let mut snapshot = scene(app.schedule(), first_header());
    for fs in snapshot.feeds.values_mut() {
        fs.alerts.push(stop_alert(app.schedule(), "BD2081"));
    }
    app.publish(snapshot);
    let (body, list) = arrivals(&app, "?minutesAfter=60&lang=en").await;
    let id = format!("{AGENCY}_ops/lift");
    assert_eq!(
        body["data"]["entry"]["situationIds"],
        serde_json::json!([id])
    );
    assert!(!list.is_empty());
    for a in &list {
        assert_eq!(a["situationIds"], serde_json::json!([id]), "{a}");
    }
    let situations = body["data"]["references"]["situations"]
        .as_array()
        .expect("situations");
    assert_eq!(situations.len(), 1, "once, however many name it");
    let situation = &situations[0];
    assert_eq!(situation["id"], id);
    assert_eq!(situation["summary"]["value"], "Lift out of service");
    assert_eq!(situation["summary"]["lang"], "en");
    assert_eq!(situation["reason"], "MAINTENANCE");
    assert_eq!(
        situation["consequences"][0]["condition"],
        "accessibilityIssue"
    );
    assert_eq!(situation["allAffects"][0]["stopId"], STOP);
    assert_eq!(
        situation["activeWindows"][0]["from"],
        ms("2026-11-23T06:40:00+07:00")
    );
    // A stop the alert does not name has none.
    let other = get(
        &app,
        "arrivals-and-departures-for-stop/becamex-tokyu_ST_BRT01.json",
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        other["data"]["entry"]["situationIds"],
        serde_json::json!([])
    );
    assert_eq!(
        other["data"]["references"]["situations"],
        serde_json::json!([])
    );
}
