import { RESTORE_WINDOW_MS } from "../domain/time.js";
import type { Alert, BackupNotice } from "../alerts/model.js";
import { eventsForAlert, runCompletedEvent, type RunSummary } from "../alerts/events.js";
import type { DeleteOutcome } from "../domain/ports.js";
import type { Backup, Decision, Halt, Plan, RetentionPolicy } from "../domain/types.js";
import { type Ledger, noticeId } from "../ledger/port.js";
import type { LinkMaker } from "../restore/links.js";
import { addStats, type AlertPath, deliverDigest, deliverEvents, deliveryFailed, deliverOne, type DeliveryStats, emptyStats, putStashedEvents } from "./deliver.js";
import type { DeleteHooks } from "./delete.js";
import { backupNotice, policyReason } from "./notices.js";
import { checkBackupsStopped } from "./stopped.js";

/**
 * What a deleting run tells, and records, beyond deleting. The order makes "no backup
 * gone for good without an announcement" hold whatever fails or is killed:
 *
 * 1. record the intent (a tracked pending entry, `confirmed: false`) — if the ledger
 *    cannot be written, the backup is not deleted;
 * 2. DeleteBackup;
 * 3. record the delete action and confirm the entry (its real DeleteTimestamp);
 * 4. announce, per (region, cluster), through claims (deliver.ts).
 *
 * Killed after 2, or with 3 or 4 failing, the backup is PENDING_DELETION with a tracked
 * entry saying it was ours and why: the next reminder run (every 15 minutes) announces it
 * with the same words and link, while there are still days to restore it.
 */
export interface ApplyAlerts {
  path: AlertPath;
  link: LinkMaker;
  /** The policies' git revision, when known. */
  revision: string | null;
  /** Who acts: `lambda:<function>`, `cli:<user>@<host>`. */
  actor: string;
  /**
   * `apply --no-alerts`: the ledger is kept (daily cap, holds, records, tracked entries) but
   * this run sends no message and no event; the next reminder run announces its deletions.
   */
  silent?: boolean | undefined;
}


/** Deletions per enforce-mode policy in the last 24 hours, for maxDeletionsPerDay. Throws LedgerError. */
export async function deletionsInLastDay(ledger: Ledger, policies: readonly RetentionPolicy[], nowMs: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const p of policies) if (p.mode === "enforce") counts.set(p.name, await ledger.deletionsSince(p.name, nowMs - 86_400_000));
  return counts;
}

/** What went wrong in the ledger around the deletions themselves (exit 3). */
export interface HookFailures {
  errors: string[];
}

/**
 * The ledger around each DeleteBackup: a reservation under the policy's daily cap and the
 * write-ahead entry before it; the delete action and the confirmed entry after it (or the
 * reservation and entry withdrawn when the call did not delete). Failures after the call
 * are collected in `failures`: the run reports them and exits 3.
 */
export function deletionHooks(alerts: ApplyAlerts, policies: readonly RetentionPolicy[], listed: ReadonlyMap<string, Backup>, nowMs: number, failures: HookFailures): DeleteHooks {
  const { path } = alerts;
  const byName = new Map(policies.map((p) => [p.name, p]));
  const entry = (d: Decision, deleteAtMs: number, confirmed: boolean) => {
    const b = listed.get(d.backupId);
    const policy = d.policy === null ? undefined : byName.get(d.policy);
    return {
      region: d.region,
      backupId: d.backupId,
      deleteAtMs,
      group: d.group,
      clusterId: b?.sourceRegion === undefined ? d.clusterId : b.sourceClusterId,
      createdAtMs: d.createdAtMs,
      policy: d.policy,
      ours: true,
      confirmed,
      reason: policy ? policyReason(d.reasons, policy) : d.reasons.join("; "),
      runId: path.runId,
    };
  };
  const capOf = (d: Decision) => {
    const g = d.policy === null ? undefined : byName.get(d.policy)?.guards;
    return g ? (g.maxDeletionsPerDay ?? g.maxDeletionsPerRun) : Number.POSITIVE_INFINITY;
  };
  return {
    async before(d) {
      if (d.policy !== null) {
        // Counted before it is made, and ranked against other runs' reservations.
        const reserved = await path.ledger.reserveDeletion(d.policy, d.region, d.backupId, path.clock.nowMs(), capOf(d));
        if (!reserved) return { hold: `maxDeletionsPerDay ${capOf(d)} of policy ${d.policy} reached (other runs deleted meanwhile); the next run decides again` };
      }
      const e = entry(d, nowMs + RESTORE_WINDOW_MS, false);
      await path.ledger.track(e, e.deleteAtMs + path.retentionMs);
      return undefined;
    },
    async after(d, outcome) {
      try {
        if (outcome.status === "failed" && d.policy !== null) await path.ledger.withdrawDeletion(d.policy, d.region, d.backupId, path.clock.nowMs());
        if (outcome.status === "deleted" || outcome.status === "already-pending") {
          const deleteAtMs = outcome.deleteAtMs ?? nowMs + RESTORE_WINDOW_MS;
          const e = entry(d, deleteAtMs, true);
          await path.ledger.record(
            { kind: "delete", atMs: path.clock.nowMs(), runId: path.runId, region: d.region, backupId: d.backupId, group: d.group, policy: d.policy, revision: alerts.revision, reason: e.reason, actor: alerts.actor, deleteAtMs },
            deleteAtMs + path.retentionMs,
          );
          await path.ledger.track(e, deleteAtMs + path.retentionMs);
        } else {
          await path.ledger.untrack(d.region, d.backupId);
        }
      } catch (err) {
        // The entry written before the call still says it was ours: the reminder run announces
        // it. The run says it failed (exit 3).
        const error = `ledger: the deletion of ${d.backupId} was not recorded (${(err as Error).message}); the next reminder run announces it`;
        failures.errors.push(error);
        path.log.error(error, { backupId: d.backupId, region: d.region });
      }
    },
  };
}

