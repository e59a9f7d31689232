#!/usr/bin/env node
// The CLI runs the JavaScript that scripts/build-cli.ts bundles into dist/ (`prepare`
// builds it on `npm ci` and `npm install`), and falls back to the TypeScript sources
// through tsx when dist/ is missing or older than any file it was built from. So a fresh
// clone works after `npm ci` with no extra step, an edit to src/ is never run stale, and
// a normal start skips transpiling TypeScript and loading hundreds of modules.
//   CLOUDHSM_RETENTION_FROM_SOURCE=1   always run the sources (tsx)
//   CLOUDHSM_RETENTION_DEBUG=loader    say on stderr which one runs, and why
import { readFileSync, statSync } from "node:fs";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
// `cloudhsm-retention plan ... | head` closes the pipe early: that is not an error.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});
// A closed stderr (a log pipe whose reader went away) loses the diagnostics, not the run:
// the command goes on, so a half-done apply is not cut short, and exits with its own code.
process.stderr.on("error", (err) => {
  if (err.code === "EPIPE" || err.code === "ERR_STREAM_DESTROYED") return;
  throw err;
});

const root = new URL("../", import.meta.url);

/** Why dist/ cannot be used, or undefined when it is current (see scripts/build-cli.ts). */
function staleDist() {
  if (process.env.CLOUDHSM_RETENTION_FROM_SOURCE) return "CLOUDHSM_RETENTION_FROM_SOURCE is set";
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(new URL("dist/manifest.json", root), "utf8"));
  } catch {
    return "dist/ is not built (npm run build)";
  }
  if (manifest.version !== 1) return "dist/ was built by another version of the build script";
  for (const file of manifest.inputs) {
    let mtimeMs;
    try {
      ({ mtimeMs } = statSync(new URL(file, root)));
    } catch {
      return `${file} is gone since the build`;
    }
    if (mtimeMs > manifest.builtAtMs) return `${file} changed since the build (npm run build)`;
  }
  return undefined;
}

const stale = staleDist();
if (process.env.CLOUDHSM_RETENTION_DEBUG === "loader") {
  process.stderr.write(`cloudhsm-retention: running ${stale ? `the sources through tsx: ${stale}` : "dist/"}\n`);
}
let cli;
if (stale) {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import("../src/cli/entry.ts");
} else {
  cli = await import("../dist/cli.js");
}
process.exitCode = await cli.main(process.argv.slice(2), cli.processIo());
