#!/usr/bin/env bash
# Property-based check of the JSON API against its own OpenAPI document (/api/v1/openapi.json):
# schemathesis generates requests from the document and checks that no answer is a server error
# and every status, content type, header and body is one the document allows.
#
#   scripts/schemathesis.sh [MAX_EXAMPLES]
#
# Serves the sample network (with its simulated buses) on a free port, installs schemathesis
# (PyPI, pinned) once into target/schemathesis-venv, and runs it with a fixed seed. Path
# parameters get real ids of the sample feed, so requests reach the handlers. Not run by
# `make test` (it needs PyPI and Python); about 10 s once installed.
#
# Left out: the SSE stream (never ends), the operator push (needs a configured source) and the
# operator endpoints (need an operator's token; checked by tests/it/openapi.rs);
# the checks of how strictly parameters are validated, since the document cannot say that
# `q` excludes `lat`/`lon` or that `width` only matters for `.txt`.
set -euo pipefail
cd "$(dirname "$0")/.."

examples="${1:-30}"
venv="$PWD/target/schemathesis-venv"
if [[ ! -x "$venv/bin/schemathesis" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==4.32.5"
fi

cargo build -p backend
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=18431
target/debug/backend serve --listen "127.0.0.1:$port" --data-dir "$work/data" \
  --site-dir "$work/site" --rate-limit 0 >"$work/serve.log" 2>&1 &
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 1
done

cat >"$work/schemathesis.toml" <<'TOML'
[parameters]
stop_id = "binh-duong:BD2081"
route_id = "binh-duong:51"
trip_id = "binh-duong:51_WD_0_0650"
file = "binh-duong:ST_HIKARI.json"
TOML
# From the temporary directory: schemathesis and hypothesis leave their caches in the current one.
cd "$work"
"$venv/bin/schemathesis" --config-file "$work/schemathesis.toml" run \
  "http://127.0.0.1:$port/api/v1/openapi.json" \
  --exclude-path-regex 'stream|realtime|operator' \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --max-examples "$examples" --seed 1 --workers 2 --no-color --generation-database none
