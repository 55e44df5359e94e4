#!/usr/bin/env bash
# Installs netkit as a .NET tool from a local feed, as a user would, and proves the installed
# command is the native AOT binary for this machine (not an apphost with a netkit.dll next to it)
# by holding a TCP and a UDP conversation with it over loopback; then uninstalls it.
#
#   build/smoke-tool.sh FEED VERSION
#
# Use a version never installed before on this machine (build.cake adds a -ci.TIMESTAMP suffix):
# NuGet caches packages by id and version, so a repacked same version would not be seen.
set -euo pipefail
feed=$(realpath "${1:?usage: smoke-tool.sh FEED VERSION}")
version=${2:?usage: smoke-tool.sh FEED VERSION}
source "$(dirname "$0")/smoke-lib.sh"

dir="$SMOKE_TMP/tools"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool install --tool-path "$dir" --add-source "$feed" netkit --version "$version" ||
  fail "dotnet tool install netkit $version from $feed"
cmd="$dir/netkit"
[ -x "$cmd" ] || fail "no $cmd after install"
real=$(realpath "$cmd")
kind=$(file -b "$real")
case "$kind" in
  ELF*) ;;
  *) fail "installed netkit is not an ELF binary: $kind" ;;
esac
[ ! -e "$(dirname "$real")/netkit.dll" ] || fail "installed netkit is an apphost: netkit.dll next to $real"
! grep -q 'libhostfxr' "$real" || fail "installed netkit is a .NET apphost (it loads hostfxr): $real"
ok "installed $cmd -> ${real#"$dir/"}: $kind"

installed_tool_works "installed tool" "$cmd" "$version"

dotnet tool uninstall --tool-path "$dir" netkit || fail "dotnet tool uninstall"
[ ! -e "$cmd" ] || fail "$cmd still there after uninstall"
ok "uninstalled"
echo "tool install test passed"
