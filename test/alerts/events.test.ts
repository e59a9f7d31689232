import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  batchEntries, deletionScheduledEvents, entrySizeBytes, type EventEntry, eventsForAlert, expiredEvent, reminderEvents, restoredEvent,
  runCompletedEvent, type RunCounts, toPutEventsEntry,
} from "../../src/alerts/events.js";
import { alert as anyAlert } from "./arbitraries.js";
import { at, deletion, HOUR, halt, link, notice, reminder, restored, resumed, stopped } from "./fixtures.js";

const ACCOUNT = "111122223333";
const ARN_A = "arn:aws:cloudhsm:us-east-1:111122223333:backup/backup-abcdefghijk";
const REASON = "no keep rule matched; policy production keeps the last 3, 7 daily, 4 weekly";

/** The common part of every backup event, as the README documents it. */
const backupA = {
  backupId: "backup-abcdefghijk",
  region: "us-east-1",
  clusterId: "cluster-abc",
  group: "us-east-1/cluster-abc",
  policy: "production",
  createdAt: "2026-11-20T03:13:00Z",
  deleteAt: "2026-12-04T06:15:00Z",
  outsidePolicy: false,
};

describe("event entries, each with the detail the README documents", () => {
  it("Backup Deletion Scheduled: one per backup, with its ARN", () => {
    const outside = notice("backup-bcdefghijkl", { policy: null, outsidePolicy: true, clusterId: undefined, reason: "by hand" });
    const entries = deletionScheduledEvents(deletion([notice("backup-abcdefghijk"), outside]), ACCOUNT);
    expect(entries[0]).toEqual({
      source: "cloudhsm-retention",
      detailType: "Backup Deletion Scheduled",
      timeMs: at("2026-11-27T06:16:00Z"),
      resources: [ARN_A],
      detail: { ...backupA, reason: REASON, restoreUrl: link("backup-abcdefghijk"), runId: "run-20261127-0615" },
    });
    expect(entries[1]!.detail).toMatchObject({ backupId: "backup-bcdefghijkl", clusterId: null, policy: null, outsidePolicy: true });
  });

  it("Backup Deletion Reminder: the stage as configured and in seconds", () => {
    const [e] = reminderEvents(reminder([{ ...notice("backup-abcdefghijk"), stageMs: 24 * HOUR }], at("2026-12-03T06:16:00Z")), ACCOUNT);
    expect(e!.detailType).toBe("Backup Deletion Reminder");
    expect(e!.detail).toEqual({
      ...backupA,
      reason: REASON,
      restoreUrl: link("backup-abcdefghijk"),
      runId: "remind-20261203-0615",
      stage: "24h",
      stageSeconds: 86_400,
    });
  });

  it("Backup Restored: held until a time, or pinned", () => {
    const held = restoredEvent(restored(at("2026-12-28T00:00:00Z")), ACCOUNT);
    expect(held.detail).toEqual({ ...backupA, restoredAt: "2026-11-28T09:00:00Z", via: "the restore link", heldUntil: "2026-12-28T00:00:00Z", pinned: false });
    expect(held.resources).toEqual([ARN_A]);
    expect(restoredEvent(restored(undefined)).detail).toMatchObject({ heldUntil: null, pinned: true });
  });

  it("Backup Expired: at its DeleteTimestamp", () => {
    const e = expiredEvent(notice("backup-abcdefghijk"), ACCOUNT);
    expect(e.detailType).toBe("Backup Expired");
    expect(e.timeMs).toBe(at("2026-12-04T06:15:00Z"));
    expect(e.detail).toEqual({ ...backupA, reason: REASON, expiredAt: "2026-12-04T06:15:00Z" });
  });

  it("Backups Stopped and Backups Resumed, with the cluster's ARN", () => {
    const [s] = eventsForAlert(stopped, ACCOUNT);
    expect(s).toEqual({
      source: "cloudhsm-retention",
      detailType: "Backups Stopped",
      timeMs: at("2026-11-27T06:16:00Z"),
      resources: ["arn:aws:cloudhsm:us-east-1:111122223333:cluster/cluster-abc"],
      detail: {
        region: "us-east-1",
        clusterId: "cluster-abc",
        group: "us-east-1/cluster-abc",
        policy: "production",
        newestReadyAt: "2026-11-24T03:13:00Z",
        threshold: "48h",
        thresholdSeconds: 172_800,
        detectedAt: "2026-11-27T06:16:00Z",
      },
    });
    expect(eventsForAlert({ ...stopped, newestReadyMs: undefined })[0]!.detail).toMatchObject({ newestReadyAt: null });
    const [r] = eventsForAlert(resumed);
    expect(r!.detailType).toBe("Backups Resumed");
    expect(r!.detail).toEqual({
      region: "us-east-1",
      clusterId: "cluster-abc",
      group: "us-east-1/cluster-abc",
      policy: "production",
      newestReadyAt: "2026-11-28T03:13:00Z",
      stoppedSince: "2026-11-24T03:13:00Z",
      resumedAt: "2026-11-28T06:16:00Z",
    });
    expect(r!.resources).toEqual([]);
  });

  it("Retention Run Halted: group null when the whole policy halted", () => {
    const [e] = eventsForAlert({ ...halt, group: undefined });
    expect(e!.detailType).toBe("Retention Run Halted");
    expect(e!.detail).toEqual({
      runId: "run-20261127-0615",
      policy: "production",
      group: null,
      guard: "maxDeletePercent",
      message: halt.message,
      advice: halt.advice,
      haltedAt: "2026-11-27T06:16:00Z",
    });
  });

  it("Retention Run Completed: counts, never lists of backups", () => {
    const counts: RunCounts = {
      backups: 360, planned: 12, deleted: 10, alreadyPending: 1, failed: 1, held: 1, changed: 0, deferred: 2, reportOnly: 4, halts: 0, listFailures: 0, notAttempted: 0,
    };
    const e = runCompletedEvent({
      runId: "run-20261127-0615",
      startedAtMs: at("2026-11-27T06:15:00Z"),
      finishedAtMs: at("2026-11-27T06:15:42Z"),
      dryRun: false,
      exitCode: 3,
      regions: ["us-east-1", "us-west-2"],
      policies: ["production"],
      counts: { ...counts, secretList: ["backup-x"] } as RunCounts,
    });
    expect(e.detailType).toBe("Retention Run Completed");
    expect(e.timeMs).toBe(at("2026-11-27T06:15:42Z"));
    expect(e.detail).toEqual({
      runId: "run-20261127-0615",
      startedAt: "2026-11-27T06:15:00Z",
      finishedAt: "2026-11-27T06:15:42Z",
      dryRun: false,
      exitCode: 3,
      regions: ["us-east-1", "us-west-2"],
      policies: ["production"],
      counts,
    });
  });

  it("says null for a missing restore link, never an empty string", () => {
    const [e] = deletionScheduledEvents(deletion([notice("backup-abcdefghijk", { restoreUrl: "" })]));
    expect(e!.detail.restoreUrl).toBeNull();
  });

  it("writes ARNs in the region's partition", () => {
    const [e] = deletionScheduledEvents(deletion([notice("backup-abcdefghijk", { region: "cn-north-1" })]), ACCOUNT);
    expect(e!.resources).toEqual(["arn:aws-cn:cloudhsm:cn-north-1:111122223333:backup/backup-abcdefghijk"]);
    const [g] = deletionScheduledEvents(deletion([notice("backup-abcdefghijk", { region: "us-gov-west-1" })]), ACCOUNT);
    expect(g!.resources).toEqual(["arn:aws-us-gov:cloudhsm:us-gov-west-1:111122223333:backup/backup-abcdefghijk"]);
  });

  it("has no resources when the account is not known", () => {
    expect(deletionScheduledEvents(deletion([notice("backup-abcdefghijk")]))[0]!.resources).toEqual([]);
  });
});

