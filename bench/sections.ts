// The sections of `npm run bench`, each turning its benchmark's output into rows with goals.
// Goals come from the issues: plan time <= 3 us per backup and peak RSS <= 150 MB at
// 100,000 backups in 1,000 clusters; DescribeBackups calls = ceil(n/50) per region; apply
// >= 4x the sequential baseline at 50 ms latency; >= 1 simulated day per second for 10 clusters.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBundled } from "./child.js";
import { atLeast, atMost, type BenchRow, info } from "./row.js";

const num = (v: unknown) => Number(v);

export async function engineSection(): Promise<BenchRow[]> {
  const [once] = await runBundled("engine.ts", { BENCH_RUNS: "1" });
  const [steady] = await runBundled("engine.ts", { BENCH_RUNS: "7" });
  return [
    atMost("engine: plan time per backup, median of 7 (100,000 backups, 1,000 clusters)", num(steady!.medianUsPerBackup), "us", 3),
    info("engine: plan time per backup, first run", num(once!.firstRunUsPerBackup), "us"),
    atMost("engine: peak RSS, one plan per process", num(once!.peakRssMb), "MB", 150),
  ];
}

export async function applySection(): Promise<BenchRow[]> {
  const lines = await runBundled("apply.ts");
  const listing = lines.find((l) => String(l.bench).includes("DescribeBackups"))!;
  const speed = lines.find((l) => String(l.bench).includes("50 ms latency"))!;
  const minimum = num(listing.minimumCeilBackupsOver50);
  const rows: BenchRow[] = [
    { name: `apply: DescribeBackups calls listing ${listing.backups} backups in 2 regions (ceil(n/50) per region)`, value: num(listing.listingCalls), unit: "calls", goal: `= ${minimum}`, ok: num(listing.listingCalls) === minimum },
    info("apply: DescribeBackups calls checking candidates just before deleting them", num(listing.checkCalls), "calls"),
    atLeast("apply: 1,000 deletions at 50 ms latency, speed-up over sequential", num(speed.speedup), "x", 4),
    atMost("apply: throttled calls in that run", num(speed.throttledCalls), "calls", 0),
  ];
  for (const l of lines.filter((x) => String(x.bench).includes("calls/s limit"))) rows.push(info(`${String(l.bench).replace(/^apply: same run/, "apply: 1,000 deletions")}, seconds`, num(l.seconds), "s"));
  return rows;
}

export async function alertsSection(): Promise<BenchRow[]> {
  const [a] = await runBundled("alerts.ts");
  return [info(`${a!.bench} (median)`, num(a!.medianMs), "ms"), info("alerts: peak RSS", num(a!.peakRssMb), "MB")];
}

/**
 * The simulation (bench/sim) runs under tsx, not bundled: it loads the handlers of
 * functions/ as Lambda does and starts a killed sweep's own process. Its figure is emulated
 * days per real second, start-up excluded.
 */
export async function simulationSection(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "cloudhsm-retention-sim-"));
  try {
    const file = join(dir, "sim.json");
    const run = (args: string[]) => {
      try {
        execFileSync(process.execPath, ["--import", "tsx", "bench/sim/main.ts", ...args, "--json", file], {
          env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
          stdio: ["ignore", "ignore", "inherit"],
        });
      } catch (err) {
        // Exit 1 is a breach: its figures (and the breach count) are in the JSON all the same.
        if ((err as { status?: number }).status !== 1) throw err;
      }
      const { record, results } = JSON.parse(readFileSync(file, "utf8")) as { record: { options: { days: number }; realMs: number }; results: Array<{ breaches: string[] }> };
      return { daysPerSecond: record.options.days / (record.realMs / 1000), breaches: results.reduce((n, r) => n + r.breaches.length, 0) };
    };
    const quiet = run(["--days", "30", "--clusters", "10"]);
    const faulty = run(["--days", "30", "--clusters", "10", "--faults"]);
    return [
      atLeast("simulation: emulated days per second, 10 clusters, 30 days", +quiet.daysPerSecond.toFixed(2), "days/s", 1),
      info("simulation: the same with faults", +faulty.daysPerSecond.toFixed(2), "days/s"),
      atMost("simulation: invariant breaches in both runs", quiet.breaches + faulty.breaches, "breaches", 0),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
