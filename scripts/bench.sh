#!/usr/bin/env bash
# The single benchmark entry point: scripts/bench.sh [NAME...]  (default: all).
#   list5000   5,000 repositories listed with details through the SDK     (service bench)
#   clone50mb  ~50 MB clone through the local service vs plain git http-backend (service bench)
#   repos5000  5,000 repositories at 50 ms latency via cctui::aws vs the AWS CLI (repos bench)
#   render5000 p99 frame time of the main screen with 5,000 repositories    (render bench)
#   status100k working-tree status, 100,000 tracked files, 1,000 modified, vs git status (status bench)
#   log100k    time to the first log page of a 100,000-commit history vs git log -n 50 (log bench)
# Builds the release benchmark binaries once, then runs the named benches; each ends with one
# line `NAME: <figure> (<ratio>x PEER, target <T>)`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(list5000 clone50mb repos5000 render5000 status100k log100k)
cargo bench --no-run --bench service --bench repos --bench render --bench status --bench log >/dev/null 2>&1 || cargo bench --no-run --bench service --bench repos --bench render --bench status --bench log
for name in "${names[@]}"; do
  case "$name" in
    list5000|clone50mb) cargo bench --quiet --bench service -- "$name" 2>/dev/null | grep -E '^[a-z0-9]+: ' ;;
    repos5000) cargo bench --quiet --bench repos 2>/dev/null | grep -E '^[a-z0-9]+: ' ;;
    render5000) cargo bench --quiet --bench render 2>/dev/null | grep -E '^[a-z0-9]+: ' ;;
    status100k) cargo bench --quiet --bench status 2>/dev/null | grep -E '^[a-z0-9]+: ' ;;
    log100k) cargo bench --quiet --bench log 2>/dev/null | grep -E '^[a-z0-9]+: ' ;;
    *) echo "unknown benchmark: $name (choose list5000, clone50mb, repos5000, render5000, status100k, log100k)" >&2; exit 2 ;;
  esac
done