describe("sizes and batches", () => {
  it("counts an entry's size as EventBridge does", () => {
    // 14 (Time) + 18 ("cloudhsm-retention") + 15 ("Backups Resumed") + 2 ("{}") + 2 ("é" in UTF-8) = 51
    const e: EventEntry = { source: "cloudhsm-retention", detailType: "Backups Resumed", detail: {}, resources: ["é"], timeMs: 0 };
    expect(entrySizeBytes(e)).toBe(51);
    expect(entrySizeBytes({ ...e, timeMs: undefined })).toBe(37);
  });

  it("keeps an entry small whatever the reason's length", () => {
    const huge = notice("backup-abcdefghijk", { reason: "😀".repeat(500_000) });
    const [e] = deletionScheduledEvents(deletion([huge]), ACCOUNT);
    expect(entrySizeBytes(e!)).toBeLessThan(32 * 1024);
    expect((e!.detail.reason as string).endsWith("…")).toBe(true);
  });

  it("batches at most 10 entries per PutEvents call, in order, each once", () => {
    const entries = deletionScheduledEvents(deletion(Array.from({ length: 25 }, (_, i) => notice(`backup-${String(i).padStart(11, "0")}`))));
    const batches = batchEntries(entries, 10);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches.flat()).toEqual(entries);
  });

  it("also splits by total size", () => {
    const entries = deletionScheduledEvents(deletion(Array.from({ length: 7 }, (_, i) => notice(`backup-${String(i).padStart(11, "0")}`))));
    const one = entrySizeBytes(entries[0]!);
    const batches = batchEntries(entries, 10, 2 * one + 10);
    expect(batches.map((b) => b.length)).toEqual([2, 2, 2, 1]);
    expect(batches.flat()).toEqual(entries);
  });

  it("gives PutEvents its Detail as a JSON string and its Time as a date", () => {
    const e = restoredEvent(restored(undefined), ACCOUNT);
    const p = toPutEventsEntry(e, "cloudhsm-retention");
    expect(p.Source).toBe("cloudhsm-retention");
    expect(p.DetailType).toBe("Backup Restored");
    expect(JSON.parse(p.Detail)).toEqual(e.detail);
    expect(p.Time).toEqual(new Date("2026-11-28T09:00:00Z"));
    expect(p.EventBusName).toBe("cloudhsm-retention");
    expect(p.Resources).toEqual([ARN_A]);
  });

  it("any alert gives small entries of known detail-types, one per backup for digests", () => {
    const types = new Set(["Backup Deletion Scheduled", "Backup Deletion Reminder", "Backup Restored", "Backups Stopped", "Backups Resumed", "Retention Run Halted"]);
    fc.assert(
      fc.property(anyAlert, (a) => {
        const entries = eventsForAlert(a, ACCOUNT);
        if (a.kind === "deletion" || a.kind === "reminder") expect(entries).toHaveLength(a.backups.length);
        else expect(entries).toHaveLength(1);
        for (const e of entries) {
          expect(types.has(e.detailType)).toBe(true);
          expect(entrySizeBytes(e)).toBeLessThanOrEqual(32 * 1024);
          expect(JSON.parse(JSON.stringify(e.detail))).toEqual(e.detail);
        }
        for (const batch of batchEntries(entries)) {
          expect(batch.length).toBeLessThanOrEqual(10);
          expect(batch.reduce((n, e) => n + entrySizeBytes(e), 0)).toBeLessThan(256 * 1024);
        }
      }),
      { numRuns: 100 },
    );
  });
});
