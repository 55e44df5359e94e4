#!/usr/bin/env python3
"""The release's invariants, which a schema lint cannot see: each edit below leaves valid YAML with
known keys, and ships a broken release.

    build/lint-release.py [--self-test]

Checked, from .github/workflows/{release,ci}.yml, build.cake, src/Netkit/Netkit.csproj, README.md:
  - the build waits for the tests (needs: test, which runs .ci/run) and the publish job for the build;
    Windows and macOS legs run their own tests before their Release;
  - publish checks the feed (check-feed.py) and that no other build is out (check-published.py)
    before it pushes to NuGet, and pushes before it makes the GitHub release;
  - exactly one leg packs the pointer, on linux-x64; the legs' RIDs plus `any` and the musl RIDs
    Cake repacks are exactly the RIDs the pointer names (ToolPackageRuntimeIdentifiers);
  - a tag with a `-` is a prerelease and never "Latest";
  - what the legs upload is where Cake writes it, and the publish job reads it where it lands;
  - `dotnet cake` is given only arguments build.cake reads, and targets it has;
  - run blocks name only GitHub's own GITHUB_* variables; secrets are GITHUB_TOKEN or named in the README;
  - ci.yml also runs on tags.
--self-test plants each of those edits in a copy and requires it to be caught.
"""
import os
import re
import sys
import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
FILES = {name: os.path.join(ROOT, name) for name in
         (".github/workflows/release.yml", ".github/workflows/ci.yml", "build.cake", "src/Netkit/Netkit.csproj", "README.md")}
# GitHub's default environment variables (docs: "Store information in variables").
GITHUB_VARS = {"GITHUB_ACTION", "GITHUB_ACTION_PATH", "GITHUB_ACTION_REPOSITORY", "GITHUB_ACTIONS", "GITHUB_ACTOR",
               "GITHUB_ACTOR_ID", "GITHUB_API_URL", "GITHUB_BASE_REF", "GITHUB_ENV", "GITHUB_EVENT_NAME",
               "GITHUB_EVENT_PATH", "GITHUB_GRAPHQL_URL", "GITHUB_HEAD_REF", "GITHUB_JOB", "GITHUB_OUTPUT",
               "GITHUB_PATH", "GITHUB_REF", "GITHUB_REF_NAME", "GITHUB_REF_PROTECTED", "GITHUB_REF_TYPE",
               "GITHUB_REPOSITORY", "GITHUB_REPOSITORY_ID", "GITHUB_REPOSITORY_OWNER", "GITHUB_REPOSITORY_OWNER_ID",
               "GITHUB_RETENTION_DAYS", "GITHUB_RUN_ATTEMPT", "GITHUB_RUN_ID", "GITHUB_RUN_NUMBER", "GITHUB_SERVER_URL",
               "GITHUB_SHA", "GITHUB_STEP_SUMMARY", "GITHUB_TRIGGERING_ACTOR", "GITHUB_WORKFLOW", "GITHUB_WORKFLOW_REF",
               "GITHUB_WORKFLOW_SHA", "GITHUB_WORKSPACE", "GH_TOKEN"}
# Cake's own arguments (cake --help), besides the script's.
CAKE_OWN = {"target", "verbosity", "dryrun", "noop", "whatif", "exclusive", "debug", "bootstrap", "skip-bootstrap",
            "info", "version", "tree", "description", "showdescription", "help"}


def steps(workflow, job):
    return (workflow["jobs"].get(job) or {}).get("steps") or []


def runs(workflow):
    for job in workflow["jobs"].values():
        for step in job.get("steps") or []:
            if "run" in step:
                yield step["run"]


def as_list(value):
    return value if isinstance(value, list) else [] if value is None else [value]


