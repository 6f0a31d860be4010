//! Schedule queries on tiny hand-made feeds (`tests/fixtures/gtfs/<case>/`), one per case that
//! timetables get wrong: trips past midnight, calendars made of exceptions, frequency-based
//! trips, loops, trips without a shape, several agencies with translations, stations and
//! blocks. Every feed is a few rows, so each expected number can be checked by hand; the
//! comment at the top of each test does the arithmetic.
//!
//! All fixtures are in Asia/Ho_Chi_Minh (UTC+7, no daylight saving), so a service day starts
//! at local midnight, and `support::today()` is Monday 2026-11-23.

use backend::schedule::geo::{self, LatLon};
use backend::schedule::time::format_rfc3339;
use backend::schedule::{Availability, Call, Field, Frequency, Schedule, StopIdx, TripIdx};
use jiff::civil::{Date, date};

use crate::support::{at, load, today};

fn stop(s: &Schedule, id: &str) -> StopIdx {
    s.stop_by_id(id)
        .unwrap_or_else(|| panic!("stop {id} is in the fixture"))
}

fn trip(s: &Schedule, id: &str) -> TripIdx {
    s.trip_by_id(id)
        .unwrap_or_else(|| panic!("trip {id} is in the fixture"))
}

/// Calls as `"<trip_id> <local departure>"`, for assertions a reader can check at a glance.
fn board(s: &Schedule, calls: &[Call]) -> Vec<String> {
    calls
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                s.trip(c.trip).id,
                format_rfc3339(c.departure, &s.timezone)
            )
        })
        .collect()
}

/// Unix seconds of local midnight starting `day` (Asia/Ho_Chi_Minh).
fn midnight(day: Date) -> i64 {
    at(&format!("{day}T00:00:00+07:00"))
}

const DAY: i64 = 86_400;

#[test]
fn after_midnight_trip_belongs_to_the_service_day_it_started() {
    // T-LATE runs on Mondays only: A 23:50:00, B 24:10:00, C 24:40:00. Monday 23rd's run
    // reaches B on Tuesday 24th at 00:10 and C at 00:40, still as service date Monday 23rd.
    // Tuesday's service does not run it, so Wednesday 00:00–01:00 is empty. C is the last
    // stop: an arrival, not a departure, so only `calls` has it.
    let s = load("after-midnight");
    let (a, b, c) = (stop(&s, "A"), stop(&s, "B"), stop(&s, "C"));
    let t = trip(&s, "T-LATE");
    let times: Vec<(u32, u32)> = s
        .trip_stop_times(t)
        .iter()
        .map(|st| (st.arrival, st.departure))
        .collect();
    assert_eq!(
        times,
        [(85_800, 85_800), (87_000, 87_000), (88_800, 88_800)],
        "23:50, 24:10 and 24:40 in seconds since the service day's start"
    );
    assert_eq!(s.max_time_of_day(), 88_800);

    let tue = midnight(date(2026, 11, 24));
    let deps = s.departures(&[b], tue, tue + 3600);
    assert_eq!(board(&s, &deps), ["T-LATE 2026-11-24T00:10:00+07:00"]);
    assert_eq!(deps[0].service_date, today());
    assert_eq!(deps[0].arrival, at("2026-11-24T00:10:00+07:00"));
    assert_eq!(deps[0].frequency, None);

    let wed = midnight(date(2026, 11, 25));
    assert_eq!(board(&s, &s.departures(&[b], wed, wed + 3600)), [""; 0]);

    assert_eq!(board(&s, &s.departures(&[c], tue, tue + 3600)), [""; 0]);
    let calls = s.calls(&[c], tue, tue + 3600);
    assert_eq!(board(&s, &calls), ["T-LATE 2026-11-24T00:40:00+07:00"]);
    assert_eq!(calls[0].service_date, today());
    assert_eq!(calls[0].arrival, at("2026-11-24T00:40:00+07:00"));

    let deps = s.departures(&[a], at("2026-11-23T23:45:00+07:00"), tue);
    assert_eq!(board(&s, &deps), ["T-LATE 2026-11-23T23:50:00+07:00"]);
    assert_eq!(deps[0].service_date, today());
}

