# shellcheck shell=bash
# Shared by the smoke scripts (sourced, not run): start a netkit server on an ephemeral port, read
# the port from its "listening on ADDRESS:PORT (tcp|udp)" line, talk to it, stop it. Every wait is
# bounded; servers still running when the script exits are stopped by the EXIT trap.

SMOKE_TMP=$(mktemp -d)
SMOKE_PIDS=()
# shellcheck disable=SC2154 # p is the trap's own loop variable
trap 'for p in "${SMOKE_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; rm -rf "$SMOKE_TMP"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# start_server NAME CMD... — runs CMD in the background with stderr in $SMOKE_TMP/NAME.err and
# sets SERVER_PID and SERVER_PORT once the listening line is there (20 s: qemu starts slowly).
start_server() {
  local name=$1; shift
  local err="$SMOKE_TMP/$name.err"
  # Made here, not by the background job's redirection, which may come after the first read below
  # (sed then failed on a missing file, and pipefail ended the script: seen once in CI).
  : >"$err"
  "$@" >"$SMOKE_TMP/$name.out" 2>>"$err" </dev/null &
  SERVER_PID=$!
  SMOKE_PIDS+=("$SERVER_PID")
  SERVER_PORT=
  for _ in $(seq 1 200); do
    SERVER_PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\) (\(tcp\|udp\)).*/\1/p' "$err" | head -1)
    [ -n "$SERVER_PORT" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || fail "$name exited early: $(cat "$err")"
    sleep 0.1
  done
  fail "$name printed no listening line: $(cat "$err")"
}

# wait_server NAME SECONDS — waits for the last started server to exit by itself (e.g. --once).
wait_server() {
  local name=$1 seconds=$2
  for _ in $(seq 1 $((seconds * 10))); do
    kill -0 "$SERVER_PID" 2>/dev/null || { wait "$SERVER_PID" || fail "$name exited with $?: $(cat "$SMOKE_TMP/$name.err")"; return 0; }
    sleep 0.1
  done
  fail "$name did not exit within ${seconds}s"
}

# stop_server NAME — SIGTERM, as systemd and Ctrl+C would; the server must exit 0 with a summary.
stop_server() {
  local name=$1
  kill -TERM "$SERVER_PID"
  wait_server "$name" 10
  grep -q 'summary:' "$SMOKE_TMP/$name.err" || fail "$name printed no summary: $(cat "$SMOKE_TMP/$name.err")"
}

# tcp_round_trip NAME SERVER-CMD CLIENT-CMD — the tutorial's conversation: the client sends
# "hello" and half-closes; a --once server answers the chunk, its ack and the word, then exits.
tcp_round_trip() {
  local name=$1 server=$2 client=$3
  start_server "$name" $server tcp-server --host 127.0.0.1 --port 0 --reply WORD --once
  local got
  got=$($client tcp-client 127.0.0.1 --port "$SERVER_PORT" --message hello --connect-timeout 20s --timeout 30s 2>"$SMOKE_TMP/$name.client.err") ||
    fail "$name: client exited with $?: $(cat "$SMOKE_TMP/$name.client.err")"
  [ "$got" = $'hello\nI get it!\nWORD' ] || fail "$name: client received $(printf '%q' "$got")"
  wait_server "$name" 20
  ok "$name"
}

# udp_time NAME SERVER-CMD CLIENT-CMD — asks for the time and checks it is the local clock's.
udp_time() {
  local name=$1 server=$2 client=$3
  start_server "$name" $server udp-time-server --host 127.0.0.1 --port 0 --epoch rfc868
  local json
  json=$($client udp-time-client 127.0.0.1 --port "$SERVER_PORT" --epoch rfc868 --timeout 5s --retries 3 --json 2>"$SMOKE_TMP/$name.client.err") ||
    fail "$name: client exited with $?: $(cat "$SMOKE_TMP/$name.client.err")"
  local offset
  offset=$(printf '%s' "$json" | sed -n 's/.*"offsetSeconds": *\(-\{0,1\}[0-9.]*\).*/\1/p')
  [ -n "$offset" ] || fail "$name: no offsetSeconds in $json"
  awk -v o="$offset" 'BEGIN { exit !(o < 5 && o > -5) }' || fail "$name: clock offset ${offset}s"
  stop_server "$name"
  ok "$name (offset ${offset}s)"
}

# installed_tool_works NAME CMD VERSION — an installed netkit: its --version is VERSION, and it holds
# the TCP conversation and the UDP time query with itself.
installed_tool_works() {
  local name=$1 cmd=$2 version=$3 got
  got=$("$cmd" --version) || fail "$name: netkit --version exited with $?"
  [ "$got" = "$version" ] || fail "$name: netkit --version says '$got', expected '$version'"
  ok "$name: netkit --version: $got"
  tcp_round_trip "$name: tcp round trip" "$cmd" "$cmd"
  udp_time "$name: udp time" "$cmd" "$cmd"
}
