#!/usr/bin/env bash
# The single benchmark entry point: scripts/bench.sh [NAME...]  (default: all).
#   list5000         5,000 repositories listed with details through the SDK (service bench)
#   clone50mb        ~50 MB clone through the local service vs plain git http-backend (service bench)
#   repos5000        5,000 repositories at 50 ms latency via cctui::aws vs the AWS CLI (repos bench)
#   render5000       p99 frame time of the main screen with 5,000 repositories (render bench)
#   clone50mb-cctui  ~50 MB clone through cctui::git::clone vs git clone, same service URL (clone bench)
#   status100k       the status job on 100,000 tracked files, 1,000 modified, vs git status (status bench)
#   status-incremental  the status refresh after 3 paths changed on the same tree, target <=50 ms (status bench)
#   log100k          the first log page (the app's page size) of a 100,000-commit history vs git log (log bench)
#   log-deep         the log page 50,000 commits down, from the app's cursor, vs git log --skip (log bench)
#   memory100k       the real binary's peak RSS with a 100,000-file clone open vs git status's (scripts/memory.sh)
# Builds the release benchmark binaries once, then runs the named benches; each ends with one
# line `NAME: <figure> (<ratio>x PEER, target <T>)`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(list5000 clone50mb repos5000 render5000 clone50mb-cctui status100k status-incremental log100k log-deep memory100k)
benches=(--bench service --bench repos --bench render --bench clone --bench status --bench log)
cargo bench --no-run "${benches[@]}" >/dev/null 2>&1 || cargo bench --no-run "${benches[@]}"
run() { cargo bench --quiet --bench "$1" -- "${@:2}" 2>/dev/null | grep -E '^[a-z0-9-]+: '; }
for name in "${names[@]}"; do
  case "$name" in
    list5000|clone50mb) run service "$name" ;;
    repos5000) run repos ;;
    render5000) run render ;;
    clone50mb-cctui) run clone ;;
    status100k) run status status100k ;;
    status-incremental) run status status-incremental ;;
    log100k) run log | grep '^log100k:' ;;
    log-deep) run log | grep '^log-deep:' ;;
    memory100k) bash scripts/memory.sh 2>/dev/null ;;
    *) echo "unknown benchmark: $name (choose list5000, clone50mb, repos5000, render5000, clone50mb-cctui, status100k, status-incremental, log100k, log-deep, memory100k)" >&2; exit 2 ;;
  esac
done
