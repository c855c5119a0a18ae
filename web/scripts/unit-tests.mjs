/**
 * `npm test`: the client's unit tests (test/**\/*.test.ts) with Node's own test runner, so no test
 * framework is installed. tsc compiles them, and the modules they import, into a temporary folder
 * as CommonJS (which resolves the client's extensionless imports as it is); the folder is removed after.
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = mkdtempSync(join(tmpdir(), "strom-web-tests-"));

/** Runs `args` with this Node; false, with its output shown, when it fails. */
function node(args) {
  return spawnSync(process.execPath, args, { cwd: web, stdio: "inherit" }).status === 0;
}

let passed = false;
try {
  const tsc = join(web, "node_modules", "typescript", "bin", "tsc");
  if (node([tsc, "-p", join(web, "test", "tsconfig.json"), "--outDir", out])) {
    writeFileSync(join(out, "package.json"), '{ "type": "commonjs" }\n');
    const compiled = join(out, "test");
    const tests = readdirSync(compiled, { recursive: true })
      .filter((file) => file.endsWith(".test.js"))
      .sort()
      .map((file) => join(compiled, file));
    passed = tests.length > 0 && node(["--test", ...tests]);
    if (tests.length === 0) console.error("no unit tests found under test/");
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
process.exitCode = passed ? 0 : 1;
