#!/usr/bin/env bash
# The `any` fallback, as a host with no native package sees it: the SDK reads the pointer package's
# RuntimeIdentifierPackages, finds no entry for its own RID (linux-arm on a 32-bit Pi, FreeBSD, ...)
# and walks the RID graph down to `any`, the framework-dependent netkit.dll run by `dotnet`.
#
#   build/smoke-any.sh FEED VERSION
#
# The SDK takes its own RID from RuntimeInformation.RuntimeIdentifier, which the host sets from
# DOTNET_RUNTIME_ID when given: DOTNET_RUNTIME_ID=linux-arm makes this SDK resolve the pointer as a
# 32-bit Raspberry Pi OS does (linux-arm -> linux -> unix -> any). The feed holds only the pointer
# and netkit.any (a lookup of any other package would fail), and the NuGet cache is a fresh one, so
# nothing installed before can stand in. Then the TCP and UDP round trips, and the oldest runtime.
set -euo pipefail
feed=$(realpath "${1:?usage: smoke-any.sh FEED VERSION}")
version=${2:?usage: smoke-any.sh FEED VERSION}
source "$(dirname "$0")/smoke-lib.sh"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 NUGET_PACKAGES="$SMOKE_TMP/nuget"
only="$SMOKE_TMP/feed"
mkdir -p "$only"
for package in "netkit.$version.nupkg" "netkit.any.$version.nupkg"; do
  [ -f "$feed/$package" ] || fail "no $package in $feed"
  cp "$feed/$package" "$only/"
done
ok "feed: the pointer and netkit.any, nothing else"

dir="$SMOKE_TMP/tools"
DOTNET_RUNTIME_ID=linux-arm dotnet tool install --tool-path "$dir" --source "$only" netkit --version "$version" ||
  fail "a linux-arm host: dotnet tool install netkit $version from a feed with only the pointer and netkit.any"
cmd="$dir/netkit"
[ -x "$cmd" ] || fail "no $cmd after install"
dll=$(find "$dir/.store" -name netkit.dll -path '*/tools/net10.0/any/*' | head -1)
[ -n "$dll" ] || fail "installed netkit is not the any package: no tools/net10.0/any/netkit.dll under $dir/.store"
ok "a linux-arm host installs the framework-dependent any package: ${dll#"$dir/"}"

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
