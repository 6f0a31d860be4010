# The two commands of the README, and the steps they share.
#   make run    start the system with the sample Binh Duong network on http://127.0.0.1:8080
#   make test   the whole test suite (what CI runs, via .ci/run)
# Pass server flags with ARGS, e.g. make run ARGS="--listen 0.0.0.0:8080".

ARGS ?=

.PHONY: run test web setup

run: web
	cargo run -p backend -- serve $(ARGS)

test: web
	.ci/setup e2e
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p backend --test e2e -- -D warnings
	cargo clippy -p frontend --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings
	cargo clippy -p frontend --lib --target wasm32-unknown-unknown --no-default-features --features hydrate,console-bundle -- -D warnings
	cargo test --workspace
	cargo test -p backend --test e2e
	.ci/oba-conformance
	# Our GTFS-Realtime output through an independent validator (PyPI gtfs-rt-validator): no errors.
	BACKEND=target/debug/backend scripts/gtfs-rt-validate.sh feeds/binh-duong 3 5

# The browser bundle of the web app (target/site/pkg).
web: setup
	.ci/build-web

# Installs the wasm target, wasm-bindgen-cli and the OneBusAway SDK's venv, once (`make test`
# also runs `.ci/setup e2e`: Debian's chromium and chromium-driver for the end-to-end tests).
setup:
	.ci/setup
