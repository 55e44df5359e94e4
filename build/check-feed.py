#!/usr/bin/env python3
"""Every package the tool pointer names is in the feed, with that id and version.

    build/check-feed.py FEED VERSION [--optional RID,RID [--drop-missing]] [--only RID,RID]
    build/check-feed.py --self-test

The pointer (netkit.VERSION.nupkg) lists a package per RID in DotnetToolSettings.xml. A RID whose
package is missing breaks `dotnet tool install -g netkit` on exactly those hosts ("package not
found"), so the release checks this before it pushes anything. --optional RIDs (a runner that may
not exist, win-arm64) only warn; with --drop-missing their entries are taken out of the pointer, so
those hosts walk the RID graph on to `any` (the framework-dependent package) instead of failing.
--only limits the check to the RIDs this run built (Cake's Pack on one Linux runner makes no win-*
or osx-* package). Each package found must carry that id and version in its nuspec and be a
DotnetToolRidPackage.
"""
import os
import re
import sys
import tempfile
import zipfile


def settings_entries(pointer):
    with zipfile.ZipFile(pointer) as z:
        names = [n for n in z.namelist() if n.endswith("DotnetToolSettings.xml")]
        if len(names) != 1:
            raise SystemExit(f"{pointer}: {len(names)} DotnetToolSettings.xml, expected 1")
        text = z.read(names[0]).decode("utf-8-sig")
    entries = re.findall(r'<RuntimeIdentifierPackage RuntimeIdentifier="([^"]+)" Id="([^"]+)"', text)
    if not entries:
        raise SystemExit(f"{pointer}: the pointer names no RID packages")
    return entries


def nuspec(package):
    with zipfile.ZipFile(package) as z:
        names = [n for n in z.namelist() if "/" not in n and n.endswith(".nuspec")]
        if len(names) != 1:
            return None, None, None
        text = z.read(names[0]).decode("utf-8-sig")
    field = lambda tag: (re.search(f"<{tag}>([^<]*)</{tag}>", text) or [None, None])[1]
    kind = re.search(r'<packageType name="([^"]+)"', text)
    return field("id"), field("version"), kind[1] if kind else None