#[test]
fn service_defined_only_by_calendar_dates_runs_on_its_added_dates() {
    // No calendar.txt: service SPECIAL is added on Mon 23 and Wed 25 November only. T1 leaves
    // A at 08:00, so a whole-day board at A has one departure on the 23rd and the 25th and
    // none on the 24th or 26th; the feed's service span is 23rd–25th.
    let s = load("calendar-dates-only");
    let a = stop(&s, "A");
    for (day, expected) in [
        (23, vec!["T1 2026-11-23T08:00:00+07:00"]),
        (24, vec![]),
        (25, vec!["T1 2026-11-25T08:00:00+07:00"]),
        (26, vec![]),
    ] {
        let from = midnight(date(2026, 11, day));
        assert_eq!(
            board(&s, &s.departures(&[a], from, from + DAY)),
            expected,
            "2026-11-{day}"
        );
    }
    assert_eq!(
        s.service_span,
        Some((date(2026, 11, 23), date(2026, 11, 25)))
    );
    assert_eq!(s.services.len(), 1);
    assert_eq!(s.services[0].range, None);
    assert_eq!(
        s.services[0].added,
        [date(2026, 11, 23), date(2026, 11, 25)]
    );
}

#[test]
fn calendar_dates_remove_and_add_days_to_a_weekly_pattern() {
    // Service WD runs Monday to Friday through 2026; calendar_dates.txt removes Tuesday 24
    // November and adds Saturday 28. T1 leaves A at 08:00 whenever WD runs.
    let s = load("removed-date");
    let a = stop(&s, "A");
    for (day, runs) in [
        (23, true),  // Monday
        (24, false), // Tuesday, removed
        (25, true),  // Wednesday
        (28, true),  // Saturday, added
        (29, false), // Sunday
    ] {
        let d = date(2026, 11, day);
        let from = midnight(d);
        let expected: Vec<String> = if runs {
            vec![format!("T1 {d}T08:00:00+07:00")]
        } else {
            vec![]
        };
        assert_eq!(
            board(&s, &s.departures(&[a], from, from + DAY)),
            expected,
            "{d}"
        );
        assert_eq!(
            s.service_active(s.trip(trip(&s, "T1")).service, d),
            runs,
            "{d}"
        );
    }
    // 2026-01-01 and 2026-12-31 are both Thursdays.
    assert_eq!(s.service_span, Some((date(2026, 1, 1), date(2026, 12, 31))));
}

#[test]
fn call_of_finds_the_call_the_board_query_returns() {
    // The other way round from the board: realtime names a trip instance (trip, service date,
    // start for frequency-based trips) and a stop time; `call_of` gives the same `Call`.
    let s = load("frequencies");
    let (a, b, c) = (stop(&s, "A"), stop(&s, "B"), stop(&s, "C"));
    let day = midnight(today());
    let calls = s.calls(&[a, b, c], day, day + DAY);
    assert_eq!(calls.len(), 4 * 3 + 3 * 3);
    for call in &calls {
        let start = call.frequency.map(|(_, start)| start);
        assert_eq!(
            s.call_of(call.trip, call.stop_time, call.service_date, start),
            Some(*call)
        );
    }
    // An `exact_times=0` run may start between the nominal starts: F-FLEX leaving A at
    // 06:02:13 reaches B ten minutes later, in the 06:00–07:00 window.
    let flex = trip(&s, "F-FLEX");
    let at_b = s.trip(flex).stop_times.start + 1;
    let start = 6 * 3600 + 133;
    let off_grid = s.call_of(flex, at_b, today(), Some(start)).expect("a call");
    assert_eq!(off_grid.departure, at("2026-11-23T06:12:13+07:00"));
    assert_eq!(
        off_grid.frequency,
        Some((s.trip(flex).frequencies.start, start))
    );
    assert!(s.can_board(&off_grid));
    // A frequency-based trip needs its start; a stop time of another trip is no call of it.
    assert_eq!(s.call_of(flex, at_b, today(), None), None);
    let exact = trip(&s, "F-EXACT");
    assert_eq!(s.call_of(exact, at_b, today(), Some(10 * 3600)), None);
    // The last stop is an arrival: nobody boards there.
    let last = s
        .call_of(flex, at_b + 1, today(), Some(start))
        .expect("a call");
    assert!(!s.can_board(&last));
}

