import type { Alert } from "../alerts/model.js";
import type { BackupRestorer, BackupStore } from "../domain/ports.js";
import { isoSeconds, RESTORE_WINDOW_MS } from "../domain/time.js";
import type { Backup, RetentionPolicy } from "../domain/types.js";
import { noticeId } from "../ledger/port.js";
import { groupKeyOf, policyOf } from "../retention/grouping.js";
import type { ApplyAlerts } from "./apply-alerts.js";
import { addStats, type DeliveryStats, deliverOne, emptyStats } from "./deliver.js";
import { backupNotice } from "./notices.js";

/**
 * Bringing a deleted backup back, so that it stays back: RestoreBackup, then either a
 * hold in the ledger (the planner keeps the backup until it ends) or the NeverExpires pin,
 * recorded, announced ("restored") and put on the bus. One code path for the restore
 * page, `cloudhsm-retention restore`, and (for holds) restores noticed outside the link.
 */
export const DEFAULT_HOLD_MS = 30 * 86_400_000;

export interface RestoreRequest {
  region: string;
  backupId: string;
  /** A hold of `holdMs`, or keep forever (NeverExpires). */
  mode: "hold" | "pin";
  holdMs?: number | undefined;
  /** How it comes back, as said after "restored": "through the restore link", "through the CLI". */
  via: string;
  actor: string;
}

export interface RestoreDeps {
  store: BackupStore & BackupRestorer;
  alerts: ApplyAlerts;
  policies: readonly RetentionPolicy[];
}

export type RestoreStatus =
  /** It was PENDING_DELETION and is READY now. */
  | "restored"
  /** It was READY already (an earlier click, someone else): the hold or pin is made sure of. */
  | "already-restored"
  /** Its DeleteTimestamp has passed: gone for good. */
  | "gone"
  /** AWS does not list it in this region: another region, or gone for good long ago. */
  | "not-found"
  /** It cannot be restored (another state), or AWS refused. */
  | "failed";

export interface RestoreResult {
  status: RestoreStatus;
  backup?: Backup | undefined;
  /** The hold's end, when held. */
  heldUntilMs?: number | undefined;
  pinned: boolean;
  /** One sentence for the page or the terminal. */
  message: string;
  /** When the cluster's own retention would purge the backup before its hold ends. */
  nativeRetentionWarning?: string | undefined;
  delivery: DeliveryStats;
}

/** What a person needs to see before restoring (the confirmation page): the backup as it is now, and why it went. */
export interface RestoreView {
  backup: Backup | undefined;
  /** Why it was deleted, from the ledger (a policy's reasons, or who deleted it outside policy). */
  reason: string | undefined;
  policy: string | undefined;
  timezone: string;
  nativeRetentionWarning: string | undefined;
  nowMs: number;
}

export async function describeRestore(region: string, backupId: string, deps: RestoreDeps, holdMs = DEFAULT_HOLD_MS): Promise<RestoreView> {
  const { path } = deps.alerts;
  const backup = (await deps.store.lookUpBackups(region, [backupId])).backups[0];
  const nowMs = path.clock.nowMs();
  const tracked = (await path.ledger.tracked(region).catch(() => [])).find((t) => t.backupId === backupId);
  const seen = (await path.ledger.actionsFor(region, backupId).catch(() => [])).filter((a) => a.kind === "delete" || a.kind === "deleted-outside").at(-1);
  const policy = backup ? policyOf(backup, deps.policies) : undefined;
  return {
    backup,
    reason: tracked?.reason ?? seen?.reason,
    policy: policy?.name ?? tracked?.policy ?? undefined,
    timezone: policy?.timezone ?? "UTC",
    nativeRetentionWarning: backup ? await nativeWarning(deps.store, backup, nowMs, nowMs + holdMs) : undefined,
    nowMs,
  };
}

