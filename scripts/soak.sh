#!/usr/bin/env bash
# Soak test: the real cctui binary in tmux against `cctui serve` with latency, 5xx, throttling
# and cut git transfers injected, driven with tmux send-keys (listing, clone, commit, push,
# fetch, branch create/delete on CodeCommit) while a second client (git, and the AWS CLI when
# installed) creates, pushes, clones and deletes beside it. Loopback only, bounded in time.
#
#   SOAK_SECONDS=300 scripts/soak.sh        # default 300 s of load
#   CCTUI_BIN=target/release/cctui scripts/soak.sh
#   SOAK_KEEP=1 scripts/soak.sh             # keep the work folder for a post-mortem
#
# It fails only on real breakage: the service stops answering, a git process outlives it,
# `git fsck` fails in a repository of the data dir, an acknowledged write is missing (also
# after a restart), a partial clone stays on disk, or the TUI dies or stops answering keys.
# Slow steps under load are counted, not failed. Figures are printed at the end.
set -uo pipefail
cd "$(dirname "$0")/.."

SOAK_SECONDS=${SOAK_SECONDS:-300}
bin=${CCTUI_BIN:-}
if [ -z "$bin" ]; then
  bin=target/debug/cctui
  if [ -x target/release/cctui ] && [ target/release/cctui -nt "$bin" ]; then bin=target/release/cctui; fi
