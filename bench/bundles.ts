// The Lambda bundles: for each function in serverless.yml, its size and its cold import
// time (a fresh `node` process importing the built .mjs, median of several), with the AWS
// SDK bundled (what ships) and with `@aws-sdk/*` external (resolved from node_modules, as
// the Lambda runtime would provide its own SDK v3), against an empty handler bundled the
// same way as the floor. The build options are read from serverless.yml's custom.esbuild,
// so what is measured is built as serverless-esbuild builds it. Run through `npm run bench`.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BuildOptions, build } from "esbuild";
import { parse } from "yaml";

/** One measured value, as data: another module prints the table. `goal`/`ok` are null for values without a goal. */
export interface BenchRow {
  name: string;
  goal: string | null;
  value: number;
  unit: string;
  ok: boolean | null;
  /** Free text printed after the value (here: the largest parts of a bundle). */
  detail?: string;
}

/** The goal of issue 9: each bundle imports within 2.5 times the empty handler's time. */
export const MAX_IMPORT_RATIO = 2.5;

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const EMPTY = "(empty handler)";

export type Variant = "bundled" | "external";

interface Stack {
  /** Function name → its entry point (functions/<name>.ts). */
  entries: Record<string, string>;
  esbuild: Record<string, unknown>;
  /** NODE_OPTIONS the functions run with (provider.environment). */
  nodeOptions: string;
}

function readStack(): Stack {
  const config = parse(readFileSync(join(ROOT, "serverless.yml"), "utf8")) as {
    custom: { esbuild: Record<string, unknown> };
    provider: { environment?: Record<string, unknown> };
    functions: Record<string, { handler: string }>;
  };
  const entries = Object.fromEntries(
    Object.entries(config.functions).map(([name, fn]) => [name, `${fn.handler.slice(0, fn.handler.lastIndexOf("."))}.ts`]),
  );
  return { entries, esbuild: config.custom.esbuild, nodeOptions: String(config.provider.environment?.NODE_OPTIONS ?? "") };
}

/** serverless-esbuild's options (serverless.yml) as esbuild build options, for one variant. */
export function buildOptions(esbuildConfig: Record<string, unknown>, variant: Variant): BuildOptions {
  const { exclude: _exclude, outputFileExtension, plugins, ...rest } = esbuildConfig as { exclude?: unknown; outputFileExtension?: string; plugins?: string } & Omit<BuildOptions, "plugins">;
  return {
    ...rest,
    // serverless-esbuild takes a file exporting the plugins, loaded with require().
    plugins: plugins ? (createRequire(join(ROOT, "package.json"))(join(ROOT, plugins)) as BuildOptions["plugins"]) : [],
    sourcemap: rest.sourcemap === "linked" ? "linked" : rest.sourcemap,
    outExtension: { ".js": outputFileExtension ?? ".js" },
    external: variant === "external" ? ["@aws-sdk/*"] : [],
    metafile: true,
    logLevel: "error",
  };
}

export interface BuiltBundle {
  name: string;
  variant: Variant;
  file: string;
  bytes: number;
  /** Bytes in the output per input package or source folder (from esbuild's metafile). */
  inputs: Record<string, number>;
}

/** The package or source folder an input path belongs to: `zod`, `@aws-sdk/client-sns`, `src/alerts`. */
function ownerOf(input: string): string {
  // The innermost node_modules: a client's nested copy of a package counts as that package.
  const pkg = [...input.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].at(-1);
  if (pkg) return pkg[1]!;
  return input.split("/").slice(0, 2).join("/");
}

/**
 * Builds every function of serverless.yml, and the empty handler, into `outDir/<variant>/`.
 * The directory must be inside the project when `@aws-sdk/*` is external, so that the
 * imports resolve from its node_modules.
 */
export async function buildBundles(outDir: string, variants: readonly Variant[] = ["bundled", "external"]): Promise<BuiltBundle[]> {
  const stack = readStack();
  const built: BuiltBundle[] = [];
  for (const variant of variants) {
    const options = buildOptions(stack.esbuild, variant);
    const targets: Array<[string, BuildOptions]> = [
      // Named as serverless-esbuild names them (the entry's file name), so the bundles are byte for byte the same.
      ...Object.entries(stack.entries).map(([name, entry]): [string, BuildOptions] => [
        name,
        { entryPoints: [join(ROOT, entry)], outfile: join(outDir, variant, entry.replace(/\.ts$/, ".mjs")) },
      ]),
      [EMPTY, { stdin: { contents: "export const handler = async () => ({});", loader: "ts", resolveDir: ROOT }, outfile: join(outDir, variant, "functions", "empty.mjs") }],
    ];
    for (const [name, target] of targets) {
      const result = await build({ ...options, ...target, absWorkingDir: ROOT });
      const output = Object.entries(result.metafile!.outputs).find(([f]) => f.endsWith(".mjs"))!;
      const inputs: Record<string, number> = {};
      for (const [input, { bytesInOutput }] of Object.entries(output[1].inputs)) inputs[ownerOf(input)] = (inputs[ownerOf(input)] ?? 0) + bytesInOutput;
      built.push({ name, variant, file: target.outfile!, bytes: statSync(target.outfile!).size, inputs });
    }
  }
  return built;
}

