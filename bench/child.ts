// Runs one benchmark file bundled with esbuild in its own plain Node process, as the Lambda
// bundle runs: peak RSS is per process, and the tsx transpiler the CLI uses in development
// is not part of what is measured. The file prints one JSON object per line.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export async function runBundled(file: string, env: Record<string, string> = {}): Promise<Array<Record<string, unknown>>> {
  const outDir = mkdtempSync(join(tmpdir(), "cloudhsm-retention-bench-"));
  try {
    const outfile = join(outDir, file.replace(/\.ts$/, ".mjs"));
    await build({
      entryPoints: [fileURLToPath(new URL(file, import.meta.url))],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile,
      logLevel: "warning",
      // Under its own name: bundled modules (src/local's dynalite loader) import createRequire too.
      banner: { js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);" },
    });
    const out = execFileSync(process.execPath, ["--expose-gc", outfile], {
      encoding: "utf8",
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    return out
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
