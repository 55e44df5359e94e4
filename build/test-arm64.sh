#!/usr/bin/env bash
# The whole end-to-end suite against the linux-arm64 binary (the Raspberry Pi's, 64-bit OS), run on
# this x86_64 machine under qemu-user: each test starts netkit through a wrapper that execs
# `qemu-aarch64-static -L LIBRARY-ROOT BINARY`. NETKIT_EMULATOR tells the suite, so its memory
# bounds allow for the emulator's own resident memory (measured on an idle server).
#
#   build/test-arm64.sh ARM64-BINARY [LIBRARY-ROOT] [dotnet test arguments...]
#
# LIBRARY-ROOT is where qemu finds the arm64 libc: the cross toolchain's /usr/aarch64-linux-gnu
# (default) or the Debian bullseye sysroot the release binary is linked against (glibc 2.31).
set -euo pipefail
binary=$(realpath "${1:?usage: test-arm64.sh ARM64-BINARY [LIBRARY-ROOT] [dotnet test arguments...]}")
libroot=$(realpath "${2:-/usr/aarch64-linux-gnu}")
shift $(( $# >= 2 ? 2 : 1 ))
cd "$(dirname "$0")/.."

qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
[ -n "$qemu" ] || { echo "qemu-aarch64-static not found (apt-get install qemu-user-static)" >&2; exit 1; }
file -b "$binary" | grep -q 'ARM aarch64' || { echo "$binary is not an arm64 binary: $(file -b "$binary")" >&2; exit 1; }

wrapper="$PWD/artifacts/qemu-arm64/netkit"
mkdir -p "$(dirname "$wrapper")"
printf '#!/bin/sh\nexec %q -L %q %q "$@"\n' "$qemu" "$libroot" "$binary" >"$wrapper"
chmod +x "$wrapper"
echo "netkit under test: $("$wrapper" --version) ($binary under $qemu -L $libroot)"
NETKIT_BIN="$wrapper" NETKIT_EMULATOR=qemu-aarch64 exec dotnet test tests/Netkit.EndToEnd "$@"
