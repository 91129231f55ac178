#!/usr/bin/env bash
# memory100k: the real binary's peak resident memory (VmHWM) with a 100,000-file clone open
# (status read, log page, watcher set up), against `git status`'s peak on the same tree.
# Prints `memory100k: <MB> (<ratio>x git-status, target <=50MB)`. Needs tmux and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CCTUI_BIN:-$PWD/target/release/cctui}"
[ -x "$bin" ] || cargo build --release --bin cctui >/dev/null 2>&1
work=$(mktemp -d /tmp/cctui-memory.XXXXXX)
trap 'tmux -L cctui-memory kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
repo="$work/repo"
mkdir -p "$repo"
git -C "$repo" init -q -b main
# 1,000 directories of 100 files, one commit, then 1,000 files modified.
python3 - <<'PY' | git -C "$repo" fast-import --quiet
import sys
out = sys.stdout
out.write("commit refs/heads/main\ncommitter B <b@example.com> 1600000000 +0000\ndata 4\nbig\n")
for d in range(1000):
    for f in range(100):
        body = f"file {d}/{f}\n"
        out.write(f"M 100644 inline d{d:04}/f{f:03}.txt\ndata {len(body)}\n{body}\n")
out.write("\n")
PY
git -C "$repo" checkout -q -f main
for d in $(seq 0 999); do echo changed >> "$repo/$(printf 'd%04d/f%03d.txt' "$d" 0)"; done
git -C "$repo" status --porcelain >/dev/null   # warm the page cache and the index stat data
git_kb=$( { /usr/bin/time -f '%M' git -C "$repo" status --porcelain >/dev/null; } 2>&1 | tail -1)
home="$work/home"; mkdir -p "$home"
tmux -L cctui-memory new-session -d -s m -x 120 -y 32 \
  "env -i PATH=$PATH TERM=xterm-256color HOME=$home AWS_ACCESS_KEY_ID=AKIACCTUIDEMO0000001 AWS_SECRET_ACCESS_KEY=x AWS_REGION=us-east-1 $bin --endpoint-url http://127.0.0.1:9 -C $repo"
# Wait (on the screen, not a timer) until the status pane shows the read status.
for _ in $(seq 1 600); do
  screen=$(tmux -L cctui-memory capture-pane -p -t m 2>/dev/null || true)
  if grep -q "Status · main" <<<"$screen" && ! grep -q "reading…" <<<"$screen" && grep -q "d0999/f000.txt\|mod d0" <<<"$screen"; then break; fi
  sleep 0.1
done
pid=""
for p in $(pgrep -x cctui); do
  if tr '\0' ' ' < "/proc/$p/cmdline" | grep -q -- "-C $repo"; then pid=$p; fi
done
[ -n "$pid" ] || { echo "memory100k: cctui is not running" >&2; exit 1; }
ours_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
tmux -L cctui-memory send-keys -t m q
echo "memory100k: cctui peak ${ours_kb} kB ($bin), git status peak ${git_kb} kB" >&2
awk -v o="$ours_kb" -v g="$git_kb" 'BEGIN { printf "memory100k: %.0f MB (%.2fx git-status, target <=50MB)\n", o/1024, o/g }'
