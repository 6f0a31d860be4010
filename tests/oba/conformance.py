#!/usr/bin/env python3
"""Conformance of /api/where with OneBusAway's official Python SDK (PyPI `onebusaway`).

Every implemented endpoint is called through the SDK with strict response validation, so each
answer must parse into the SDK's pydantic models; the script then checks what the sample
network guarantees (non-empty lists, ids prefixed with the agency id, live predictions from
the simulated buses, references that hold what entries point to, errors as the SDK's
exceptions).

Usage: conformance.py BASE_URL [KEY]   (run by .ci/oba-conformance against `backend serve`).
"""

import sys
import time

import onebusaway
from onebusaway import OnebusawaySDK

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
KEY = sys.argv[2] if len(sys.argv) > 2 else "TEST"
AGENCY = "becamex-tokyu"
HIKARI = (11.058272, 106.683555)  # the Hikari transfer terminal's bay BD2081
STOP = f"{AGENCY}_BD2081"
ROUTE = f"{AGENCY}_51"

client = OnebusawaySDK(api_key=KEY, base_url=BASE, _strict_response_validation=True, max_retries=0)
failures = []
checked = []


def check(name):
    def run(f):
        started = time.monotonic()
        try:
            f()
            checked.append(name)
            print(f"ok   {name} ({(time.monotonic() - started) * 1000:.0f} ms)")
        except Exception as e:  # noqa: BLE001 - every failure is reported, then the run fails
            failures.append(name)
            print(f"FAIL {name}: {type(e).__name__}: {e}")
        return f

    return run


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def raw(model):
    """The answer as JSON (fields the SDK's models do not declare included)."""
    return model.to_dict(use_api_names=True)


def envelope(r):
    expect(r.code == 200 and r.version == 2 and r.text == "OK", f"envelope {r.code} {r.text}")
    expect(r.current_time > 1_600_000_000_000, f"currentTime in ms: {r.current_time}")


def decode_polyline(points):
    coords, i, lat, lon = [], 0, 0, 0
    while i < len(points):
        for which in (0, 1):
            shift = result = 0
            while True:
                b = ord(points[i]) - 63
                i += 1
                result |= (b & 0x1F) << shift
                shift += 5
                if b < 0x20:
                    break
            delta = ~(result >> 1) if result & 1 else result >> 1
            if which == 0:
                lat += delta
            else:
                lon += delta
        coords.append((lat / 1e5, lon / 1e5))
    return coords


state = {}


@check("current-time")
def _():
    r = client.current_time.retrieve()
    envelope(r)
    expect(abs(r.data.entry.time - r.current_time) < 60_000, "time is the server's now, in ms")


@check("agencies-with-coverage")
def _():
    r = client.agencies_with_coverage.list()
    envelope(r)
    ids = [a.agency_id for a in r.data.list]
    expect(AGENCY in ids, f"{AGENCY} in {ids}")
    expect(sorted(a.id for a in r.data.references.agencies) == sorted(ids), "agencies referenced")
    expect(all(a.lat_span > 0 and a.lon_span > 0 for a in r.data.list), "coverage spans")


@check("agency")
def _():
    r = client.agency.retrieve(AGENCY)
    envelope(r)
    expect(r.data.entry.id == AGENCY and r.data.entry.timezone == "Asia/Ho_Chi_Minh", "agency")


@check("stops-for-location")
def _():
    r = client.stops_for_location.list(lat=HIKARI[0], lon=HIKARI[1], radius=400)
    envelope(r)
    ids = [s.id for s in r.data.list]
    expect(STOP in ids, f"{STOP} near Hikari: {ids}")
    expect(all(i.startswith(AGENCY + "_") for i in ids), "ids start with the agency id")
    expect(r.data.limit_exceeded is False, "all within maxCount")
    refs = {x.id for x in r.data.references.routes}
    expect(refs == {x for s in r.data.list for x in s.route_ids}, "routes referenced = stops' routes")
    one = client.stops_for_location.list(lat=HIKARI[0], lon=HIKARI[1], radius=400, extra_query={"maxCount": 1})
    expect(len(one.data.list) == 1 and one.data.limit_exceeded is True, "maxCount=1 → limitExceeded")
    box = client.stops_for_location.list(lat=HIKARI[0], lon=HIKARI[1], lat_span=0.01, lon_span=0.01)
    expect(STOP in [s.id for s in box.data.list], "latSpan/lonSpan box")


