import { AlertRenderError } from "../errors.js";
import { backupArn, partitionOf } from "./arn.js";
import type {
  BackupDeletionReminderDetail, BackupDeletionScheduledDetail, BackupExpiredDetail, BackupFields, BackupRestoredDetail,
  BackupsResumedDetail, BackupsStoppedDetail, RetentionRunCompletedDetail, RetentionRunHaltedDetail, RunCounts,
} from "./event-details.js";
import type { Alert, BackupNotice } from "./model.js";
import { safeUrl, truncate, utf8Bytes } from "./text.js";
import { isoUtc } from "./time-text.js";

export type * from "./event-details.js";

/**
 * Pure builders of the EventBridge entries this service emits (source
 * `cloudhsm-retention`); the adapter adds the bus and calls PutEvents. No SDK, no clock:
 * every instant comes from the alert or the run.
 */

export const EVENT_SOURCE = "cloudhsm-retention";

export const DETAIL_TYPES = {
  deletionScheduled: "Backup Deletion Scheduled",
  deletionReminder: "Backup Deletion Reminder",
  restored: "Backup Restored",
  expired: "Backup Expired",
  backupsStopped: "Backups Stopped",
  /** Not in issue 7's list: the end of a Backups Stopped episode, so a rule can close what it opened. */
  backupsResumed: "Backups Resumed",
  runCompleted: "Retention Run Completed",
  runHalted: "Retention Run Halted",
} as const;

export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

export interface EventEntry<D extends object = object> {
  source: typeof EVENT_SOURCE;
  detailType: DetailType;
  detail: D;
  /** Backup (or cluster) ARNs when the account is known. */
  resources: string[];
  /** Epoch milliseconds of what happened; PutEvents' Time (named as the EventSink port names it). */
  timeMs?: number;
}

/** PutEvents: at most 10 entries per call, and under 256 KB in all (entry size formula below). */
export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024 - 1;
/** Ours stay far below: free text is cut, so no single entry comes near this. */
export const MAX_ENTRY_BYTES = 32 * 1024;

/** Free text in a detail (reasons, messages) is cut here; IDs and names are cut far beyond any real one. */
const TEXT_CHARS = 2_000;
const NAME_CHARS = 512;
const name = (v: string) => truncate(v, NAME_CHARS);
const nameOrNull = (v: string | null | undefined) => (v === undefined || v === null ? null : name(v));
const text = (v: string) => truncate(v, TEXT_CHARS);

function entry<D extends object>(detailType: DetailType, detail: D, resources: string[], timeMs: number): EventEntry<D> {
  const e: EventEntry<D> = { source: EVENT_SOURCE, detailType, detail, resources, timeMs };
  const size = entrySizeBytes(e);
  if (size > MAX_ENTRY_BYTES) throw new AlertRenderError(`${detailType} event of ${size} bytes exceeds ${MAX_ENTRY_BYTES}`);
  return e;
}

function backupFields(b: BackupNotice): BackupFields {
  return {
    backupId: name(b.backupId),
    region: name(b.region),
    clusterId: nameOrNull(b.clusterId),
    group: name(b.group),
    policy: nameOrNull(b.policy),
    createdAt: isoUtc(b.createdAtMs),
    deleteAt: isoUtc(b.deleteAtMs),
    outsidePolicy: b.outsidePolicy || b.policy === null,
  };
}

/** The restore link, or null when there is none (a bug upstream; the alert then says how to restore by hand). */
function link(b: BackupNotice): string | null {
  return b.restoreUrl.trim() ? safeUrl(b.restoreUrl) : null;
}

function arns(b: BackupNotice, accountId: string | undefined): string[] {
  return accountId ? [backupArn(b.region, accountId, b.backupId)] : [];
}

function clusterArns(region: string, clusterId: string | undefined, accountId: string | undefined): string[] {
  return accountId && clusterId ? [`arn:${partitionOf(region)}:cloudhsm:${region}:${accountId}:cluster/${clusterId}`] : [];
}

