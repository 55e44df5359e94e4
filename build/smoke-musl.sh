#!/usr/bin/env bash
# musl hosts (Alpine), as the SDK resolves them and as the package then runs there:
#
#   build/smoke-musl.sh FEED VERSION NATIVE-LINUX-X64-BINARY
#
# 1. Resolution. `dotnet tool install` picks a tool's RID package by walking the RID graph from
#    RuntimeInformation.RuntimeIdentifier, which the host takes from DOTNET_RUNTIME_ID when set: so
#    DOTNET_RUNTIME_ID=linux-musl-x64 makes this SDK choose exactly as an Alpine SDK does. With no
#    musl entry in the pointer, that walk (linux-musl-x64 -> linux-musl -> linux-x64) ended on
#    netkit.linux-x64, a glibc binary. Now it must end on netkit.linux-musl-x64 (and -arm64), the
#    framework-dependent netkit.dll.
# 2. Running. A root with musl and no glibc at all (as on Alpine: no /lib64/ld-linux-x86-64.so.2):
#    Debian's musl, .NET's musl runtime (Microsoft.NETCore.App.Runtime.linux-musl-x64) and musl
#    apphost, and the installed package's files. Alpine's libstdc++ is not on this machine, so the
#    root borrows Debian's, with build/musl-glibc-shim.c for the glibc-only symbols it names. The
#    glibc binary fails there; the musl package holds the tutorial's TCP conversation and the UDP
#    time query, both ways with the native binary outside, and reports a refused port.
# Needs root (a private mount namespace and chroot) and musl-gcc (apt-get install musl-tools).
set -euo pipefail
feed=$(realpath "${1:?usage: smoke-musl.sh FEED VERSION NATIVE-BINARY}")
version=${2:?usage: smoke-musl.sh FEED VERSION NATIVE-BINARY}
native=$(realpath "${3:?usage: smoke-musl.sh FEED VERSION NATIVE-BINARY}")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/smoke-lib.sh"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 NUGET_PACKAGES="$SMOKE_TMP/nuget"

# 1. What a musl host installs, from the feed as Cake packed it (every package there).
for rid in linux-musl-x64 linux-musl-arm64; do
  dir="$SMOKE_TMP/tools-$rid"
  DOTNET_RUNTIME_ID=$rid dotnet tool install --tool-path "$dir" --source "$feed" netkit --version "$version" >"$SMOKE_TMP/install.log" 2>&1 ||
    fail "DOTNET_RUNTIME_ID=$rid dotnet tool install netkit $version: $(tail -3 "$SMOKE_TMP/install.log")"
  chosen=$(find "$dir/.store/netkit/$version" -mindepth 1 -maxdepth 1 -type d -name 'netkit.*' -printf '%f\n')
  [ "$chosen" = "netkit.$rid" ] || fail "a $rid host installs '$chosen', not netkit.$rid"
  dll=$(find "$dir/.store" -name netkit.dll | head -1)
  [ -n "$dll" ] || fail "$rid: no netkit.dll in the installed package"
  [ -z "$(find "$dir/.store" -type f -name netkit)" ] || fail "$rid: the installed package holds a native binary"
  ok "a $rid host installs $chosen: framework-dependent ${dll#"$dir/.store/"}"
done
app=$(dirname "$(find "$SMOKE_TMP/tools-linux-musl-x64/.store" -name netkit.dll | head -1)")

[ "$(id -u)" = 0 ] || { [ "${CI:-}" = true ] && fail "running the musl package needs root (unshare -m, chroot)"; echo "skipped: running the musl package needs root"; exit 0; }
command -v musl-gcc >/dev/null || fail "no musl-gcc: apt-get install musl musl-tools"
loader=/lib/ld-musl-x86_64.so.1 # Debian's musl package: the loader, which is also libc
[ -e "$loader" ] || fail "no $loader: apt-get install musl"

# .NET's musl runtime and apphost, the version the SDK would take.
runtime=${MUSL_RUNTIME_VERSION:-10.0.12}
mkdir -p "$SMOKE_TMP/dl"
cat >"$SMOKE_TMP/dl/dl.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Microsoft.NETCore.App.Runtime.linux-musl-x64" Version="[$runtime]" />
    <PackageDownload Include="Microsoft.NETCore.App.Host.linux-musl-x64" Version="[$runtime]" />
  </ItemGroup>
</Project>
XML
dotnet restore "$SMOKE_TMP/dl/dl.csproj" >"$SMOKE_TMP/dl/restore.log" 2>&1 ||
  fail "could not download .NET's musl runtime $runtime: $(tail -3 "$SMOKE_TMP/dl/restore.log")"
