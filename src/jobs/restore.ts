import type { Alert } from "../alerts/model.js";
import type { BackupRestorer, BackupStore } from "../domain/ports.js";
import { isoSeconds } from "../domain/time.js";
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
  /** It no longer exists, or its DeleteTimestamp has passed: gone for good. */
  | "gone"
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
  if (!before || (before.state === "PENDING_DELETION" && before.deleteAtMs !== undefined && before.deleteAtMs <= nowMs)) {
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
  const keepMs = (before.deleteAtMs ?? nowMs) + path.retentionMs;
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
  if (status === "restored") await ledgerStep(() => path.ledger.record({ ...base, kind: "restore", reason: `restored ${req.via}` }, keepMs));
  if (req.mode === "pin") {
    if (!pinned) {
      const pin = await deps.store.setNeverExpires(req.region, req.backupId, true);
      if (!pin.ok) {
        return result("failed", `${req.backupId} is restored but could not be pinned: ${pin.error}. Pin it with: aws cloudhsmv2 modify-backup-attributes --backup-id ${req.backupId} --never-expires --region ${req.region}`, { backup, delivery });
      }
      pinned = true;
      await ledgerStep(() => path.ledger.record({ ...base, kind: "pin", reason: `kept forever (NeverExpires), restored ${req.via}` }, keepMs));
    }
    message = `${req.backupId} is ${status === "restored" ? "restored" : "already restored"} and kept forever (NeverExpires).`;
  } else {
    heldUntilMs = nowMs + (req.holdMs ?? DEFAULT_HOLD_MS);
    const existing = (await path.ledger.holds(req.region, nowMs).catch(() => [])).find((h) => h.backupId === req.backupId);
    if (existing && existing.untilMs >= heldUntilMs) heldUntilMs = existing.untilMs;
    else {
      const until = heldUntilMs;
      await ledgerStep(() => path.ledger.hold({ region: req.region, backupId: req.backupId, untilMs: until, via: req.via, atMs: nowMs, actor: req.actor, runId: path.runId }, until + path.retentionMs));
      await ledgerStep(() => path.ledger.record({ ...base, kind: "hold", reason: `held, restored ${req.via}`, untilMs: until }, until + path.retentionMs));
    }
    message = `${req.backupId} is ${status === "restored" ? "restored" : "already restored"} and held until ${isoSeconds(heldUntilMs)}: policy will not delete it before then.`;
  }
  await ledgerStep(() => path.ledger.untrack(req.region, req.backupId));
  if (before.deleteAtMs !== undefined) {
    const policy = policyOf(before, deps.policies);
    const notice = backupNotice(before, before.deleteAtMs, { group: groupKeyOf(before), policy, reason: `restored ${req.via}`, outsidePolicy: false, link: deps.alerts.link });
    const alert: Alert = { kind: "restored", nowMs, backup: notice, via: req.via, heldUntilMs };
    addStats(delivery, await deliverOne(path, alert, noticeId.restored(req.region, req.backupId, before.deleteAtMs), keepMs));
  }
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
 * A backup this service deleted that is READY again, restored by any path but the link
 * (the console, the AWS CLI): a person wanted it back, so it gets the default hold, a
 * record, and a notice ("restored outside the link"), as if restored through the link.
 */
export async function holdRestoredOutside(
  deps: { alerts: ApplyAlerts; policies: readonly RetentionPolicy[] },
  backup: Backup,
  deleteAtMs: number,
  holdMs = DEFAULT_HOLD_MS,
): Promise<DeliveryStats> {
  const { path } = deps.alerts;
  const nowMs = path.clock.nowMs();
  const via = "outside the link (the console, the AWS CLI or an SDK)";
  const untilMs = nowMs + holdMs;
  const policy = policyOf(backup, deps.policies);
  const delivery = emptyStats();
  try {
    await path.ledger.hold({ region: backup.region, backupId: backup.backupId, untilMs, via, atMs: nowMs, actor: "unknown (restored outside the link)", runId: path.runId }, untilMs + path.retentionMs);
    await path.ledger.record(
      { kind: "restore", atMs: nowMs, runId: path.runId, region: backup.region, backupId: backup.backupId, group: groupKeyOf(backup), policy: policy?.name ?? null, revision: deps.alerts.revision, reason: `restored ${via}; held by default`, actor: "unknown", untilMs },
      untilMs + path.retentionMs,
    );
  } catch (err) {
    delivery.ledgerFailures++;
    delivery.errors.push((err as Error).message);
    return delivery;
  }
  const notice = backupNotice(backup, deleteAtMs, { group: groupKeyOf(backup), policy, reason: `restored ${via}`, outsidePolicy: false, link: deps.alerts.link });
  const alert: Alert = { kind: "restored", nowMs, backup: notice, via, heldUntilMs: untilMs };
  addStats(delivery, await deliverOne(path, alert, noticeId.restored(backup.region, backup.backupId, deleteAtMs), untilMs + path.retentionMs));
  return delivery;
}
