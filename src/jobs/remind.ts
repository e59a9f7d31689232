import { RESTORE_WINDOW_MS } from "../domain/time.js";
import { expiredEvent } from "../alerts/events.js";
import type { Alert, BackupNotice, ReminderNotice } from "../alerts/model.js";
import type { BackupStore } from "../domain/ports.js";
import type { AlertSettings, Backup, RetentionPolicy } from "../domain/types.js";
import { noticeId, type PendingEntry } from "../ledger/port.js";
import type { LinkMaker } from "../restore/links.js";
import { groupKeyOf, policyOf } from "../retention/grouping.js";
import { addStats, type AlertPath, deliverDigest, deliverEvents, deliveryFailed, type DeliveryStats, emptyStats, putStashedEvents } from "./deliver.js";
import { backupNotice } from "./notices.js";
import type { ApplyAlerts } from "./apply-alerts.js";
import { holdRestoredOutside } from "./restore.js";

/**
 * The reminder run (every 15 minutes in AWS; `cloudhsm-retention remind` by hand): lists
 * the backups that are PENDING_DELETION and makes sure, for each, that
 * - its deletion was announced (a run that deleted it may have failed to tell anyone, or
 *   someone deleted it outside any policy: by hand, or CloudHSM's own retention), and
 * - each reminder stage of its policy (default 72h, 24h, 2h before DeleteTimestamp) is
 *   sent once. After a gap (runs missed, the alert path down) only the most urgent stage
 *   that is due is sent, not a burst of stale ones.
 * Backups no longer pending are untracked: gone for good (a "Backup Expired" event), or
 * back (restored), in which case nothing more is said. Exactly-once comes from the
 * ledger's claims; see deliver.ts.
 */
export interface RemindInput {
  policies: readonly RetentionPolicy[];
  regions: readonly string[];
  store: BackupStore;
  path: AlertPath;
  link: LinkMaker;
  /** For backups no policy selects. */
  defaults: AlertSettings;
  /** The revision and actor for the records a restore outside the link leaves (held by default). */
  alerts?: ApplyAlerts | undefined;
  /** Decide and report what would be sent; send nothing, write nothing. */
  dryRun?: boolean | undefined;
}

export interface RegionReminders {
  region: string;
  /** PENDING_DELETION backups still restorable. */
  pending: number;
  /** Set when the region could not be listed or its ledger state read: nothing there was sent. */
  error?: string | undefined;
}

export interface RemindReport {
  nowMs: number;
  dryRun: boolean;
  regions: RegionReminders[];
  /** Backups whose deletion was announced by this run (late, or from outside). */
  announced: BackupNotice[];
  reminded: ReminderNotice[];
  /** Tracked backups now gone for good. */
  expired: number;
  /** Tracked backups no longer pending but not yet due: restored (or never deleted). */
  back: number;
  /** Of those, restored by a path other than the link: held by default and announced. */
  restoredOutside: number;
  delivery: DeliveryStats;
  /** 0 all told; 3 something could not be listed, read, sent or recorded. */
  exitCode: 0 | 3;
}

/** The most urgent stage that is due: the smallest stage with now >= deleteAt - stage. */
export function dueStage(stagesMs: readonly number[], deleteAtMs: number, nowMs: number): number | undefined {
  let due: number | undefined;
  for (const stage of stagesMs) if (nowMs >= deleteAtMs - stage && (due === undefined || stage < due)) due = stage;
  return due;
}

/** A tracked entry speaks for this deletion only if its DeleteTimestamp is the same (an estimate before the call). */
const SAME_DELETION_MS = 60 * 60_000;

export async function runRemind(input: RemindInput): Promise<RemindReport> {
  const nowMs = input.path.clock.nowMs();
  const report: RemindReport = { nowMs, dryRun: input.dryRun === true, regions: [], announced: [], reminded: [], expired: 0, back: 0, restoredOutside: 0, delivery: emptyStats(), exitCode: 0 };
  if (!input.dryRun) addStats(report.delivery, await putStashedEvents(input.path));
  const results = await Promise.all(
    input.regions.map((region) =>
      remindRegion(input, region, report).catch((err: unknown): RegionReminders => {
        // One region's failure must not keep the others' reminders from going out.
        const error = `remind failed in ${region}: ${(err as Error).message}`;
        input.path.log.error("remind: region failed", { region, error });
        return { region, pending: 0, error };
      }),
    ),
  );
  for (const r of results) report.regions.push(r);
  if (!report.dryRun) {
    // Said as done only when done: a digest SNS refused, or another run sent, is not "sent".
    const told = new Set(report.delivery.told);
    report.announced = report.announced.filter((n) => told.has(n.backupId));
    report.reminded = report.reminded.filter((n) => told.has(n.backupId));
  }
  const failed = report.regions.some((r) => r.error !== undefined) || deliveryFailed(report.delivery);
  report.exitCode = failed ? 3 : 0;
  input.path.log.info("remind finished", {
    regions: report.regions.length,
    announced: report.announced.length,
    reminded: report.reminded.length,
    expired: report.expired,
    back: report.back,
    dryRun: report.dryRun,
    exitCode: report.exitCode,
    ...report.delivery,
    errors: report.delivery.errors.length,
  });
  return report;
}