@check("stop")
def _():
    r = client.stop.retrieve(STOP)
    envelope(r)
    s = r.data.entry
    expect(s.id == STOP and s.name and s.route_ids and s.location_type == 0, f"stop {s}")
    expect(s.parent.startswith(AGENCY + "_"), "the bay's station, as an id")
    expect({x.id for x in r.data.references.routes} == set(s.route_ids), "routes referenced")
    en = client.stop.retrieve(STOP, extra_query={"lang": "en"})
    expect(en.data.entry.name != s.name, f"lang=en translates: {en.data.entry.name!r}")


@check("stops-for-route")
def _():
    r = client.stops_for_route.list(ROUTE, include_polylines=True)
    envelope(r)
    e = raw(r.data.entry)
    expect(e["routeId"] == ROUTE and STOP in e["stopIds"], "route's stops")
    expect(e["stopIds"] == sorted(e["stopIds"]), "stopIds sorted")
    groups = e["stopGroupings"][0]["stopGroups"]
    expect(e["stopGroupings"][0]["type"] == "direction" and len(groups) == 2, "two directions")
    for g in groups:
        expect(g["stopIds"] and g["name"]["name"], f"group {g['id']}")
        p = g["polylines"][0]
        expect(len(decode_polyline(p["points"])) == p["length"] > 10, "polyline decodes")
    expect(set(e["stopIds"]) == {s.id for s in r.data.references.stops}, "stops referenced")
    bare = client.stops_for_route.list(ROUTE, include_polylines=False)
    expect(not raw(bare.data.entry)["polylines"], "includePolylines=false")


@check("route")
def _():
    r = client.route.retrieve(ROUTE)
    envelope(r)
    expect(r.data.entry.short_name == "51" and r.data.entry.type == 3, "route 51, a bus")
    expect([a.id for a in r.data.references.agencies] == [AGENCY], "its agency referenced")


@check("routes-for-agency")
def _():
    r = client.routes_for_agency.list(AGENCY)
    envelope(r)
    ids = [x.id for x in r.data.list]
    expect(ROUTE in ids and all(x.agency_id == AGENCY for x in r.data.list), f"{ids}")
    state["routes"] = ids


@check("route-ids-for-agency")
def _():
    r = client.route_ids_for_agency.list(AGENCY)
    envelope(r)
    expect(r.data.list == state["routes"], "the same routes")


@check("routes-for-location")
def _():
    r = client.routes_for_location.list(lat=HIKARI[0], lon=HIKARI[1], radius=400)
    envelope(r)
    expect(ROUTE in [x.id for x in r.data.list] and r.data.out_of_range is False, "51 at Hikari")
    q = client.routes_for_location.list(lat=HIKARI[0], lon=HIKARI[1], radius=400, query="51")
    expect([x.id for x in q.data.list] == [ROUTE], "query=51")


@check("search/stop")
def _():
    r = client.search_for_stop.list(input="hikari")
    envelope(r)
    expect(r.data.list and all("Hikari" in s.name for s in r.data.list[:1]), "finds Hikari")
    v = client.search_for_stop.list(input="tram trung chuyen")
    expect(v.data.list, "without diacritics")


@check("search/route")
def _():
    r = client.search_for_route.list(input="51")
    expect(r.data.list[0].id == ROUTE, "route 51 first")


@check("stop-ids-for-agency")
def _():
    r = client.stop_ids_for_agency.list(AGENCY)
    envelope(r)
    expect(STOP in r.data.list, "the stop ids")
    state["stop_count"] = len(r.data.list)


@check("stops-for-agency")
def _():
    r = client.stops_for_agency.list(AGENCY)
    envelope(r)
    expect(len(r.data.list) == state["stop_count"], "as many stops as stop-ids-for-agency")


@check("arrivals-and-departures-for-stop (live predictions)")
def _():
    deadline = time.monotonic() + 40
    while True:
        r = client.arrival_and_departure.list(STOP, minutes_before=5, minutes_after=35)
        envelope(r)
        arrivals = r.data.entry.arrivals_and_departures
        live = [a for a in arrivals if a.predicted and a.predicted_arrival_time > 0]
        if live or time.monotonic() > deadline:
            break
        time.sleep(1)
    expect(arrivals, "arrivals at the Hikari terminal")
    expect(live, "a live prediction from the simulated buses")
    for a in arrivals:
        expect(0 <= a.stop_sequence < a.total_stops_in_trip, "stopSequence is a 0-based index")
        expect(a.scheduled_arrival_time > 1_600_000_000_000, "times in ms")
        expect(a.service_date <= a.scheduled_arrival_time, "serviceDate is the day's start")
        expect(a.trip_id.startswith(AGENCY + "_") and a.route_id.startswith(AGENCY + "_"), "ids")
        if not a.predicted:
            expect(a.predicted_arrival_time == 0 == a.predicted_departure_time, "0 when scheduled")
    expect({a.trip_id for a in arrivals} <= {t.id for t in r.data.references.trips}, "trips referenced")
    expect({a.route_id for a in arrivals} <= {x.id for x in r.data.references.routes}, "routes referenced")
    a = live[0]
    expect(a.trip_status and a.trip_status.predicted and a.vehicle_id, "live: trip status, vehicle")
    state["live"] = a


