// How fast the CLI answers, side by side with a bare `node -e 0` on the same machine at
// the same moment (the runs are interleaved, so load from elsewhere hits every command
// alike). Goals (issue 10): --version and --help within 2x of node, `validate policies/`
// within 3x. Run from the repository root (`npm run bench cli-start`). The CLI runs as
// users run it: `node bin/cloudhsm-retention.js`, from the built dist/ (built first if
// missing or stale), and once more from the sources through tsx for comparison.
// hyperfine is not needed; BENCH_CLI_RUNS sets the runs per command (default 15).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { type Figure, printSection, type Section } from "./figures.js";

interface Case {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** At most this many times `node -e 0`. */
  goal?: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The CLI start section: each command's median wall time, and its ratio to `node -e 0` against the goal. */
export function cliStartBench(runs = Number(process.env.BENCH_CLI_RUNS ?? 15)): Section {
  const bin = "bin/cloudhsm-retention.js";
  if (!existsSync(bin)) throw new Error("run the CLI bench from the repository root");
  const hasBuild = existsSync("scripts/build-cli.ts");
  if (hasBuild) {
    // The bench measures what `npm ci` leaves behind: a fresh dist/.
    const built = spawnSync(process.execPath, ["--import", "tsx", "scripts/build-cli.ts", "--if-stale"], { stdio: ["ignore", "ignore", "inherit"] });
    if (built.status !== 0) throw new Error("building dist/ failed");
  }
  const cases: Case[] = [
    { name: "node -e 0", args: ["-e", "0"] },
    { name: "--version", args: [bin, "--version"], goal: 2 },
    { name: "--help", args: [bin, "--help"], goal: 2 },
    { name: "validate policies/", args: [bin, "validate", "policies/"], goal: 3 },
    // No goal in issue 10; measured so that a plan of a saved listing (a pre-commit hook) stays quick.
    { name: "plan --inventory", args: [bin, "plan", "--policy", "policies/", "--inventory", "examples/inventory.json", "--region", "us-east-1", "--now", "2026-11-28T06:00:00Z"] },
  ];
  // The same commands from the TypeScript sources (tsx), as every run was before dist/.
  const fromSource = hasBuild ? cases.slice(1).map((c) => ({ ...c, name: `${c.name} (sources, tsx)`, env: { CLOUDHSM_RETENTION_FROM_SOURCE: "1" }, goal: undefined })) : [];
  const all = [...cases, ...fromSource];

  const times = new Map<string, number[]>(all.map((c) => [c.name, []]));
  for (let i = 0; i < runs + 1; i++) {
    for (const c of all) {
      const start = performance.now();
      const r = spawnSync(process.execPath, c.args, { env: { ...process.env, ...c.env }, stdio: "ignore" });
      const ms = performance.now() - start;
      if (r.status !== 0) throw new Error(`${c.name} exited ${r.status}`);
      // The first round warms the file system cache; it is not counted.
      if (i > 0) times.get(c.name)!.push(ms);
    }
  }

  const nodeMs = median(times.get("node -e 0")!);
  const figures: Figure[] = [];
  for (const c of all) {
    const ms = median(times.get(c.name)!);
    figures.push({ name: `${c.name}: median`, value: Math.round(ms), unit: "ms" });
    if (c.name === "node -e 0") continue;
    const ratio = Math.round((ms / nodeMs) * 100) / 100;
    figures.push({ name: `${c.name}: vs node -e 0`, value: ratio, unit: "x", ...(c.goal === undefined ? {} : { goal: `<= ${c.goal}x`, met: ratio <= c.goal }) });
  }
  return { bench: `cli start (median of ${runs} runs, interleaved with node -e 0)`, figures };
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) printSection(cliStartBench());
