#!/usr/bin/env bash
# Raspberry Pi (64-bit OS) smoke test on an x86_64 machine: the linux-arm64 binary runs under
# qemu-user and talks to the native linux-x64 binary over loopback, both ways, for TCP and UDP time.
#
#   build/smoke-arm64.sh X64-BINARY ARM64-BINARY [ARM64-LIBRARY-ROOT]
#
# qemu loads the arm64 binary's libc from ARM64-LIBRARY-ROOT: the cross toolchain's folder
# (libc6-arm64-cross, glibc 2.36) by default, or the Debian bullseye sysroot (glibc 2.31, as on
# Raspberry Pi OS bullseye) for a binary linked against it.
set -euo pipefail
x64=$(realpath "${1:?usage: smoke-arm64.sh X64-BINARY ARM64-BINARY}")
arm64=$(realpath "${2:?usage: smoke-arm64.sh X64-BINARY ARM64-BINARY}")
libroot=${3:-/usr/aarch64-linux-gnu}
source "$(dirname "$0")/smoke-lib.sh"

qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
[ -n "$qemu" ] || fail "qemu-aarch64-static not found (apt-get install qemu-user-static)"
[ -d "$libroot/lib" ] || fail "no arm64 libraries in $libroot (apt-get install libc6-arm64-cross)"
file -b "$arm64" | grep -q 'ARM aarch64' || fail "$arm64 is not an arm64 binary: $(file -b "$arm64")"
arm="$qemu -L $libroot $arm64"
ok "arm64 libc: $(ls "$libroot"/lib/aarch64-linux-gnu/libc-*.so "$libroot"/lib/libc.so.6 2>/dev/null | head -1)"

help=$($arm --help) || fail "arm64 --help exited with $?"
for command in tcp-server tcp-client udp-time-server udp-time-client sockopts; do
  grep -q "$command" <<<"$help" || fail "arm64 --help does not list $command"
done
ok "arm64 --help"
ok "arm64 --version: $($arm --version)"

tcp_round_trip "tcp arm64 server <- x64 client" "$arm" "$x64"
tcp_round_trip "tcp x64 server <- arm64 client" "$x64" "$arm"
udp_time "udp time arm64 server <- x64 client" "$arm" "$x64"
udp_time "udp time x64 server <- arm64 client" "$x64" "$arm"
echo "arm64 smoke test passed"
