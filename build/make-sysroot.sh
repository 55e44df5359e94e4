#!/usr/bin/env bash
# Builds a Debian bullseye (glibc 2.31) sysroot for linking Linux release binaries, so they run on
# Debian 11, Ubuntu 20.04+ and Raspberry Pi OS bullseye, not only on the build machine's distribution.
#
#   build/make-sysroot.sh amd64|arm64 DIR
#
# Uses `debootstrap --foreign` for both architectures: it only downloads and unpacks, so it needs
# neither a chroot nor qemu, and the same steps serve the native and the cross sysroot. Only what a
# linker needs is unpacked (C runtime objects, libc, libgcc); nothing in it is ever executed.
# DIR appears only when complete, so an interrupted run leaves nothing that looks usable.
set -euo pipefail

arch=${1:?usage: make-sysroot.sh amd64|arm64 DIR}
dir=${2:?usage: make-sysroot.sh amd64|arm64 DIR}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bullseye

if [ -f "$dir/.netkit-sysroot" ]; then
  echo "sysroot: $dir exists ($(cat "$dir/.netkit-sysroot"))"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then exec sudo "$0" "$@"; fi  # debootstrap runs as root
command -v debootstrap >/dev/null || { echo "make-sysroot: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }

start=$(date +%s)
tmp="$dir.partial"
rm -rf "$tmp"
mkdir -p "$(dirname "$dir")"
debootstrap --variant=minbase --arch="$arch" --foreign \
  --include=libc6-dev,libgcc-10-dev "$suite" "$tmp" "$mirror" >"$tmp.log" 2>&1 ||
  { tail -20 "$tmp.log" >&2; exit 1; }

# --foreign leaves most packages as .deb files; unpack every one (no maintainer scripts are needed
# for a link-only sysroot).
for deb in "$tmp"/var/cache/apt/archives/*.deb; do dpkg-deb -x "$deb" "$tmp"; done
rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp/debootstrap"

# Absolute symlinks (e.g. libm.so -> /lib/.../libm.so.6) would point into the build machine's own
# libraries; make them relative so they resolve inside the sysroot.
find "$tmp" -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
  target=$(readlink "$link")
  ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$tmp$target")" "$link"
done

echo "debian $suite $arch, glibc $(ls "$tmp"/usr/lib/*-linux-gnu/libc-*.so "$tmp"/lib/*-linux-gnu/libc-*.so 2>/dev/null | head -1 | grep -o '[0-9][0-9.]*[0-9]' | tail -1), made in $(( $(date +%s) - start ))s" > "$tmp/.netkit-sysroot"
rm -f "$tmp.log"
mv "$tmp" "$dir"
echo "sysroot: $dir ($(cat "$dir/.netkit-sysroot"))"
