// Renders a deletion digest of 2,000 backups (one cluster, policy zone Europe/Berlin) and
// the matching EventBridge entries, and prints the parts, the time and the largest
// message. The case is the first run of a policy over five years of daily backups: the
// worst a single digest gets. Run through `npm run bench`.
import { batchEntries, deletionScheduledEvents } from "../src/alerts/events.js";
import type { Alert, BackupNotice } from "../src/alerts/model.js";
import { renderAlert, snsMessageJson } from "../src/alerts/render.js";
import { makeId, prng } from "../src/local/fleet.js";

const BACKUPS = 2_000;
const RUNS = 5;
const nowMs = Date.parse("2026-11-27T06:16:00Z");
const rand = prng(11);

const backups: BackupNotice[] = Array.from({ length: BACKUPS }, (_, i) => {
  const backupId = makeId("backup", rand);
  return {
    backupId,
    region: "us-east-1",
    clusterId: "cluster-abc",
    group: "us-east-1/cluster-abc",
    createdAtMs: nowMs - (BACKUPS - i) * 86_400_000,
    deleteAtMs: nowMs + 7 * 86_400_000 - 60_000,
    policy: "production",
    timezone: "Europe/Berlin",
    reason: "no keep rule matched; policy production keeps the last 3, 7 daily, 4 weekly, 12 monthly (Europe/Berlin)",
    outsidePolicy: false,
    // A signed link of the real length (~120 characters).
    restoreUrl: `https://restore.example.com/restore/${Buffer.from(`r|us-east-1|${backupId}|tl3x9k`).toString("base64url")}${"A".repeat(22)}`,
  };
});
const alert: Alert = { kind: "deletion", nowMs, runId: "bench", region: "us-east-1", group: "us-east-1/cluster-abc", clusterId: "cluster-abc", backups };

const timesMs: number[] = [];
let parts = 0;
let largestBytes = 0;
let batches = 0;
for (let i = 0; i < RUNS; i++) {
  const t0 = process.hrtime.bigint();
  const messages = renderAlert(alert, { accountId: "111122223333" });
  batches = batchEntries(deletionScheduledEvents(alert, "111122223333")).length;
  timesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  parts = messages.length;
  largestBytes = Math.max(...messages.map((m) => Buffer.byteLength(snsMessageJson(m))));
}
const sorted = [...timesMs].sort((a, b) => a - b);
console.log(
  JSON.stringify({
    bench: `alerts: render a ${BACKUPS.toLocaleString("en")}-backup deletion digest and its events, ${RUNS} runs`,
    parts,
    backupsPerPart: Math.ceil(BACKUPS / parts),
    largestMessageBytes: largestBytes,
    putEventsCalls: batches,
    firstRunMs: +(timesMs[0] ?? 0).toFixed(1),
    medianMs: +(sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(1),
    peakRssMb: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
  }),
);
