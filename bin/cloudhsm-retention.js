#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx, so `npx cloudhsm-retention` works
// straight after `npm ci`, with no build step and no build output in the tree.
import { register } from "tsx/esm/api";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
register();
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
const { main } = await import("../src/cli/main.ts");
const { processIo } = await import("../src/cli/io.ts");
process.exitCode = await main(process.argv.slice(2), processIo());
