# The two commands of the README, and the steps they share.
#   make run    start the system with the sample Binh Duong network on http://127.0.0.1:8080
#   make test   the whole test suite (what CI runs, via .ci/run)
# Pass server flags with ARGS, e.g. make run ARGS="--listen 0.0.0.0:8080".

ARGS ?=

.PHONY: run test web setup

run: web
	cargo run -p backend -- serve $(ARGS)

test: web
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p frontend --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings
	cargo test --workspace
	.ci/oba-conformance

# The browser bundle of the web app (target/site/pkg).
web: setup
	.ci/build-web

# Installs the wasm target, wasm-bindgen-cli and the OneBusAway SDK's venv, once.
setup:
	.ci/setup