@check("arrival-and-departure-for-stop")
def _():
    a = state["live"]
    r = client.arrival_and_departure.retrieve(
        STOP, trip_id=a.trip_id, service_date=a.service_date, stop_sequence=a.stop_sequence
    )
    envelope(r)
    e = r.data.entry
    expect((e.trip_id, e.stop_sequence, e.service_date) == (a.trip_id, a.stop_sequence, a.service_date), "same call")
    expect(e.scheduled_arrival_time == a.scheduled_arrival_time, "same schedule")


@check("trip")
def _():
    r = client.trip.retrieve(state["live"].trip_id)
    envelope(r)
    t = r.data.entry
    expect(t.route_id == ROUTE and t.shape_id and t.block_id, f"trip {t}")
    state["trip"] = t


@check("trip-details")
def _():
    a = state["live"]
    r = client.trip_details.retrieve(a.trip_id, service_date=a.service_date)
    envelope(r)
    e = r.data.entry
    expect(e.trip_id == a.trip_id and e.service_date == a.service_date, "the trip instance")
    expect(e.status and e.status.predicted and e.status.phase in ("in_progress", "layover_before"), "live status")
    expect(len(e.schedule.stop_times) == a.total_stops_in_trip, "its stop times")
    expect(a.trip_id in {t.id for t in r.data.references.trips}, "includeTrip → referenced")
    bare = client.trip_details.retrieve(a.trip_id, include_schedule=False, include_status=False, include_trip=False)
    expect(bare.data.entry.schedule is None and bare.data.entry.status is None, "include*=false")


@check("vehicles-for-agency")
def _():
    r = client.vehicles_for_agency.list(AGENCY)
    envelope(r)
    on_trip = [v for v in r.data.list if v.trip_id]
    expect(on_trip, "simulated buses on trips")
    expect(all(v.vehicle_id.startswith(AGENCY + "_") for v in r.data.list), "vehicle ids")
    state["vehicle"] = on_trip[0]


@check("trip-for-vehicle")
def _():
    v = state["vehicle"]
    r = client.trip_for_vehicle.retrieve(v.vehicle_id, include_status=True)
    envelope(r)
    expect(r.data.entry.trip_id == v.trip_id, "the vehicle's trip")
    expect(r.data.entry.status.vehicle_id == v.vehicle_id, "status names the vehicle")


@check("trips-for-route")
def _():
    r = client.trips_for_route.list(ROUTE, include_status=True, include_schedule=True)
    envelope(r)
    expect(r.data.list, "trips under way on 51")
    expect(any(t.status.predicted for t in r.data.list), "some with live status")
    expect({t.trip_id for t in r.data.list} <= {t.id for t in r.data.references.trips}, "trips referenced")


@check("schedule-for-stop")
def _():
    r = client.schedule_for_stop.retrieve(STOP, date="2026-11-23")
    envelope(r)
    e = r.data.entry
    expect(e.stop_id == STOP and e.stop_route_schedules, "a weekday schedule")
    times = [t for rs in e.stop_route_schedules for d in rs.stop_route_direction_schedules for t in d.schedule_stop_times]
    expect(len(times) > 20 and all(t.arrival_time > 1_600_000_000_000 for t in times), "stop times in ms")


@check("shape")
def _():
    shape_id = state["trip"].shape_id
    r = client.shape.retrieve(shape_id)
    envelope(r)
    e = r.data.entry
    expect(len(decode_polyline(e.points)) == e.length > 10, "the encoded polyline decodes")


@check("block")
def _():
    r = client.block.retrieve(state["trip"].block_id)
    envelope(r)
    trips = [t.trip_id for c in r.data.entry.configurations for t in c.trips]
    expect(state["trip"].id in trips, "the trip is in its block")