#[test]
fn frequency_based_trips_expand_into_instances() {
    // F-FLEX: template A 06:00, B 06:10, C 06:20; frequencies.txt 06:00–07:00 every 900 s,
    // exact_times=0. Instances start 06:00, 06:15, 06:30, 06:45 (07:00 is the window's
    // exclusive end) and reach B 10 minutes later: 06:10, 06:25, 06:40, 06:55. From 06:26 on,
    // only 06:40 and 06:55 remain.
    // F-EXACT: template A 00:00, B 00:05, C 00:15 (only the differences count); 10:00–10:30
    // every 600 s, exact_times=1: starts 10:00, 10:10, 10:20, so B at 10:05, 10:15, 10:25
    // and C (the last stop, arrival only) at 10:15, 10:25, 10:35.
    let s = load("frequencies");
    let (a, b, c) = (stop(&s, "A"), stop(&s, "B"), stop(&s, "C"));
    let flex = trip(&s, "F-FLEX");
    let exact = trip(&s, "F-EXACT");
    assert!(s.trip(flex).is_frequency_based());
    assert_eq!(
        s.trip_frequencies(flex),
        [Frequency {
            trip: flex,
            start: 6 * 3600,
            end: 7 * 3600,
            headway_secs: 900,
            exact_times: false,
        }]
    );
    assert_eq!(
        s.trip_frequencies(exact),
        [Frequency {
            trip: exact,
            start: 10 * 3600,
            end: 10 * 3600 + 1800,
            headway_secs: 600,
            exact_times: true,
        }]
    );

    let deps = s.departures(
        &[b],
        at("2026-11-23T06:00:00+07:00"),
        at("2026-11-23T07:00:00+07:00"),
    );
    assert_eq!(
        board(&s, &deps),
        [
            "F-FLEX 2026-11-23T06:10:00+07:00",
            "F-FLEX 2026-11-23T06:25:00+07:00",
            "F-FLEX 2026-11-23T06:40:00+07:00",
            "F-FLEX 2026-11-23T06:55:00+07:00",
        ]
    );
    let window = s.trip(flex).frequencies.start;
    let instances: Vec<Option<(u32, u32)>> = deps.iter().map(|c| c.frequency).collect();
    assert_eq!(
        instances,
        [0, 900, 1800, 2700].map(|k| Some((window, 6 * 3600 + k)))
    );
    assert!(deps.iter().all(|c| c.service_date == today()));

    let late = s.departures(
        &[b],
        at("2026-11-23T06:26:00+07:00"),
        at("2026-11-23T07:00:00+07:00"),
    );
    assert_eq!(
        board(&s, &late),
        [
            "F-FLEX 2026-11-23T06:40:00+07:00",
            "F-FLEX 2026-11-23T06:55:00+07:00",
        ]
    );

    let (ten, eleven) = (
        at("2026-11-23T10:00:00+07:00"),
        at("2026-11-23T11:00:00+07:00"),
    );
    assert_eq!(
        board(&s, &s.departures(&[a], ten, eleven)),
        [
            "F-EXACT 2026-11-23T10:00:00+07:00",
            "F-EXACT 2026-11-23T10:10:00+07:00",
            "F-EXACT 2026-11-23T10:20:00+07:00",
        ]
    );
    let at_b = s.departures(&[b], ten, eleven);
    assert_eq!(
        board(&s, &at_b),
        [
            "F-EXACT 2026-11-23T10:05:00+07:00",
            "F-EXACT 2026-11-23T10:15:00+07:00",
            "F-EXACT 2026-11-23T10:25:00+07:00",
        ]
    );
    let exact_window = s.trip(exact).frequencies.start;
    assert_eq!(
        at_b.iter().map(|c| c.frequency).collect::<Vec<_>>(),
        [0, 600, 1200].map(|k| Some((exact_window, 10 * 3600 + k)))
    );
    assert_eq!(board(&s, &s.departures(&[c], ten, eleven)), [""; 0]);
    assert_eq!(
        board(&s, &s.calls(&[c], ten, eleven)),
        [
            "F-EXACT 2026-11-23T10:15:00+07:00",
            "F-EXACT 2026-11-23T10:25:00+07:00",
            "F-EXACT 2026-11-23T10:35:00+07:00",
        ]
    );
}