export async function runRestore(req: RestoreRequest, deps: RestoreDeps): Promise<RestoreResult> {
  const { path } = deps.alerts;
  const nowMs = path.clock.nowMs();
  const before = (await deps.store.lookUpBackups(req.region, [req.backupId])).backups[0];
  const result = (status: RestoreStatus, message: string, extra: Partial<RestoreResult> = {}): RestoreResult => ({
    status,
    message,
    pinned: false,
    delivery: emptyStats(),
    backup: before,
    ...extra,
  });
  if (!before) {
    // AWS lists a deleted backup for a while only, and a backup of another region never. The
    // ledger tells them apart when it saw the deletion in this region; else the message says both.
    const deletion = (await path.ledger.actionsFor(req.region, req.backupId).catch(() => [])).find((a) => a.kind === "delete" || a.kind === "deleted-outside");
    const tracked = (await path.ledger.tracked(req.region).catch(() => [])).some((t) => t.backupId === req.backupId);
    if (deletion !== undefined || tracked) return result("gone", `${req.backupId} is gone for good: its restore window of 7 days has ended, and AWS cannot bring it back.`);
    return result(
      "not-found",
      `${req.backupId} is not in ${req.region}: check the region (the alert names it), or it was deleted for good long enough ago that AWS no longer lists it. aws cloudhsmv2 describe-backups --filters backupIds=${req.backupId} --region <region> looks elsewhere.`,
    );
  }
  if (before.state === "PENDING_DELETION" && before.deleteAtMs !== undefined && before.deleteAtMs <= nowMs) {
    return result("gone", `${req.backupId} is gone for good: its restore window of 7 days has ended, and AWS cannot bring it back.`);
  }
  let status: RestoreStatus;
  let backup = before;
  if (before.state === "PENDING_DELETION") {
    const out = await deps.store.restoreBackup(req.region, req.backupId);
    if (out.status === "gone") return result("gone", `${req.backupId} is gone for good.`);
    if (out.status === "failed") return result("failed", `AWS did not restore ${req.backupId}: ${out.error}. Try again, or run: aws cloudhsmv2 restore-backup --backup-id ${req.backupId} --region ${req.region}`);
    status = out.status === "restored" ? "restored" : "already-restored";
    backup = out.backup ?? { ...before, state: "READY", deleteAtMs: undefined };
  } else if (before.state === "READY") {
    status = "already-restored";
  } else {
    return result("failed", `${req.backupId} is ${before.state}: only a backup pending deletion can be restored.`);
  }

  const delivery = emptyStats();
  // What the ledger knows of its deletion: whether it was ours, and why. A READY backup it
  // still tracks was restored by an earlier call whose ledger steps failed (DynamoDB down):
  // this call finishes them, the notice included.
  const tracked = (await path.ledger.tracked(req.region).catch(() => [])).find((t) => t.backupId === req.backupId);
  const lastDeletion = (await path.ledger.actionsFor(req.region, req.backupId).catch(() => [])).filter((a) => a.kind === "delete" || a.kind === "deleted-outside").at(-1);
  const deleteAtMs = before.deleteAtMs ?? tracked?.deleteAtMs;
  const neverDeleted = before.state === "READY" && tracked === undefined && lastDeletion === undefined;
  const keepMs = (deleteAtMs ?? nowMs) + path.retentionMs;
  const base = { atMs: nowMs, runId: path.runId, region: req.region, backupId: req.backupId, group: groupKeyOf(before), policy: policyOf(before, deps.policies)?.name ?? null, revision: deps.alerts.revision, actor: req.actor };
  let pinned = backup.neverExpires;
  let heldUntilMs: number | undefined;
  let message: string;
  const ledgerStep = async (step: () => Promise<unknown>) => {
    try {
      await step();
    } catch (err) {
      delivery.ledgerFailures++;
      delivery.errors.push((err as Error).message);
    }
  };
  const what = status === "restored" ? "restored" : neverDeleted ? "not deleted (READY)" : "already restored";
  if (status === "restored") await ledgerStep(() => path.ledger.record({ ...base, kind: "restore", reason: `restored ${req.via}` }, keepMs));
  if (req.mode === "pin") {
    if (!pinned) {
      const pin = await deps.store.setNeverExpires(req.region, req.backupId, true);
      if (!pin.ok) {
        return result("failed", `${req.backupId} is restored but could not be pinned: ${pin.error}. Pin it with: aws cloudhsmv2 modify-backup-attributes --backup-id ${req.backupId} --never-expires --region ${req.region}`, { backup, delivery });
      }
      pinned = true;
      await ledgerStep(() => path.ledger.record({ ...base, kind: "pin", reason: `kept forever (NeverExpires), restored ${req.via}` }, keepMs));
    } else if (tracked !== undefined) {
      // Pinned by an earlier press whose record failed (the ledger down): recorded now.
      await ledgerStep(() => path.ledger.record({ ...base, kind: "pin", reason: `kept forever (NeverExpires), restored ${req.via}` }, keepMs));
    }
    message =
      delivery.ledgerFailures > 0
        ? `${req.backupId} is ${what} and kept forever (NeverExpires), but the ledger could not record it: run this again once the ledger answers.`
        : `${req.backupId} is ${what} and kept forever (NeverExpires).`;
  } else {
    heldUntilMs = nowMs + (req.holdMs ?? DEFAULT_HOLD_MS);
    const existing = (await path.ledger.holds(req.region, nowMs).catch(() => [])).find((h) => h.backupId === req.backupId);
    if (existing && existing.untilMs >= heldUntilMs) heldUntilMs = existing.untilMs;
    else {
      const until = heldUntilMs;
      await ledgerStep(() => path.ledger.hold({ region: req.region, backupId: req.backupId, untilMs: until, via: req.via, atMs: nowMs, actor: req.actor, runId: path.runId }, until + path.retentionMs));
      await ledgerStep(() => path.ledger.record({ ...base, kind: "hold", reason: `held, restored ${req.via}`, untilMs: until }, until + path.retentionMs));
    }
    message =
      delivery.ledgerFailures > 0
        ? `${req.backupId} is ${what}, but its hold could not be recorded in the ledger, so a policy may delete it again: run this again once the ledger answers.`
        : `${req.backupId} is ${what} and held until ${isoSeconds(heldUntilMs)}: policy will not delete it before then.`;
  }
  const recorded = delivery.ledgerFailures === 0;
  let told = true;
  if (deleteAtMs !== undefined) {
    const policy = policyOf(before, deps.policies);
    const outsidePolicy = !(tracked?.ours ?? lastDeletion?.kind === "delete");
    const reason = tracked?.reason ?? lastDeletion?.reason ?? "not recorded";
    const notice = backupNotice(before, deleteAtMs, { group: groupKeyOf(before), policy, reason, outsidePolicy, link: deps.alerts.link });
    const alert: Alert = { kind: "restored", nowMs, backup: notice, via: req.via, heldUntilMs };
    const sent = await deliverOne(path, alert, noticeId.restored(req.region, req.backupId, deleteAtMs), keepMs);
    told = sent.failedMessages === 0 && sent.ledgerFailures === 0;
    addStats(delivery, sent);
  }
  // Untracked only once the hold is recorded and the notice told: until then the reminder
  // run finds it READY and tracked, and finishes both (see holdRestoredOutside).
  if (tracked !== undefined && recorded && told) await ledgerStep(() => path.ledger.untrack(req.region, req.backupId));
  const nativeRetentionWarning = heldUntilMs === undefined ? undefined : await nativeWarning(deps.store, backup, nowMs, heldUntilMs);
  return { status, backup, heldUntilMs, pinned, message, nativeRetentionWarning, delivery };
}