def drop_entries(pointer, rids):
    """Rewrites the pointer without the RuntimeIdentifierPackage entries of these RIDs."""
    with zipfile.ZipFile(pointer) as z:
        items = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(pointer + ".new", "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename.endswith("DotnetToolSettings.xml"):
                text = data.decode("utf-8-sig")
                for rid in rids:
                    text, n = re.subn(rf'\s*<RuntimeIdentifierPackage RuntimeIdentifier="{re.escape(rid)}" Id="[^"]+"\s*/>', "", text)
                    assert n == 1, f"{rid}: {n} entries"
                data = text.encode("utf-8")
            z.writestr(info, data)
    os.replace(pointer + ".new", pointer)


def check(feed, version, optional=(), only=None, drop=False, out=sys.stdout):
    pointer = os.path.join(feed, f"netkit.{version}.nupkg")
    if not os.path.isfile(pointer):
        return [f"no pointer package {pointer}"], []
    errors, warnings, dropped = [], [], []
    try:
        entries = settings_entries(pointer)
    except zipfile.BadZipFile:
        return [f"the pointer {pointer} is not a zip (a package)"], []
    if only is not None and not only:
        return ["--only names no RID"], []
    for rid, package_id in entries:
        if only is not None and rid not in only:
            continue
        path = os.path.join(feed, f"{package_id}.{version}.nupkg")
        if not os.path.isfile(path):
            message = f"the pointer names {package_id} for {rid}, but {os.path.basename(path)} is not in {feed}"
            if rid in optional and drop:
                dropped.append((rid, message))
            elif rid in optional:
                warnings.append(message + f": `dotnet tool install` fails on {rid} hosts until it is pushed"
                                " (re-run its job, then this one)")
            else:
                errors.append(message)
            continue
        try:
            got_id, got_version, kind = nuspec(path)
        except zipfile.BadZipFile:
            errors.append(f"{os.path.basename(path)} is not a zip (a package)")
            continue
        if (got_id, got_version, kind) != (package_id, version, "DotnetToolRidPackage"):
            errors.append(f"{os.path.basename(path)}: nuspec says id {got_id}, version {got_version}, type {kind}; "
                          f"expected {package_id}, {version}, DotnetToolRidPackage")
            continue
        print(f"ok: {rid} -> {os.path.basename(path)}", file=out)
    if dropped and not errors:
        drop_entries(pointer, [rid for rid, _ in dropped])
        warnings += [f"{m}: taken out of the pointer, so {rid} hosts get the framework-dependent `any` package" for rid, m in dropped]
    elif dropped:
        warnings += [f"{m}: left in the pointer, which is not rewritten while anything else is wrong" for _, m in dropped]
    return errors, warnings


def self_test():
    def package(folder, package_id, version, kind, settings=None):
        with zipfile.ZipFile(os.path.join(folder, f"{package_id}.{version}.nupkg"), "w") as z:
            z.writestr(f"{package_id}.nuspec", f'<package><metadata><id>{package_id}</id><version>{version}</version>'
                       f'<packageTypes><packageType name="{kind}" /></packageTypes></metadata></package>')
            if settings:
                z.writestr("tools/any/any/DotnetToolSettings.xml", settings)

    rids = ["linux-x64", "linux-musl-x64", "win-arm64", "any"]
    settings = "<DotNetCliTool><RuntimeIdentifierPackages>" + "".join(
        f'<RuntimeIdentifierPackage RuntimeIdentifier="{r}" Id="netkit.{r}" />' for r in rids) + "</RuntimeIdentifierPackages></DotNetCliTool>"
    with tempfile.TemporaryDirectory() as feed, open(os.devnull, "w") as quiet:
        package(feed, "netkit", "1.0.0", "DotnetTool", settings)
        for rid in ["linux-x64", "any"]:
            package(feed, f"netkit.{rid}", "1.0.0", "DotnetToolRidPackage")
        package(feed, "netkit.linux-musl-x64", "1.0.0", "DotnetTool")  # wrong type
        errors, warnings = check(feed, "1.0.0", optional={"win-arm64"}, out=quiet)
        assert len(errors) == 1 and "netkit.linux-musl-x64" in errors[0] and "type DotnetTool;" in errors[0], errors
        assert len(warnings) == 1 and "win-arm64" in warnings[0], warnings
        errors, _ = check(feed, "1.0.0", out=quiet)
        assert any("netkit.win-arm64" in e and "not in" in e for e in errors), errors
        errors, warnings = check(feed, "1.0.0", only={"linux-x64", "any"}, out=quiet)
        assert not errors and not warnings, (errors, warnings)
        errors, _ = check(feed, "2.0.0", out=quiet)
        assert errors and "no pointer" in errors[0], errors
        # --drop-missing: the optional RID's entry leaves the pointer (once nothing else is wrong).
        package(feed, "netkit.linux-musl-x64", "1.0.0", "DotnetToolRidPackage")
        errors, warnings = check(feed, "1.0.0", optional={"win-arm64"}, drop=True, out=quiet)
        assert not errors and len(warnings) == 1 and "taken out" in warnings[0], (errors, warnings)
        assert [r for r, _ in settings_entries(os.path.join(feed, "netkit.1.0.0.nupkg"))] == ["linux-x64", "linux-musl-x64", "any"]
        errors, warnings = check(feed, "1.0.0", out=quiet)
        assert not errors and not warnings, (errors, warnings)
    print("ok: check-feed self-test (a missing package, a wrong type, an optional RID, --only, a missing pointer, --drop-missing)")


def main(argv):
    if argv == ["--self-test"]:
        self_test()
        return 0
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    feed, version, rest = argv[0], argv[1], argv[2:]
    optional, only, drop = set(), None, False
    while rest:
        if rest[0] == "--drop-missing":
            drop, rest = True, rest[1:]
            continue
        if len(rest) < 2 or rest[0] not in ("--optional", "--only"):
            print(f"check-feed: unknown arguments {rest}", file=sys.stderr)
            return 2
        values = {r for r in rest[1].split(",") if r}
        if rest[0] == "--optional":
            optional = values
        else:
            only = values
        rest = rest[2:]
    errors, warnings = check(feed, version, optional, only, drop)
    actions = os.environ.get("GITHUB_ACTIONS") == "true"  # annotations on the run's summary there
    for w in warnings:
        print(f"{'::warning::' if actions else 'warning: '}{w}")
    for e in errors:
        print(f"{'::error::' if actions else 'error: '}{e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
