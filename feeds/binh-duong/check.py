#!/usr/bin/env python3
"""Consistency checks for the illustrative Binh Duong GTFS sample feed (stdlib only).

    python3 feeds/binh-duong/check.py      # prints summary counts and OK, exit 1 on any problem
"""

import csv
import datetime
import math
import os
import re
import sys
from collections import defaultdict

DIR = os.path.dirname(os.path.abspath(__file__))
ERRORS = []

REQUIRED = ["agency.txt", "routes.txt", "stops.txt", "trips.txt", "stop_times.txt", "calendar.txt",
            "calendar_dates.txt", "shapes.txt", "frequencies.txt", "fare_attributes.txt", "fare_rules.txt",
            "feed_info.txt", "translations.txt"]
EXPECTED_HOLIDAYS = ["2026-01-01", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",
                     "2026-04-27", "2026-04-30", "2026-05-01", "2026-09-02", "2027-01-01", "2027-02-05",
                     "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11",
                     "2027-04-30", "2027-09-02"]
STOP_TOL_M = 25.0
LAYOVER = (5 * 60, 15 * 60)


def err(msg):
    if len(ERRORS) < 200:
        ERRORS.append(msg)


def load(name):
    path = os.path.join(DIR, name)
    raw = open(path, "rb").read()
    if raw.startswith(b"\xef\xbb\xbf"):
        err("%s: has a UTF-8 BOM" % name)
    if b"\r" in raw:
        err("%s: contains CR characters (need LF line endings)" % name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        err("%s: not UTF-8 (%s)" % (name, e))
        return []
    if not text.endswith("\n"):
        err("%s: no final newline" % name)
    rows = list(csv.DictReader(text.splitlines()))
    if not text.splitlines() or not text.splitlines()[0]:
        err("%s: missing header" % name)
    return rows


def hav(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def seg_dist(p, a, b):
    """Distance (m) from p to segment ab and the fraction along it, local planar approximation."""
    k = math.pi / 180 * 6371008.8
    c = math.cos(math.radians(a[0]))
    bx, by = (b[1] - a[1]) * k * c, (b[0] - a[0]) * k
    px, py = (p[1] - a[1]) * k * c, (p[0] - a[0]) * k
    L2 = bx * bx + by * by
    t = 0.0 if L2 == 0 else max(0.0, min(1.0, (px * bx + py * by) / L2))
    return math.hypot(px - t * bx, py - t * by), t


def secs(t, where):
    m = re.fullmatch(r"(\d{2,}):([0-5]\d):([0-5]\d)", t or "")
    if not m:
        err("%s: bad time %r" % (where, t))
        return None
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))


def unique(rows, key, name):
    seen = set()
    for r in rows:
        k = tuple(r[x] for x in key) if isinstance(key, tuple) else r[key]
        if k in seen:
            err("%s: duplicate id %r" % (name, k))
        seen.add(k)
    return seen


def luminance(hexcol):
    def ch(v):
        v = v / 255.0
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hexcol[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)


