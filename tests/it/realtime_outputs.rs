//! What riders and other software get from a realtime snapshot: the GTFS-Realtime TripUpdates
//! and VehiclePositions feeds, and the departure board with predictions. The real server on
//! port 0 serves the sample Binh Duong network with its clock stopped on Monday 2026-11-23 at
//! 07:40; each test publishes hand-built snapshots through `Application::realtime()`, as the
//! engine does, and reads them back over HTTP.
//!
//! The snapshot (`scene`), service date 2026-11-23, route 51 towards the university (its bay
//! at the Hikari terminal is BD2081, stop_sequence 25, reached 46:37 after the start):
//! - 51_WD_0_0650, bus-17, 10 minutes late and losing 10 s a stop, next stop seq 24; skips
//!   seq 26. Scheduled at BD2081 07:36:37, before the board's window: expected 07:46:47.
//! - 51_WD_0_0700 cancelled by the agency.
//! - 51_WD_0_0710, bus-18, 1 minute late, skips BD2081.
//! - 51_WD_0_0720, to be run by bus-17 after its current trip: 5 minutes late, propagated.
//! - 51_WD_0_0730, bus-19, on time, next stop seq 7: it has passed BD1050 (seq 6).
//! - 51_WD_0_0750: the engine knows only the timetable (basis scheduled everywhere).
//! - BRT_WD_0 (frequencies.txt, exact_times=0, every 5 minutes 06:30–09:00): the run that
//!   started 07:20:00 (brt-1, 45 s late), and the run starting at 07:41:10, between the
//!   nominal starts (brt-2, waiting at the first stop BD5010, 1 minute late).

use std::sync::Arc;

use api_types::{Basis, DepartureStatus, DeparturesResponse, ErrorBody, RealtimeStatus};
use arc_swap::ArcSwap;
use backend::catalog::Catalog;
use backend::catalog::load_feed;
use backend::clock::Clock;
use backend::config::FeedConfig;
use backend::predict::{
    self, FeedSnapshot, Snapshot, StopPrediction, TripPrediction, TripStatus, VehicleView,
};
use backend::realtime::TripInstance;
use backend::realtime::alerts::{Period, Selector, ServiceAlert, Text};
use backend::schedule::{FeedId, LatLon, Schedule};
use backend::server::Application;
use gtfs_rt::trip_descriptor::ScheduleRelationship as TripRel;
use gtfs_rt::trip_update::stop_time_update::ScheduleRelationship as StopRel;
use gtfs_rt::{FeedMessage, Message as _, TripUpdate};
use reqwest::StatusCode;

use crate::support::{at, http_client, repo_root, today};

pub(crate) const NOW: &str = "2026-11-23T07:40:00+07:00";
/// The vehicles' last positions are 20 s old.
const DATA_AGE: i64 = 20;

pub(crate) struct TestApp {
    pub(crate) base: String,
    client: reqwest::Client,
    realtime: Arc<ArcSwap<Snapshot>>,
    schedules: Vec<Arc<Schedule>>,
    _server: crate::support::Running,
    _dirs: tempfile::TempDir,
}

impl TestApp {
    pub(crate) fn schedule(&self) -> &Schedule {
        &self.schedules[0]
    }

    pub(crate) fn publish(&self, snapshot: Snapshot) {
        self.realtime.store(Arc::new(snapshot));
    }

    pub(crate) async fn get(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.client.get(format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request reaches the server")
    }

    async fn feed(&self, path: &str) -> (FeedMessage, reqwest::header::HeaderMap) {
        let response = self.get(path, &[]).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "application/x-protobuf");
        let bytes = response.bytes().await.expect("body");
        let message = FeedMessage::decode(bytes).expect("a GTFS-Realtime FeedMessage");
        (message, headers)
    }

    async fn board(&self, path: &str) -> DeparturesResponse {
        let response = self.get(path, &[]).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("the documented JSON")
    }

    async fn error(&self, path: &str, status: StatusCode) -> ErrorBody {
        let response = self.get(path, &[]).await;
        assert_eq!(response.status(), status, "GET {path}");
        response.json().await.expect("errors are JSON")
    }
}

/// The server with the sample network as feeds `ids`, clock stopped at [`NOW`].
pub(crate) async fn spawn(ids: &[&str]) -> TestApp {
    spawn_at(ids, NOW).await
}

