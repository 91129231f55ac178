#!/usr/bin/env bash
# Runs the local service benchmarks: scripts/bench.sh [list5000|clone50mb]  (default: all).
# Builds the release benchmark binary once, then runs the named bench(es); each prints one
# line `NAME: <figure> (<ratio>x PEER, target <T>)`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo bench --no-run --bench service >/dev/null 2>&1 || cargo bench --no-run --bench service
cargo bench --quiet --bench service -- "$@" 2>/dev/null | grep -E '^[a-z0-9]+: '