#[test]
fn loop_route_places_the_shared_first_and_last_stop_at_both_ends_of_the_shape() {
    // Shape SQUARE: 0.01° a side from L1 (11.00 N, 106.60 E) east to L2, north to L3, west to
    // L4 and south back to L1, the stops on its corners. East 1091.5 m (0.01 × 109.15 km),
    // north 1111.95 m, west 1091.5 m (11.01 N: a hair shorter), south 1111.95 m: L1 0 m,
    // L2 1091.5, L3 2203.5, L4 3295.0, L1 again 4406.9 m. The trip calls at L1 twice, at
    // 08:00 and at 08:20; only the first is a departure.
    let s = load("loop-route");
    let l1 = stop(&s, "L1");
    let t = trip(&s, "LOOP-1");
    let shape = &s.shapes[s.trip(t).shape.expect("every trip has a shape").index()];
    assert_eq!(shape.id.as_deref(), Some("SQUARE"));
    let length = shape.line.length_m();
    assert!((length - 4406.9).abs() < 1.0, "shape length {length}");

    let sts = s.trip_stop_times(t);
    let dists: Vec<f64> = sts.iter().map(|st| f64::from(st.dist_m)).collect();
    for (got, want) in dists.iter().zip([0.0, 1091.5, 2203.5, 3295.0, length]) {
        assert!((got - want).abs() <= 5.0, "dist_m {dists:?}");
    }
    assert!(
        dists.windows(2).all(|w| w[0] < w[1]),
        "strictly increasing: {dists:?}"
    );

    let from = midnight(today());
    let deps = s.departures(&[l1], from, from + DAY);
    assert_eq!(board(&s, &deps), ["LOOP-1 2026-11-23T08:00:00+07:00"]);
    assert_eq!(deps[0].stop_time, s.trip(t).stop_times.start);
    let calls = s.calls(&[l1], from, from + DAY);
    assert_eq!(
        board(&s, &calls),
        [
            "LOOP-1 2026-11-23T08:00:00+07:00",
            "LOOP-1 2026-11-23T08:20:00+07:00",
        ]
    );
    assert_eq!(calls[1].stop_time + 1, s.trip(t).stop_times.end);
}