/**
 * CloudHSM's own retention purges a backup older than the cluster's BackupRetentionPolicy,
 * whatever this service holds: said when that would happen before `untilMs`. A backup
 * already older than that is purged again soon after it is restored (AWS's user guide
 * warns of exactly this race), which is said as such rather than as a date in the past.
 */
async function nativeWarning(store: BackupRestorer, b: Backup, nowMs: number, untilMs: number): Promise<string | undefined> {
  if (b.neverExpires || b.clusterId === undefined || b.sourceRegion !== undefined) return undefined;
  const days = await store.clusterRetentionDays(b.region, b.clusterId).catch(() => undefined);
  if (days === undefined) return undefined;
  const purgeAtMs = b.createdAtMs + days * 86_400_000;
  if (purgeAtMs >= untilMs) return undefined;
  const keepForever = `choose "Restore and keep forever" to exempt it (NeverExpires)`;
  if (purgeAtMs <= nowMs) {
    return `This backup is older than the cluster's own backup retention (${days} days), so CloudHSM would delete it again soon after it is restored, whatever the hold says: ${keepForever}.`;
  }
  const when = isoSeconds(purgeAtMs);
  return `The cluster's own backup retention (${days} days) would delete this backup on ${when}, before the hold ends: ${keepForever}.`;
}

