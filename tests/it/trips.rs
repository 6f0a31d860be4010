//! `GET /api/v1/trips/{trip_id}` on the real server with the sample network, clock stopped on
//! Monday 2026-11-23 at 07:40 (the server of `realtime_outputs`): the timetable of a trip
//! instance at a pinned date, the default instance, errors, and the predictions and vehicle of
//! trips in the published realtime scene (see the top of `realtime_outputs.rs`).

use api_types::{Basis, DepartureStatus, ErrorBody, RealtimeStatus, TripDetail};
use reqwest::StatusCode;

use crate::realtime_outputs::{TestApp, first_header, scene, spawn, spawn_at};

async fn trip(app: &TestApp, path: &str) -> TripDetail {
    let response = app.get(path, &[]).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.expect("a TripDetail")
}

async fn error(app: &TestApp, path: &str, status: StatusCode) -> ErrorBody {
    let response = app.get(path, &[]).await;
    assert_eq!(response.status(), status, "GET {path}");
    response.json().await.expect("errors are JSON")
}

#[tokio::test]
async fn a_trip_lists_every_stop_with_its_timetable_at_a_pinned_date() {
    let app = spawn(&["binh-duong"]).await;
    let t = trip(
        &app,
        "/api/v1/trips/binh-duong:51_WD_0_0650?date=2026-11-24&lang=en",
    )
    .await;
    assert_eq!(t.id, "binh-duong:51_WD_0_0650");
    assert_eq!(t.route.id, "binh-duong:51");
    assert_eq!(t.route.short_name, "51");
    assert_eq!(t.route.color, "009B4E");
    assert_eq!(t.route.text_color, "FFFFFF");
    assert_eq!(t.direction_id, Some(0));
    assert_eq!(t.block_id.as_deref(), Some("binh-duong:51_WD_B12"));
    assert_eq!(t.shape_id.as_deref(), Some("binh-duong:51_0"));
    assert_eq!(t.service_date, "2026-11-24");
    assert!(!t.frequency_based);
    assert_eq!(t.start_time, None);
    assert_eq!(t.time_zone, "Asia/Ho_Chi_Minh");
    assert_eq!(t.lang, "en");
    assert!(t.headsign.is_some());
    // No realtime published: the timetable.
    assert_eq!(t.realtime, RealtimeStatus::Unavailable);
    assert_eq!(t.status, DepartureStatus::Scheduled);
    assert!(t.vehicle.is_none());

    // stop_times.txt: 29 calls, BD1000 at 06:50:00 to BD2130 at 07:42:47.
    assert_eq!(t.stops.len(), 29);
    let seqs: Vec<u32> = t.stops.iter().map(|s| s.stop_sequence).collect();
    assert_eq!(seqs, (1..=29).collect::<Vec<_>>());
    let first = &t.stops[0];
    assert_eq!(first.stop.id, "binh-duong:BD1000");
    assert!(first.stop.lat.is_some() && first.stop.lon.is_some());
    assert_eq!(first.scheduled_departure, "2026-11-24T06:50:00+07:00");
    let second = &t.stops[1];
    assert_eq!(second.stop.id, "binh-duong:BD1010");
    assert_eq!(second.scheduled_arrival, "2026-11-24T06:51:35+07:00");
    assert_eq!(second.scheduled_departure, "2026-11-24T06:51:55+07:00");
    let hikari = &t.stops[24];
    assert_eq!(hikari.stop.id, "binh-duong:BD2081");
    assert_eq!(hikari.scheduled_arrival, "2026-11-24T07:35:57+07:00");
    assert_eq!(hikari.scheduled_departure, "2026-11-24T07:36:37+07:00");
    let last = &t.stops[28];
    assert_eq!(last.stop.id, "binh-duong:BD2130");
    assert_eq!(last.scheduled_arrival, "2026-11-24T07:42:47+07:00");
    for s in &t.stops {
        assert_eq!(s.status, DepartureStatus::Scheduled);
        assert_eq!(s.basis, Basis::Scheduled);
        assert!(!s.passed);
        assert!(s.predicted_arrival.is_none() && s.predicted_departure.is_none());
    }
}

