// `npm run bench`: runs each benchmark in its own Node process (peak RSS is per process)
// and prints one line per result. Numbers are measured, never asserted in tests.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const only = process.argv.slice(2);
const benches = ["engine.ts"].filter((b) => only.length === 0 || only.some((o) => b.includes(o)));

for (const bench of benches) {
  const file = fileURLToPath(new URL(bench, import.meta.url));
  const out = execFileSync(process.execPath, ["--import", "tsx", file], {
    encoding: "utf8",
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  for (const line of out.trim().split("\n")) {
    try {
      const r = JSON.parse(line) as Record<string, unknown>;
      console.log(`${r.bench}`);
      for (const [k, v] of Object.entries(r)) if (k !== "bench") console.log(`  ${k.padEnd(22)} ${v}`);
    } catch {
      console.log(line);
    }
  }
}