/**
 * A backup deleted (by this service or outside it) that is READY again while the ledger
 * still tracks it. Either it was restored by a path other than the link (the console, the
 * AWS CLI): a person wanted it back, so it gets the default hold, a record, and a notice;
 * or a restore through the link or the CLI could not finish its ledger steps or its notice:
 * its hold (however long) stands, and only the notice is sent, once.
 */
export async function holdRestoredOutside(
  deps: { alerts: ApplyAlerts; policies: readonly RetentionPolicy[] },
  backup: Backup,
  deletion: { deleteAtMs: number; reason: string; ours: boolean },
  holdMs = DEFAULT_HOLD_MS,
): Promise<DeliveryStats> {
  const { path } = deps.alerts;
  const nowMs = path.clock.nowMs();
  const policy = policyOf(backup, deps.policies);
  const delivery = emptyStats();
  let via = "outside the link (the console, the AWS CLI or an SDK)";
  let untilMs: number | undefined = nowMs + holdMs;
  try {
    const existing = (await path.ledger.holds(backup.region, nowMs)).find((h) => h.backupId === backup.backupId);
    if (existing !== undefined) [via, untilMs] = [existing.via, existing.untilMs];
    else if (backup.neverExpires) {
      // Pinned (through the link, its record lost while the ledger was down, or by hand): the
      // restore and the pin are recorded as found, so the ledger has every action.
      untilMs = undefined;
      const record = (kind: "restore" | "pin", reason: string) =>
        path.ledger.record({ kind, atMs: nowMs, runId: path.runId, region: backup.region, backupId: backup.backupId, group: groupKeyOf(backup), policy: policy?.name ?? null, revision: deps.alerts.revision, reason, actor: "unknown" }, deletion.deleteAtMs + path.retentionMs);
      const since = deletion.deleteAtMs - RESTORE_WINDOW_MS;
      const done = (await path.ledger.actionsFor(backup.region, backup.backupId)).filter((a) => a.atMs >= since);
      if (!done.some((a) => a.kind === "restore")) await record("restore", `restored ${via}; found pinned`);
      if (!done.some((a) => a.kind === "pin")) await record("pin", "found kept forever (NeverExpires) after a restore");
    } else {
      const until = untilMs;
      await path.ledger.hold({ region: backup.region, backupId: backup.backupId, untilMs: until, via, atMs: nowMs, actor: "unknown (restored outside the link)", runId: path.runId }, until + path.retentionMs);
      await path.ledger.record(
        { kind: "restore", atMs: nowMs, runId: path.runId, region: backup.region, backupId: backup.backupId, group: groupKeyOf(backup), policy: policy?.name ?? null, revision: deps.alerts.revision, reason: `restored ${via}; held by default`, actor: "unknown", untilMs: until },
        until + path.retentionMs,
      );
    }
  } catch (err) {
    delivery.ledgerFailures++;
    delivery.errors.push((err as Error).message);
    return delivery;
  }
  const notice = backupNotice(backup, deletion.deleteAtMs, { group: groupKeyOf(backup), policy, reason: deletion.reason, outsidePolicy: !deletion.ours, link: deps.alerts.link });
  const alert: Alert = { kind: "restored", nowMs, backup: notice, via, heldUntilMs: untilMs };
  addStats(delivery, await deliverOne(path, alert, noticeId.restored(backup.region, backup.backupId, deletion.deleteAtMs), (untilMs ?? nowMs) + path.retentionMs));
  return delivery;
}
