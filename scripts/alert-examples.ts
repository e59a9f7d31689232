/**
 * Writes the examples in README.md's "Alerts and events" section from real renders
 * (`npm run docs:alerts`): an email, a Chatbot payload, and one event per detail-type.
 * test/alerts/readme-examples.test.ts fails when the README's copy is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  type EventEntry, eventsForAlert, expiredEvent, runCompletedEvent,
} from "../src/alerts/events.js";
import type { Alert, BackupNotice } from "../src/alerts/model.js";
import { renderAlert } from "../src/alerts/render.js";

export const BEGIN = "<!-- alert-examples:begin (npm run docs:alerts writes this block) -->";
export const END = "<!-- alert-examples:end -->";

const ms = (iso: string) => Date.parse(iso);
const ACCOUNT = "111122223333";
const NOW = ms("2026-11-27T06:16:00Z");
const REASON = "no keep rule matched; policy production keeps the last 3, 7 daily, 4 weekly, 12 monthly (Europe/Berlin)";

function backup(id: string, createdIso: string, extra: Partial<BackupNotice> = {}): BackupNotice {
  return {
    backupId: id,
    region: "us-east-1",
    clusterId: "cluster-abc",
    group: "us-east-1/cluster-abc",
    createdAtMs: ms(createdIso),
    deleteAtMs: ms("2026-12-04T06:15:00Z"),
    policy: "production",
    timezone: "Europe/Berlin",
    reason: REASON,
    outsidePolicy: false,
    restoreUrl: `https://restore.example.com/restore/cnx1cy1lYXN0LTF8YmFja3VwLTR${id.slice(-6)}fG12YWVzZ2QwLWHk3Ns1gHq2Qm9y7Zc`,
    ...extra,
  };
}

const deletion: Extract<Alert, { kind: "deletion" }> = {
  kind: "deletion",
  nowMs: NOW,
  runId: "20261127T061500Z-7f3a1b2c",
  region: "us-east-1",
  group: "us-east-1/cluster-abc",
  clusterId: "cluster-abc",
  backups: [
    backup("backup-4kq2mzxw7ab", "2026-10-25T00:30:00Z"),
    backup("backup-5rt6nbvc2de", "2026-10-26T03:13:00Z"),
    backup("backup-7hj3kdfs6gh", "2026-11-19T09:40:00Z", {
      policy: null,
      outsidePolicy: true,
      timezone: "UTC",
      reason: "DeleteBackup by arn:aws:iam::111122223333:user/alice (CloudTrail)",
    }),
  ],
};

const others: Alert[] = [
  { kind: "reminder", nowMs: ms("2026-12-03T06:16:00Z"), runId: "20261203T061500Z-1c9e04d2", region: "us-east-1", group: "us-east-1/cluster-abc", clusterId: "cluster-abc", backups: [{ ...deletion.backups[0]!, stageMs: 24 * 3_600_000 }] },
  { kind: "restored", nowMs: ms("2026-11-28T09:02:00Z"), backup: deletion.backups[1]!, via: "the restore link", heldUntilMs: ms("2026-12-28T09:02:00Z") },
  { kind: "backups-stopped", nowMs: NOW, region: "us-west-2", group: "us-west-2/cluster-xyz", clusterId: "cluster-xyz", newestReadyMs: ms("2026-11-24T03:13:00Z"), thresholdMs: 48 * 3_600_000, policy: "production" },
  { kind: "backups-resumed", nowMs: ms("2026-11-28T06:16:00Z"), region: "us-west-2", group: "us-west-2/cluster-xyz", clusterId: "cluster-xyz", newestReadyMs: ms("2026-11-28T03:13:00Z"), stoppedSinceMs: ms("2026-11-24T03:13:00Z"), policy: "production" },
  {
    kind: "halt",
    nowMs: NOW,
    runId: "20261127T061500Z-7f3a1b2c",
    policy: "production",
    group: "eu-central-1/cluster-def",
    guard: "maxDeletePercent",
    message: "this run would delete 40 of 60 backups (67%), more than maxDeletePercent 25",
    advice: "If the policy change is intended, raise guards.maxDeletePercent for one run; otherwise fix the keep rules.",
  },
];

function eventBlock(e: EventEntry): string {
  const shown = { "detail-type": e.detailType, source: e.source, resources: e.resources, detail: e.detail };
  return [`#### ${e.detailType}`, "", "```json", JSON.stringify(shown, null, 2), "```"].join("\n");
}

/** The generated block, markers included. */
export function alertExamplesMarkdown(): string {
  const [message] = renderAlert(deletion, { accountId: ACCOUNT });
  const events: EventEntry[] = [
    eventsForAlert(deletion, ACCOUNT)[0]!,
    ...others.flatMap((a) => eventsForAlert(a, ACCOUNT)),
    expiredEvent(deletion.backups[0]!, ACCOUNT),
    runCompletedEvent({
      runId: "20261127T061500Z-7f3a1b2c",
      startedAtMs: ms("2026-11-27T06:15:00Z"),
      finishedAtMs: ms("2026-11-27T06:15:42Z"),
      dryRun: false,
      // A guard halted one policy's group (the Retention Run Halted example): exit 4.
      exitCode: 4,
      regions: ["us-east-1", "us-west-2", "eu-central-1"],
      policies: ["production"],
      counts: { backups: 362, planned: 12, deleted: 12, alreadyPending: 0, failed: 0, held: 0, changed: 0, deferred: 0, reportOnly: 3, halts: 1, listFailures: 0, notAttempted: 0 },
    }),
  ];
  const order = ["Backup Deletion Scheduled", "Backup Deletion Reminder", "Backup Restored", "Backup Expired", "Backups Stopped", "Backups Resumed", "Retention Run Completed", "Retention Run Halted"];
  events.sort((a, b) => order.indexOf(a.detailType) - order.indexOf(b.detailType));
  return [
    BEGIN,
    "",
    "### Example: the email of a deletion digest",
    "",
    "```text",
    `Subject: ${message!.subject}`,
    "",
    message!.email,
    "```",
    "",
    "### Example: the Slack message (the `https` value, an AWS Chatbot custom notification)",
    "",
    "```json",
    JSON.stringify(JSON.parse(message!.https), null, 2),
    "```",
    "",
    "### Events, one example per detail-type",
    "",
    "Shown as a rule sees them (EventBridge adds `version`, `id`, `account`, `time` and `region` around them).",
    "",
    events.map(eventBlock).join("\n\n"),
    "",
    END,
  ].join("\n");
}

/** README.md with the block between the markers replaced. */
export function withExamples(readme: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${BEGIN} ... ${END} block`);
  return readme.slice(0, start) + alertExamplesMarkdown() + readme.slice(end + END.length);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const target = fileURLToPath(new URL("../README.md", import.meta.url));
  writeFileSync(target, withExamples(readFileSync(target, "utf8")));
  console.log(`wrote the alert examples into ${target}`);
}
