// `npm run bench`: bundles each benchmark with esbuild and runs it in its own plain
// Node process, as the Lambda bundle runs: peak RSS is per process, and the tsx
// transpiler the CLI uses in development is not part of what is measured.
// Numbers are printed, never asserted in tests. bench/bundles.ts builds the Lambda bundles
// itself (with serverless.yml's esbuild options) and times fresh processes importing them,
// so it runs as it is, under tsx.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { formatSection, type Section } from "./figures.js";

const only = process.argv.slice(2);
// The engine runs twice: once planning a single time (peak RSS of one plan per process,
// as in a Lambda invocation or a CLI run), once seven times (steady-state timing).
const benches: Array<{ file: string; env?: Record<string, string>; direct?: boolean }> = [
  { file: "engine.ts", env: { BENCH_RUNS: "1" } },
  { file: "engine.ts", env: { BENCH_RUNS: "7" } },
  { file: "apply.ts" },
  { file: "alerts.ts" },
  { file: "bundles.ts", direct: true },
  { file: "render.ts" },
  { file: "cli-start.ts" },
].filter((b) => only.length === 0 || only.some((o) => b.file.includes(o)));
const outDir = mkdtempSync(join(tmpdir(), "cloudhsm-retention-bench-"));

try {
  for (const { file: bench, env, direct } of benches) {
    const outfile = join(outDir, bench.replace(/\.ts$/, ".mjs"));
    if (!direct) await build({
      entryPoints: [fileURLToPath(new URL(bench, import.meta.url))],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile,
      logLevel: "warning",
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });
    const args = direct ? ["--import", "tsx", fileURLToPath(new URL(bench, import.meta.url))] : ["--expose-gc", outfile];
    const out = execFileSync(process.execPath, args, {
      encoding: "utf8",
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    for (const line of out.trim().split("\n")) {
      try {
        const r = JSON.parse(line) as Record<string, unknown>;
        // Sections that return figures (bench/figures.ts); the others print flat objects.
        if (Array.isArray(r.figures)) {
          for (const out of formatSection(r as unknown as Section)) console.log(out);
          continue;
        }
        console.log(`${r.bench}`);
        for (const [k, v] of Object.entries(r)) if (k !== "bench") console.log(`  ${k.padEnd(26)} ${v}`);
      } catch {
        console.log(line);
      }
    }
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
