#!/usr/bin/env bash
# Checks the systemd units in packaging/systemd and socket activation with a real binary:
#   1. `systemd-analyze verify` passes on each .socket/.service pair without a single warning
#      (with ExecStart pointed at BINARY: verify insists the program exists);
#   2. under `systemd-socket-activate` (TCP, and UDP with --datagram), the server takes the socket
#      systemd bound (LISTEN_FDS/LISTEN_PID, fd 3) and holds the tutorial's conversation on it.
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
  # --man=no: the Documentation= man pages need not be installed on the build machine.
  out=$(systemd-analyze verify --man=no "$socket" "$service" 2>&1) || fail "systemd-analyze verify $name: $out"
  [ -z "$out" ] || fail "systemd-analyze verify $name warned: $out"
  ok "systemd-analyze verify $name.socket $name.service"
done

command -v systemd-socket-activate >/dev/null || fail "systemd-socket-activate not found (apt-get install systemd)"
free_port() { python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, getattr(socket, sys.argv[1])); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"; }

# activated NAME PORT PROTO — after the first client arrived, reads the server's listening line:
# it must name the port systemd bound. Returns 1 if the binary bound a socket of its own instead
# (a netkit without socket activation support).
activated() {
  local name=$1 port=$2 proto=$3 line=
  for _ in $(seq 1 100); do
    line=$(grep -m1 'listening on' "$SMOKE_TMP/$name.err" || true)
    [ -n "$line" ] && break
    sleep 0.1
  done
  [ -n "$line" ] || fail "$name: no listening line: $(cat "$SMOKE_TMP/$name.err")"
  case "$line" in
    *":$port ($proto)"*) return 0 ;;
    *) echo "SKIP: $name: this netkit bound its own socket ($line), not the one from systemd (no LISTEN_FDS support yet)"; return 1 ;;
  esac
}

port=$(free_port SOCK_STREAM)
systemd-socket-activate -l "127.0.0.1:$port" "$bin" tcp-server --reply WORD --once \
  >"$SMOKE_TMP/activated-tcp.out" 2>"$SMOKE_TMP/activated-tcp.err" </dev/null &
SERVER_PID=$!; SMOKE_PIDS+=("$SERVER_PID")
"$bin" tcp-client 127.0.0.1 --port "$port" --message hello --timeout 10s \
  >"$SMOKE_TMP/activated-tcp.client.out" 2>"$SMOKE_TMP/activated-tcp.client.err" &
client=$!; SMOKE_PIDS+=("$client")
if activated activated-tcp "$port" tcp; then
  wait "$client" || fail "activated tcp: client exited with $?: $(cat "$SMOKE_TMP/activated-tcp.client.err")"
  [ "$(cat "$SMOKE_TMP/activated-tcp.client.out")" = $'hello\nI get it!\nWORD' ] ||
    fail "activated tcp: client received $(od -c "$SMOKE_TMP/activated-tcp.client.out")"
  wait_server activated-tcp 10
  ok "systemd-socket-activate tcp-server"
fi

port=$(free_port SOCK_DGRAM)
systemd-socket-activate --datagram -l "127.0.0.1:$port" "$bin" udp-time-server --epoch rfc868 \
  >"$SMOKE_TMP/activated-udp.out" 2>"$SMOKE_TMP/activated-udp.err" </dev/null &
SERVER_PID=$!; SMOKE_PIDS+=("$SERVER_PID")
"$bin" udp-time-client 127.0.0.1 --port "$port" --epoch rfc868 --timeout 2s --retries 2 \
  >"$SMOKE_TMP/activated-udp.client.out" 2>"$SMOKE_TMP/activated-udp.client.err" &
client=$!; SMOKE_PIDS+=("$client")
if activated activated-udp "$port" udp; then
  wait "$client" || fail "activated udp: client exited with $?: $(cat "$SMOKE_TMP/activated-udp.client.err")"
  [ -s "$SMOKE_TMP/activated-udp.client.out" ] || fail "activated udp: no time printed"
  stop_server activated-udp
  ok "systemd-socket-activate --datagram udp-time-server: $(cat "$SMOKE_TMP/activated-udp.client.out")"
fi
echo "systemd checks passed"
