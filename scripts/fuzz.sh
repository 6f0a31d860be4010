#!/usr/bin/env bash
# Fuzzes realtime ingest: arbitrary bytes → decode → validate → Pipeline → snapshot, against the
# loop-route fixture feed (fuzz/fuzz_targets/ingest.rs). Not part of CI.
#
#   scripts/fuzz.sh [SECONDS]     default 300
#
# Installs cargo-fuzz if missing. The toolchain is stable: libFuzzer's -Z flags are allowed
# with RUSTC_BOOTSTRAP=1. Seeds: fuzz/seeds/ingest, plus the GTFS-Realtime conformance vectors
# of ../shared/data when this machine has them. The growing corpus stays in
# fuzz/corpus/ingest (not committed); crashes land in fuzz/artifacts/ingest.
set -euo pipefail

seconds="${1:-300}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/fuzz"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz…"
    cargo install cargo-fuzz --locked
fi

corpus="corpus/ingest"
mkdir -p "$corpus"
cp -n seeds/ingest/*.pb "$corpus/" 2>/dev/null || true
vectors="$root/../shared/data/gtfs-rt-vectors"
if [ -d "$vectors" ]; then
    find "$vectors" -name '*.pb' -size -1024k | while read -r f; do
        cp -n "$f" "$corpus/$(basename "$(dirname "$f")")-$(basename "$f")" 2>/dev/null || true
    done
fi

export RUSTC_BOOTSTRAP=1
# No AddressSanitizer: the code under test is safe Rust, and coverage-guided speed matters
# more. Panics, overflows (debug assertions are on) and timeouts are what we look for.
exec cargo fuzz run --sanitizer none ingest "$corpus" -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -print_final_stats=1
