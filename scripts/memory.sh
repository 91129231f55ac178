#!/usr/bin/env bash
# The real release binary's peak resident memory (VmHWM) against `git status`'s peak on the
# same 100,000-file tree (1,000 files modified). scripts/memory.sh [NAME...]  (default: both)
#   memory100k  a 100,000-file clone open (status read, log page, watcher set up), no listing
#               (the endpoint answers nothing); target <= 50 MB
#   memory5000  the same clone open AND 5,000 repositories listed from a `cctui serve` on
#               127.0.0.1 (seeded in its store's layout); target <= 80 MB
# Prints `NAME: <MB> (<ratio>x git-status, target <=...MB)` per name; details on stderr.
# Needs tmux and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(memory100k memory5000)
for name in "${names[@]}"; do
  case "$name" in
    memory100k|memory5000) ;;
    *) echo "unknown memory benchmark: $name (choose memory100k, memory5000)" >&2; exit 2 ;;
  esac
done
bin="${CCTUI_BIN:-$PWD/target/release/cctui}"
[ -x "$bin" ] || cargo build --release --bin cctui >/dev/null 2>&1
work=$(mktemp -d /tmp/cctui-memory.XXXXXX)
serve_pid=""
cleanup() {
  tmux -L cctui-memory kill-server 2>/dev/null || true
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
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

# run_cctui ENDPOINT SECRET [WANT_LISTED]: starts the TUI in tmux on the clone, waits (on the screen,
# not a timer) until the status is read and, when WANT_LISTED is given, that many
# repositories are listed; prints the process's VmHWM in kB and quits it.
run_cctui() {
  local endpoint=$1 secret=$2 listed=${3:-} home="$work/home" screen="" pid="" p
  mkdir -p "$home"
  tmux -L cctui-memory new-session -d -s m -x 120 -y 32 \
    "env -i PATH=$PATH TERM=xterm-256color HOME=$home AWS_ACCESS_KEY_ID=AKIACCTUIDEMO0000001 AWS_SECRET_ACCESS_KEY=$secret AWS_REGION=us-east-1 $bin --endpoint-url $endpoint -C $repo"
  local ready=""
  for _ in $(seq 1 1200); do
    screen=$(tmux -L cctui-memory capture-pane -p -t m 2>/dev/null || true)
    if grep -q "Status · main" <<<"$screen" && ! grep -q "reading…" <<<"$screen" && grep -q "d0999/f000.txt\|mod d0" <<<"$screen"; then
      if [ -z "$listed" ] || { grep -q "Repositories · $listed " <<<"$screen" && ! grep -q "Loading…" <<<"$screen"; }; then
        ready=1; break
      fi
    fi
    sleep 0.1
  done
  for p in $(pgrep -x cctui); do
    if tr '\0' ' ' < "/proc/$p/cmdline" | grep -q -- "-C $repo"; then pid=$p; fi
  done
  [ -n "$pid" ] || { echo "cctui is not running" >&2; return 1; }
  [ -n "$ready" ] || { echo "cctui never showed the expected screen:" >&2; echo "$screen" >&2; return 1; }
  awk '/VmHWM/ {print $2}' "/proc/$pid/status"
  tmux -L cctui-memory send-keys -t m q
  for _ in $(seq 1 100); do [ -d "/proc/$pid" ] || break; sleep 0.05; done
  tmux -L cctui-memory kill-server 2>/dev/null || true
}

report() { # NAME OURS_KB TARGET_MB
  echo "$1: cctui peak $2 kB ($bin), git status peak ${git_kb} kB ($(git --version))" >&2
  awk -v n="$1" -v o="$2" -v g="$git_kb" -v t="$3" \
    'BEGIN { printf "%s: %.0f MB (%.2fx git-status, target <=%sMB)\n", n, o/1024, o/g, t }'
}

for name in "${names[@]}"; do
  case "$name" in
    memory100k)
      ours_kb=$(run_cctui http://127.0.0.1:9 x)
      report memory100k "$ours_kb" 50
      ;;
    memory5000)
      data="$work/data"
      # 5,000 empty repositories written in the store's layout (meta/<id>.json beside
      # repos/<id>.git, as tests/support/aws_local.rs's aws_seed_store), before the service
      # opens the directory: CreateRepository would pay one fsync each.
      python3 - "$data" <<'PY'
import json, os, sys, time, uuid
data = sys.argv[1]
config = ("[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n"
          "[http]\n\treceivepack = true\n\tuploadpack = true\n[receive]\n\tdenyDeleteCurrent = false\n")
os.makedirs(f"{data}/meta")
now = round(time.time(), 3)
for i in range(5000):
    rid = str(uuid.uuid4())
    bare = f"{data}/repos/{rid}.git"
    for d in ("objects/info", "objects/pack", "refs/heads", "refs/tags", "info"):
        os.makedirs(f"{bare}/{d}")
    for f, text in (("HEAD", "ref: refs/heads/master\n"), ("config", config),
                    ("description", "Repository of the cctui local service\n")):
        with open(f"{bare}/{f}", "w") as fh:
            fh.write(text)
    meta = {"id": rid, "name": f"bench-{i:05}", "description": f"Seeded repository {i}",
            "creation_date": now, "last_modified_date": now, "default_branch": None,
            "kms_key_id": "alias/aws/codecommit", "tags": {}, "triggers": [],
            "triggers_configuration_id": str(uuid.uuid4())}
    with open(f"{data}/meta/{rid}.json", "w") as fh:
        json.dump(meta, fh)
PY
      port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
      "$bin" serve --port "$port" --data-dir "$data" >"$work/serve.log" 2>&1 &
      serve_pid=$!
      for _ in $(seq 1 200); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.05
      done
      # The local service's public demo secret (src/local/config.rs), not a real one.
      ours_kb=$(run_cctui "http://127.0.0.1:$port" cctuiDemoSecretKey/OnlyForTheLocalService00 5000)
      kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; serve_pid=""
      report memory5000 "$ours_kb" 80
      ;;
  esac
done
