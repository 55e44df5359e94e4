#!/usr/bin/env python3
"""One version, one build: a re-run of the release may finish what a failed run began, never ship
other bytes under a version already out.

    build/check-published.py DIST VERSION --nuget-base URL [--release-sums FILE]
    build/check-published.py --self-test

For each DIST/packages/*.VERSION.nupkg it fetches the same package from the NuGet flat container at
URL (https://api.nuget.org/v3-flatcontainer). Not there: new. There with the same files (nuget.org
adds its repository signature, .signature.p7s, which is left out of the comparison): pushed before
by this build (`dotnet nuget push --skip-duplicate` will skip it). There with other files: fail, because --skip-duplicate would keep the old package while the GitHub release got the new
archives. --release-sums is the SHA256SUMS of the GitHub release already made for the tag, if any:
it must equal DIST/release/SHA256SUMS, or `gh release upload --clobber` would replace its archives
with another build's. A moved tag or a full re-run after a push makes other bytes: release a new
version instead. Not caught: a package nuget.org has taken but not yet validated is not served for
some minutes, so a different build pushed in that window reads as new (and is then skipped).
"""
import http.server
import io
import os
import shutil
import sys
import tempfile
import threading
import urllib.error
import urllib.request
import zipfile


def published(base, package_id, version):
    """The package's bytes on the feed, or None if it has no such version."""
    url = f"{base.rstrip('/')}/{package_id.lower()}/{version.lower()}/{package_id.lower()}.{version.lower()}.nupkg"
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.read()
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        raise


def contents(data):
    """A package's files and their bytes, without the repository signature nuget.org adds to every
    package it serves (.signature.p7s): what was pushed, whoever signed it since."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist() if name != ".signature.p7s"}


def check(dist, version, base, release_sums=None, out=sys.stdout):
    errors = []
    if not base.startswith(("https://", "http://")):
        return [f"--nuget-base {base!r} is not an http(s) URL"]
    folder = os.path.join(dist, "packages")
    packages = sorted(f for f in os.listdir(folder) if f.endswith(f".{version}.nupkg")) if os.path.isdir(folder) else []
    if not packages:
        return [f"no *.{version}.nupkg in {folder}"]
    for name in packages:
        package_id = name[: -len(f".{version}.nupkg")]
        with open(os.path.join(dist, "packages", name), "rb") as f:
            ours = f.read()
        try:
            theirs = published(base, package_id, version)
        except (OSError, urllib.error.URLError) as e:
            errors.append(f"{name}: cannot ask {base} whether it is out already: {e}")
            continue
        try:
            same = theirs is not None and contents(theirs) == contents(ours)
        except zipfile.BadZipFile:
            errors.append(f"{name}: it or the feed's copy is not a zip (a package)")
            continue
        if theirs is None:
            print(f"ok: {name}: new", file=out)
        elif same:
            print(f"ok: {name}: already pushed, the same files (a re-run)", file=out)
        else:
            errors.append(f"{name}: {package_id} {version} is already on NuGet with other bytes: another build of this "
                          "version shipped; release a new version")
    if release_sums is not None:
        ours_path = os.path.join(dist, "release", "SHA256SUMS")
        if not os.path.isfile(ours_path) or not os.path.isfile(release_sums):
            return errors + [f"cannot compare checksums: {ours_path if not os.path.isfile(ours_path) else release_sums} is missing"]
        with open(release_sums) as f, open(ours_path) as g:
            theirs, ours = f.read(), g.read()
        if theirs != ours:
            errors.append("the GitHub release for this tag already has other archives (its SHA256SUMS differs): "
                          "another build of this version shipped; release a new version")
        else:
            print("ok: the GitHub release's SHA256SUMS is this build's (a re-run)", file=out)
    return errors


def self_test():
    root = tempfile.mkdtemp()
    try:
        dist, feed = os.path.join(root, "dist"), os.path.join(root, "feed")
        for folder in ("packages", "release"):
            os.makedirs(os.path.join(dist, folder))
        def nupkg(payload, signed=False):
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as z:
                z.writestr("tools/netkit", payload)
                if signed:
                    z.writestr(".signature.p7s", b"nuget.org repository signature")
            return buffer.getvalue()

        for package_id, data in (("netkit", nupkg(b"pointer")), ("netkit.linux-x64", nupkg(b"native"))):
            with open(os.path.join(dist, "packages", f"{package_id}.1.2.3.nupkg"), "wb") as f:
                f.write(data)
        with open(os.path.join(dist, "release", "SHA256SUMS"), "w") as f:
            f.write("aa  netkit-1.2.3-linux-x64.tar.gz\n")

        def serve(package_id, data):
            folder = os.path.join(feed, package_id, "1.2.3")
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, f"{package_id}.1.2.3.nupkg"), "wb") as f:
                f.write(data)

        handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=feed, **k)
        http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        quiet = open(os.devnull, "w")
        try:
            assert check(dist, "1.2.3", base, out=quiet) == [], "nothing out yet"
            serve("netkit.linux-x64", nupkg(b"native", signed=True))
            assert check(dist, "1.2.3", base, out=quiet) == [], "a re-run: the same files, signed by nuget.org since"
            serve("netkit", nupkg(b"another build's pointer", signed=True))
            errors = check(dist, "1.2.3", base, out=quiet)
            assert len(errors) == 1 and "netkit.1.2.3.nupkg" in errors[0] and "other bytes" in errors[0], errors
            serve("netkit", b"not a zip")
            errors = check(dist, "1.2.3", base, out=quiet)
            assert len(errors) == 1 and "not a zip" in errors[0], errors
            serve("netkit", nupkg(b"pointer"))
            sums = os.path.join(root, "published.sums")
            with open(sums, "w") as f:
                f.write("aa  netkit-1.2.3-linux-x64.tar.gz\n")
            assert check(dist, "1.2.3", base, sums, out=quiet) == [], "the release's sums are ours"
            with open(sums, "w") as f:
                f.write("bb  netkit-1.2.3-linux-x64.tar.gz\n")
            errors = check(dist, "1.2.3", base, sums, out=quiet)
            assert len(errors) == 1 and "SHA256SUMS" in errors[0], errors
            assert check(dist, "9.9.9", base, out=quiet), "no packages of that version"
            assert check(dist, "1.2.3", "", out=quiet), "no base URL"
            os.remove(os.path.join(dist, "release", "SHA256SUMS"))
            errors = check(dist, "1.2.3", base, sums, out=quiet)
            assert errors and "missing" in errors[-1], errors
        finally:
            server.shutdown()
            quiet.close()
    finally:
        shutil.rmtree(root)
    print("ok: check-published self-test (new, a re-run against nuget.org's signed copy, other files on NuGet, not a zip, "
          "other archives on GitHub, missing inputs)")


def main(argv):
    if argv == ["--self-test"]:
        self_test()
        return 0
    if len(argv) < 4 or argv[2] != "--nuget-base" or (len(argv) not in (4, 6)) or (len(argv) == 6 and argv[4] != "--release-sums"):
        print(__doc__, file=sys.stderr)
        return 2
    errors = check(argv[0], argv[1], argv[3], argv[5] if len(argv) == 6 else None)
    prefix = "::error::" if os.environ.get("GITHUB_ACTIONS") == "true" else "error: "
    for e in errors:
        print(prefix + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