def problems(text):
    found = []
    try:
        release, ci = yaml.safe_load(text[".github/workflows/release.yml"]), yaml.safe_load(text[".github/workflows/ci.yml"])
    except yaml.YAMLError as e:
        return [f"YAML: {e}"]
    cake, csproj, readme = text["build.cake"], text["src/Netkit/Netkit.csproj"], text["README.md"]
    jobs = release.get("jobs") or {}
    legs = (((jobs.get("build") or {}).get("strategy") or {}).get("matrix") or {}).get("include") or []

    # Order: test -> build -> publish, and the test job is CI's.
    if "test" not in as_list((jobs.get("build") or {}).get("needs")):
        found.append("release.yml: the build job does not wait for the tests (needs: test)")
    if "build" not in as_list((jobs.get("publish") or {}).get("needs")):
        found.append("release.yml: the publish job does not wait for the build (needs: build)")
    if not any(re.search(r"(^|\s)(bash\s+)?(\./)?\.ci/run\b", str(s.get("run", ""))) for s in steps(release, "test")):
        found.append("release.yml: the test job does not run .ci/run, CI's tests")
    # Nothing that gates or ships may be skipped or have its failure ignored.
    for name in ("test", "build", "publish"):
        job = jobs.get(name) or {}
        if "if" in job:
            found.append(f"release.yml: job {name} has `if: {job['if']}`: it must always run")
        allowed_coe = "${{ matrix.optional }}" if name == "build" else None
        if "continue-on-error" in job and str(job["continue-on-error"]).replace(" ", "") != (allowed_coe or "").replace(" ", ""):
            found.append(f"release.yml: job {name} has continue-on-error: {job['continue-on-error']} (only the build's "
                         "`${{ matrix.optional }}` is allowed)")
    critical = (r"\.ci/run", r"dotnet cake --target[= ]Test", r"dotnet cake --target[= ]Release", r"build/check-feed\.py",
                r"build/check-published\.py", r"dotnet nuget push", r"gh release create")
    for name in ("test", "build", "publish"):
        for step in steps(release, name):
            run = str(step.get("run", ""))
            if not any(re.search(c, run, re.I) for c in critical):
                continue
            label = step.get("name") or run.splitlines()[0]
            if "continue-on-error" in step:
                found.append(f"release.yml: step '{label}' has continue-on-error: its failure must stop the release")
            if "if" in step and not (re.search(r"dotnet cake --target[= ]Test", run, re.I) and str(step["if"]).replace(" ", "") == "runner.os!='Linux'"):
                found.append(f"release.yml: step '{label}' has `if: {step['if']}`: it must always run")
            if re.search(r"\|\||set \+e", run):
                found.append(f"release.yml: step '{label}' can swallow a failure (`||` or `set +e`)")
    all_runs = "\n".join(runs(release))
    for flag in ("--allow-dirty", "--skip-tests", "--sysroot=false"):
        if flag in all_runs:
            found.append(f"release.yml: {flag} turns off one of the Release target's own checks")
    if not re.search(r"--pack-pointer=\$\{\{ *matrix\.pack-pointer *\}\}", all_runs):
        found.append("release.yml: the Release command must take --pack-pointer from the matrix (--pack-pointer=${{ matrix.pack-pointer }})")
    optional = sorted(leg.get("rid") for leg in legs if leg.get("optional") is True)
    feed_check = re.search(r"python3 build/check-feed\.py\s+\S+\s+\S+(.*)", all_runs)
    given = re.search(r"--optional\s+(\S+)", feed_check[1]) if feed_check else None
    if sorted((given[1].split(",") if given else [])) != optional:
        found.append(f"release.yml: check-feed.py's --optional must name exactly the optional legs {optional}, not {given[1] if given else 'none'}")
    if "python3 build/check-published.py" in all_runs and "--nuget-base https://api.nuget.org/v3-flatcontainer" not in all_runs:
        found.append("release.yml: check-published.py must ask nuget.org (--nuget-base https://api.nuget.org/v3-flatcontainer)")
    if "dotnet nuget push" in all_runs and "--source https://api.nuget.org/v3/index.json" not in all_runs:
        found.append("release.yml: the push must go to nuget.org (--source https://api.nuget.org/v3/index.json)")
    loop = re.search(r"for package in ([^;\n]*)", all_runs)
    if not loop or not re.search(r'netkit\.\*\."\$version"\.nupkg\s+\S*netkit\."\$version"\.nupkg\s*$', loop[1]):
        found.append("release.yml: the push must take the RID packages first and the pointer last (a pointer out first names missing packages)")
    creates = re.findall(r"gh release create[^\n]*(?:\\\n[^\n]*)*", all_runs)
    if any(re.search(r"--latest(?!=false)", c) for c in creates):
        found.append("release.yml: gh release create with --latest makes a prerelease \"Latest\"")
    for step in steps(release, "build"):
        if str(step.get("uses", "")).startswith("actions/upload-artifact") and (step.get("with") or {}).get("if-no-files-found") != "error":
            found.append("release.yml: the build's upload must fail when nothing is there (if-no-files-found: error)")
    release_on = release.get("on", release.get(True)) or {}
    if not (((release_on.get("push") or {}) if isinstance(release_on, dict) else {}).get("tags")):
        found.append("release.yml: does not run on pushed tags")

    # Windows and macOS: their own tests before their Release, on their runner.
    build_runs = [(str(s.get("if", "")), str(s.get("run", ""))) for s in steps(release, "build")]
    tested = [i for i, (cond, run) in enumerate(build_runs) if re.search(r"dotnet cake --target[= ]Test\b", run, re.I) and "== 'Linux'" not in cond]
    released = [i for i, (_, run) in enumerate(build_runs) if re.search(r"dotnet cake --target[= ]Release\b", run, re.I)]
    if not tested or not released or tested[0] > released[0]:
        found.append("release.yml: the Windows and macOS legs do not run their tests (dotnet cake --target=Test) before Release")
    # Before anything is pushed: the pointer names no missing package, and no other build is out.
    order = [str(s.get("run", "")) for s in steps(release, "publish")]
    def first(needle):
        return next((i for i, run in enumerate(order) if needle in run), None)
    checks, guard, push, gh = first("python3 build/check-feed.py"), first("python3 build/check-published.py"), first("dotnet nuget push"), first("gh release create")
    if None in (checks, guard, push, gh) or not checks < guard < push < gh:
        found.append("release.yml: the publish job must run check-feed.py, then check-published.py, then push to NuGet, "
                     "then make the GitHub release, in that order")

    # The matrix against the pointer.
    pointer_legs = [leg for leg in legs if leg.get("pack-pointer") is True]
    for leg in legs:
        for key in ("pack-pointer", "optional"):
            if not isinstance(leg.get(key), bool):
                found.append(f"release.yml: leg {leg.get('rid')}: {key} is {leg.get(key)!r}, not true or false")
    if [leg.get("rid") for leg in pointer_legs] != ["linux-x64"]:
        found.append(f"release.yml: the pointer must be packed by exactly one leg, linux-x64 (pack-pointer: true on {[l.get('rid') for l in pointer_legs]})")
    declared = re.search(r"<ToolPackageRuntimeIdentifiers>([^<]*)</ToolPackageRuntimeIdentifiers>", csproj)
    musl = re.search(r"var muslRids = new\[\] \{([^}]*)\}", cake)
    if not declared or not musl:
        found.append("cannot find ToolPackageRuntimeIdentifiers in Netkit.csproj or muslRids in build.cake")
    else:
        pointer = set(declared[1].split(";")) - {""}
        made = {leg.get("rid") for leg in legs} | {"any"} | set(re.findall(r'"([^"]+)"', musl[1]))
        if pointer != made:
            found.append(f"the pointer names {sorted(pointer - made)} that no release leg makes, and the release makes "
                         f"{sorted(made - pointer)} that the pointer does not name")

    # Prereleases.
    publish_runs = "\n".join(str(s.get("run", "")) for s in steps(release, "publish"))
    if not re.search(r'case "\$GITHUB_REF_NAME" in \*-\*\) flags=\(--prerelease --latest=false\)', publish_runs):
        found.append("release.yml: a tag with '-' must become a prerelease that is not Latest "
                     "(case \"$GITHUB_REF_NAME\" in *-*) flags=(--prerelease --latest=false))")

    # Artifacts: where Cake writes them, and where the publish job reads them.
    cake_dirs = set(re.findall(r'artifacts\.Combine\("([^"]+)"\)', cake))
    for step in steps(release, "build"):
        if str(step.get("uses", "")).startswith("actions/upload-artifact"):
            for path in str((step.get("with") or {}).get("path", "")).split():
                parts = path.split("/")
                if parts[0] != "artifacts" or len(parts) < 3 or parts[1] not in cake_dirs:
                    found.append(f"release.yml: uploads {path}, which is not a folder Cake writes (artifacts/{{{','.join(sorted(cake_dirs))}}})")
    uploaded = set()
    for step in steps(release, "build"):
        if str(step.get("uses", "")).startswith("actions/upload-artifact"):
            uploaded |= {p.split("/")[1] for p in str((step.get("with") or {}).get("path", "")).split() if p.count("/") >= 2}
    downloads = [s for s in steps(release, "publish") if str(s.get("uses", "")).startswith("actions/download-artifact")]
    landing = str((downloads[0].get("with") or {}).get("path", "")) if downloads else ""
    reads = publish_runs + "\n" + "\n".join(str(s.get("working-directory", "")) for s in steps(release, "publish"))
    if not landing or f"{landing}/" not in reads:
        found.append(f"release.yml: the publish job never reads where the artifacts land ('{landing}')")
    for folder in re.findall(rf"(?<![\w/]){re.escape(landing)}/([\w.-]+)", reads) if landing else []:
        if folder not in uploaded:
            found.append(f"release.yml: the publish job reads {landing}/{folder}, but the build uploads only {sorted(uploaded)}")

    # dotnet cake's arguments and targets.
    arguments = set(re.findall(r'(?:Argument(?:<\w+>)?|HasArgument)\("([a-z-]+)"', cake)) | CAKE_OWN
    for names in re.findall(r'foreach \(var name in new\[\] \{([^}]*)\}\)[^;]*?HasArgument\(name\)', cake, re.S):
        arguments |= set(re.findall(r'"([a-z-]+)"', names))
    tasks = {t.lower() for t in re.findall(r'Task\("(\w+)"\)', cake)}  # Cake ignores case
    for workflow_name, workflow in (("release.yml", release), ("ci.yml", ci)):
        for body in runs(workflow):
            for line in body.replace("\\\n", " ").replace("\n", " ; ").split(";"):
                if "dotnet cake" not in line:
                    continue
                command = re.split(r"&&|\|\|?", line.split("dotnet cake", 1)[1])[0]
                for name, value in re.findall(r"--([a-z][a-z-]*)(?:[= ]([^-\s]\S*))?", command):
                    if name not in arguments:
                        found.append(f"{workflow_name}: dotnet cake --{name}: build.cake reads no such argument")
                    elif name == "target" and value.lower() not in tasks:
                        found.append(f"{workflow_name}: dotnet cake --target={value}: build.cake has no such task")
            for name in re.findall(r"\b(GITHUB_[A-Z_]+|GH_[A-Z_]+)\b", body):
                if name not in GITHUB_VARS:
                    found.append(f"{workflow_name}: a run block names {name}, which is not one of GitHub's variables")

    # Secrets.
    for workflow_name, raw in (("release.yml", text[".github/workflows/release.yml"]), ("ci.yml", text[".github/workflows/ci.yml"])):
        for name in re.findall(r"secrets\.([A-Za-z_][A-Za-z0-9_]*)", raw):
            if name != "GITHUB_TOKEN" and name not in readme:
                found.append(f"{workflow_name}: secrets.{name} is not GITHUB_TOKEN, and the README does not say to create it")

    # CI on tags (the release's own tests are .ci/run on Linux; ci.yml adds Windows and macOS).
    on = ci.get("on", ci.get(True)) or {}
    if not ((on.get("push") or {}) if isinstance(on, dict) else {}).get("tags"):
        found.append("ci.yml: does not run on pushed tags")
    return found