#[test]
fn trip_without_shape_gets_a_straight_line_and_interpolated_times() {
    // N1..N4 lie on the parallel 11° N, 0.005° of longitude apart: 545.76 m each
    // (0.005 × 109.15 km), so dist_m is 0, 545.8, 1091.5, 1637.3. NS-1 has times only at N1
    // (07:00:00) and N4 (07:15:00); equal spacing puts N2 at a third of the 900 s, 07:05:00,
    // and N3 at 07:10:00. NS-2 (all times given) has the same stops, so the same line.
    let s = load("no-shape");
    let ns1 = trip(&s, "NS-1");
    let ns2 = trip(&s, "NS-2");
    let shape_idx = s.trip(ns1).shape.expect("a straight-line shape");
    assert_eq!(
        s.trip(ns2).shape,
        Some(shape_idx),
        "same pattern, same shape"
    );
    assert_eq!(s.shapes.len(), 1);
    let shape = &s.shapes[shape_idx.index()];
    assert_eq!(shape.id, None);
    assert_eq!(shape.line.points.len(), 4);

    let positions: Vec<LatLon> = ["N1", "N2", "N3", "N4"]
        .iter()
        .map(|id| {
            s.stop(stop(&s, id))
                .position
                .expect("stops have coordinates")
        })
        .collect();
    let mut straight = vec![0.0];
    for w in positions.windows(2) {
        straight.push(straight[straight.len() - 1] + geo::distance_m(w[0], w[1]));
    }
    for t in [ns1, ns2] {
        let sts = s.trip_stop_times(t);
        for (k, st) in sts.iter().enumerate() {
            let d = f64::from(st.dist_m);
            assert!(
                (d - straight[k]).abs() <= 1.0,
                "stop {k}: {d} vs {straight:?}"
            );
            assert!((d - 545.76 * k as f64).abs() <= 1.0, "stop {k}: {d}");
        }
    }

    let sts = s.trip_stop_times(ns1);
    let times: Vec<(u32, u32)> = sts.iter().map(|st| (st.arrival, st.departure)).collect();
    assert_eq!(
        times,
        [
            (25_200, 25_200),
            (25_500, 25_500),
            (25_800, 25_800),
            (26_100, 26_100)
        ],
        "07:00, 07:05, 07:10, 07:15"
    );
    let interpolated: Vec<bool> = sts.iter().map(|st| st.interpolated).collect();
    assert_eq!(interpolated, [false, true, true, false]);
    assert!(s.trip_stop_times(ns2).iter().all(|st| !st.interpolated));

    // The interpolated time is a real departure (board at N2 from 07:00 to 09:00).
    let from = at("2026-11-23T07:00:00+07:00");
    assert_eq!(
        board(&s, &s.departures(&[stop(&s, "N2")], from, from + 7200)),
        [
            "NS-1 2026-11-23T07:05:00+07:00",
            "NS-2 2026-11-23T08:04:00+07:00",
        ]
    );
}

#[test]
fn routes_point_to_their_own_agency() {
    // Two agencies with agency_id: BECAMEX runs route 39 (R-BTK), PHUONG-TRANG route 52
    // (R-PT). Each route's trips are sorted by first departure (BTK-1 08:00, BTK-2 08:30,
    // though trips.txt lists BTK-2 first).
    let s = load("several-agencies");
    assert_eq!(s.agencies.len(), 2);
    for (route, agency) in [("R-BTK", "BECAMEX"), ("R-PT", "PHUONG-TRANG")] {
        let r = s.route_by_id(route).expect("route in fixture");
        assert_eq!(&*s.agencies[s.route(r).agency.index()].id, agency);
    }
    let btk = s.route_by_id("R-BTK").expect("route in fixture");
    assert_eq!(
        s.trips_of_route(btk),
        [trip(&s, "BTK-1"), trip(&s, "BTK-2")]
    );
    let pt = s.route_by_id("R-PT").expect("route in fixture");
    assert_eq!(s.trips_of_route(pt), [trip(&s, "PT-1")]);
    assert_eq!(s.lang.as_deref(), Some("vi"));
}