#[tokio::test]
async fn without_a_date_the_trip_is_todays_instance() {
    let app = spawn(&["binh-duong"]).await;
    let t = trip(&app, "/api/v1/trips/51_WD_0_0750").await;
    assert_eq!(
        t.id, "binh-duong:51_WD_0_0750",
        "the agency's own id works too"
    );
    assert_eq!(t.service_date, "2026-11-23");
    assert!(
        t.stops[0]
            .scheduled_departure
            .starts_with("2026-11-23T07:50:00")
    );
    // A frequency-based trip: the run running now, else the next (every 5 minutes from
    // 06:30, so the first run not over at 07:40 is one that started before).
    let brt = trip(&app, "/api/v1/trips/binh-duong:BRT_WD_0").await;
    assert!(brt.frequency_based);
    let start = brt.start_time.as_deref().expect("a run");
    assert!(("06:30:00".."07:40:00").contains(&start), "{start}");
    let headway = brt.headway.expect("the headway");
    assert_eq!(headway.headway_secs, 300);
    assert!(!headway.exact_times);
    let end = &brt.stops.last().expect("stops").scheduled_arrival;
    assert!(end.as_str() >= "2026-11-23T07:40:00+07:00", "{end}");
    // A chosen run.
    let run = trip(&app, "/api/v1/trips/binh-duong:BRT_WD_0?start=08:00:00").await;
    assert_eq!(run.start_time.as_deref(), Some("08:00:00"));
    assert!(
        run.stops[0]
            .scheduled_departure
            .starts_with("2026-11-23T08:00:00")
    );
}

#[tokio::test]
async fn after_midnight_the_default_is_yesterdays_trip_still_running() {
    // Tuesday 00:10: Monday's 23:30 trip runs until 24:15:59.
    let app = spawn_at(&["binh-duong"], "2026-11-24T00:10:00+07:00").await;
    let t = trip(&app, "/api/v1/trips/binh-duong:51_WD_0_2330").await;
    assert_eq!(t.service_date, "2026-11-23");
    assert_eq!(t.stops[0].scheduled_departure, "2026-11-23T23:30:00+07:00");
    assert_eq!(
        t.stops.last().map(|s| s.scheduled_arrival.as_str()),
        Some("2026-11-24T00:15:59+07:00")
    );
    // A trip of the morning: today's (Tuesday's) instance, not yet run.
    let t = trip(&app, "/api/v1/trips/binh-duong:51_WD_0_0650").await;
    assert_eq!(t.service_date, "2026-11-24");
    // At 00:30 the 23:30 trip is over: today's run, later tonight.
    let app = spawn_at(&["binh-duong"], "2026-11-24T00:30:00+07:00").await;
    let t = trip(&app, "/api/v1/trips/binh-duong:51_WD_0_2330").await;
    assert_eq!(t.service_date, "2026-11-24");
}