PLANTS = [
    (".github/workflows/release.yml", "    needs: test\n", "", "the build no longer waits for the tests"),
    (".github/workflows/release.yml", "needs: build", "needs: test", "publish no longer waits for the build"),
    (".github/workflows/release.yml", "run: bash .ci/run", "run: echo skipped", "the test job runs no tests"),
    (".github/workflows/release.yml", "*-*)", "*_*)", "a prerelease becomes Latest"),
    (".github/workflows/release.yml", "rid: linux-x64, os: ubuntu-24.04, pack-pointer: true", "rid: linux-x64, os: ubuntu-24.04, pack-pointer: false", "no leg packs the pointer"),
    (".github/workflows/release.yml", "pack-pointer: false, optional: false }\n          - { rid: win-x64", "pack-pointer: flase, optional: false }\n          - { rid: win-x64", "a string where a boolean goes"),
    (".github/workflows/release.yml", "          - { rid: osx-x64, os: macos-15-intel, pack-pointer: false, optional: false }\n", "", "a RID the pointer names is never built"),
    (".github/workflows/release.yml", "artifacts/packages/*.nupkg", "artifacts/package/*.nupkg", "the packages are not uploaded"),
    (".github/workflows/release.yml", "dist/packages/netkit.*", "dist/package/netkit.*", "the publish job reads the packages from the wrong folder"),
    (".github/workflows/release.yml", "path: dist\n", "path: downloads\n", "the artifacts land elsewhere"),
    (".github/workflows/release.yml", "dotnet cake --target=Release --rids", "dotnet cake --tagret=Release --rids", "a misspelt Cake argument"),
    (".github/workflows/release.yml", "dotnet cake --target=Release --rids", "dotnet cake --target=Relase --rids", "a target that does not exist"),
    (".github/workflows/release.yml", "secrets.NUGET_API_KEY", "secrets.NUGET_APIKEY", "a secret nobody creates"),
    (".github/workflows/release.yml", '"${GITHUB_REF_NAME#v}" --optional', '"${GITHUB_REFNAME#v}" --optional', "a variable GitHub does not set"),
    (".github/workflows/ci.yml", '    tags: ["v*"]\n', "", "CI no longer runs on tags"),
    (".github/workflows/release.yml", "        run: dotnet cake --target=Test\n", "        run: echo no tests\n", "Windows and macOS ship untested"),
    (".github/workflows/release.yml", "python3 build/check-published.py", "true build/check-published.py", "another build of the version can ship"),
    (".github/workflows/release.yml", "run: bash .ci/run", "run: bash .ci/run || true", "the tests' failure is swallowed"),
    (".github/workflows/release.yml", "    timeout-minutes: 60\n    steps:", "    timeout-minutes: 60\n    continue-on-error: true\n    steps:", "the test job may fail"),
    (".github/workflows/release.yml", "    needs: test\n", "    needs: test\n    if: always()\n", "the build runs whatever the tests did"),
    (".github/workflows/release.yml", "--optional win-arm64 --drop-missing", "--optional win-arm64 --drop-missing || true", "a missing package is shrugged off"),
    (".github/workflows/release.yml", "      - name: One version, one build\n", "      - name: One version, one build\n        if: false\n", "the one-build check is skipped"),
    (".github/workflows/release.yml", "--nuget-base https://api.nuget.org/v3-flatcontainer", "--nuget-base https://example.invalid/v3", "the one-build check asks nobody"),
    (".github/workflows/release.yml", "--optional win-arm64 --drop-missing", "--optional win-arm64,win-x64,osx-arm64 --drop-missing", "required RIDs dropped from the pointer"),
    (".github/workflows/release.yml", "--pack-pointer=${{ matrix.pack-pointer }}", "--pack-pointer=true", "every leg packs a pointer"),
    (".github/workflows/release.yml", 'dist/packages/netkit.*."$version".nupkg dist/packages/netkit."$version".nupkg', 'dist/packages/netkit."$version".nupkg dist/packages/netkit.*."$version".nupkg', "the pointer is pushed first"),
    (".github/workflows/release.yml", 'gh release create "$GITHUB_REF_NAME"', 'gh release create --latest "$GITHUB_REF_NAME"', "a prerelease made Latest"),
    (".github/workflows/release.yml", "run: dotnet cake --target=Test", "run: dotnet cake --target=Test --skip-tests=true", "Windows and macOS tests skipped"),
    (".github/workflows/release.yml", "--package-version=\"${GITHUB_REF_NAME#v}\"", "--package-version=\"${GITHUB_REF_NAME#v}\" --allow-dirty=true", "a dirty tree released"),
    (".github/workflows/release.yml", "    continue-on-error: ${{ matrix.optional }}", "    continue-on-error: true", "every leg may fail"),
    (".github/workflows/release.yml", "          if-no-files-found: error", "          if-no-files-found: ignore", "a leg that made nothing passes"),
    (".github/workflows/release.yml", '    tags: ["v*"]', '    tag: ["v*"]', "the release never runs"),
    ("src/Netkit/Netkit.csproj", "linux-musl-arm64;", "linux-musl-arm64;linux-riscv64;", "the pointer names a RID nothing makes"),
]


def main(args):
    text = {name: open(path, encoding="utf-8").read() for name, path in FILES.items()}
    failed = problems(text)
    if "--self-test" in args:
        for name, old, new, what in PLANTS:
            if old not in text[name]:
                failed.append(f"self-test: cannot plant '{what}': {old!r} is not in {name}")
                continue
            planted = dict(text)
            planted[name] = text[name].replace(old, new, 1)
            if not problems(planted):
                failed.append(f"self-test: planted '{what}' in {name}; nothing caught it")
    for line in failed:
        print(line, file=sys.stderr)
    if failed:
        return 1
    print(f"ok: release invariants{f' ({len(PLANTS)} breaking edits planted, each caught)' if '--self-test' in args else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
