#!/usr/bin/env bash
# Runs shellcheck over every shell script of the build and over each `run:` block of the workflows (as
# bash, the runners' shell; `${{ ... }}` expressions become a plain word first, since GitHub, not
# the shell, expands them). Warnings and errors fail; style notes do not.
#
#   build/lint-shell.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v shellcheck >/dev/null || { echo "lint-shell: shellcheck is not installed (apt-get install shellcheck)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

scripts=(build/*.sh .ci/run bench/run)
shellcheck -S warning -x "${scripts[@]}"
echo "ok: shellcheck ${scripts[*]}"

python3 - "$tmp" .github/workflows/*.yml <<'PY'
import os, re, sys, yaml
out, files = sys.argv[1], sys.argv[2:]
for path in files:
    with open(path) as f:
        workflow = yaml.safe_load(f)
    for job_name, job in (workflow.get("jobs") or {}).items():
        for i, step in enumerate(job.get("steps") or []):
            if "run" not in step or step.get("shell", "bash") not in ("bash", "sh"):
                continue
            body = re.sub(r"\$\{\{[^}]*\}\}", "GITHUB_EXPRESSION", step["run"])
            name = f"{os.path.basename(path)}.{job_name}.{i + 1}.sh"
            with open(os.path.join(out, name), "w") as f:
                f.write("#!/usr/bin/env bash\n" + body)
PY
blocks=("$tmp"/*.sh)
shellcheck -S warning "${blocks[@]}"
echo "ok: shellcheck on ${#blocks[@]} run: blocks of .github/workflows"