/// The same, clock stopped at `now`.
pub(crate) async fn spawn_at(ids: &[&str], now: &str) -> TestApp {
    let dirs = tempfile::tempdir().expect("temp dir");
    let feeds: Vec<FeedConfig> = ids
        .iter()
        .map(|id| FeedConfig {
            id: FeedId::new(id).expect("valid id"),
            gtfs: repo_root().join("feeds/binh-duong"),
        })
        .collect();
    let entries: Vec<_> = feeds
        .iter()
        .map(|f| load_feed(f, today()).unwrap_or_else(|r| panic!("sample feed loads: {r:?}")))
        .collect();
    let schedules = entries.iter().map(|e| e.schedule.clone()).collect();
    let config = crate::support::test_config(&dirs, feeds);
    let catalog = Catalog::new(entries).expect("distinct feed ids");
    let clock = Clock::fixed(now.parse().expect("valid instant"));
    let app = Application::with_catalog(&config, catalog, clock)
        .await
        .expect("the server starts");
    let server = crate::support::run(app);
    TestApp {
        base: server.base.clone(),
        client: http_client(),
        realtime: server.realtime.clone(),
        schedules,
        _server: server,
        _dirs: dirs,
    }
}

fn hms(h: u32, m: u32, s: u32) -> u32 {
    h * 3600 + m * 60 + s
}

/// A trip instance of today and its predicted calls from `from_seq` on: the timetable's times
/// (frequency-based trips: from `start`) plus `shift(stop_sequence)` seconds.
fn predicted(
    s: &Schedule,
    trip_id: &str,
    start: Option<u32>,
    from_seq: u32,
    basis: predict::Basis,
    shift: impl Fn(u32) -> i64,
) -> (TripInstance, Vec<StopPrediction>) {
    let trip = s
        .trip_by_id(trip_id)
        .unwrap_or_else(|| panic!("{trip_id} is in the sample feed"));
    let instance = TripInstance {
        trip,
        service_date: today(),
        start,
    };
    let stops = s
        .trip(trip)
        .stop_times
        .range()
        .filter(|&i| s.stop_times[i].stop_sequence >= from_seq)
        .map(|i| {
            let st = &s.stop_times[i];
            let call = s
                .call_of(trip, i as u32, today(), start)
                .expect("a call of the trip");
            let d = shift(st.stop_sequence);
            StopPrediction {
                stop_time: i as u32,
                stop: st.stop,
                stop_sequence: st.stop_sequence,
                arrival: Some(call.arrival + d),
                departure: Some(call.departure + d),
                basis,
                uncertainty: 30 + 5 * (st.stop_sequence - from_seq),
                skipped: false,
            }
        })
        .collect();
    (instance, stops)
}

fn skip(stops: &mut [StopPrediction], seq: u32) {
    let stop = stops
        .iter_mut()
        .find(|s| s.stop_sequence == seq)
        .expect("the call is predicted");
    stop.skipped = true;
    stop.arrival = None;
    stop.departure = None;
    stop.basis = predict::Basis::Agency;
}

fn trip(
    instance: TripInstance,
    stops: Vec<StopPrediction>,
    vehicle: Option<u32>,
    delay: i32,
) -> TripPrediction {
    TripPrediction {
        instance,
        status: TripStatus::Live,
        vehicle,
        data_time: at(NOW) - DATA_AGE,
        delay: Some(delay),
        stops,
    }
}

fn vehicle(
    s: &Schedule,
    id: &str,
    on: Option<&TripPrediction>,
    at_stop: bool,
    layover: bool,
) -> VehicleView {
    let next = on.and_then(|tp| tp.stops.first());
    let position = next
        .and_then(|sp| s.stop(sp.stop).position)
        .unwrap_or(LatLon {
            lat: 11.05,
            lon: 106.67,
        });
    VehicleView {
        id: id.to_owned(),
        label: Some(format!("KAZE {id}")),
        position,
        bearing: Some(15.0),
        speed: Some(if at_stop { 0.0 } else { 7.5 }),
        timestamp: at(NOW) - DATA_AGE,
        trip: on.map(|tp| tp.instance),
        route: on.map(|tp| s.trip(tp.instance.trip).route),
        next_stop_time: next.map(|sp| sp.stop_time),
        at_stop,
        progress_m: None,
        off_route: false,
        stuck: false,
        layover,
    }
}

