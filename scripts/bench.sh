#!/usr/bin/env bash
# The single benchmark entry point: scripts/bench.sh [NAME...]  (default: all, in this order).
#   list5000            5,000 repositories listed with details by cctui's listing job, no latency, vs a boto3 script with 16 threads (repos bench)
#   repos5000           the same listing at 50 ms injected latency vs the AWS CLI (every one of its 200 batches run), boto3-16 and the latency floor (repos bench)
#   render5000          p99 frame time of the main screen with 5,000 repositories (render bench)
#   clone50mb           ~50 MB clone through the local service vs plain git http-backend (service bench)
#   clone-realistic     cctui's clone job vs git clone of the same URL, 5,000-commit text history (>50 MB packed, deltas) (clone bench)
#   status100k          the status job on 100,000 tracked files, 1,000 modified, vs git status (status bench)
#   status-incremental  the status refresh after 3 paths changed on the same tree, target <=50 ms (status bench)
#   log100k             the first log page (the app's page size) of a 100,000-commit history vs git log (log bench)
#   log-deep            the log page 50,000 commits down, from the app's cursor, vs git log --skip (log bench)
#   workspace2000       the workspace scan job on 2,000 clones: first rows (target <100 ms) and the full scan vs find + git status --porcelain -b per clone (workspace bench)
#   workspace-keys      keypress-to-frame p99 through the real event loop on the workspace screen while it scans the 2,000 clones, again and again (workspace bench)
#   keys                keypress-to-frame p99 through the real event loop while a 100,000-file status and a clone run (keys bench)
#   memory100k          the real binary's peak RSS with a 100,000-file clone open vs git status's (scripts/memory.sh)
#   memory5000          the same with 5,000 repositories listed too (scripts/memory.sh)
#   pulls500            500 pull requests across 50 repositories listed with details by the screen's job at 50 ms latency vs the AWS CLI (16 at a time, every call run) and the latency floor (pulls bench)
# Builds the release benchmark binaries once, then runs the named benches; each ends with one
# line `NAME: <figure> (<ratio>x PEER, target <T>)`. Unknown names are refused before anything
# runs; a bench that fails says so on its line and the others still run. Peers' figures and
# details go to stderr, kept in target/bench-logs/NAME.log.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
all=(list5000 repos5000 render5000 clone50mb clone-realistic status100k status-incremental log100k log-deep workspace2000 workspace-keys keys memory100k memory5000 pulls500)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${all[@]}")
for name in "${names[@]}"; do
  case " ${all[*]} " in
    *" $name "*) ;;
    *) echo "unknown benchmark: $name (choose ${all[*]})" >&2; exit 2 ;;
  esac
done
logs="$CARGO_TARGET_DIR/bench-logs"
mkdir -p "$logs"
benches=(--bench service --bench repos --bench render --bench clone --bench status --bench log --bench workspace --bench keys --bench pulls)
cargo bench --no-run "${benches[@]}" >/dev/null 2>&1 || cargo bench --no-run "${benches[@]}"
cargo build --release --bin cctui >/dev/null 2>&1 || cargo build --release --bin cctui
# run LOG BENCH [ARGS...]: the bench's result lines on stdout, everything it said in LOG.
run() { local log=$1; shift; cargo bench --quiet --bench "$1" -- "${@:2}" 2>"$logs/$log.log" | tee -a "$logs/$log.log" | grep -E '^[a-z0-9-]+: '; }
failed=0
for name in "${names[@]}"; do
  case "$name" in
    list5000|repos5000) run "$name" repos "$name" ;;
    render5000) run "$name" render ;;
    clone50mb) run "$name" service clone50mb ;;
    clone-realistic) run "$name" clone ;;
    status100k|status-incremental) run "$name" status "$name" ;;
    log100k|log-deep) run "$name" log | grep "^$name:" ;;
    workspace2000|workspace-keys) run "$name" workspace "$name" ;;
    keys) run "$name" keys ;;
    pulls500) run "$name" pulls ;;
    memory100k|memory5000) bash scripts/memory.sh "$name" 2>"$logs/$name.log" ;;
  esac || { echo "$name: FAILED (see $logs/$name.log)"; failed=1; }
done
exit "$failed"
