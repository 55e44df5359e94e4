#!/usr/bin/env bash
# Checks the systemd units in packaging/systemd and socket activation with a real binary:
#   1. `systemd-analyze verify` passes on each .socket/.service pair without a single warning
#      (with ExecStart pointed at BINARY: verify insists the program exists);
#   2. each unit's own ExecStart command, run under `systemd-socket-activate` as its .socket would
#      start it (TCP; UDP with --datagram), takes the socket systemd bound (LISTEN_FDS/LISTEN_PID,
#      fd 3), serves a client on it and stops cleanly on SIGTERM. (The sandboxing options need a
#      running systemd; the end-to-end tests cover activation of the other server modes.)
#
#   build/check-systemd.sh BINARY
set -euo pipefail
bin=$(realpath "${1:?usage: check-systemd.sh BINARY}")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/smoke-lib.sh"
command -v systemd-analyze >/dev/null || fail "systemd-analyze not found (apt-get install systemd)"

units="$SMOKE_TMP/units"
mkdir -p "$units"
cp "$here"/../packaging/systemd/*.socket "$here"/../packaging/systemd/*.service "$units/"
sed -i "s|^ExecStart=/usr/local/bin/netkit |ExecStart=$bin |" "$units"/*.service
for socket in "$units"/*.socket; do
  service="${socket%.socket}.service"
  name=$(basename "$socket" .socket)
  [ -f "$service" ] || fail "$name.socket has no $name.service"
  # The default checks, man pages included: each Documentation= page must exist (man-db and the
  # pages of systemd and rdate are installed by .ci/run), so a wrong section such as rdate(1) fails.
  out=$(systemd-analyze verify "$socket" "$service" 2>&1) || fail "systemd-analyze verify $name: $out"
  [ -z "$out" ] || fail "systemd-analyze verify $name warned: $out"
  ok "systemd-analyze verify $name.socket $name.service"
done

command -v systemd-socket-activate >/dev/null || fail "systemd-socket-activate not found (apt-get install systemd)"
free_port() { python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, getattr(socket, sys.argv[1])); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"; }

# activated NAME PORT PROTO — after the first client arrived, reads the server's listening line:
# it must name the port systemd bound, not a socket the server bound on its own.
activated() {
  local name=$1 port=$2 proto=$3 line=
  for _ in $(seq 1 100); do
    line=$(grep -s -m1 'listening on' "$SMOKE_TMP/$name.err" || true)
    [ -n "$line" ] && break
    sleep 0.1
  done
  [ -n "$line" ] || fail "$name: no listening line: $(cat "$SMOKE_TMP/$name.err")"
  case "$line" in
    *":$port ($proto)"*) return 0 ;;
    *) fail "$name: the server bound its own socket ($line), not the one systemd passed (LISTEN_FDS)" ;;
  esac
}

# bound NAME — waits until systemd-socket-activate has bound its socket (before that a client
# would be refused); netkit itself starts only when the first client arrives.
bound() {
  for _ in $(seq 1 100); do
    grep -qs 'Listening on .* as 3' "$SMOKE_TMP/$1.err" && return 0
    sleep 0.1
  done
  fail "$1: systemd-socket-activate did not bind: $(cat "$SMOKE_TMP/$1.err" 2>/dev/null)"
}

# execstart UNIT — the unit's ExecStart command line (pointed at BINARY above).
execstart() { sed -n 's/^ExecStart=//p' "$units/$1.service"; }

port=$(free_port SOCK_STREAM)
# shellcheck disable=SC2046 # ExecStart is a plain word list, as systemd splits it
systemd-socket-activate -l "127.0.0.1:$port" $(execstart netkit-echo) \
  >"$SMOKE_TMP/echo-unit.out" 2>"$SMOKE_TMP/echo-unit.err" </dev/null &
SERVER_PID=$!; SMOKE_PIDS+=("$SERVER_PID")
bound echo-unit
"$bin" tcp-client 127.0.0.1 --port "$port" --message hello --timeout 10s \
  >"$SMOKE_TMP/echo-unit.client.out" 2>"$SMOKE_TMP/echo-unit.client.err" &
client=$!; SMOKE_PIDS+=("$client")
activated echo-unit "$port" tcp
wait "$client" || fail "echo unit: client exited with $?: $(cat "$SMOKE_TMP/echo-unit.client.err")"
[ "$(cat "$SMOKE_TMP/echo-unit.client.out")" = hello ] ||
  fail "echo unit: client received $(od -c "$SMOKE_TMP/echo-unit.client.out")"
stop_server echo-unit
ok "netkit-echo.service's command under systemd-socket-activate"

port=$(free_port SOCK_DGRAM)
# shellcheck disable=SC2046
systemd-socket-activate --datagram -l "127.0.0.1:$port" $(execstart netkit-time) \
  >"$SMOKE_TMP/time-unit.out" 2>"$SMOKE_TMP/time-unit.err" </dev/null &
SERVER_PID=$!; SMOKE_PIDS+=("$SERVER_PID")
bound time-unit
"$bin" udp-time-client 127.0.0.1 --port "$port" --epoch rfc868 --timeout 2s --retries 2 \
  >"$SMOKE_TMP/time-unit.client.out" 2>"$SMOKE_TMP/time-unit.client.err" &
client=$!; SMOKE_PIDS+=("$client")
activated time-unit "$port" udp
wait "$client" || fail "time unit: client exited with $?: $(cat "$SMOKE_TMP/time-unit.client.err")"
[ -s "$SMOKE_TMP/time-unit.client.out" ] || fail "time unit: no time printed"
stop_server time-unit
ok "netkit-time.service's command under systemd-socket-activate --datagram: $(cat "$SMOKE_TMP/time-unit.client.out")"
echo "systemd checks passed"