pack="$NUGET_PACKAGES/microsoft.netcore.app.runtime.linux-musl-x64/$runtime/runtimes/linux-musl-x64"
apphost="$NUGET_PACKAGES/microsoft.netcore.app.host.linux-musl-x64/$runtime/runtimes/linux-musl-x64/native/apphost"

root="$SMOKE_TMP/root"
mkdir -p "$root"/{lib,usr/lib,etc,dev,proc,tmp,app} "$root/dotnet/host/fxr/$runtime" "$root/dotnet/shared/Microsoft.NETCore.App/$runtime"
cp "$loader" "$root/lib/ld-musl-x86_64.so.1"
ln -s ld-musl-x86_64.so.1 "$root/lib/libc.musl-x86_64.so.1"
cp -L "$(gcc -print-file-name=libstdc++.so.6)" "$(gcc -print-file-name=libgcc_s.so.1)" "$root/usr/lib/"
musl-gcc -O2 -Wall -Wextra -Werror -shared -fPIC -o "$root/lib/ld-linux-x86-64.so.2" "$here/musl-glibc-shim.c"
cp "$pack/native/libhostfxr.so" "$root/dotnet/host/fxr/$runtime/"
cp "$pack"/lib/net10.0/* "$pack"/native/* "$root/dotnet/shared/Microsoft.NETCore.App/$runtime/"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
cp -r "$app"/. "$root/app/"
cp "$native" "$root/app/netkit-glibc"
# The apphost names its assembly in a placeholder the SDK overwrites at build time; so do we.
python3 - "$apphost" "$root/app/netkit" <<'PY'
import sys
source, target = sys.argv[1:]
data = open(source, "rb").read()
placeholder = b"c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2"
assert data.count(placeholder) == 1, "no apphost placeholder"
name = b"netkit.dll"
data = data.replace(placeholder, name + b"\0" * (len(placeholder) - len(name)))
open(target, "wb").write(data)
PY
chmod +x "$root/app/netkit"
# No glibc in the root: no glibc loader anywhere (the one file by that name is the musl-built shim,
# which needs musl alone), no libc.so.6, and the only C library the files need is musl's.
glibc=$(find "$root" \( -name 'ld-linux*' -o -name 'libc.so.6' -o -name 'libc-2.*' \) ! -path "$root/lib/ld-linux-x86-64.so.2")
[ -z "$glibc" ] || fail "the musl root holds glibc: $glibc"
shim_needs=$(readelf -d "$root/lib/ld-linux-x86-64.so.2" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | tr '\n' ' ')
[ "$shim_needs" = "libc.so " ] || fail "the shim needs more than musl: $shim_needs"
readelf -l "$root/lib/ld-linux-x86-64.so.2" | grep -q 'interpreter' && fail "the shim names a program interpreter"
ok "the root holds no glibc: musl's loader, .NET's musl build, and Debian's libstdc++/libgcc_s through the musl-built shim"

# in-musl CMD...: CMD inside the root, in a mount namespace of its own (/dev and /proc bound there).
musl="$SMOKE_TMP/in-musl"
cat >"$musl" <<SH
#!/usr/bin/env bash
exec env DOTNET_ROOT=/dotnet unshare -m bash -c 'mount --bind /dev "\$0/dev" && mount -t proc proc "\$0/proc" && exec chroot "\$0" "\$@"' "$root" /app/netkit "\$@"
SH
chmod +x "$musl"

if out=$(unshare -m chroot "$root" /app/netkit-glibc --version 2>&1); then
  fail "the glibc binary ran in the musl root: $out"
fi
ok "netkit.linux-x64's glibc binary cannot start there: $out"

got=$("$musl" --version 2>&1) || fail "the musl package: netkit --version: $got"
[ "$got" = "$version" ] || fail "the musl package printed '$got', expected $version"
ok "the musl package on .NET $runtime (linux-musl-x64), no glibc: netkit --version: $got"
tcp_round_trip "musl: tcp round trip" "$musl" "$musl"
tcp_round_trip "musl server, native client" "$musl" "$native"
udp_time "musl: udp time" "$musl" "$musl"
udp_time "native server, musl client" "$native" "$musl"
port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
code=0
refused=$("$musl" udp-time-client localhost --port "$port" --timeout 5s 2>&1) || code=$?
[ "$code" = 1 ] && [[ "$refused" == *"connection refused"* ]] || fail "a refused query from the musl package: exit $code, $refused"
ok "musl: a query to a closed port (name resolved by musl) says: ${refused##*$'\n'}"
echo "musl test passed"