/** `24h` for whole hours (the policy grammar), else whole minutes: `90min`. */
function durationLabel(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}min`;
}

/** One `Backup Deletion Scheduled` entry per backup of a deletion digest. */
export function deletionScheduledEvents(alert: Extract<Alert, { kind: "deletion" }>, accountId?: string): Array<EventEntry<BackupDeletionScheduledDetail>> {
  return alert.backups.map((b) =>
    entry(DETAIL_TYPES.deletionScheduled, { ...backupFields(b), reason: text(b.reason), restoreUrl: link(b), runId: name(alert.runId) }, arns(b, accountId), alert.nowMs),
  );
}

/** One `Backup Deletion Reminder` entry per backup of a reminder. */
export function reminderEvents(alert: Extract<Alert, { kind: "reminder" }>, accountId?: string): Array<EventEntry<BackupDeletionReminderDetail>> {
  return alert.backups.map((b) =>
    entry(
      DETAIL_TYPES.deletionReminder,
      { ...backupFields(b), reason: text(b.reason), restoreUrl: link(b), runId: name(alert.runId), stage: durationLabel(b.stageMs), stageSeconds: Math.round(b.stageMs / 1000) },
      arns(b, accountId),
      alert.nowMs,
    ),
  );
}

export function restoredEvent(alert: Extract<Alert, { kind: "restored" }>, accountId?: string): EventEntry<BackupRestoredDetail> {
  const held = alert.heldUntilMs;
  return entry(
    DETAIL_TYPES.restored,
    { ...backupFields(alert.backup), restoredAt: isoUtc(alert.nowMs), via: name(alert.via.replace(/^through /, "")), heldUntil: held === undefined ? null : isoUtc(held), pinned: held === undefined },
    arns(alert.backup, accountId),
    alert.nowMs,
  );
}

/** A backup whose DeleteTimestamp passed without a restore. The event's time is that DeleteTimestamp. */
export function expiredEvent(backup: BackupNotice, accountId?: string): EventEntry<BackupExpiredDetail> {
  return entry(DETAIL_TYPES.expired, { ...backupFields(backup), reason: text(backup.reason), expiredAt: isoUtc(backup.deleteAtMs) }, arns(backup, accountId), backup.deleteAtMs);
}

export function backupsStoppedEvent(alert: Extract<Alert, { kind: "backups-stopped" }>, accountId?: string): EventEntry<BackupsStoppedDetail> {
  return entry(
    DETAIL_TYPES.backupsStopped,
    {
      region: name(alert.region),
      clusterId: nameOrNull(alert.clusterId),
      group: name(alert.group),
      policy: name(alert.policy),
      newestReadyAt: alert.newestReadyMs === undefined ? null : isoUtc(alert.newestReadyMs),
      threshold: durationLabel(alert.thresholdMs),
      thresholdSeconds: Math.round(alert.thresholdMs / 1000),
      detectedAt: isoUtc(alert.nowMs),
    },
    clusterArns(alert.region, alert.clusterId, accountId),
    alert.nowMs,
  );
}

export function backupsResumedEvent(alert: Extract<Alert, { kind: "backups-resumed" }>, accountId?: string): EventEntry<BackupsResumedDetail> {
  return entry(
    DETAIL_TYPES.backupsResumed,
    {
      region: name(alert.region),
      clusterId: nameOrNull(alert.clusterId),
      group: name(alert.group),
      policy: name(alert.policy),
      newestReadyAt: isoUtc(alert.newestReadyMs),
      stoppedSince: isoUtc(alert.stoppedSinceMs),
      resumedAt: isoUtc(alert.nowMs),
    },
    clusterArns(alert.region, alert.clusterId, accountId),
    alert.nowMs,
  );
}

export function runHaltedEvent(alert: Extract<Alert, { kind: "halt" }>): EventEntry<RetentionRunHaltedDetail> {
  return entry(
    DETAIL_TYPES.runHalted,
    {
      runId: name(alert.runId),
      policy: name(alert.policy),
      group: nameOrNull(alert.group),
      guard: name(alert.guard),
      message: text(alert.message),
      advice: text(alert.advice),
      haltedAt: isoUtc(alert.nowMs),
    },
    [],
    alert.nowMs,
  );
}

export interface RunSummary {
  runId: string;
  startedAtMs: number;
  finishedAtMs: number;
  dryRun: boolean;
  exitCode: number;
  regions: readonly string[];
  /** Policy names; a run has a handful. */
  policies: readonly string[];
  counts: RunCounts;
}

/** Regions and policies are few; past 100 of either the list is cut (counts are what rules use). */
const MAX_LISTED = 100;

export function runCompletedEvent(run: RunSummary): EventEntry<RetentionRunCompletedDetail> {
  const c = run.counts;
  return entry(
    DETAIL_TYPES.runCompleted,
    {
      runId: name(run.runId),
      startedAt: isoUtc(run.startedAtMs),
      finishedAt: isoUtc(run.finishedAtMs),
      dryRun: run.dryRun,
      exitCode: run.exitCode,
      regions: run.regions.slice(0, MAX_LISTED).map(name),
      policies: run.policies.slice(0, MAX_LISTED).map(name),
      // Spelled out, so the detail has exactly these keys whatever object came in.
      counts: {
        backups: c.backups, planned: c.planned, deleted: c.deleted, alreadyPending: c.alreadyPending, failed: c.failed, held: c.held,
        changed: c.changed, deferred: c.deferred, reportOnly: c.reportOnly, halts: c.halts, listFailures: c.listFailures, notAttempted: c.notAttempted,
      },
    },
    [],
    run.finishedAtMs,
  );
}

/** The events that go with an alert: one per backup for digests, one otherwise. */
export function eventsForAlert(alert: Alert, accountId?: string): EventEntry[] {
  switch (alert.kind) {
    case "deletion": return deletionScheduledEvents(alert, accountId);
    case "reminder": return reminderEvents(alert, accountId);
    case "restored": return [restoredEvent(alert, accountId)];
    case "halt": return [runHaltedEvent(alert)];
    case "backups-stopped": return [backupsStoppedEvent(alert, accountId)];
    case "backups-resumed": return [backupsResumedEvent(alert, accountId)];
  }
}

/**
 * An entry's size as EventBridge counts it ("Calculating PutEvents event entry size"):
 * 14 bytes for Time if set, plus the UTF-8 bytes of Source, DetailType, Detail (as the
 * JSON string sent) and each resource.
 */
export function entrySizeBytes(e: EventEntry): number {
  let size = e.timeMs === undefined ? 0 : 14;
  size += utf8Bytes(e.source) + utf8Bytes(e.detailType) + utf8Bytes(JSON.stringify(e.detail));
  for (const r of e.resources) size += utf8Bytes(r);
  return size;
}

/**
 * Splits entries into PutEvents calls: at most `maxPerBatch` (10) each and under 256 KB
 * in all, in order, every entry in exactly one batch.
 */
export function batchEntries<T extends EventEntry>(entries: readonly T[], maxPerBatch = PUT_EVENTS_MAX_ENTRIES, maxBytes = PUT_EVENTS_MAX_BYTES): T[][] {
  const limit = Math.max(1, Math.min(maxPerBatch, PUT_EVENTS_MAX_ENTRIES));
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const e of entries) {
    const size = entrySizeBytes(e);
    if (current.length > 0 && (current.length >= limit || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The entry as PutEvents takes it (`PutEventsRequestEntry`), without importing the SDK. */
export function toPutEventsEntry(e: EventEntry, eventBusName: string) {
  return {
    Source: e.source,
    DetailType: e.detailType,
    Detail: JSON.stringify(e.detail),
    Resources: e.resources,
    ...(e.timeMs === undefined ? {} : { Time: new Date(e.timeMs) }),
    EventBusName: eventBusName,
  };
}
