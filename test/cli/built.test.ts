import { execFile } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The CLI users run is dist/, bundled from the sources by scripts/build-cli.ts; the
 * tests run the sources. These check the two agree, and that a start loads only what
 * its command needs. The build goes to its own folder inside the package (the package
 * root is found above it), never to dist/, which other tests' processes may be running.
 */
const OUT = resolve("node_modules/.cache", `cloudhsm-retention-built-${process.pid}`);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [file, ...args], { env: { ...process.env, NO_COLOR: "1", ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The built CLI, started as the bin starts it. */
const built = (args: string[]) => {
  const script = `const m = await import(${JSON.stringify(join(OUT, "cli.js"))}); process.exitCode = await m.main(process.argv.slice(1), m.processIo());`;
  return new Promise<Run>((done) => {
    execFile(process.execPath, ["--input-type=module", "-e", script, "--", ...args], { env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
};
/** The sources through tsx, as the bin runs them when dist/ is stale. */
const sources = (args: string[]) => run("bin/cloudhsm-retention.js", args, { CLOUDHSM_RETENTION_FROM_SOURCE: "1" });

beforeAll(async () => {
  const r = await run("--import", ["tsx", "scripts/build-cli.ts", "--outdir", OUT, "--metafile"]);
  if (r.code !== 0) throw new Error(`build failed: ${r.stderr}`);
}, 120_000);

afterAll(() => rmSync(OUT, { recursive: true, force: true }));

describe("the built CLI (dist/)", () => {
  it.each([
    [["--version"]],
    [["--help"]],
    [["plan", "--help"]],
    [["validate", "policies/"]],
    [["validate", "test/fixtures/bad-policies"]],
    [["plan", "--policy", "policies/example.yml", "--inventory", "examples/inventory.json", "--now", "2026-11-28T06:00:00Z"]],
    [["plan", "--policy", "policies/example.yml", "--inventory", "examples/inventory.json", "--now", "2026-11-28T06:00:00Z", "--format", "markdown"]],
    [["plan", "--policy", "policies/example.yml", "--inventory", "examples/inventory.json", "--now", "2026-11-28T06:00:00Z", "--format", "json"]],
    [["plan", "--policy", "policies/example.yml", "--inventory", "missing.json"]],
  ])("answers %j exactly as the sources do", async (args) => {
    const [a, b] = await Promise.all([built(args), sources(args)]);
    expect(a).toEqual(b);
    expect(a.stdout.length + a.stderr.length).toBeGreaterThan(0);
  }, 60_000);

  it("loads no AWS SDK for a plan of an inventory file: the live plan's modules are a chunk of their own", () => {
    const meta = JSON.parse(readFileSync(join(OUT, "meta.json"), "utf8")) as {
      outputs: Record<string, { inputs: Record<string, unknown>; imports: Array<{ path: string; kind: string }> }>;
    };
    const planChunk = Object.keys(meta.outputs).find((o) => Object.keys(meta.outputs[o]!.inputs).some((i) => i.endsWith("src/cli/commands/plan.ts")))!;
    const loaded = new Set<string>();
    const visit = (out: string) => {
      if (loaded.has(out)) return;
      loaded.add(out);
      for (const i of meta.outputs[out]!.imports) if (i.kind === "import-statement" && meta.outputs[i.path]) visit(i.path);
    };
    visit(planChunk);
    const inputs = [...loaded].flatMap((o) => Object.keys(meta.outputs[o]!.inputs));
    const packages = new Set(inputs.flatMap((i) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(i)?.[1] ?? []));
    expect([...packages].filter((p) => p.startsWith("@aws-sdk/") || p.startsWith("@smithy/"))).toEqual([]);
    expect(packages.has("zod") && packages.has("yaml")).toBe(true);
  });

  it("loads no dependency but commander for --version and --help: zod, yaml and the AWS SDK are in chunks loaded per command", () => {
    const meta = JSON.parse(readFileSync(join(OUT, "meta.json"), "utf8")) as {
      outputs: Record<string, { inputs: Record<string, unknown>; imports: Array<{ path: string; kind: string }> }>;
    };
    const entry = Object.keys(meta.outputs).find((o) => o.endsWith("/cli.js"))!;
    // Everything a start evaluates: the entry and what it imports statically, transitively.
    const loaded = new Set<string>();
    const visit = (out: string) => {
      if (loaded.has(out)) return;
      loaded.add(out);
      for (const i of meta.outputs[out]!.imports) if (i.kind === "import-statement" && meta.outputs[i.path]) visit(i.path);
    };
    visit(entry);
    const inputs = [...loaded].flatMap((o) => Object.keys(meta.outputs[o]!.inputs));
    const packages = new Set(inputs.flatMap((i) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(i)?.[1] ?? []));
    expect([...packages]).toEqual(["commander"]);
    // ...while the plan command's chunks do hold them.
    const all = Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs));
    for (const dep of ["node_modules/zod/", "node_modules/yaml/", "node_modules/@aws-sdk/client-cloudhsm-v2/"]) expect(all.some((i) => i.includes(dep))).toBe(true);
  });
});
