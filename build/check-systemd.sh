#!/usr/bin/env bash
# Checks the systemd units in packaging/systemd and socket activation with a real binary:
#   1. `systemd-analyze verify` passes on each .socket/.service pair without a single warning
#      (with ExecStart pointed at BINARY: verify insists the program exists), alone and with the
#      drop-in for the framework-dependent build (framework-dependent.conf);
#   2. each unit's own ExecStart command, run under `systemd-socket-activate` as its .socket would
#      start it (TCP; UDP with --datagram) and under MemoryDenyWriteExecute as the kernel enforces
#      it (PR_SET_MDWE), takes the socket systemd bound (LISTEN_FDS/LISTEN_PID,
#      fd 3), serves a client on it and stops cleanly on SIGTERM. (The sandboxing options need a
#      running systemd; the end-to-end tests cover activation of the other server modes.)
#
#   3. given the `any` package too, that its JIT runtime dies under MemoryDenyWriteExecute and
#      runs without it: why the framework-dependent build needs framework-dependent.conf.
#
#   build/check-systemd.sh BINARY [ANY-NUPKG]
set -euo pipefail
bin=$(realpath "${1:?usage: check-systemd.sh BINARY [ANY-NUPKG]}")
any=${2:-}
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
  # The same with the drop-in for the framework-dependent build (verify reads $name.service.d/).
  mkdir -p "$service.d"
  cp "$here/../packaging/systemd/framework-dependent.conf" "$service.d/"
  out=$(systemd-analyze verify "$socket" "$service" 2>&1) || fail "systemd-analyze verify $name with framework-dependent.conf: $out"
  [ -z "$out" ] || fail "systemd-analyze verify $name with framework-dependent.conf warned: $out"
  rm -r "$service.d"
  ok "systemd-analyze verify $name with packaging/systemd/framework-dependent.conf"
done

# MemoryDenyWriteExecute=yes as the kernel enforces it (PR_SET_MDWE, Linux 6.3+, which systemd
# uses where it can): the units' commands run under it below. The native binary never asks for
# memory both written and executed; a JIT runtime does and dies (framework-dependent.conf).
mdwe=()
cat >"$SMOKE_TMP/mdwe.c" <<'C'
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    if (prctl(65 /* PR_SET_MDWE */, 1 /* PR_MDWE_REFUSE_EXEC_GAIN */, 0L, 0L, 0L) != 0) { perror("PR_SET_MDWE"); return 125; }
    execvp(argv[1], argv + 1);
    perror(argv[1]);
    return 127;
}
C
if cc -O2 -o "$SMOKE_TMP/mdwe" "$SMOKE_TMP/mdwe.c" 2>"$SMOKE_TMP/mdwe.err" && "$SMOKE_TMP/mdwe" true 2>>"$SMOKE_TMP/mdwe.err"; then
  mdwe=("$SMOKE_TMP/mdwe")
  got=$("${mdwe[@]}" "$bin" --version 2>&1) || fail "the native binary under MemoryDenyWriteExecute (PR_SET_MDWE): $got"
  ok "the native binary runs under MemoryDenyWriteExecute (PR_SET_MDWE): --version $got"
  if [ -n "$any" ]; then
    mkdir -p "$SMOKE_TMP/any"
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$any" "$SMOKE_TMP/any"
    dll=$(find "$SMOKE_TMP/any" -name netkit.dll | head -1)
    [ -n "$dll" ] || fail "no netkit.dll in $any"
    plain=$(dotnet "$dll" --version 2>&1) || fail "the framework-dependent build without MemoryDenyWriteExecute: $plain"
    code=0; "${mdwe[@]}" dotnet "$dll" --version >/dev/null 2>&1 || code=$?
    [ "$code" != 0 ] || fail "the framework-dependent build ran under MemoryDenyWriteExecute: framework-dependent.conf would not be needed"
    ok "the framework-dependent build (JIT) runs without MemoryDenyWriteExecute (--version $plain) and dies under it (exit $code): hence framework-dependent.conf"
  fi
else
  echo "note: no PR_SET_MDWE here ($(tail -1 "$SMOKE_TMP/mdwe.err")): the units' commands run without it"
fi

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
systemd-socket-activate -l "127.0.0.1:$port" "${mdwe[@]}" $(execstart netkit-echo) \
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
systemd-socket-activate --datagram -l "127.0.0.1:$port" "${mdwe[@]}" $(execstart netkit-time) \
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