/// The snapshot described at the top of this file.
pub(crate) fn scene(s: &Schedule, header_timestamp: u64) -> Snapshot {
    use predict::Basis::{Propagated, Realtime, Scheduled};
    let (i, stops) = predicted(s, "51_WD_0_0650", None, 24, Realtime, |seq| {
        600 + 10 * i64::from(seq - 24)
    });
    let mut late = trip(i, stops, Some(0), 600);
    skip(&mut late.stops, 26);

    let (i, _) = predicted(s, "51_WD_0_0700", None, 1, Realtime, |_| 0);
    let cancelled = TripPrediction {
        status: TripStatus::Cancelled,
        vehicle: None,
        delay: None,
        ..trip(i, Vec::new(), None, 0)
    };

    let (i, mut stops) = predicted(s, "51_WD_0_0710", None, 2, Realtime, |_| 60);
    skip(&mut stops, 25);
    let skipping = trip(i, stops, Some(1), 60);

    let (i, stops) = predicted(s, "51_WD_0_0720", None, 1, Propagated, |_| 300);
    let next_of_block = trip(i, stops, Some(0), 300);

    let (i, stops) = predicted(s, "51_WD_0_0730", None, 7, Realtime, |_| 0);
    let passed = trip(i, stops, Some(2), 0);

    let (i, stops) = predicted(s, "51_WD_0_0750", None, 1, Scheduled, |_| 0);
    let timetable_only = trip(i, stops, None, 0);

    let (i, stops) = predicted(s, "BRT_WD_0", Some(hms(7, 20, 0)), 5, Realtime, |_| 45);
    let brt_running = trip(i, stops, Some(3), 45);

    let (i, stops) = predicted(s, "BRT_WD_0", Some(hms(7, 41, 10)), 1, Realtime, |_| 60);
    let brt_waiting = trip(i, stops, Some(4), 60);

    let vehicles = vec![
        vehicle(s, "bus-17", Some(&late), false, false),
        vehicle(s, "bus-18", Some(&skipping), false, false),
        vehicle(s, "bus-19", Some(&passed), false, false),
        vehicle(s, "brt-1", Some(&brt_running), false, false),
        vehicle(s, "brt-2", Some(&brt_waiting), true, true),
    ];
    let mut trips = vec![
        late,
        cancelled,
        skipping,
        next_of_block,
        passed,
        timetable_only,
        brt_running,
        brt_waiting,
    ];
    trips.sort_by_key(|tp| tp.instance);
    let trip_index = trips
        .iter()
        .enumerate()
        .map(|(i, tp)| (tp.instance, i as u32))
        .collect();
    let mut feeds = rustc_hash::FxHashMap::default();
    feeds.insert(
        s.feed_id.clone(),
        FeedSnapshot {
            schedule_version: s.version.clone(),
            trips,
            trip_index,
            vehicles,
            degraded: false,
            data_time: Some(at(NOW) - DATA_AGE),
            ..FeedSnapshot::default()
        },
    );
    Snapshot {
        at: at(NOW),
        header_timestamp,
        feeds,
    }
}

pub(crate) fn first_header() -> u64 {
    u64::try_from(at(NOW) - 5).expect("after 1970")
}

fn update<'a>(message: &'a FeedMessage, entity_id: &str) -> &'a TripUpdate {
    message
        .entity
        .iter()
        .find(|e| e.id == entity_id)
        .and_then(|e| e.trip_update.as_ref())
        .unwrap_or_else(|| panic!("no trip update {entity_id} in {message:#?}"))
}

/// The producer rules every TripUpdate must obey, whatever the snapshot.
fn assert_producer_rules(message: &FeedMessage) {
    use gtfs_rt::feed_header::Incrementality;
    assert_eq!(message.header.gtfs_realtime_version, "2.0");
    assert_eq!(
        message.header.incrementality,
        Some(Incrementality::FullDataset as i32)
    );
    let mut ids = std::collections::BTreeSet::new();
    for entity in &message.entity {
        assert!(ids.insert(&entity.id), "entity id {} repeated", entity.id);
        let u = entity.trip_update.as_ref().expect("only trip updates");
        let trip = &u.trip;
        assert!(
            trip.trip_id.is_some() && trip.route_id.is_some(),
            "{trip:?}"
        );
        assert!(trip.start_date.as_ref().is_some_and(|d| d.len() == 8));
        assert!(trip.start_time.is_some());
        if trip.schedule_relationship == Some(TripRel::Canceled as i32) {
            assert!(u.stop_time_update.is_empty());
            continue;
        }
        assert!(!u.stop_time_update.is_empty(), "{}", entity.id);
        let unscheduled = trip.schedule_relationship == Some(TripRel::Unscheduled as i32);
        let mut last_seq = 0;
        let mut last_time = i64::MIN;
        for stu in &u.stop_time_update {
            let seq = stu.stop_sequence.expect("stop_sequence always");
            assert!(stu.stop_id.is_some(), "stop_id always");
            assert!(
                seq > last_seq,
                "{}: stop_sequence {seq} after {last_seq}",
                entity.id
            );
            last_seq = seq;
            if unscheduled {
                assert_eq!(stu.schedule_relationship, Some(StopRel::Unscheduled as i32));
            }
            let arrival = stu.arrival.and_then(|e| e.time);
            let departure = stu.departure.and_then(|e| e.time);
            if let Some(a) = arrival {
                assert!(a > last_time, "{}: times increase", entity.id);
                last_time = a;
            }
            if let Some(d) = departure {
                assert!(d >= last_time, "{}: departure after arrival", entity.id);
                last_time = d;
            }
        }
    }
}