async function remindRegion(input: RemindInput, region: string, report: RemindReport): Promise<RegionReminders> {
  const { path } = input;
  let listed: Backup[];
  let tracked: PendingEntry[];
  try {
    listed = (await input.store.listBackups(region, { states: ["PENDING_DELETION"] })).backups;
    tracked = await path.ledger.tracked(region);
  } catch (err) {
    const error = (err as Error).message;
    path.log.error("remind: region skipped, nothing there was sent", { region, error });
    return { region, pending: 0, error };
  }
  const nowMs = path.clock.nowMs();
  const pending = listed.filter((b) => b.state === "PENDING_DELETION" && b.deleteAtMs !== undefined && b.deleteAtMs > nowMs);
  const trackedById = new Map(tracked.map((t) => [t.backupId, t]));

  // What each backup is owed, then one read of the ledger for all of it.
  const owed = pending.map((b) => {
    const policy = policyOf(b, input.policies);
    const deleteAtMs = b.deleteAtMs as number;
    const stage = dueStage((policy?.alerts ?? input.defaults).remindersMs, deleteAtMs, nowMs);
    return {
      b,
      policy,
      deleteAtMs,
      stage,
      announceId: noticeId.announce(region, b.backupId, deleteAtMs),
      reminderId: stage === undefined ? undefined : noticeId.reminder(region, b.backupId, deleteAtMs, stage),
    };
  });
  let states;
  try {
    states = await path.ledger.notices(owed.flatMap((o) => (o.reminderId ? [o.announceId, o.reminderId] : [o.announceId])));
  } catch (err) {
    const error = (err as Error).message;
    path.log.error("remind: ledger unreadable, nothing in this region was sent", { region, error });
    return { region, pending: pending.length, error };
  }

  const announce = new Map<string, BackupNotice[]>();
  const remind = new Map<string, ReminderNotice[]>();
  const reminderOf = new Map<string, string>();
  for (const o of owed) {
    const group = groupKeyOf(o.b);
    const t = trackedById.get(o.b.backupId);
    const same = t !== undefined && Math.abs(t.deleteAtMs - o.deleteAtMs) <= SAME_DELETION_MS;
    // Past the longest a run can take (Lambda's 15 minutes), an unconfirmed entry of ours is a run that died.
    const died = same && t.ours && !t.confirmed && nowMs - (o.deleteAtMs - RESTORE_WINDOW_MS) >= IN_FLIGHT_MS;
    if (!input.dryRun && died) await recordKilledDeletion(input, o.b, o.deleteAtMs, t, report);
    if (states.get(o.announceId)?.status !== "sent") {
      const ours = same && t.ours;
      const reason = ours ? t.reason : await outsideDeletion(input, o.b, o.deleteAtMs, group, o.policy?.name ?? null, report);
      const notice = backupNotice(o.b, o.deleteAtMs, { group, policy: o.policy, reason, outsidePolicy: !ours, link: input.link });
      push(announce, group, notice);
      if (o.reminderId) reminderOf.set(o.b.backupId, o.reminderId);
      // Our own unconfirmed entries are confirmed with their delete action once their run is over (above).
      if (!input.dryRun && (!same || (!t.confirmed && !t.ours))) {
        await track(input, { region, backupId: o.b.backupId, deleteAtMs: o.deleteAtMs, group, clusterId: notice.clusterId, createdAtMs: o.b.createdAtMs, policy: notice.policy, ours, confirmed: true, reason, runId: path.runId });
      }
    } else if (o.reminderId !== undefined && states.get(o.reminderId)?.status !== "sent") {
      const reason = same ? t.reason : "deleted outside policy";
      const notice = backupNotice(o.b, o.deleteAtMs, { group, policy: o.policy, reason, outsidePolicy: !(same && t.ours), link: input.link });
      push(remind, group, { ...notice, stageMs: o.stage as number });
    }
  }

  for (const [group, backups] of announce) {
    report.announced.push(...backups);
    if (input.dryRun) continue;
    const alert: Alert = { kind: "deletion", nowMs, runId: path.runId, region, group, clusterId: backups[0]?.clusterId, backups };
    // A late announcement covers the stage due now: no reminder 15 minutes after it.
    addStats(report.delivery, await deliverDigest(path, alert, (b) => noticeId.announce(region, b.backupId, b.deleteAtMs), (b) => {
      const r = reminderOf.get(b.backupId);
      return r === undefined ? [] : [r];
    }));
  }
  for (const [group, backups] of remind) {
    report.reminded.push(...backups);
    if (input.dryRun) continue;
    const alert: Alert = { kind: "reminder", nowMs, runId: path.runId, region, group, clusterId: backups[0]?.clusterId, backups };
    addStats(report.delivery, await deliverDigest(path, alert, (b) => noticeId.reminder(region, b.backupId, b.deleteAtMs, (b as ReminderNotice).stageMs)));
  }
  await settleTracked(input, region, tracked, new Set(pending.map((b) => b.backupId)), nowMs, report);
  return { region, pending: pending.length };
}