#[tokio::test]
async fn unknown_trips_and_bad_dates_get_json_errors() {
    let app = spawn(&["binh-duong"]).await;
    let e = error(&app, "/api/v1/trips/binh-duong:NOPE", StatusCode::NOT_FOUND).await;
    assert_eq!(e.error, "trip_not_found");
    assert!(e.message.contains("binh-duong:NOPE"), "{}", e.message);
    let e = error(
        &app,
        "/api/v1/trips/binh-duong:51_WD_0_0650?date=23/11/2026",
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(e.error, "invalid_parameter");
    assert!(e.message.starts_with("date:"), "{}", e.message);
    assert!(e.message.contains("YYYY-MM-DD"), "{}", e.message);
    // A Saturday: the weekday service does not run.
    let e = error(
        &app,
        "/api/v1/trips/binh-duong:51_WD_0_0650?date=2026-11-28",
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(e.error, "trip_not_in_service");
    assert!(e.message.contains("2026-11-28"), "{}", e.message);
    let e = error(
        &app,
        "/api/v1/trips/binh-duong:51_WD_0_0650?start=07:00:00",
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(e.message.starts_with("start:"), "{}", e.message);
    let e = error(
        &app,
        "/api/v1/trips/binh-duong:BRT_WD_0?start=23:00:00",
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(e.message.contains("06:30:00"), "{}", e.message);
}

#[tokio::test]
async fn a_live_trip_has_predictions_and_its_vehicle() {
    let app = spawn(&["binh-duong"]).await;
    app.publish(scene(app.schedule(), first_header()));

    // bus-17, 10 minutes late (+10 s a stop from seq 24), skips seq 26.
    let t = trip(&app, "/api/v1/trips/binh-duong:51_WD_0_0650").await;
    assert_eq!(t.service_date, "2026-11-23");
    assert_eq!(t.realtime, RealtimeStatus::Live);
    assert_eq!(t.status, DepartureStatus::Live);
    let vehicle = t.vehicle.as_ref().expect("the bus on the trip");
    assert_eq!(vehicle.id, "binh-duong:bus-17");
    assert_eq!(vehicle.trip_id.as_deref(), Some("binh-duong:51_WD_0_0650"));
    assert_eq!(vehicle.timestamp, "2026-11-23T07:39:40+07:00");
    assert_eq!(vehicle.data_age_s, 20);
    for s in &t.stops[..23] {
        assert!(s.passed, "seq {} is behind the bus", s.stop_sequence);
        assert!(s.predicted_departure.is_none());
    }
    let next = &t.stops[23];
    assert_eq!(next.stop_sequence, 24);
    assert!(!next.passed);
    assert_eq!(next.status, DepartureStatus::Live);
    assert_eq!(next.basis, Basis::Realtime);
    assert!(next.uncertainty_s.is_some());
    let hikari = &t.stops[24];
    assert_eq!(hikari.stop.id, "binh-duong:BD2081");
    assert_eq!(hikari.scheduled_departure, "2026-11-23T07:36:37+07:00");
    assert_eq!(
        hikari.predicted_departure.as_deref(),
        Some("2026-11-23T07:46:47+07:00"),
        "the same time the board shows"
    );
    let skipped = &t.stops[25];
    assert_eq!(skipped.status, DepartureStatus::Skipped);
    assert!(skipped.predicted_departure.is_none());

    // Cancelled by the agency: every call stays at its scheduled time, cancelled.
    let t = trip(&app, "/api/v1/trips/binh-duong:51_WD_0_0700").await;
    assert_eq!(t.status, DepartureStatus::Cancelled);
    assert!(t.vehicle.is_none());
    assert!(
        t.stops
            .iter()
            .all(|s| s.status == DepartureStatus::Cancelled)
    );

    // Next trip of bus-17's block: propagated, the bus named though it is on 0650 still.
    let t = trip(&app, "/api/v1/trips/binh-duong:51_WD_0_0720").await;
    assert_eq!(t.stops[0].basis, Basis::Propagated);
    assert_eq!(
        t.stops[0].predicted_departure.as_deref(),
        Some("2026-11-23T07:25:00+07:00")
    );
    assert_eq!(
        t.vehicle.as_ref().map(|v| v.id.as_str()),
        Some("binh-duong:bus-17")
    );

    // A BRT run between the nominal starts, found by its start.
    let t = trip(&app, "/api/v1/trips/binh-duong:BRT_WD_0?start=07:41:10").await;
    assert_eq!(t.start_time.as_deref(), Some("07:41:10"));
    assert_eq!(
        t.vehicle.as_ref().map(|v| v.id.as_str()),
        Some("binh-duong:brt-2")
    );
    assert!(t.vehicle.as_ref().is_some_and(|v| v.at_stop && v.layover));
    assert_eq!(t.stops[0].status, DepartureStatus::Live);
    assert_eq!(t.stops[0].scheduled_departure, "2026-11-23T07:41:10+07:00");
    assert_eq!(
        t.stops[0].predicted_departure.as_deref(),
        Some("2026-11-23T07:42:10+07:00")
    );
}
