// Plans 100,000 backups over 1,000 clusters (100 daily backups each, a GFS policy in
// Europe/Berlin) and prints the time per backup and the process's peak RSS.
// Run through `npm run bench`, which bundles it and starts it in its own process so
// that peak RSS belongs to this benchmark alone.
import type { Backup, RetentionPolicy } from "../src/domain/types.js";
import { makeId, prng } from "../src/local/fleet.js";
import { planRetention } from "../src/retention/plan.js";

const CLUSTERS = 1_000;
const PER_CLUSTER = 100;
// BENCH_RUNS=1 measures one plan per process (a Lambda invocation, a CLI run).
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const nowMs = Date.parse("2026-11-28T06:00:00Z");
const rand = prng(7);
const zero = { years: 0, months: 0, days: 0, hours: 0 };

const backups: Backup[] = [];
for (let c = 0; c < CLUSTERS; c++) {
  const clusterId = makeId("cluster", rand);
  const region = c % 2 ? "us-east-1" : "eu-central-1";
  for (let d = 0; d < PER_CLUSTER; d++) {
    backups.push({
      backupId: makeId("backup", rand),
      clusterId,
      region,
      state: "READY",
      // One a day at a random time: many distinct wall-clock hours, as in a real fleet.
      createdAtMs: nowMs - (d + 1) * 86_400_000 + Math.floor(rand() * 86_400_000),
      neverExpires: false,
      tags: {},
    });
  }
}

const policy: RetentionPolicy = {
  name: "bench",
  mode: "enforce",
  select: { clusters: ["*"], copies: "exclude" },
  timezone: "Europe/Berlin",
  keep: {
    last: 3, hourly: 0, daily: 7, weekly: 4, monthly: 12, yearly: Infinity,
    within: zero, withinHourly: zero, withinDaily: zero, withinWeekly: zero, withinMonthly: zero, withinYearly: zero,
    tags: [["legal-hold"]],
  },
  guards: { keepNewest: 1, minAge: zero, maxDeletionsPerRun: Infinity, maxDeletePercent: 100 },
  alerts: { remindersMs: [], backupsStoppedAfterMs: 48 * 3_600_000 },
};

// Each run's plan is dropped and collected before the next (run with --expose-gc), so
// peak RSS is that of one plan, as in a Lambda invocation, not of seven piled up.
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const rssBeforeMb = process.memoryUsage().rss / 1048576;
const timesMs: number[] = [];
let deletes = 0;
for (let i = 0; i < RUNS; i++) {
  gc();
  const t0 = process.hrtime.bigint();
  const plan = planRetention({ backups, policies: [policy], nowMs });
  timesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  deletes = plan.decisions.filter((d) => d.action === "delete").length;
}
const sorted = [...timesMs].sort((a, b) => a - b);
const first = timesMs[0] ?? 0;
const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
const result = {
  bench: `engine: plan 100,000 backups / 1,000 clusters, ${RUNS} run(s) in one process`,
  backups: backups.length,
  deletes,
  firstRunMs: +first.toFixed(1),
  medianMs: +median.toFixed(1),
  firstRunUsPerBackup: +((first * 1000) / backups.length).toFixed(2),
  medianUsPerBackup: +((median * 1000) / backups.length).toFixed(2),
  rssWithInputMb: +rssBeforeMb.toFixed(1),
  peakRssMb: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
  goal: "<= 3 us per backup, <= 150 MB RSS",
};
console.log(JSON.stringify(result));