/** How long a write-ahead entry may stay unconfirmed before it counts as a deletion never made: a run may be in flight. */
const IN_FLIGHT_MS = 60 * 60_000;

/**
 * Tracked backups that are no longer listed as pending, looked at again to tell why: READY
 * (restored: ours gets the default hold and a notice; or a deletion never made), or absent
 * (gone for good: a "Backup Expired" event). An entry written just before a DeleteBackup
 * that is still in flight is left alone.
 */
async function settleTracked(input: RemindInput, region: string, tracked: PendingEntry[], pendingIds: Set<string>, nowMs: number, report: RemindReport): Promise<void> {
  const { path } = input;
  const settled = tracked.filter((t) => !pendingIds.has(t.backupId));
  if (settled.length === 0) return;
  let now = new Map<string, Backup>();
  try {
    now = new Map((await input.store.lookUpBackups(region, settled.map((t) => t.backupId))).backups.map((b) => [b.backupId, b]));
  } catch (err) {
    // Looked at again next run: the entries stay tracked meanwhile.
    addStats(report.delivery, { ...emptyStats(), errors: [(err as Error).message] });
    return;
  }
  for (const t of settled) {
    const b = now.get(t.backupId);
    if (b?.state === "PENDING_DELETION") continue; // deleted again since the listing: next run
    if (b !== undefined && !t.confirmed && nowMs - (t.deleteAtMs - RESTORE_WINDOW_MS) < IN_FLIGHT_MS) continue;
    if (b === undefined) report.expired++;
    else report.back++;
    if (input.dryRun) continue;
    if (b !== undefined && b.state === "READY" && t.confirmed && input.alerts !== undefined) {
      const stats = await holdRestoredOutside({ alerts: input.alerts, policies: input.policies }, b, t);
      addStats(report.delivery, stats);
      report.restoredOutside++;
      // Tracked until the notice is told: the next run tries again, and its claim keeps it once.
      if (stats.ledgerFailures > 0 || stats.failedMessages > 0) continue;
    }
    if (b === undefined) {
      const policy = input.policies.find((p) => p.name === t.policy);
      const made = backupNotice({ backupId: t.backupId, region, clusterId: t.clusterId, createdAtMs: t.createdAtMs }, t.deleteAtMs, {
        group: t.group,
        policy,
        reason: t.reason,
        outsidePolicy: !t.ours,
        link: input.link,
      });
      // The policy that deleted it, even if it has since been renamed or removed from the files.
      const notice = { ...made, policy: t.ours ? t.policy : null };
      const stats = await expire(input, notice, t);
      addStats(report.delivery, stats);
      if (stats.failedEvents > 0 || stats.ledgerFailures > 0) continue;
    }
    try {
      await path.ledger.untrack(region, t.backupId);
    } catch (err) {
      addStats(report.delivery, { ...emptyStats(), ledgerFailures: 1, errors: [(err as Error).message] });
    }
  }
}

/** "Backup Expired", once per deletion: an event only (the people were told while it could be saved). */
async function expire(input: RemindInput, notice: BackupNotice, t: PendingEntry): Promise<DeliveryStats> {
  const { path } = input;
  const id = noticeId.expired(notice.region, notice.backupId, t.deleteAtMs);
  const stats = emptyStats();
  try {
    const claim = await path.ledger.claim(id, path.runId, path.clock.nowMs(), { leaseMs: path.leaseMs, expiresAtMs: t.deleteAtMs + path.retentionMs });
    if (claim !== "won") return stats;
    const events = await deliverEvents(path, [expiredEvent(notice, path.accountId)]);
    addStats(stats, events);
    if (events.failedEvents > 0) await path.ledger.release(id, path.runId);
    else await path.ledger.complete(id, path.runId, path.clock.nowMs());
  } catch (err) {
    stats.ledgerFailures++;
    stats.errors.push((err as Error).message);
  }
  return stats;
}