/** What a function's module needs in its environment to load (it checks its settings at import). */
const IMPORT_ENV = {
  RETENTION_REGIONS: "us-east-1,us-west-2",
  RETENTION_POLICY_PATH: "policies",
  ALERT_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:cloudhsm-retention-bench-alerts",
  EVENT_BUS_NAME: "cloudhsm-retention-bench",
  LEDGER_TABLE: "cloudhsm-retention-bench-ledger",
  RESTORE_BASE_URL: "https://abc123defg.execute-api.us-east-1.amazonaws.com",
  RESTORE_LINK_SECRET_PARAMETER: "/cloudhsm-retention/bench/restore-link-secret",
  AWS_REGION: "us-east-1",
  AWS_LAMBDA_FUNCTION_NAME: "cloudhsm-retention-bench",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

/** Wall time of one fresh `node` process that imports `file` and exits, in milliseconds. */
function importOnce(file: string, nodeOptions: string): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", "await import(process.argv[1]);", pathToFileURL(file).href], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_OPTIONS: nodeOptions, ...IMPORT_ENV },
    encoding: "utf8",
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`importing ${file} failed: ${run.stderr.trim().split("\n").slice(-3).join(" ")}`);
  return elapsed;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Median cold import time of each bundle over `runs` rounds. Each round imports every
 * bundle once, in turn, so that load from elsewhere on the machine falls on all alike.
 */
export function measureImports(bundles: readonly BuiltBundle[], runs: number, nodeOptions = readStack().nodeOptions): Map<BuiltBundle, number> {
  const times = new Map<BuiltBundle, number[]>(bundles.map((b) => [b, []]));
  for (const b of bundles) importOnce(b.file, nodeOptions); // warm the file cache
  for (let i = 0; i < runs; i++) for (const b of bundles) times.get(b)!.push(importOnce(b.file, nodeOptions));
  return new Map([...times].map(([b, t]) => [b, median(t)]));
}

/** The rows of `npm run bench`: per function and variant, size, cold import and its ratio to the floor. */
export async function bundleRows(options: { runs?: number } = {}): Promise<BenchRow[]> {
  const runs = Math.max(7, options.runs ?? Number(process.env.BENCH_IMPORT_RUNS ?? 9));
  const outDir = join(ROOT, "node_modules", ".cache", "cloudhsm-retention-bench-bundles");
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  try {
    const bundles = await buildBundles(outDir);
    const medians = measureImports(bundles, runs);
    const floor = medians.get(bundles.find((b) => b.name === EMPTY && b.variant === "bundled")!)!;
    const rows: BenchRow[] = [{ name: `${EMPTY}: cold import, median of ${runs}`, goal: null, value: round(floor), unit: "ms", ok: null }];
    for (const b of bundles.filter((x) => x.name !== EMPTY)) {
      const ms = medians.get(b)!;
      const ratio = ms / floor;
      rows.push(
        { name: `${b.name} (${b.variant}): size`, goal: null, value: round(b.bytes / 1024), unit: "KiB", ok: null },
        { name: `${b.name} (${b.variant}): cold import, median of ${runs}`, goal: null, value: round(ms), unit: "ms", ok: null },
        { name: `${b.name} (${b.variant}): cold import / empty handler`, goal: `<= ${MAX_IMPORT_RATIO}`, value: round(ratio, 2), unit: "x", ok: ratio <= MAX_IMPORT_RATIO },
      );
      // What the bytes are: where a function misses the goal, this says which dependency to look at.
      const parts = Object.entries(b.inputs).sort((x, y) => y[1] - x[1]);
      const ours = parts.filter(([owner]) => owner.startsWith("src/") || owner.startsWith("functions/")).reduce((sum, [, n]) => sum + n, 0);
      const largest = parts.filter(([owner]) => !owner.startsWith("src/") && !owner.startsWith("functions/")).slice(0, 6);
      rows.push({
        name: `${b.name} (${b.variant}): largest parts`,
        goal: null,
        value: round(ours / 1024),
        unit: "KiB of src/",
        ok: null,
        detail: largest.map(([owner, n]) => `${owner} ${round(n / 1024)}`).join(", "),
      });
    }
    return rows;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

/** Run directly (`npm run bench -- bundles`): one JSON line per measured bundle, as the other benches print. */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await bundleRows();
  const byBundle = new Map<string, Record<string, string>>();
  for (const row of rows) {
    const [bundle, measure] = row.name.split(": ") as [string, string];
    const entry = byBundle.get(bundle) ?? { bench: `bundle ${bundle}` };
    entry[measure] = `${row.value} ${row.unit}${row.goal ? ` (goal ${row.goal}: ${row.ok ? "met" : "MISSED"})` : ""}${row.detail ? `; ${row.detail} KiB` : ""}`;
    byBundle.set(bundle, entry);
  }
  for (const entry of byBundle.values()) console.log(JSON.stringify(entry));
}
