import type { Alert } from "../alerts/model.js";
import type { BackupStore } from "../domain/ports.js";
import type { RetentionPolicy } from "../domain/types.js";
import { noticeId } from "../ledger/port.js";
import { groupKeyOf, policyOf } from "../retention/grouping.js";
import type { ApplyAlerts } from "./apply-alerts.js";
import { addStats, type DeliveryStats, deliverDigest, deliveryFailed, emptyStats } from "./deliver.js";
import { backupNotice } from "./notices.js";

/**
 * The watcher: CloudTrail's record of a `DeleteBackup` call, delivered by EventBridge
 * (source `aws.cloudhsm`, detail-type `AWS API Call via CloudTrail`). A deletion made by
 * anyone but this service's own roles (a person, a script, CloudHSM's own retention) is
 * announced at once with its restore link and recorded in the ledger; the reminder run
 * would find it within 15 minutes anyway, and the two share one notice, so it is told once.
 */
export interface CloudTrailEvent {
  "detail-type"?: string;
  source?: string;
  region?: string;
  detail?: {
    eventSource?: string;
    eventName?: string;
    awsRegion?: string;
    errorCode?: string;
    userIdentity?: {
      type?: string;
      arn?: string;
      invokedBy?: string;
      sessionContext?: { sessionIssuer?: { arn?: string } };
    };
    requestParameters?: { backupId?: string } | null;
  };
}

export interface WatchInput {
  event: CloudTrailEvent;
  policies: readonly RetentionPolicy[];
  store: BackupStore;
  alerts: ApplyAlerts;
  /** This service's own roles: their deletions are announced by the run that made them. */
  ownRoleArns: readonly string[];
}

export interface WatchReport {
  /** "announced", or why nothing was done. */
  outcome: "announced" | "ignored";
  why: string;
  backupId?: string | undefined;
  actor?: string | undefined;
  delivery: DeliveryStats;
  exitCode: 0 | 3;
}

const SOURCES = new Set(["cloudhsm.amazonaws.com", "cloudhsmv2.amazonaws.com"]);

/** Who made the call, in words for the alert: an ARN, or the AWS service that made it. */
export function actorOf(identity: NonNullable<CloudTrailEvent["detail"]>["userIdentity"]): string {
  return identity?.sessionContext?.sessionIssuer?.arn ?? identity?.arn ?? identity?.invokedBy ?? identity?.type ?? "unknown";
}

function isOwn(identity: NonNullable<CloudTrailEvent["detail"]>["userIdentity"], own: readonly string[]): boolean {
  const issuer = identity?.sessionContext?.sessionIssuer?.arn;
  if (issuer && own.includes(issuer)) return true;
  // arn:aws:sts::123456789012:assumed-role/<role>/<session> against arn:aws:iam::123456789012:role/<role>
  const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(identity?.arn ?? "");
  return m !== null && own.some((role) => role === `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` || role.endsWith(`:role/${m[3]}`));
}

export async function runWatch(input: WatchInput): Promise<WatchReport> {
  const { path } = input.alerts;
  const ignore = (why: string, extra: Partial<WatchReport> = {}): WatchReport => {
    path.log.info("watch: nothing to do", { why, ...extra });
    return { outcome: "ignored", why, delivery: emptyStats(), exitCode: 0, ...extra };
  };
  const d = input.event.detail;
  if (!d || d.eventName !== "DeleteBackup" || !SOURCES.has(d.eventSource ?? "")) return ignore("not a CloudHSM DeleteBackup call");
  if (d.errorCode) return ignore(`the call failed (${d.errorCode})`);
  const backupId = d.requestParameters?.backupId;
  const region = d.awsRegion ?? input.event.region;
  if (!backupId || !region) return ignore("the record names no backup or region");
  const actor = actorOf(d.userIdentity);
  if (isOwn(d.userIdentity, input.ownRoleArns)) return ignore("deleted by this service's own role: its run announces it", { backupId, actor });

  // CloudTrail's copy of the response has no dependable time format: ask CloudHSM.
  const now = (await input.store.lookUpBackups(region, [backupId])).backups[0];
  if (!now || now.state !== "PENDING_DELETION" || now.deleteAtMs === undefined) {
    return ignore(`the backup is no longer pending deletion (${now ? now.state : "gone"})`, { backupId, actor });
  }
  // A CLI run of this service (an engineer's role, not the sweep's) is not "outside policy":
  // its write-ahead record says so, and its own run announces the deletion in its words.
  const known = (await path.ledger.tracked(region).catch(() => [])).find((t) => t.backupId === backupId && t.ours);
  if (known !== undefined && Math.abs(known.deleteAtMs - now.deleteAtMs) < 86_400_000) {
    return ignore("deleted by a run of this service (the ledger tracks it as a policy deletion): its run announces it", { backupId, actor });
  }
  const reason = `deleted outside policy by ${actor}`;
  const group = groupKeyOf(now);
  const policy = policyOf(now, input.policies);
  const nowMs = path.clock.nowMs();
  const keepMs = now.deleteAtMs + path.retentionMs;
  const delivery = emptyStats();
  try {
    await path.ledger.record({ kind: "deleted-outside", atMs: nowMs, runId: path.runId, region, backupId, group, policy: policy?.name ?? null, revision: input.alerts.revision, reason, actor, deleteAtMs: now.deleteAtMs }, keepMs);
    await path.ledger.track({ region, backupId, deleteAtMs: now.deleteAtMs, group, clusterId: now.sourceRegion === undefined ? now.clusterId : now.sourceClusterId, createdAtMs: now.createdAtMs, policy: policy?.name ?? null, ours: false, confirmed: true, reason, runId: path.runId }, keepMs);
  } catch (err) {
    // Still tell: the announcement matters more than the record, and a reminder run retracks it.
    delivery.ledgerFailures++;
    delivery.errors.push((err as Error).message);
  }
  const notice = backupNotice(now, now.deleteAtMs, { group, policy, reason, outsidePolicy: true, link: input.alerts.link });
  const alert: Alert = { kind: "deletion", nowMs, runId: path.runId, region, group, clusterId: notice.clusterId, backups: [notice] };
  const told = await deliverDigest(path, alert, (b) => noticeId.announce(region, b.backupId, b.deleteAtMs));
  addStats(delivery, told);
  path.log.info("watch: deletion outside policy", { backupId, region, actor, messages: delivery.messages, skipped: delivery.skipped });
  return { outcome: "announced", why: reason, backupId, actor, delivery, exitCode: deliveryFailed(delivery) ? 3 : 0 };
}