@check("arrivals-and-departures-for-location")
def _():
    r = client.arrivals_and_departures_for_location.list(lat=HIKARI[0], lon=HIKARI[1], radius=300)
    envelope(r)
    e = r.data.entry
    expect(STOP in e.stop_ids and e.arrivals_and_departures, "arrivals around Hikari")
    expect({a.stop_id for a in e.arrivals_and_departures} <= set(e.stop_ids), "at the stops found")
    expect(all(n.distance_from_query is not None for n in e.nearby_stop_ids), "distances")
    times = [a.scheduled_departure_time for a in e.arrivals_and_departures]
    expect(times == sorted(times), "by scheduled time")


@check("schedule-for-route")
def _():
    r = client.schedule_for_route.retrieve(ROUTE, date="2026-11-23")
    envelope(r)
    e = r.data.entry
    expect(e.route_id == ROUTE and len(e.stop_trip_groupings) == 2, "two directions")
    for g in e.stop_trip_groupings:
        expect(g.trip_ids and len(g.trips_with_stop_times) == len(g.trip_ids), "trips with times")
        expect(all(st.arrival_time > 1_600_000_000_000 for t in g.trips_with_stop_times for st in t.stop_times), "ms")


@check("trips-for-location")
def _():
    r = client.trips_for_location.list(lat=11.0, lon=106.7, lat_span=0.5, lon_span=0.5)
    envelope(r)
    expect(r.data.list and all(t.status.vehicle_id for t in r.data.list), "the simulated buses' trips")


@check("situations (the simulator's service alerts)")
def _():
    # At 07:40 the simulator announces rush-hour delays on its busiest route and a moved stop.
    found = {}
    for route in client.routes_for_agency.list(AGENCY).data.list:
        r = client.trips_for_route.list(route.id, include_status=True)
        envelope(r)
        named = {i for t in r.data.list for i in (t.situation_ids or [])}
        named |= {i for t in r.data.list for i in (t.status.situation_ids or [])}
        refs = {x.id: x for x in r.data.references.situations}
        expect(named <= set(refs), "every situation named is in the references")
        found.update(refs)
    expect(len(found) == 2, f"two simulated alerts, found {sorted(found)}")
    for x in found.values():
        expect(x.id.startswith(f"{AGENCY}_"), f"agency-prefixed id {x.id}")
        expect(x.summary and x.summary.value and x.summary.lang, "a summary with its language")
        expect(x.all_affects and x.consequences and x.active_windows, "affects, consequence, windows")
        expect(all(w.from_ > 1_600_000_000_000 for w in x.active_windows), "windows in ms")


@check("config")
def _():
    r = client.config.retrieve()
    envelope(r)
    expect(r.data.entry.service_date_from and r.data.entry.service_date_to, "service dates")


@check("report-problem-with-stop")
def _():
    r = client.report_problem_with_stop.retrieve(
        STOP, code="stop_location_wrong", user_comment="conformance", user_lat=HIKARI[0], user_lon=HIKARI[1]
    )
    envelope(r)


@check("report-problem-with-trip")
def _():
    t = state["trip"]
    r = client.report_problem_with_trip.retrieve(
        t.id, code="vehicle_came_late", stop_id=STOP, user_on_vehicle=False, user_comment="conformance"
    )
    envelope(r)


@check("401 without a valid key")
def _():
    bad = OnebusawaySDK(api_key="wrong", base_url=BASE, _strict_response_validation=True, max_retries=0)
    try:
        bad.current_time.retrieve()
    except onebusaway.AuthenticationError as e:
        expect(e.body["code"] == 401 and e.body["text"], "401 envelope")
        return
    raise AssertionError("no AuthenticationError")


@check("404 unknown stop")
def _():
    try:
        client.stop.retrieve(f"{AGENCY}_NO_SUCH_STOP")
    except onebusaway.NotFoundError as e:
        expect(e.body["code"] == 404, "404 envelope")
        return
    raise AssertionError("no NotFoundError")


@check("400 bad parameter")
def _():
    try:
        client.stops_for_location.list(lat=999, lon=HIKARI[1])
    except onebusaway.BadRequestError as e:
        expect(e.body["code"] == 400 and "lat" in e.body["text"], f"says what to fix: {e.body}")
        return
    raise AssertionError("no BadRequestError")


print(f"{len(checked)} checks passed, {len(failures)} failed")
if failures:
    print("failed: " + ", ".join(failures))
    sys.exit(1)
