#!/usr/bin/env bash
# The `any` fallback, as a host with no native package sees it: the SDK reads the pointer package's
# RuntimeIdentifierPackages, finds no entry for its own RID (linux-arm on a 32-bit Pi, FreeBSD, ...)
# and walks the RID graph down to `any`, the framework-dependent netkit.dll run by `dotnet`.
#
#   build/smoke-any.sh FEED VERSION
#
# This machine's RID (linux-x64) is declared, so the pointer is copied into a fresh feed with every
# linux-* entry removed; the SDK then makes the same choice it makes on such a host. The feed holds
# only that pointer and netkit.any (a lookup of netkit.linux-x64 would fail), and the NuGet cache is
# a fresh one, so nothing installed before can stand in. Then the TCP and UDP round trips.
set -euo pipefail
feed=$(realpath "${1:?usage: smoke-any.sh FEED VERSION}")
version=${2:?usage: smoke-any.sh FEED VERSION}
source "$(dirname "$0")/smoke-lib.sh"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 NUGET_PACKAGES="$SMOKE_TMP/nuget"
only="$SMOKE_TMP/feed"
mkdir -p "$only"
[ -f "$feed/netkit.any.$version.nupkg" ] || fail "no netkit.any.$version.nupkg in $feed"
cp "$feed/netkit.any.$version.nupkg" "$only/"
python3 - "$feed/netkit.$version.nupkg" "$only/netkit.$version.nupkg" <<'PY'
import re, sys, zipfile
source, target = sys.argv[1:]
with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
    settings = [n for n in zin.namelist() if n.endswith("DotnetToolSettings.xml")]
    assert len(settings) == 1, settings
    for item in zin.infolist():
        data = zin.read(item.filename)
        if item.filename == settings[0]:
            text = data.decode("utf-8-sig")
            assert 'RuntimeIdentifier="any"' in text, "the pointer declares no any package"
            text, removed = re.subn(r'\s*<RuntimeIdentifierPackage RuntimeIdentifier="linux-[^"]*" Id="[^"]*" />', "", text)
            assert removed >= 1, "no linux-* entry to remove"
            data = text.encode("utf-8")
        zout.writestr(item, data)
PY
ok "feed: the pointer without linux-* entries, and netkit.any"

dir="$SMOKE_TMP/tools"
dotnet tool install --tool-path "$dir" --source "$only" netkit --version "$version" ||
  fail "dotnet tool install netkit $version from a feed with only the pointer and netkit.any"
cmd="$dir/netkit"
[ -x "$cmd" ] || fail "no $cmd after install"
dll=$(find "$dir/.store" -name netkit.dll -path '*/tools/net10.0/any/*' | head -1)
[ -n "$dll" ] || fail "installed netkit is not the any package: no tools/net10.0/any/netkit.dll under $dir/.store"
ok "installed the framework-dependent any package: ${dll#"$dir/"}"

ok "runtimes here: $(dotnet --list-runtimes | sed -n 's/^Microsoft.NETCore.App \([^ ]*\).*/\1/p' | tr '\n' ' ')"
installed_tool_works "any package" "$cmd" "$version"

# The package asks for runtime 10.0.0, so any .NET 10 runs it: here the oldest 10.0 the NuGet
# mirror serves (ANY_OLDEST_RUNTIME), alone in a private DOTNET_ROOT (this SDK's host, that
# runtime's shared framework). A package built asking for the build machine's patch (10.0.12)
# said "You must install or update .NET" there.
oldest=${ANY_OLDEST_RUNTIME:-10.0.11}
rid=linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
mkdir -p "$SMOKE_TMP/rt"
cat > "$SMOKE_TMP/rt/rt.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Microsoft.NETCore.App.Runtime.$rid" Version="[$oldest]" /></ItemGroup>
</Project>
XML
dotnet restore "$SMOKE_TMP/rt/rt.csproj" >"$SMOKE_TMP/rt/restore.log" 2>&1 ||
  fail "could not download Microsoft.NETCore.App.Runtime.$rid $oldest: $(tail -3 "$SMOKE_TMP/rt/restore.log")"
pack="$NUGET_PACKAGES/microsoft.netcore.app.runtime.$rid/$oldest/runtimes/$rid"
host=$(dirname "$(readlink -f "$(command -v dotnet)")")
root="$SMOKE_TMP/dotnet-$oldest"
mkdir -p "$root/host" "$root/shared/Microsoft.NETCore.App/$oldest"
cp "$host/dotnet" "$root/" && cp -r "$host/host/fxr" "$root/host/"
cp "$pack"/lib/net10.0/* "$pack"/native/* "$root/shared/Microsoft.NETCore.App/$oldest/"
runtimes=$(DOTNET_ROOT="$root" "$root/dotnet" --list-runtimes)
[ "$runtimes" = "Microsoft.NETCore.App $oldest [$root/shared/Microsoft.NETCore.App]" ] || fail "the private root holds more than $oldest: $runtimes"
printed=$(DOTNET_ROOT="$root" "$root/dotnet" "$dll" --version 2>&1) || fail "the any package on runtime $oldest alone: $printed"
[ "$printed" = "$version" ] || fail "the any package on runtime $oldest printed '$printed', expected $version"
ok "the any package runs on .NET $oldest alone (it asks $(sed -n 's/.*"version": "\(10[^"]*\)".*/\1/p' "$(dirname "$dll")/netkit.runtimeconfig.json"))"
echo "any fallback test passed"