#[test]
fn names_are_translated_by_record_and_by_value_with_vietnamese_fallback() {
    // translations.txt: stop BX-1 and stop CHO by record_id in en and ja; the headsign
    // "Chợ Thủ Dầu Một" by field_value in en and ja. Stop SS, the station BX and the headsign
    // "Bến xe Thủ Dầu Một" have no translation and stay Vietnamese. The feed is in vi, so
    // asking for vi gives the names as written.
    let s = load("several-agencies");
    let bx1 = stop(&s, "BX-1");
    assert_eq!(s.stop_name(bx1, "en"), "Thu Dau Mot Bus Station Bay 1");
    assert_eq!(
        s.stop_name(bx1, "ja"),
        "トゥーザウモット・バスターミナル 1番乗り場"
    );
    assert_eq!(s.stop_name(bx1, "en-GB"), "Thu Dau Mot Bus Station Bay 1");
    assert_eq!(s.stop_name(bx1, "vi"), "Bến xe Thủ Dầu Một – Sân 1");
    let cho = stop(&s, "CHO");
    assert_eq!(s.stop_name(cho, "en"), "Thu Dau Mot Market");
    assert_eq!(s.stop_name(cho, "ja"), "トゥーザウモット市場");
    assert_eq!(s.stop_name(stop(&s, "SS"), "en"), "Ngã tư Sở Sao");
    assert_eq!(s.stop_name(stop(&s, "SS"), "ja"), "Ngã tư Sở Sao");
    assert_eq!(s.stop_name(stop(&s, "BX"), "en"), "Bến xe Thủ Dầu Một");
    assert_eq!(s.stop_name(cho, "fr"), "Chợ Thủ Dầu Một");

    let first_call = |id: &str| s.trip_stop_times(trip(&s, id))[0];
    let to_market = first_call("BTK-1");
    assert_eq!(s.headsign(&to_market), Some("Chợ Thủ Dầu Một"));
    assert_eq!(s.headsign_in(&to_market, "en"), Some("Thu Dau Mot Market"));
    assert_eq!(
        s.headsign_in(&to_market, "ja"),
        Some("トゥーザウモット市場")
    );
    assert_eq!(
        s.headsign_in(&first_call("BTK-2"), "en"),
        Some("Bến xe Thủ Dầu Một")
    );
    assert_eq!(
        s.translate(Field::TripHeadsign, "any-trip", "Chợ Thủ Dầu Một", "en"),
        "Thu Dau Mot Market",
        "a field_value translation applies to every record with that text"
    );
}

#[test]
fn station_platforms_are_its_children_and_inherit_wheelchair_boarding() {
    // Station BX (location_type 1, wheelchair_boarding 1) has platforms BX-1 (blank: inherits
    // 1, Available) and BX-2 (2, NotAvailable stays). CHO has no parent and a blank value.
    // The board of the station covers both platforms: BTK-1 at 08:00 from BX-1, PT-1 at 09:00
    // from BX-2; BTK-2 ends at BX-1 (08:45), so it is not a departure.
    let s = load("several-agencies");
    let (bx, bx1, bx2) = (stop(&s, "BX"), stop(&s, "BX-1"), stop(&s, "BX-2"));
    assert_eq!(s.children(bx), [bx1, bx2]);
    assert_eq!(s.children(bx1), []);
    assert_eq!(s.stop(bx1).parent, Some(bx));
    assert_eq!(s.stop(bx2).parent, Some(bx));
    assert_eq!(s.stop(bx).wheelchair_boarding, Availability::Available);
    assert_eq!(s.stop(bx1).wheelchair_boarding, Availability::Available);
    assert_eq!(s.stop(bx2).wheelchair_boarding, Availability::NotAvailable);
    assert_eq!(
        s.stop(stop(&s, "CHO")).wheelchair_boarding,
        Availability::InformationNotAvailable
    );

    let from = midnight(today());
    assert_eq!(
        board(
            &s,
            &s.departures(&s.stop_and_children(bx), from, from + DAY)
        ),
        [
            "BTK-1 2026-11-23T08:00:00+07:00",
            "PT-1 2026-11-23T09:00:00+07:00",
        ]
    );
}

#[test]
fn next_trip_in_block_follows_departure_order_on_days_the_service_runs() {
    // BTK-1 (08:00–08:15) and BTK-2 (08:30–08:45) share block BLOCK-7 and service WD
    // (Monday–Friday). On Monday 23rd the bus runs BTK-2 after BTK-1 and nothing after
    // BTK-2; on Sunday 29th the service does not run. PT-1 has no block.
    let s = load("several-agencies");
    let (btk1, btk2) = (trip(&s, "BTK-1"), trip(&s, "BTK-2"));
    assert_eq!(s.blocks.len(), 1);
    assert_eq!(&*s.blocks[0].id, "BLOCK-7");
    assert_eq!(s.blocks[0].trips, [btk1, btk2]);
    assert_eq!(s.next_trip_in_block(btk1, today()), Some(btk2));
    assert_eq!(s.next_trip_in_block(btk2, today()), None);
    assert_eq!(s.next_trip_in_block(btk1, date(2026, 11, 29)), None);
    assert_eq!(s.next_trip_in_block(trip(&s, "PT-1"), today()), None);
}