def main():
    for f in REQUIRED:
        if not os.path.exists(os.path.join(DIR, f)):
            err("missing %s" % f)
    if ERRORS:
        return
    T = {f: load(f) for f in REQUIRED}
    agency, routes, stops, trips = T["agency.txt"], T["routes.txt"], T["stops.txt"], T["trips.txt"]
    st, shapes_rows, cal, caldates = T["stop_times.txt"], T["shapes.txt"], T["calendar.txt"], T["calendar_dates.txt"]
    freq, fa, fr, info, tr = (T["frequencies.txt"], T["fare_attributes.txt"], T["fare_rules.txt"],
                              T["feed_info.txt"], T["translations.txt"])

    # --- ids and references
    agency_ids = unique(agency, "agency_id", "agency.txt")
    for a in agency:
        if a["agency_timezone"] != "Asia/Ho_Chi_Minh":
            err("agency %s timezone %s" % (a["agency_id"], a["agency_timezone"]))
    route_ids = unique(routes, "route_id", "routes.txt")
    stop_by_id = {s["stop_id"]: s for s in stops}
    unique(stops, "stop_id", "stops.txt")
    trip_by_id = {t["trip_id"]: t for t in trips}
    unique(trips, "trip_id", "trips.txt")
    service_ids = unique(cal, "service_id", "calendar.txt")
    unique(fa, "fare_id", "fare_attributes.txt")
    unique(shapes_rows, ("shape_id", "shape_pt_sequence"), "shapes.txt")
    unique(st, ("trip_id", "stop_sequence"), "stop_times.txt")
    for r in routes:
        if r["agency_id"] not in agency_ids:
            err("route %s: unknown agency %s" % (r["route_id"], r["agency_id"]))
        if r["route_type"] != "3":
            err("route %s: route_type %s" % (r["route_id"], r["route_type"]))
        for c in ("route_color", "route_text_color"):
            if not re.fullmatch(r"[0-9A-Fa-f]{6}", r[c]):
                err("route %s: bad %s %r" % (r["route_id"], c, r[c]))
        l1, l2 = luminance(r["route_color"]), luminance(r["route_text_color"])
        ratio = (max(l1, l2) + 0.05) / (min(l1, l2) + 0.05)
        if ratio < 3.0:
            err("route %s: colour contrast %.1f too low" % (r["route_id"], ratio))
    for s in stops:
        lt = s["location_type"] or "0"
        if s["parent_station"]:
            p = stop_by_id.get(s["parent_station"])
            if p is None or p["location_type"] != "1":
                err("stop %s: parent %s missing or not a station" % (s["stop_id"], s["parent_station"]))
            if lt != "0":
                err("stop %s: child with location_type %s" % (s["stop_id"], lt))
        if lt == "1" and s["parent_station"]:
            err("station %s has a parent" % s["stop_id"])
        if not (10.7 < float(s["stop_lat"]) < 11.3 and 106.5 < float(s["stop_lon"]) < 106.9):
            err("stop %s outside Binh Duong / Thu Duc box" % s["stop_id"])
        if s["wheelchair_boarding"] not in ("0", "1", "2"):
            err("stop %s wheelchair_boarding %r" % (s["stop_id"], s["wheelchair_boarding"]))
    stations = {s["stop_id"] for s in stops if s["location_type"] == "1"}
    for sid in stations:
        if not any(s["parent_station"] == sid for s in stops):
            err("station %s has no child stops" % sid)
    shape_pts = defaultdict(list)
    for r in shapes_rows:
        shape_pts[r["shape_id"]].append((int(r["shape_pt_sequence"]), float(r["shape_pt_lat"]),
                                         float(r["shape_pt_lon"]), float(r["shape_dist_traveled"])))
    for t in trips:
        if t["route_id"] not in route_ids:
            err("trip %s: unknown route" % t["trip_id"])
        if t["service_id"] not in service_ids:
            err("trip %s: unknown service" % t["trip_id"])
        if t["shape_id"] not in shape_pts:
            err("trip %s: unknown shape %s" % (t["trip_id"], t["shape_id"]))
        if t["direction_id"] not in ("0", "1"):
            err("trip %s: direction_id %r" % (t["trip_id"], t["direction_id"]))
    for r in caldates:
        if r["service_id"] not in service_ids:
            err("calendar_dates: unknown service %s" % r["service_id"])
    for r in fr:
        if r["fare_id"] not in {x["fare_id"] for x in fa}:
            err("fare_rules: unknown fare %s" % r["fare_id"])
        if r["route_id"] not in route_ids:
            err("fare_rules: unknown route %s" % r["route_id"])
    for r in fa:
        if r["agency_id"] not in agency_ids or r["currency_type"] != "VND":
            err("fare %s: bad agency/currency" % r["fare_id"])
    for rid in route_ids:
        if not any(r["route_id"] == rid for r in fr):
            err("route %s has no fare rule" % rid)

    # --- shapes: sequence and metres
    shapes = {}
    for sid, pts in shape_pts.items():
        pts.sort()
        seqs = [p[0] for p in pts]
        if seqs != sorted(set(seqs)):
            err("shape %s: sequence not strictly increasing" % sid)
        cum = 0.0
        for i, p in enumerate(pts):
            if i:
                d = hav(pts[i - 1][1:3], p[1:3])
                cum += d
                if d > 250:
                    err("shape %s: %.0f m gap between points %d and %d" % (sid, d, i, i + 1))
                if p[3] < pts[i - 1][3]:
                    err("shape %s: shape_dist_traveled decreases at %d" % (sid, p[0]))
            if abs(cum - p[3]) > 1.0 + 0.001 * cum:
                err("shape %s: shape_dist_traveled %.1f != haversine %.1f m at point %d" % (sid, p[3], cum, p[0]))
                break
        shapes[sid] = [(p[1], p[2]) for p in pts], [p[3] for p in pts]

    def point_at(sid, dist):
        pts, cum = shapes[sid]
        for i in range(len(pts) - 1):
            if cum[i + 1] >= dist:
                seg = cum[i + 1] - cum[i]
                f = 0 if seg == 0 else (dist - cum[i]) / seg
                return (pts[i][0] + (pts[i + 1][0] - pts[i][0]) * f, pts[i][1] + (pts[i + 1][1] - pts[i][1]) * f)
        return pts[-1]

    def min_dist(sid, p):
        pts, _ = shapes[sid]
        return min(seg_dist(p, pts[i], pts[i + 1])[0] for i in range(len(pts) - 1))

    # --- stop_times
    by_trip = defaultdict(list)
    for r in st:
        if r["trip_id"] not in trip_by_id:
            err("stop_times: unknown trip %s" % r["trip_id"])
            continue
        if r["stop_id"] not in stop_by_id:
            err("stop_times: unknown stop %s" % r["stop_id"])
            continue
        by_trip[r["trip_id"]].append(r)
    used_stops = set()
    trip_span = {}
    checked_patterns = {}
    past_midnight = []
    for tid, rows in by_trip.items():
        t = trip_by_id[tid]
        seqs = [int(r["stop_sequence"]) for r in rows]
        if seqs != sorted(seqs) or len(set(seqs)) != len(seqs):
            err("trip %s: stop_sequence not strictly increasing" % tid)
        rows.sort(key=lambda r: int(r["stop_sequence"]))
        prev, prevdist = None, -1.0
        for i, r in enumerate(rows):
            used_stops.add(r["stop_id"])
            if stop_by_id[r["stop_id"]]["location_type"] == "1":
                err("trip %s uses station %s" % (tid, r["stop_id"]))
            a = secs(r["arrival_time"], tid)
            d = secs(r["departure_time"], tid)
            if a is None or d is None:
                continue
            if a > d:
                err("trip %s seq %s: arrival after departure" % (tid, r["stop_sequence"]))
            if prev is not None and a < prev:
                err("trip %s seq %s: time goes backwards" % (tid, r["stop_sequence"]))
            prev = d
            if a >= 86400 and tid not in past_midnight:
                past_midnight.append(tid)
            dist = float(r["shape_dist_traveled"])
            if dist < prevdist:
                err("trip %s seq %s: shape_dist_traveled decreases" % (tid, r["stop_sequence"]))
            prevdist = dist
            if i == 0 and (r["drop_off_type"] != "1" or r["timepoint"] != "1"):
                err("trip %s: first stop drop_off_type/timepoint" % tid)
            if i == len(rows) - 1 and (r["pickup_type"] != "1" or r["timepoint"] != "1"):
                err("trip %s: last stop pickup_type/timepoint" % tid)
            if 0 < i < len(rows) - 1:
                if r["pickup_type"] != "0" or r["drop_off_type"] != "0":
                    err("trip %s seq %s: pickup/drop_off not 0" % (tid, r["stop_sequence"]))
                if d - a > 60:
                    err("trip %s seq %s: dwell %d s" % (tid, r["stop_sequence"], d - a))
        # geometry once per (shape, stop pattern)
        key = (t["shape_id"], tuple((r["stop_id"], r["shape_dist_traveled"]) for r in rows))
        if key not in checked_patterns:
            checked_patterns[key] = True
            pts, cum = shapes[t["shape_id"]]
            for r in rows:
                s = stop_by_id[r["stop_id"]]
                p = (float(s["stop_lat"]), float(s["stop_lon"]))
                dd = float(r["shape_dist_traveled"])
                if dd > cum[-1] + 1:
                    err("trip %s: shape_dist %.0f beyond shape end" % (tid, dd))
                off = hav(p, point_at(t["shape_id"], dd))
                if off > STOP_TOL_M:
                    err("trip %s: stop %s is %.0f m from its shape_dist_traveled point" % (tid, r["stop_id"], off))
                if min_dist(t["shape_id"], p) > STOP_TOL_M:
                    err("trip %s: stop %s farther than %d m from shape" % (tid, r["stop_id"], STOP_TOL_M))
        first, last = rows[0], rows[-1]
        t0 = secs(first["departure_time"], tid)
        t1 = secs(last["arrival_time"], tid)
        km = (float(last["shape_dist_traveled"]) - float(first["shape_dist_traveled"])) / 1000
        if t0 is not None and t1 is not None:
            trip_span[tid] = (t0, t1, first["stop_id"], last["stop_id"])
            kmh = km / ((t1 - t0) / 3600) if t1 > t0 else 999
            if not 12 <= kmh <= 45:
                err("trip %s: average speed %.1f km/h" % (tid, kmh))
        # circular / loop: first and last stop equal when the shape is closed
        pts, _ = shapes[t["shape_id"]]
        if hav(pts[0], pts[-1]) < 1 and first["stop_id"] != last["stop_id"]:
            err("loop trip %s: first and last stop differ" % tid)
    for t in trips:
        if t["trip_id"] not in by_trip:
            err("trip %s has no stop_times" % t["trip_id"])
    for s in stops:
        if s["location_type"] in ("", "0") and s["stop_id"] not in used_stops:
            err("stop %s is not used by any trip" % s["stop_id"])
    if not past_midnight:
        err("no trip runs past 24:00:00")
    loops = [t for t in trips if t["trip_id"] in trip_span and trip_span[t["trip_id"]][2] == trip_span[t["trip_id"]][3]]
    if not loops:
        err("no circular trip (first stop == last stop)")

    # --- frequencies
    freq_trips = defaultdict(list)
    for r in freq:
        if r["trip_id"] not in trip_by_id:
            err("frequencies: unknown trip %s" % r["trip_id"])
            continue
        freq_trips[r["trip_id"]].append((secs(r["start_time"], "freq"), secs(r["end_time"], "freq"),
                                         int(r["headway_secs"]), r["exact_times"]))
    for tid, wins in freq_trips.items():
        wins.sort()
        if wins[0][0] != 5 * 3600 or wins[-1][1] != 22 * 3600:
            err("frequencies %s: does not cover 05:00-22:00" % tid)
        for (a, b, h, x), nxt in zip(wins, wins[1:] + [None]):
            if b <= a or (nxt and nxt[0] != b):
                err("frequencies %s: windows not contiguous/non-overlapping" % tid)
            if h not in (300, 600, 900) or x not in ("", "0"):
                err("frequencies %s: headway %d exact_times %r" % (tid, h, x))
        if tid in trip_span and trip_span[tid][0] != wins[0][0]:
            err("frequencies %s: template does not start at first window" % tid)
        if trip_by_id[tid]["block_id"]:
            err("frequency trip %s has a block_id" % tid)

    # --- blocks
    blocks = defaultdict(list)
    for t in trips:
        if t["block_id"]:
            if t["trip_id"] in freq_trips:
                continue
            blocks[(t["service_id"], t["block_id"])].append(trip_span[t["trip_id"]] + (t["trip_id"],))
    layovers = []
    for key, bl in blocks.items():
        bl.sort()
        for a, b in zip(bl, bl[1:]):
            if b[0] < a[1]:
                err("block %s: %s overlaps %s" % (key, a[4], b[4]))
            same = a[3] == b[2] or (stop_by_id[a[3]]["parent_station"] and
                                    stop_by_id[a[3]]["parent_station"] == stop_by_id[b[2]]["parent_station"])
            if not same:
                err("block %s: %s ends at %s but %s starts at %s" % (key, a[4], a[3], b[4], b[2]))
            lay = b[0] - a[1]
            layovers.append(lay)
            if not LAYOVER[0] <= lay <= LAYOVER[1]:
                err("block %s: layover %d s between %s and %s" % (key, lay, a[4], b[4]))

    # --- calendar
    for c in cal:
        if (c["start_date"], c["end_date"]) != ("20260101", "20301231"):
            err("calendar %s dates" % c["service_id"])
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    pattern = {c["service_id"]: [c[d] for d in days] for c in cal}
    if pattern.get("WD") != ["1"] * 5 + ["0"] * 2 or pattern.get("WE") != ["0"] * 5 + ["1"] * 2:
        err("calendar WD/WE day pattern wrong")
    cd = defaultdict(dict)
    for r in caldates:
        day = datetime.datetime.strptime(r["date"], "%Y%m%d").date()
        cd[day][r["service_id"]] = r["exception_type"]
        if day.weekday() >= 5:
            err("calendar_dates %s is a weekend day" % r["date"])
    expected = {datetime.date.fromisoformat(d) for d in EXPECTED_HOLIDAYS}
    expected = {d for d in expected if d.weekday() < 5}
    if set(cd) != expected:
        err("calendar_dates holiday set differs: missing %s extra %s" % (
            sorted(str(d) for d in expected - set(cd)), sorted(str(d) for d in set(cd) - expected)))
    for day, m in cd.items():
        if m != {"WD": "2", "WE": "1"}:
            err("calendar_dates %s: expected WD removed + WE added, got %s" % (day, m))

    # --- translations
    tr_rec = defaultdict(set)
    tr_val = defaultdict(set)
    for r in tr:
        if bool(r["record_id"]) == bool(r["field_value"]):
            err("translations: need exactly one of record_id/field_value: %s" % r)
        if r["record_id"]:
            tr_rec[(r["table_name"], r["field_name"], r["record_id"])].add(r["language"])
        else:
            tr_val[(r["table_name"], r["field_name"], r["field_value"])].add(r["language"])
        if not r["translation"]:
            err("translations: empty translation %s" % r)
    need = [("stops", "stop_name", s["stop_id"]) for s in stops] + \
           [("routes", "route_long_name", r["route_id"]) for r in routes] + \
           [("agency", "agency_name", a["agency_id"]) for a in agency]
    for k in need:
        if not {"en", "ja"} <= tr_rec.get(k, set()):
            err("missing en/ja translation for %s" % (k,))
    for hs in {t["trip_headsign"] for t in trips}:
        if not {"en", "ja"} <= tr_val.get(("trips", "trip_headsign", hs), set()):
            err("missing en/ja translation for headsign %r" % hs)
    for (table, field, rid) in tr_rec:
        ids = {"stops": stop_by_id, "routes": route_ids, "agency": agency_ids, "trips": trip_by_id}.get(table)
        if ids is None or rid not in ids:
            err("translation for unknown record %s/%s" % (table, rid))

    # --- feed_info
    fi = info[0] if info else {}
    if "illustrative" not in fi.get("feed_publisher_name", "") or fi.get("feed_start_date") != "20260101" or \
            fi.get("feed_end_date") != "20301231" or fi.get("feed_lang") != "vi":
        err("feed_info fields")

    # --- sizes
    total = sum(os.path.getsize(os.path.join(DIR, f)) for f in os.listdir(DIR))
    if total > 2_000_000:
        err("directory is %d bytes (> 2 MB)" % total)
    if not 10000 <= len(st) <= 40000:
        err("stop_times has %d rows" % len(st))
    if not 80 <= len(stops) <= 150:
        err("stops.txt has %d rows" % len(stops))

    print("stops: %d (%d stations, %d stops/platforms)" % (len(stops), len(stations), len(stops) - len(stations)))
    print("routes: %d" % len(routes))
    print("trips: %d (%d frequency templates, %d blocks)" % (len(trips), len(freq_trips), len(blocks)))
    print("stop_times: %d" % len(st))
    print("shapes: %d, shape points: %d" % (len(shapes), len(shapes_rows)))
    print("layovers: %d-%d min; trips past midnight: %s" % (
        min(layovers) // 60, max(layovers) // 60, ", ".join(sorted(past_midnight))))
    print("directory size: %d bytes" % total)


if __name__ == "__main__":
    main()
    if ERRORS:
        for e in ERRORS:
            print("ERROR:", e)
        sys.exit(1)
    print("OK")