export interface RunAlertsInput {
  alerts: ApplyAlerts;
  plan: Plan;
  policies: readonly RetentionPolicy[];
  listed: ReadonlyMap<string, Backup>;
  outcomes: readonly DeleteOutcome[];
  /** Regions whose listing succeeded: backups stopped is judged only there. */
  listedRegions: readonly string[];
  summary: RunSummary;
}

/** Announcements, halts, backups stopped/resumed, and the run's summary event. */
export async function tellRun(input: RunAlertsInput): Promise<DeliveryStats> {
  const { alerts, plan } = input;
  const { path } = alerts;
  const stats = await putStashedEvents(path);
  const byName = new Map(input.policies.map((p) => [p.name, p]));
  const decisions = new Map(plan.decisions.map((d) => [d.backupId, d]));

  const byGroup = new Map<string, BackupNotice[]>();
  for (const o of input.outcomes) {
    if (o.status !== "deleted" || o.deleteAtMs === undefined) continue;
    const d = decisions.get(o.backupId);
    const b = input.listed.get(o.backupId);
    if (!d || !b || d.policy === null) continue;
    const policy = byName.get(d.policy);
    const notice = backupNotice(b, o.deleteAtMs, { group: d.group, policy, reason: policy ? policyReason(d.reasons, policy) : d.reasons.join("; "), outsidePolicy: false, link: alerts.link });
    const list = byGroup.get(d.group);
    if (list) list.push(notice);
    else byGroup.set(d.group, [notice]);
  }
  for (const [group, backups] of byGroup) {
    backups.sort((a, b) => a.createdAtMs - b.createdAtMs || (a.backupId < b.backupId ? -1 : 1));
    const first = backups[0]!;
    const alert: Alert = { kind: "deletion", nowMs: path.clock.nowMs(), runId: path.runId, region: first.region, group, clusterId: first.clusterId, backups };
    addStats(stats, await deliverDigest(path, alert, (b) => noticeId.announce(b.region, b.backupId, b.deleteAtMs)));
  }

  const stopped = await checkBackupsStopped(path, plan, input.policies, input.listedRegions);
  addStats(stats, stopped.stats);
  for (const halt of plan.halts) {
    const policy = byName.get(halt.policy);
    if (policy?.mode !== "enforce") continue;
    // A group halted because its backups stopped is told once, by the backups-stopped alert
    // (recorded and put on the bus as a halt all the same).
    const told = halt.guard === "requireBackupWithin" && halt.group !== undefined && stopped.stopped.has(halt.group);
    addStats(stats, await tellHalt(alerts, halt, policy, told));
  }
  // The run's exit code as the caller will report it: a failed alert path makes it 3.
  const exitCode = deliveryFailed(stats) ? 3 : input.summary.exitCode;
  addStats(stats, await deliverEvents(path, [runCompletedEvent({ ...input.summary, exitCode, finishedAtMs: path.clock.nowMs() })]));
  return stats;
}

async function tellHalt(alerts: ApplyAlerts, halt: Halt, policy: RetentionPolicy, toldElsewhere: boolean): Promise<DeliveryStats> {
  const { path } = alerts;
  const nowMs = path.clock.nowMs();
  try {
    await path.ledger.record(
      { kind: "halt", atMs: nowMs, runId: path.runId, region: halt.group?.split("/")[0] ?? "*", group: halt.group, policy: halt.policy, revision: alerts.revision, reason: halt.message, actor: alerts.actor },
      nowMs + path.retentionMs,
    );
  } catch (err) {
    path.log.error("ledger: halt not recorded", { policy: halt.policy, group: halt.group, error: (err as Error).message });
  }
  const alert: Alert = { kind: "halt", nowMs, runId: path.runId, policy: halt.policy, group: halt.group, guard: halt.guard, message: halt.message, advice: adviceFor(halt, policy) };
  if (toldElsewhere) return deliverEvents(path, eventsForAlert(alert, path.accountId));
  return deliverOne(path, alert, noticeId.halt(halt.policy, halt.group, halt.guard, nowMs), nowMs + path.retentionMs);
}

function adviceFor(halt: Halt, policy: RetentionPolicy): string {
  if (halt.guard === "requireBackupWithin" && halt.group?.includes("/copy:")) {
    return "Check that the job copying these backups to this region still runs (aws cloudhsmv2 copy-backup-to-region). Nothing is deleted in this group until a recent copy exists.";
  }
  if (halt.guard === "requireBackupWithin") {
    return "Check that the cluster still exists and is making backups (CloudHSM makes one at least every 24 hours). Nothing is deleted in this group until a recent backup exists.";
  }
  return (
    `Read the plan (cloudhsm-retention plan --policy <file> --region <region>) to see what policy "${policy.name}" would delete. ` +
    "If it is intended (a first run on an old fleet), raise maxDeletePercent for one run or let maxDeletionsPerRun spread it out; otherwise fix the policy."
  );
}
