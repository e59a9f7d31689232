/**
 * Builds the CLI into dist/ (git-ignored): `npm run build`, and `prepare`, which npm runs
 * on `npm ci` and `npm install` in a clone, so a fresh checkout gets it with no extra step.
 *
 * - esbuild bundles src/cli/entry.ts as ESM with code splitting: dist/cli.js holds what
 *   every start needs (commander, the option definitions), and each command's modules,
 *   with their dependencies (zod, yaml, the AWS SDK), are chunks in dist/chunks/ that are
 *   loaded when that command runs. One file per chunk instead of hundreds of modules in
 *   node_modules is most of the speed-up; not transpiling TypeScript at start is the rest.
 * - dist/manifest.json lists the project files the build read, and when it started: the
 *   bin runs dist/ only while none of them changed since, else the sources through tsx.
 * - Without esbuild (`npm ci --omit=dev`) it says so and exits 0: the CLI runs from the
 *   sources, as it did before dist/ existed.
 *
 * `--if-stale` skips the build while dist/ is fresh (the CLI bench uses it). `--outdir
 * <dir>` builds elsewhere (inside the package, so the package root is still found above
 * it) and `--metafile` keeps esbuild's metafile there as meta.json: the tests use both.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const outdirAt = argv.indexOf("--outdir");
const dist = outdirAt >= 0 ? resolve(argv[outdirAt + 1] ?? "") : join(root, "dist");
const manifestPath = join(dist, "manifest.json");
/** Read by bin/cloudhsm-retention.js; bump it with any change to the manifest's shape. */
const MANIFEST_VERSION = 1;

/** Whether dist/ was built from the files as they are now (the bin's check, in TypeScript). */
function isFresh(): boolean {
  try {
    const m = JSON.parse(readFileSync(manifestPath, "utf8")) as { version: number; builtAtMs: number; inputs: string[] };
    return m.version === MANIFEST_VERSION && m.inputs.every((f) => statSync(join(root, f)).mtimeMs <= m.builtAtMs);
  } catch {
    return false;
  }
}

if (argv.includes("--if-stale") && isFresh()) process.exit(0);

let esbuild: typeof import("esbuild");
try {
  esbuild = await import("esbuild");
} catch {
  console.error("build-cli: esbuild is not installed (a dev dependency); the CLI runs from the TypeScript sources through tsx.");
  process.exit(0);
}

// Files changed from here on are newer than the build: the bin then falls back to tsx.
const builtAtMs = Date.now();
rmSync(dist, { recursive: true, force: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { cli: "src/cli/entry.ts" },
  outdir: dist,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Prefer the ESM builds of dependencies: smaller chunks, and no CJS wrappers to run.
  mainFields: ["module", "main"],
  // dynalite is loaded with require() by the local endpoint and brings LevelDB with it;
  // the build tools are never needed at run time.
  external: ["dynalite", "tsx", "esbuild", "playwright-core"],
  // Bundled CommonJS dependencies call require() for Node's built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // Minified like the Lambda bundle (less to read and parse at every start); keepNames
  // keeps function and class names in the stack of an internal error. To debug, run the
  // sources: CLOUDHSM_RETENTION_FROM_SOURCE=1.
  minify: true,
  keepNames: true,
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
});

const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes("node_modules/"));
// The bundled dependencies change only with the lock file.
for (const f of ["package.json", "package-lock.json"]) if (existsSync(join(root, f))) inputs.push(f);
mkdirSync(dist, { recursive: true });
writeFileSync(join(dist, "manifest.json"), `${JSON.stringify({ version: MANIFEST_VERSION, builtAtMs, inputs: inputs.sort() }, null, 2)}\n`);
if (argv.includes("--metafile")) writeFileSync(join(dist, "meta.json"), JSON.stringify(result.metafile));
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
const entry = result.metafile.outputs[`${relative(root, dist)}/cli.js`]?.bytes ?? 0;
console.error(
  `build-cli: ${relative(process.cwd(), dist) || "dist"}/cli.js ${Math.round(entry / 1024)} KB and ${Object.keys(result.metafile.outputs).length - 1} chunks, ` +
    `${Math.round(bytes / 1024)} KB in all, from ${inputs.length} files`,
);