fi
[ -x "$bin" ] || { echo "soak: no cctui binary at $bin (cargo build first)"; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
for tool in tmux git; do
  command -v "$tool" >/dev/null || { echo "soak: $tool is required"; exit 2; }
done
have_aws=0
command -v aws >/dev/null 2>&1 && have_aws=1

work=$(mktemp -d /tmp/cctui-soak.XXXXXX)
data=$work/data
home=$work/home
clones=$home/codecommit
mkdir -p "$home" "$work/client"
session=cctui-soak-$$
# A tmux server of our own: an existing one would start the TUI with its environment, not ours.
tm() { tmux -u -L "$session" "$@"; }
cap_ms=
serve_pid=
client_pid=
: >"$work/failures"

now_ms() { date +%s%3N; }
fail() { echo "FAIL: $*" | tee -a "$work/failures"; }
note() { echo "soak: $*"; }

cleanup() {
  tm kill-server 2>/dev/null
  rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$session"
  [ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
  wait 2>/dev/null
  if [ -n "${SOAK_KEEP:-}" ]; then echo "soak: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# One environment for every client: sandboxed git, the demo key, cctui as git's helper.
export HOME=$home XDG_CONFIG_HOME=$home/.config XDG_STATE_HOME=$home/.state XDG_DATA_HOME=$home/.data
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
export AWS_ACCESS_KEY_ID=AKIACCTUIDEMO0000001
export AWS_SECRET_ACCESS_KEY=cctuiDemoSecretKey/OnlyForTheLocalService00
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=$home/aws-config AWS_SHARED_CREDENTIALS_FILE=$home/aws-credentials
unset AWS_PROFILE AWS_SESSION_TOKEN
export LANG=C.UTF-8 LC_ALL=C.UTF-8
export TERM=${TERM:-xterm-256color}
[ "$TERM" = dumb ] && export TERM=xterm-256color
git config --global credential.helper "!$bin credential-helper"
git config --global credential.useHttpPath true
git config --global user.name "Soak Test"
git config --global user.email soak@example.com
git config --global init.defaultBranch main

# --- the service -----------------------------------------------------------------------------
start_service() { # extra flags…
  "$bin" serve --port "${port:-0}" --data-dir "$data" --seed demo "$@" >"$work/serve.out" 2>"$work/serve.err" &
  serve_pid=$!
  local deadline=$(($(now_ms) + 30000))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    port=$(sed -n 's/^READY //p' "$work/serve.out")
    [ -n "$port" ] && return 0
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$work/serve.err"
  return 1
}
faults=(--latency-ms 15 --error-rate 0.03 --throttle-rate 0.03 --drop-after-bytes 20000 --drop-rate 0.5
  --fault-seed 11 --stall-timeout 20 --header-timeout 20)
start_service "${faults[@]}" || { echo "soak: cctui serve did not start"; exit 1; }
endpoint=http://127.0.0.1:$port
url() { echo "$endpoint/v1/repos/$1"; }
note "service on $endpoint, data in $data, binary $bin, ${SOAK_SECONDS}s"

# The demo seed gives an empty repository to work in and a large one to clone.
WORK=empty-repo
BIG=cctui-demo
retry() { # attempts command…: runs until success; counts the extra attempts
  local attempts=$1 n=1
  shift
  until "$@"; do
    [ "$n" -ge "$attempts" ] && return 1
    n=$((n + 1))
    echo retry >>"$work/retries"
    sleep 0.2
  done
}
seed=$work/seed
git init -q "$seed" && echo "soak" >"$seed/README" && git -C "$seed" add README &&
  git -C "$seed" commit -qm "soak: first commit"
retry 10 git -C "$seed" push -q "$(url $WORK)" main 2>>"$work/client.log" || {
  echo "soak: cannot push the first commit"
  exit 1
}

# --- the second client -----------------------------------------------------------------------
deadline_ms=$(($(now_ms) + SOAK_SECONDS * 1000))
second_client() {
  local i=0 dir
  while [ "$(now_ms)" -lt "$deadline_ms" ]; do
    i=$((i + 1))
    dir=$work/client/c$i
    git init -q "$dir" && echo "$i" >"$dir/f" && git -C "$dir" add f && git -C "$dir" commit -qm "client $i"
    local sha
    sha=$(git -C "$dir" rev-parse HEAD)
    if [ "$have_aws" = 1 ]; then
      local name=cli-$i
      if retry 3 aws --endpoint-url "$endpoint" codecommit create-repository --repository-name "$name" >/dev/null 2>>"$work/client.log"; then
        echo "$name" >>"$work/acked-created"
        echo op >>"$work/ops-client"
        if retry 3 git -C "$dir" push -q "$(url "$name")" main 2>>"$work/client.log"; then
          echo "$name main $sha" >>"$work/acked-pushed"
          echo op >>"$work/ops-client"
          rm -rf "$dir.clone"
          if retry 3 git clone -q "$(url "$name")" "$dir.clone" 2>>"$work/client.log"; then echo op >>"$work/ops-client"; fi
          rm -rf "$dir.clone"
        fi
        if [ $((i % 2)) = 0 ]; then
          echo "$name" >>"$work/deleting"
          if retry 3 aws --endpoint-url "$endpoint" codecommit delete-repository --repository-name "$name" >/dev/null 2>>"$work/client.log"; then
            echo "$name" >>"$work/acked-deleted"
            echo op >>"$work/ops-client"
          fi
        fi
      fi
    fi
    # git alone: a branch of the work repository, pushed and sometimes deleted again.
    if retry 3 git -C "$dir" push -q -f "$(url $WORK)" "main:refs/heads/client-$i" 2>>"$work/client.log"; then
      echo "$WORK client-$i $sha" >>"$work/acked-pushed"
      echo op >>"$work/ops-client"
      if [ $((i % 3)) = 0 ]; then
        echo "$WORK client-$i" >>"$work/deleting-branches"
        if retry 3 git -C "$dir" push -q "$(url $WORK)" ":refs/heads/client-$i" 2>>"$work/client.log"; then
          echo "$WORK client-$i" >>"$work/acked-deleted-branches"
          echo op >>"$work/ops-client"
        fi
      fi
    fi
    rm -rf "$dir"
  done
}
second_client &
client_pid=$!

# --- the TUI ---------------------------------------------------------------------------------
tm new-session -d -s soak -x 160 -y 48 \
  "exec '$bin' --endpoint-url '$endpoint' --region us-east-1 2>>'$work/tui.err'"
tm set-option -t soak remain-on-exit on >/dev/null

screen() { tm capture-pane -p -t soak 2>/dev/null; }
keys() { tm send-keys -t soak "$@"; }
type_text() { tm send-keys -t soak -l -- "$1"; }
# Escape on its own, then a pause: an ESC followed at once by another key reaches cctui as
# Alt+key (that is how terminals encode Alt), so "Escape 1" would be Alt-1, not two keys.
esc() { tm send-keys -t soak Escape; sleep 0.1; }
tui_alive() { [ "$(tm display-message -p -t soak '#{pane_dead}' 2>/dev/null)" = 0 ]; }
# When a wait gives up: after timeout_s, and during the load phase never past its hard end, so
# the run stays bounded whatever the faults do.
until_ms() {
  local end=$(($(now_ms) + $1 * 1000))
  if [ -n "$cap_ms" ] && [ "$end" -gt "$cap_ms" ]; then end=$cap_ms; fi
  echo "$end"
}
wait_screen() { # fixed-string timeout_s
  local deadline
  deadline=$(until_ms "${2:-30}")
  while [ "$(now_ms)" -lt "$deadline" ]; do
    screen | grep -qF -- "$1" && return 0
    sleep 0.02
  done
  return 1
}
wait_gone() {
  local deadline
  deadline=$(until_ms "${2:-30}")
  while [ "$(now_ms)" -lt "$deadline" ]; do
    screen | grep -qF -- "$1" || return 0
    sleep 0.02
  done
  return 1
}
# The footer's last line, where cctui reports the outcome of a change.
# Fails at once when cctui shows its error overlay (an injected fault reached the user).
wait_footer() { # fixed-string timeout_s
  local deadline shown
  deadline=$(until_ms "${2:-60}")
  while [ "$(now_ms)" -lt "$deadline" ]; do
    shown=$(screen)
    printf '%s\n' "$shown" | tail -1 | grep -qF -- "$1" && return 0
    if printf '%s\n' "$shown" | grep -qF "╭ Error"; then
      echo error >>"$work/tui-errors"
      return 1
    fi
    sleep 0.05
  done
  return 1
}
tui_ok() { echo "$1" >>"$work/ops-tui"; echo "$(now_ms) ok $1" >>"$work/timeline"; }
tui_slow() { # step: counted, its screen kept for a post-mortem (SOAK_KEEP=1), overlays closed
  echo "$1" >>"$work/tui-missed"
  echo "$(now_ms) slow $1" >>"$work/timeline"
  screen >"$work/screen-$(now_ms)-$1.txt"
  esc
  esc
}

# Keypress-to-frame latency: open help, poll until it is drawn; close it, poll until gone.
# Overlays opened by a background job could take the key, so each try first closes them; a
# TUI that draws nothing for 30 s after a key is broken.
latency_probe() {
  local t0 t1 t2 try first
  first=$(now_ms)
  for try in 1 2 3 4 5 6; do
    esc
  esc
    t0=$(now_ms)
    keys '?'
    if cap_ms='' wait_screen "esc to close" 5; then
      t1=$(now_ms)
      esc
      if cap_ms='' wait_gone "esc to close" 30; then
        t2=$(now_ms)
        echo $((t1 - t0)) >>"$work/latency"
        echo $((t2 - t1)) >>"$work/latency"
        return 0
      fi
      break
    fi
  done
  fail "the TUI did not answer ? and esc within $((($(now_ms) - first) / 1000)) s"
  return 1
}

# In the branches pane: back on main (the pane reloads after a change, so retry the keys).
switch_to_main() {
  local try
  keys 5
  for try in 1 2 3 4 5; do
    screen | grep -qF "* main (default)" && return 0
    # Focusing the pane reloads it, and the reload puts the selection back on the current
    # branch: give it time (more on each try) before selecting the first row.
    sleep "0.$((try * 2))"
    keys g
    sleep 0.3
    keys Enter
    wait_screen "* main (default)" 5 && return 0
  done
  return 1
}

# In the branches pane: delete branch $1 on CodeCommit. The pane's order is its own, so walk up
# from the last row and let the confirmation say which branch is selected.
delete_on_codecommit() {
  local try
  for try in $(seq 1 8); do
    # From the last row up, pressing G again each time: the pane reloads after a change and
    # may move the selection.
    keys 5
    sleep 0.5
    keys G
    for _ in $(seq 2 "$try"); do keys k; done
    keys D
    if wait_screen "Delete branch on CodeCommit?" 3; then
      if screen | grep -qF "Delete $1 on CodeCommit"; then
        keys y
        wait_footer "Deleted $1 on CodeCommit" 60
        return
      fi
    fi
    esc
  done
  return 1
}

# Selects repository $1 in the repositories pane by filtering for it.
select_repo() {
  local try
  for try in 1 2 3; do
    esc
    keys 1
    esc
    keys /
    type_text "$1"
    keys Enter
    wait_screen " /$1 " 7 && return 0
  done
  return 1
}

if ! wait_screen "$BIG" 60; then fail "the TUI never listed the repositories"; fi
latency_probe

# First clone of the work repository (opened in the panes when done).
cloned_work=0
for attempt in 1 2 3 4 5; do
  select_repo "$WORK" && keys c && wait_screen "Clone $WORK" 20 && keys Enter
  if wait_footer "Cloned $WORK into" 90; then cloned_work=1; tui_ok clone; break; fi
  tui_slow clone
  echo retry >>"$work/retries"
done
[ "$cloned_work" = 1 ] || fail "the TUI could not clone $WORK in 5 attempts"
esc

cycle=0
cap_ms=$((deadline_ms + 120000))
while [ "$(now_ms)" -lt "$deadline_ms" ] && [ "$cloned_work" = 1 ]; do
  cycle=$((cycle + 1))
  tui_alive || { fail "the TUI exited"; break; }
  latency_probe || break

  # Listing.
  keys 1
  esc
  keys r
  if wait_gone "Loading" 60 && wait_screen "$WORK" 10; then tui_ok listing; else tui_slow listing; fi
  latency_probe || break

  # Clone of the large repository into a fresh target; cut transfers make some fail, and a
  # failed clone must leave nothing behind.
  if select_repo "$BIG" && keys c && wait_screen "Clone $BIG" 20; then
    keys Tab End
    type_text "-$cycle"
    keys Enter
    if wait_footer "Cloned $BIG into" 120; then tui_ok clone; else tui_slow clone; fi
  else
    tui_slow clone
  fi
  latency_probe || break

  # Back to the work clone: commit, push, fetch.
  # (the clone just made opens itself when done, so wait for ours to be the open one)
  for _ in 1 2 3; do
    if select_repo "$WORK"; then keys o; fi
    wait_screen "repo $WORK " 10 && break
  done
  esc
  switch_to_main || tui_slow switch
  echo "cycle $cycle" >"$clones/$WORK/soak-$cycle.txt"
  keys 3
  wait_screen "soak-$cycle.txt" 20 # the watcher saw it
  keys a
  sleep 0.3
  keys c
  if wait_screen "ctrl-s commit" 20 && screen | grep -qF "1 staged"; then
    type_text "soak commit $cycle"
    keys C-s
    if wait_footer "soak commit $cycle" 60; then
      tui_ok commit
      keys P
      if wait_screen "Push main to origin/… (enter" 20; then
        keys Enter
        if wait_footer "Pushed main to origin/main" 120; then
          tui_ok push
          git -C "$clones/$WORK" log -1 --format=%H >>"$work/acked-tui-pushes"
        else
          tui_slow push
        fi
      else
        tui_slow push
      fi
    else
      tui_slow commit
    fi
  else
    tui_slow commit
  fi
  latency_probe || break
  keys 3 f
  if wait_footer "Fetched origin" 120; then tui_ok fetch; else tui_slow fetch; fi

  # A branch made on CodeCommit too, then deleted there.
  branch=soak-b$cycle
  switch_to_main
  keys n
  if wait_screen "New branch from" 20; then
    type_text "$branch"
    keys Tab BSpace BSpace BSpace
    type_text yes
    keys Enter
    if wait_footer "Created $branch on CodeCommit" 60; then
      tui_ok branch-create
      switch_to_main
      if delete_on_codecommit "$branch"; then tui_ok branch-delete; else tui_slow branch-delete; fi
    else
      tui_slow branch-create
    fi
  else
    tui_slow branch-create
  fi
  esc
  keys 1
done

# --- the end: wait for the second client, then check -----------------------------------------
cap_ms=
wait "$client_pid" 2>/dev/null
client_pid=
tui_alive || fail "the TUI exited"
latency_probe

# The service answers.
if ! retry 5 git ls-remote "$(url $WORK)" >"$work/ls-remote" 2>>"$work/client.log"; then
  fail "the service does not answer git"
fi
if [ "$have_aws" = 1 ] && ! retry 5 aws --endpoint-url "$endpoint" codecommit list-repositories >/dev/null 2>>"$work/client.log"; then
  fail "the service does not answer the API"
fi

# Quit the TUI (confirming if jobs still run) and stop the service.
keys q
sleep 0.5
screen | grep -qF "y/enter" && keys y
for _ in $(seq 1 100); do tui_alive || break; sleep 0.1; done
tui_alive && fail "the TUI did not quit"
kill -TERM "$serve_pid"
wait "$serve_pid"
serve_pid=
stats=$(sed -n 's/^STATS //p' "$work/serve.out")

# No git process outlives the service: none with our data dir in its environment or cwd.
leaked() {
  local p found=0
  for p in /proc/[0-9]*; do
    if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qF "GIT_PROJECT_ROOT=$data" ||
      readlink "$p/cwd" 2>/dev/null | grep -qF "$data"; then
      grep -q '^State:.*Z' "$p/status" 2>/dev/null && continue
      echo "${p#/proc/}: $({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null)"
      found=1
    fi
  done
  return $((1 - found))
}
for _ in $(seq 1 100); do leaked >/dev/null || break; sleep 0.1; done
if leaked >"$work/leaked"; then fail "git processes left: $(cat "$work/leaked")"; fi

# git fsck in every repository of the data dir.
repos_checked=0
for repo in "$data"/repos/*.git; do
  [ -d "$repo" ] || continue
  repos_checked=$((repos_checked + 1))
  git --git-dir="$repo" fsck --no-progress >/dev/null 2>>"$work/fsck.log" || fail "git fsck failed in $repo"
  ls -d "$repo"/objects/tmp_objdir-* >/dev/null 2>&1 && fail "quarantine folder left in $repo"
done

# No partial clone: every folder the TUI cloned into is a complete clone.
clones_checked=0
for clone in "$clones"/*; do
  [ -d "$clone" ] || continue
  clones_checked=$((clones_checked + 1))
  if ! git -C "$clone" rev-parse --verify -q HEAD >/dev/null || ! git -C "$clone" fsck --no-progress >/dev/null 2>&1; then
    fail "partial or broken clone left: $clone"
  fi
done

# Every acknowledged write is there after a restart of the service on the same data dir.
port=
start_service || fail "the service does not restart on its data dir"
if [ -n "$serve_pid" ]; then
  endpoint=http://127.0.0.1:$port
  retry 5 git ls-remote "$(url $WORK)" >"$work/ls-remote" 2>>"$work/client.log" || fail "no answer after the restart"
  main_sha=$(awk '$2 == "refs/heads/main" {print $1}' "$work/ls-remote")
  while read -r sha; do
    git -C "$clones/$WORK" merge-base --is-ancestor "$sha" "$main_sha" 2>/dev/null ||
      fail "the acknowledged TUI push $sha is not on main"
  done < <(cat "$work/acked-tui-pushes" 2>/dev/null)
  while read -r repo branch sha; do
    if [ "$repo" = "$WORK" ]; then
      grep -qx "$repo $branch" "$work/deleting-branches" 2>/dev/null && continue
    else
      grep -qx "$repo" "$work/deleting" 2>/dev/null && continue
      retry 3 git ls-remote "$(url "$repo")" >"$work/ls-one" 2>>"$work/client.log" || {
        fail "acknowledged repository $repo is gone"
        continue
      }
    fi
    [ "$repo" = "$WORK" ] && cp "$work/ls-remote" "$work/ls-one"
    grep -q "^$sha	refs/heads/$branch\$" "$work/ls-one" || fail "acknowledged push $repo $branch $sha is missing"
  done < <(cat "$work/acked-pushed" 2>/dev/null)
  while read -r repo branch; do
    grep -q "	refs/heads/$branch\$" "$work/ls-remote" && fail "acknowledged branch delete $repo $branch undone"
  done < <(cat "$work/acked-deleted-branches" 2>/dev/null)
  if [ "$have_aws" = 1 ]; then
    aws --endpoint-url "$endpoint" codecommit list-repositories --output text \
      --query 'repositories[].repositoryName' 2>>"$work/client.log" | tr '\t' '\n' >"$work/listed" ||
      fail "cannot list repositories after the restart"
    while read -r name; do
      grep -qx "$name" "$work/deleting" 2>/dev/null && continue
      grep -qx "$name" "$work/listed" || fail "acknowledged create of $name is gone"
    done < <(cat "$work/acked-created" 2>/dev/null)
    while read -r name; do
      grep -qx "$name" "$work/listed" && fail "acknowledged delete of $name undone"
    done < <(cat "$work/acked-deleted" 2>/dev/null)
  fi
  kill -TERM "$serve_pid"
  wait "$serve_pid"
  serve_pid=
fi

# --- figures ---------------------------------------------------------------------------------
count() { [ -f "$1" ] && wc -l <"$1" | tr -d ' ' || echo 0; }
tui_ops=$(count "$work/ops-tui")
[ "$tui_ops" -gt 0 ] || fail "the TUI completed no operation"
p99=n/a
max=n/a
samples=$(count "$work/latency")
if [ "$samples" -gt 0 ]; then
  sort -n "$work/latency" >"$work/latency.sorted"
  rank=$(((samples * 99 + 99) / 100))
  p99=$(sed -n "${rank}p" "$work/latency.sorted")
  max=$(tail -1 "$work/latency.sorted")
fi
echo
echo "soak figures (${SOAK_SECONDS}s, $cycle TUI cycles):"
echo "  TUI operations done:    $tui_ops ($(sort "$work/ops-tui" 2>/dev/null | uniq -c | awk '{printf "%s %s, ", $1, $2}' | sed 's/, $//'))"
echo "  TUI steps slow/failed:  $(count "$work/tui-missed"), $(count "$work/tui-errors") of them with cctui's error overlay (counted, not failed: faults and load)"
echo "  second client ops:      $(count "$work/ops-client") (AWS CLI: $([ "$have_aws" = 1 ] && echo yes || echo 'not installed'))"
echo "  retries by the drivers: $(count "$work/retries")"
echo "  service counters:       ${stats:-none}"
echo "                          (each injected API fault was retried by the SDK or the AWS CLI)"
echo "  keypress→frame latency: p99 ${p99} ms, max ${max} ms over $samples samples"
echo "  checked:                $repos_checked repositories fsck'd, $clones_checked clones, $(count "$work/acked-pushed") acknowledged pushes, $(count "$work/acked-tui-pushes") TUI pushes"
if [ -s "$work/failures" ]; then
  echo "soak: FAILED ($(count "$work/failures") problems)"
  exit 1
fi
echo "soak: passed"
