// Apply against the local endpoint over HTTP, with the real SDK client:
//  1. DescribeBackups calls per run against the minimum ceil(backups / 50) per region;
//  2. 5,000 backups with 1,000 planned deletions and 50 ms injected latency per call,
//     sequential (concurrency 1) against the default concurrency, in the same run.
import { cloudHsmClients } from "../src/aws/clients.js";
import { CloudHsmBackupStore } from "../src/aws/cloudhsm-store.js";
import type { Backup, RetentionPolicy } from "../src/domain/types.js";
import { DEFAULT_CONCURRENCY, runApply } from "../src/jobs/apply.js";
import { makeId, prng } from "../src/local/fleet.js";
import { startLocalEndpoint } from "../src/local/index.js";

const DAY_MS = 86_400_000;
const nowMs = Date.now();
const zero = { years: 0, months: 0, days: 0, hours: 0 };
const credentials = { accessKeyId: "bench", secretAccessKey: "bench" };

function fleet(clusters: Array<{ region: string; count: number }>, perCluster: number): Backup[] {
  const rand = prng(11);
  const out: Backup[] = [];
  for (const { region, count } of clusters) {
    for (let c = 0; c < count; c++) {
      const clusterId = makeId("cluster", rand);
      for (let d = 0; d < perCluster; d++) {
        out.push({ backupId: makeId("backup", rand), clusterId, region, state: "READY", createdAtMs: nowMs - (d + 1) * DAY_MS, neverExpires: false, tags: {} });
      }
    }
  }
  return out;
}

/** keep the last 80 of each cluster's 100 daily backups: 20 deletions per cluster. */
const policy: RetentionPolicy = {
  name: "bench",
  mode: "enforce",
  select: { clusters: ["*"], copies: "exclude" },
  timezone: "UTC",
  keep: { last: 80, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0, within: zero, withinHourly: zero, withinDaily: zero, withinWeekly: zero, withinMonthly: zero, withinYearly: zero, tags: [] },
  guards: { keepNewest: 1, minAge: zero, maxDeletionsPerRun: Infinity, maxDeletePercent: 100 },
  alerts: { remindersMs: [], backupsStoppedAfterMs: 48 * 3_600_000 },
};

async function run(backups: Backup[], regions: string[], concurrency: number, latencyMs: number, maxRequestsPerSecond = 0) {
  const endpoint = await startLocalEndpoint({ port: 0, seeds: [{ backups }] });
  endpoint.faults.configure({ throttleRate: 0, internalErrorRate: 0, latencyMs, seed: 1, maxRequestsPerSecond });
  try {
    const store = new CloudHsmBackupStore({ clientFor: cloudHsmClients({ endpointUrl: endpoint.url, credentials }) });
    const t0 = performance.now();
    const report = await runApply({ policies: [policy], regions, store, nowMs, concurrency });
    const seconds = (performance.now() - t0) / 1000;
    return { report, seconds, calls: endpoint.calls.snapshot() };
  } finally {
    await endpoint.close();
  }
}

// 1. Listing: uneven region sizes, so a page-size mistake would show.
const listFleet = fleet([{ region: "us-east-1", count: 37 }, { region: "eu-central-1", count: 13 }], 100);
const listing = await run(listFleet, ["us-east-1", "eu-central-1"], DEFAULT_CONCURRENCY, 0);
const minimum = listing.report.listings.reduce((n, l) => n + Math.ceil(l.backups / 50), 0);
const describeCalls = listing.calls.byOperation.DescribeBackups ?? 0;
console.log(JSON.stringify({
  bench: "apply: DescribeBackups calls per run",
  backups: listFleet.length,
  regions: listing.report.listings.map((l) => `${l.region}=${l.backups}`).join(" "),
  describeBackupsCalls: describeCalls,
  // The listing's pages alone; the rest are the looks taken just before deleting (checks).
  listingCalls: listing.report.listings.reduce((n, l) => n + l.calls, 0),
  checkCalls: listing.report.checks.calls,
  minimumCeilBackupsOver50: minimum,
  ratio: +(describeCalls / minimum).toFixed(2),
  goal: "ratio 1.00",
}));

// 2. Deletion throughput at 50 ms per call.
const big = fleet([{ region: "us-east-1", count: 50 }], 100);
const sequential = await run(big, ["us-east-1"], 1, 50);
const concurrent = await run(big, ["us-east-1"], DEFAULT_CONCURRENCY, 50);
console.log(JSON.stringify({
  bench: "apply: 5,000 backups, 1,000 deletions, 50 ms latency per call",
  deletionsSequential: sequential.report.counts.deleted,
  deletionsConcurrent: concurrent.report.counts.deleted,
  sequentialSeconds: +sequential.seconds.toFixed(2),
  [`concurrency${DEFAULT_CONCURRENCY}Seconds`]: +concurrent.seconds.toFixed(2),
  speedup: +(sequential.seconds / concurrent.seconds).toFixed(2),
  deleteCallsPerSecondConcurrent: +((concurrent.calls.byOperation.DeleteBackup ?? 0) / concurrent.seconds).toFixed(1),
  throttledCalls: concurrent.calls.faults.throttled,
  retries: JSON.stringify(concurrent.report.retries),
  goal: ">= 4x faster than sequential at the default concurrency, no throttling",
}));

// 3. Against a rate limit. AWS publishes none for the CloudHSM API: 100 calls/s is an
// assumption, to show where the default concurrency sits and what more would cost.
const LIMIT = 100;
for (const c of [DEFAULT_CONCURRENCY, 32]) {
  const limited = await run(big, ["us-east-1"], c, 50, LIMIT);
  console.log(JSON.stringify({
    bench: `apply: same run under an assumed ${LIMIT} calls/s limit, concurrency ${c}`,
    deleted: limited.report.counts.deleted,
    failed: limited.report.counts.failed,
    seconds: +limited.seconds.toFixed(2),
    throttledCalls: limited.calls.faults.throttled,
    retries: JSON.stringify(limited.report.retries),
  }));
}
