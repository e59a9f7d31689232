// `npm run bench [section ...]`: every figure beside its goal in one table, and the same as
// JSON in bench/results.json (not committed) so runs can be compared across commits.
// A section is a function returning rows (bench/row.ts); add yours to SECTIONS.
// Numbers are printed, never asserted in tests.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { BenchRow, BenchSection } from "./row.js";
import { bundleRows } from "./bundles.js";
import { cliStartBench } from "./cli-start.js";
import type { Section } from "./figures.js";
import { renderBench } from "./render.js";
import { alertsSection, applySection, engineSection, simulationSection } from "./sections.js";

/** The render and CLI start benches report figures ({name, value, unit, goal, met}): as rows. */
const rowsOf = (sections: readonly Section[]): BenchRow[] =>
  sections.flatMap((s) => s.figures.map((f) => ({ name: `${s.bench}: ${f.name}`, value: f.value, unit: f.unit, goal: f.goal ?? null, ok: f.met ?? null })));

const SECTIONS: Record<string, BenchSection> = {
  engine: engineSection,
  apply: applySection,
  alerts: alertsSection,
  render: async () => rowsOf(renderBench()),
  "cli-start": async () => rowsOf([cliStartBench()]),
  bundles: async () => (await bundleRows()).map(({ detail: _detail, ...row }) => row),
  simulation: simulationSection,
};

const only = process.argv.slice(2);
const unknown = only.filter((o) => !(o in SECTIONS));
if (unknown.length > 0) {
  console.error(`bench: unknown section ${unknown.join(", ")}; sections: ${Object.keys(SECTIONS).join(", ")}`);
  process.exit(2);
}
const rows: Array<BenchRow & { section: string }> = [];
const failures: string[] = [];
for (const [section, run] of Object.entries(SECTIONS)) {
  if (only.length > 0 && !only.includes(section)) continue;
  process.stderr.write(`bench: ${section}...\n`);
  try {
    for (const row of await run()) rows.push({ section, ...row });
  } catch (err) {
    // One broken section must not hide the others' figures: reported, and the exit code says so.
    failures.push(`${section}: ${(err as Error).message}`);
  }
}

const width = Math.max(...rows.map((r) => r.name.length), 10);
const mark = (ok: boolean | null) => (ok === null ? "  -  " : ok ? " ok  " : "MISS ");
console.log(`${"".padEnd(5)} ${"figure".padEnd(width)} ${"value".padStart(10)} ${"unit".padEnd(8)} goal`);
for (const r of rows) console.log(`${mark(r.ok)} ${r.name.padEnd(width)} ${String(r.value).padStart(10)} ${r.unit.padEnd(8)} ${r.goal ?? ""}`);
for (const f of failures) console.log(`FAIL  ${f}`);

let commit: string | null = null;
try {
  commit = execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
} catch {
  // Not a git checkout: the figures stand without it.
}
// A run of some sections writes its own file, so the full report of the last whole run stays.
const path = fileURLToPath(new URL(only.length === 0 ? "results.json" : `results-${only.join("-")}.json`, import.meta.url));
writeFileSync(path, `${JSON.stringify({ at: new Date().toISOString(), commit, node: process.version, rows, failures }, null, 2)}\n`);
console.log(`\nwritten: ${path}`);
process.exit(failures.length > 0 ? 1 : 0);