/**
 * Our write-ahead entry, unconfirmed, and the backup PENDING_DELETION: the deleting run
 * stopped between DeleteBackup and recording it (killed at its timeout, out of memory), at
 * least IN_FLIGHT_MS ago, so that a run still under way records its own deletions. The
 * audit record it never wrote is written now, as that run's (its run ID, policy and reason,
 * at the call's time: DeleteTimestamp minus the 7-day window), unless it did write it and
 * died before confirming; then the entry is confirmed. A failure leaves the entry
 * unconfirmed, so the next run tries again.
 */
async function recordKilledDeletion(input: RemindInput, b: Backup, deleteAtMs: number, t: PendingEntry, report: RemindReport): Promise<void> {
  const { path } = input;
  const keepMs = deleteAtMs + path.retentionMs;
  try {
    const recorded = (await path.ledger.actionsFor(t.region, t.backupId)).some(
      (a) => a.kind === "delete" && a.deleteAtMs !== undefined && Math.abs(a.deleteAtMs - deleteAtMs) <= SAME_DELETION_MS,
    );
    if (!recorded) {
      await path.ledger.record(
        { kind: "delete", atMs: deleteAtMs - RESTORE_WINDOW_MS, runId: t.runId, region: t.region, backupId: t.backupId, group: t.group, policy: t.policy, revision: input.alerts?.revision ?? null, reason: t.reason, actor: input.alerts?.actor ?? "unknown", deleteAtMs },
        keepMs,
      );
    }
    await path.ledger.track({ ...t, deleteAtMs, createdAtMs: b.createdAtMs, confirmed: true }, keepMs);
  } catch (err) {
    addStats(report.delivery, { ...emptyStats(), ledgerFailures: 1, errors: [`ledger: the deletion of ${t.backupId} by run ${t.runId} is still unrecorded: ${(err as Error).message}`] });
  }
}

const UNKNOWN_OUTSIDE = "deleted outside policy (by hand, or by CloudHSM's own backup retention)";

/**
 * Why a backup deleted outside policy went, from one read of its ledger actions: who the
 * watcher saw delete it (CloudTrail), if it did. When no one recorded this deletion (the
 * watcher's event was lost, or there is no watcher), the run that announces it records it as
 * the watcher would, at the deletion's time (its DeleteTimestamp minus the 7-day window), so
 * every DeleteBackup the account saw is in the ledger; once, since the record is found next
 * time. A ledger that cannot be read does not stop the announcement: it says what it knows.
 */
async function outsideDeletion(input: RemindInput, b: Backup, deleteAtMs: number, group: string, policy: string | null, report: RemindReport): Promise<string> {
  const { path } = input;
  let seen: { actor: string } | undefined;
  try {
    seen = (await path.ledger.actionsFor(b.region, b.backupId)).find(
      (a) => a.kind === "deleted-outside" && a.deleteAtMs !== undefined && Math.abs(a.deleteAtMs - deleteAtMs) <= SAME_DELETION_MS,
    );
  } catch {
    return UNKNOWN_OUTSIDE;
  }
  if (seen) return seen.actor.startsWith("unknown") ? UNKNOWN_OUTSIDE : `deleted outside policy by ${seen.actor}`;
  if (input.dryRun) return UNKNOWN_OUTSIDE;
  try {
    await path.ledger.record(
      { kind: "deleted-outside", atMs: deleteAtMs - RESTORE_WINDOW_MS, runId: path.runId, region: b.region, backupId: b.backupId, group, policy, revision: input.alerts?.revision ?? null, reason: UNKNOWN_OUTSIDE, actor: "unknown (found by the reminder run)", deleteAtMs },
      deleteAtMs + path.retentionMs,
    );
  } catch (err) {
    addStats(report.delivery, { ...emptyStats(), ledgerFailures: 1, errors: [`ledger: the deletion of ${b.backupId} outside policy is unrecorded: ${(err as Error).message}`] });
  }
  return UNKNOWN_OUTSIDE;
}

async function track(input: RemindInput, entry: PendingEntry): Promise<void> {
  try {
    await input.path.ledger.track(entry, entry.deleteAtMs + input.path.retentionMs);
  } catch (err) {
    input.path.log.error("could not track a pending backup", { region: entry.region, backupId: entry.backupId, error: (err as Error).message });
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