#[tokio::test]
async fn trip_updates_follow_the_producer_rules() {
    let app = spawn(&["binh-duong"]).await;
    let s = app.schedule();
    app.publish(scene(s, first_header()));
    let (message, headers) = app.feed("/gtfs-rt/trip-updates.pb").await;
    assert!(
        headers["cache-control"]
            .to_str()
            .is_ok_and(|c| c.contains("max-age=")),
        "{headers:?}"
    );
    assert_producer_rules(&message);
    assert_eq!(message.header.timestamp, Some(first_header()));
    assert_eq!(
        message.header.feed_version.as_deref(),
        Some("2026.11-illustrative")
    );
    let ids: Vec<&str> = message.entity.iter().map(|e| e.id.as_str()).collect();
    for id in [
        "51_WD_0_0650/20261123",
        "51_WD_0_0700/20261123",
        "51_WD_0_0710/20261123",
        "51_WD_0_0720/20261123",
        "51_WD_0_0730/20261123",
        "BRT_WD_0/20261123/07:20:00",
        "BRT_WD_0/20261123/07:41:10",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    // Timetable only: not published as if it were realtime.
    assert_eq!(ids.len(), 7, "{ids:?}");

    let late = update(&message, "51_WD_0_0650/20261123");
    assert_eq!(late.trip.trip_id.as_deref(), Some("51_WD_0_0650"));
    assert_eq!(late.trip.route_id.as_deref(), Some("51"));
    assert_eq!(late.trip.direction_id, Some(0));
    assert_eq!(late.trip.start_date.as_deref(), Some("20261123"));
    assert_eq!(late.trip.start_time.as_deref(), Some("06:50:00"));
    assert_eq!(
        late.trip.schedule_relationship,
        Some(TripRel::Scheduled as i32)
    );
    assert_eq!(late.delay, Some(600));
    assert_eq!(late.timestamp, u64::try_from(at(NOW) - DATA_AGE).ok());
    let vehicle = late.vehicle.as_ref().expect("the bus");
    assert_eq!(vehicle.id.as_deref(), Some("bus-17"));
    assert_eq!(vehicle.label.as_deref(), Some("KAZE bus-17"));
    let first = &late.stop_time_update[0];
    assert_eq!(first.stop_sequence, Some(24));
    assert_eq!(first.stop_id.as_deref(), Some("BD2070"));
    let hikari = &late.stop_time_update[1];
    assert_eq!(hikari.stop_id.as_deref(), Some("BD2081"));
    assert_eq!(
        hikari.departure.and_then(|e| e.time),
        Some(at("2026-11-23T07:46:47+07:00"))
    );
    assert_eq!(hikari.arrival.and_then(|e| e.uncertainty), Some(35));
    let skipped = &late.stop_time_update[2];
    assert_eq!(skipped.stop_sequence, Some(26));
    assert_eq!(skipped.schedule_relationship, Some(StopRel::Skipped as i32));
    assert_eq!((skipped.arrival, skipped.departure), (None, None));

    let cancelled = update(&message, "51_WD_0_0700/20261123");
    assert_eq!(
        cancelled.trip.schedule_relationship,
        Some(TripRel::Canceled as i32)
    );

    // A frequency-based run: its start time, UNSCHEDULED, absolute times, no delay.
    let brt = update(&message, "BRT_WD_0/20261123/07:41:10");
    assert_eq!(brt.trip.start_time.as_deref(), Some("07:41:10"));
    assert_eq!(brt.trip.start_date.as_deref(), Some("20261123"));
    assert_eq!(
        brt.trip.schedule_relationship,
        Some(TripRel::Unscheduled as i32)
    );
    assert_eq!(brt.delay, None);
    assert_eq!(
        brt.stop_time_update[0].departure.and_then(|e| e.time),
        Some(at("2026-11-23T07:42:10+07:00"))
    );
    assert!(
        brt.stop_time_update
            .iter()
            .all(|u| u.arrival.and_then(|e| e.time).is_some()
                && u.arrival.and_then(|e| e.delay).is_none())
    );
    let running = update(&message, "BRT_WD_0/20261123/07:20:00");
    assert_eq!(running.stop_time_update[0].stop_sequence, Some(5));
}

#[tokio::test]
async fn header_timestamp_never_decreases_and_unchanged_feeds_answer_304() {
    let app = spawn(&["binh-duong"]).await;
    let s = app.schedule();
    app.publish(scene(s, first_header()));
    let path = "/gtfs-rt/trip-updates.pb";
    let (first, headers) = app.feed(path).await;
    let etag = headers["etag"].to_str().expect("ascii").to_owned();
    assert!(headers.contains_key("last-modified"));

    let again = app.get(path, &[("If-None-Match", &etag)]).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert!(again.bytes().await.expect("body").is_empty());

    // The engine publishes again 30 s later.
    app.publish(scene(s, first_header() + 30));
    let changed = app.get(path, &[("If-None-Match", &etag)]).await;
    assert_eq!(changed.status(), StatusCode::OK);
    let new_etag = changed.headers()["etag"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_ne!(new_etag, etag);
    let second = FeedMessage::decode(changed.bytes().await.expect("body")).expect("decodes");
    assert!(second.header.timestamp >= first.header.timestamp);
    assert_eq!(second.header.timestamp, Some(first_header() + 30));

    // The same holds for vehicle positions, with their own tag.
    let vp = app.get("/gtfs-rt/vehicle-positions.pb", &[]).await;
    let vp_etag = vp.headers()["etag"].to_str().expect("ascii").to_owned();
    assert_ne!(vp_etag, new_etag);
    let again = app
        .get(
            "/gtfs-rt/vehicle-positions.pb",
            &[("If-None-Match", &vp_etag)],
        )
        .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn json_format_shows_the_same_message_with_enum_names() {
    let app = spawn(&["binh-duong"]).await;
    app.publish(scene(app.schedule(), first_header()));
    let response = app.get("/gtfs-rt/trip-updates.pb?format=json", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .is_ok_and(|c| c.starts_with("application/json"))
    );
    let (pb, pb_headers) = app.feed("/gtfs-rt/trip-updates.pb").await;
    assert_ne!(response.headers()["etag"], pb_headers["etag"]);
    let json: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(json["header"]["incrementality"], "FULL_DATASET");
    assert_eq!(json["header"]["timestamp"], first_header().to_string());
    let entities = json["entity"].as_array().expect("entities");
    assert_eq!(entities.len(), pb.entity.len());
    let entity = |id: &str| {
        entities
            .iter()
            .find(|e| e["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    assert_eq!(
        entity("51_WD_0_0700/20261123")["tripUpdate"]["trip"]["scheduleRelationship"],
        "CANCELED"
    );
    assert_eq!(
        entity("51_WD_0_0650/20261123")["tripUpdate"]["stopTimeUpdate"][2]["scheduleRelationship"],
        "SKIPPED"
    );
    let brt = &entity("BRT_WD_0/20261123/07:41:10")["tripUpdate"];
    assert_eq!(brt["trip"]["scheduleRelationship"], "UNSCHEDULED");
    assert_eq!(brt["trip"]["startTime"], "07:41:10");

    let vp: serde_json::Value = app
        .get("/gtfs-rt/vehicle-positions.pb?format=json", &[])
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(vp["entity"][0]["vehicle"]["vehicle"]["id"], "bus-17");
}

#[tokio::test]
async fn vehicle_positions_name_trip_vehicle_position_and_next_stop() {
    let app = spawn(&["binh-duong"]).await;
    let s = app.schedule();
    app.publish(scene(s, first_header()));
    let (message, _) = app.feed("/gtfs-rt/vehicle-positions.pb").await;
    assert_eq!(message.header.timestamp, Some(first_header()));
    let ids: Vec<&str> = message.entity.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["bus-17", "bus-18", "bus-19", "brt-1", "brt-2"]);
    let bus = message.entity[0].vehicle.as_ref().expect("a vehicle");
    let trip = bus.trip.as_ref().expect("its trip");
    assert_eq!(trip.trip_id.as_deref(), Some("51_WD_0_0650"));
    assert_eq!(trip.start_date.as_deref(), Some("20261123"));
    assert_eq!(bus.stop_id.as_deref(), Some("BD2070"));
    assert_eq!(bus.current_stop_sequence, Some(24));
    assert_eq!(bus.timestamp, u64::try_from(at(NOW) - DATA_AGE).ok());
    let position = bus.position.as_ref().expect("position");
    assert!(position.latitude > 10.9 && position.longitude > 106.6);
    let brt = message.entity[4].vehicle.as_ref().expect("a vehicle");
    let trip = brt.trip.as_ref().expect("its run");
    assert_eq!(trip.start_time.as_deref(), Some("07:41:10"));
    assert_eq!(
        trip.schedule_relationship,
        Some(TripRel::Unscheduled as i32)
    );
    assert_eq!(
        brt.current_status,
        Some(gtfs_rt::vehicle_position::VehicleStopStatus::StoppedAt as i32)
    );
}

#[tokio::test]
async fn the_board_shows_predictions_cancellations_skipped_stops_and_late_buses() {
    let app = spawn(&["binh-duong"]).await;
    app.publish(scene(app.schedule(), first_header()));
    // From 07:40 (now) for an hour at the route 51 bay of the Hikari terminal.
    let board = app
        .board("/api/v1/stops/binh-duong:BD2081/departures")
        .await;
    assert_eq!(board.realtime, RealtimeStatus::Live);
    let trip = |id: &str| {
        board
            .departures
            .iter()
            .find(|d| d.trip_id == format!("binh-duong:{id}"))
            .unwrap_or_else(|| panic!("{id} missing from {:#?}", board.departures))
    };

    // Scheduled 07:36:37, before the window; expected 07:46:47.
    let late = trip("51_WD_0_0650");
    assert_eq!(late.status, DepartureStatus::Live);
    assert_eq!(late.basis, Basis::Realtime);
    assert_eq!(late.scheduled_departure, "2026-11-23T07:36:37+07:00");
    assert_eq!(
        late.predicted_departure.as_deref(),
        Some("2026-11-23T07:46:47+07:00")
    );
    assert_eq!(
        late.predicted_arrival.as_deref(),
        Some("2026-11-23T07:46:07+07:00")
    );
    assert_eq!(late.vehicle_id.as_deref(), Some("binh-duong:bus-17"));
    assert_eq!(late.data_age_s, Some(DATA_AGE));
    assert_eq!(late.delay_s, Some(610));
    assert_eq!(late.uncertainty_s, Some(35));

    let cancelled = trip("51_WD_0_0700");
    assert_eq!(cancelled.status, DepartureStatus::Cancelled);
    assert_eq!(cancelled.basis, Basis::Agency);
    assert_eq!(cancelled.predicted_departure, None);
    assert_eq!(cancelled.data_age_s, Some(DATA_AGE));

    let skipped = trip("51_WD_0_0710");
    assert_eq!(skipped.status, DepartureStatus::Skipped);
    assert_eq!(skipped.predicted_departure, None);

    let propagated = trip("51_WD_0_0720");
    assert_eq!(propagated.status, DepartureStatus::Live);
    assert_eq!(propagated.basis, Basis::Propagated);
    assert_eq!(
        propagated.predicted_departure.as_deref(),
        Some("2026-11-23T08:11:37+07:00")
    );
    assert_eq!(propagated.delay_s, Some(300));

    let timetable = trip("51_WD_0_0740");
    assert_eq!(timetable.status, DepartureStatus::Scheduled);
    assert_eq!(timetable.basis, Basis::Scheduled);
    assert_eq!(timetable.vehicle_id, None);
    assert_eq!(timetable.data_age_s, None);
    assert_eq!(timetable.predicted_departure, None);
    let known_only_as_timetable = trip("51_WD_0_0750");
    assert_eq!(known_only_as_timetable.status, DepartureStatus::Scheduled);
    assert_eq!(known_only_as_timetable.predicted_departure, None);

    // Sorted by the time riders should expect.
    let expected: Vec<i64> = board
        .departures
        .iter()
        .map(|d| {
            at(d.predicted_departure
                .as_ref()
                .unwrap_or(&d.scheduled_departure))
        })
        .collect();
    assert!(expected.is_sorted(), "{:#?}", board.departures);
    assert!(expected.iter().all(|&t| t >= at(NOW)));
    assert_eq!(
        board.departures[0].trip_id, "binh-duong:51_WD_0_0700",
        "cancelled at 07:46:37, before the late bus at 07:46:47"
    );
    assert_eq!(board.departures[1].trip_id, "binh-duong:51_WD_0_0650");
}

/// An alert on stop `stop_id` (local id) since an hour before [`NOW`], in Vietnamese and
/// English.
pub(crate) fn stop_alert(s: &Schedule, stop_id: &str) -> Arc<ServiceAlert> {
    let stop = s.stop_by_id(stop_id).expect("the stop");
    let text = |pairs: &[(&str, &str)]| {
        Text(
            pairs
                .iter()
                .map(|(l, t)| (Some((*l).to_owned()), (*t).to_owned()))
                .collect(),
        )
    };
    Arc::new(ServiceAlert {
        id: "ops/lift".into(),
        periods: vec![Period {
            start: Some(at(NOW) - 3600),
            end: None,
        }],
        selectors: vec![Selector {
            stop: Some(stop),
            ..Selector::default()
        }],
        cause: "maintenance",
        effect: "accessibility_issue",
        severity: "info",
        header: text(&[("vi", "Thang máy tạm ngưng"), ("en", "Lift out of service")]),
        description: Text::default(),
        url: text(&[("en", "https://example.com/lift")]),
    })
}

/// The whole board in English, with an alert on the stop, compared with
/// `tests/fixtures/boards/hikari-bd2081-en.json` (`UPDATE_FIXTURES=1` rewrites it).
#[tokio::test]
async fn the_board_matches_its_json_snapshot() {
    let app = spawn(&["binh-duong"]).await;
    let mut snapshot = scene(app.schedule(), first_header());
    for fs in snapshot.feeds.values_mut() {
        fs.alerts.push(stop_alert(app.schedule(), "BD2081"));
    }
    app.publish(snapshot);
    let board = app
        .board("/api/v1/stops/binh-duong:BD2081/departures?lang=en&limit=6")
        .await;
    assert_eq!(board.alerts.len(), 1);
    crate::support::assert_json_snapshot("boards/hikari-bd2081-en.json", &board);
}

#[tokio::test]
async fn a_bus_that_has_passed_the_stop_leaves_the_board() {
    let app = spawn(&["binh-duong"]).await;
    let s = app.schedule();
    // 51_WD_0_0730 is timetabled at BD1050 (seq 6) at 07:40:12, but bus-19 is past it.
    let scheduled = app
        .board("/api/v1/stops/binh-duong:BD1050/departures?minutes=20")
        .await;
    assert_eq!(scheduled.realtime, RealtimeStatus::Unavailable);
    assert!(
        scheduled
            .departures
            .iter()
            .any(|d| d.trip_id == "binh-duong:51_WD_0_0730")
    );
    app.publish(scene(s, first_header()));
    let board = app
        .board("/api/v1/stops/binh-duong:BD1050/departures?minutes=20")
        .await;
    let trips: Vec<&str> = board
        .departures
        .iter()
        .map(|d| d.trip_id.as_str())
        .collect();
    assert!(!trips.contains(&"binh-duong:51_WD_0_0730"), "{trips:?}");
    assert!(trips.contains(&"binh-duong:51_WD_0_0740"), "{trips:?}");
}

#[tokio::test]
async fn a_headway_line_keeps_its_headway_and_a_live_run_replaces_the_nominal_one() {
    let app = spawn(&["binh-duong"]).await;
    app.publish(scene(app.schedule(), first_header()));
    let board = app
        .board("/api/v1/stops/binh-duong:ST_BRT01/departures?minutes=20")
        .await;
    let brt: Vec<_> = board
        .departures
        .iter()
        .filter(|d| d.trip_id == "binh-duong:BRT_WD_0")
        .collect();
    // Nominal runs at 07:40, 07:45 … 07:55; brt-2 leaves at 07:42:10 (its run started at
    // 07:41:10, one minute late) and stands for the 07:40 run.
    let times: Vec<(&str, DepartureStatus)> = brt
        .iter()
        .map(|d| {
            (
                d.predicted_departure
                    .as_deref()
                    .unwrap_or(&d.scheduled_departure),
                d.status,
            )
        })
        .collect();
    assert_eq!(
        times,
        [
            ("2026-11-23T07:42:10+07:00", DepartureStatus::Live),
            ("2026-11-23T07:45:00+07:00", DepartureStatus::Scheduled),
            ("2026-11-23T07:50:00+07:00", DepartureStatus::Scheduled),
            ("2026-11-23T07:55:00+07:00", DepartureStatus::Scheduled),
        ]
    );
    for d in &brt {
        let h = d
            .headway
            .expect("frequency-based departures carry their headway");
        assert_eq!((h.headway_secs, h.exact_times), (300, false));
        // No timetable to be late against.
        assert_eq!(d.delay_s, None);
    }
    assert_eq!(brt[0].vehicle_id.as_deref(), Some("binh-duong:brt-2"));
}

#[tokio::test]
async fn a_degraded_feed_shows_the_timetable_and_publishes_no_predictions() {
    let app = spawn(&["binh-duong"]).await;
    let mut snapshot = scene(app.schedule(), first_header());
    for fs in snapshot.feeds.values_mut() {
        fs.degraded = true;
    }
    app.publish(snapshot);

    let board = app
        .board("/api/v1/stops/binh-duong:BD2081/departures")
        .await;
    assert_eq!(board.realtime, RealtimeStatus::Degraded);
    let trips: Vec<&str> = board
        .departures
        .iter()
        .map(|d| d.trip_id.as_str())
        .collect();
    // The late bus's live time is no longer trusted: its timetable time is before the window.
    assert!(!trips.contains(&"binh-duong:51_WD_0_0650"), "{trips:?}");
    for d in &board.departures {
        assert_eq!(d.predicted_departure, None);
        assert_eq!(d.vehicle_id, None);
        let expected = if d.trip_id == "binh-duong:51_WD_0_0700" {
            DepartureStatus::Cancelled
        } else {
            DepartureStatus::Scheduled
        };
        assert_eq!(d.status, expected, "{d:?}");
    }

    let (trip_updates, _) = app.feed("/gtfs-rt/trip-updates.pb").await;
    assert_producer_rules(&trip_updates);
    let ids: Vec<&str> = trip_updates.entity.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["51_WD_0_0700/20261123"]);
    let (vehicles, _) = app.feed("/gtfs-rt/vehicle-positions.pb").await;
    assert!(vehicles.entity.is_empty());
    assert_eq!(vehicles.header.timestamp, Some(first_header()));
}

#[tokio::test]
async fn with_several_feeds_each_has_its_own_gtfs_realtime_url() {
    let app = spawn(&["north", "south"]).await;
    let e = app
        .error("/gtfs-rt/trip-updates.pb", StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(e.error, "feed_required");
    assert!(
        e.message.contains("north") && e.message.contains("?feed="),
        "{}",
        e.message
    );
    // Realtime for south only.
    app.publish(scene(&app.schedules[1], first_header()));
    let (north, _) = app.feed("/gtfs-rt/trip-updates.pb?feed=north").await;
    assert!(north.entity.is_empty());
    assert_eq!(north.header.timestamp, Some(first_header()));
    let (south, _) = app.feed("/gtfs-rt/trip-updates.pb?feed=south").await;
    assert_producer_rules(&south);
    // GTFS-Realtime ids are the feed's own, without our `feed:` prefix.
    assert_eq!(
        update(&south, "51_WD_0_0650/20261123")
            .trip
            .trip_id
            .as_deref(),
        Some("51_WD_0_0650")
    );

    let e = app
        .error(
            "/gtfs-rt/vehicle-positions.pb?feed=east",
            StatusCode::NOT_FOUND,
        )
        .await;
    assert_eq!(e.error, "feed_not_found");
    let e = app
        .error(
            "/gtfs-rt/trip-updates.pb?feed=north&format=xml",
            StatusCode::BAD_REQUEST,
        )
        .await;
    assert!(e.message.starts_with("format"), "{}", e.message);
}

#[tokio::test]
async fn before_the_first_snapshot_the_feeds_are_valid_and_empty() {
    let app = spawn(&["binh-duong"]).await;
    let (message, headers) = app.feed("/gtfs-rt/trip-updates.pb").await;
    assert!(message.entity.is_empty());
    assert_eq!(message.header.timestamp, None);
    assert!(!headers.contains_key("last-modified"));
    let board = app
        .board("/api/v1/stops/binh-duong:BD2081/departures")
        .await;
    assert_eq!(board.realtime, RealtimeStatus::Unavailable);
    assert!(
        board
            .departures
            .iter()
            .all(|d| d.status == DepartureStatus::Scheduled && d.basis == Basis::Scheduled)
    );
}
