import type { BackupNotice } from "../alerts/model.js";
import { describeKeep } from "../retention/describe.js";
import type { Backup, RetentionPolicy } from "../domain/types.js";
import type { LinkMaker } from "../restore/links.js";

/** What a deletion alert says about one backup, from what the job knows of it. */
export function backupNotice(
  b: Pick<Backup, "backupId" | "region" | "clusterId" | "sourceClusterId" | "sourceRegion" | "createdAtMs">,
  deleteAtMs: number,
  ctx: { group: string; policy: RetentionPolicy | undefined; reason: string; outsidePolicy: boolean; link: LinkMaker },
): BackupNotice {
  return {
    backupId: b.backupId,
    region: b.region,
    clusterId: b.sourceRegion === undefined ? b.clusterId : b.sourceClusterId,
    group: ctx.group,
    createdAtMs: b.createdAtMs,
    deleteAtMs,
    policy: ctx.outsidePolicy ? null : (ctx.policy?.name ?? null),
    timezone: ctx.policy?.timezone ?? "UTC",
    reason: ctx.reason,
    outsidePolicy: ctx.outsidePolicy,
    restoreUrl: safeLink(ctx.link, b.region, b.backupId, deleteAtMs),
  };
}

/**
 * The restore link, or "" when none can be made (an ID outside AWS's pattern): the alert
 * then says how to restore by hand. A deletion already made must be announced whatever
 * happens to its link.
 */
function safeLink(link: LinkMaker, region: string, backupId: string, deleteAtMs: number): string {
  try {
    return link(region, backupId, deleteAtMs);
  } catch {
    return "";
  }
}

/** The reason a policy deletion gives: the plan's reasons and the rules in a sentence. */
export function policyReason(reasons: readonly string[], policy: RetentionPolicy): string {
  return `${reasons.join("; ")}; policy ${policy.name} (${policy.mode}) says: ${describeKeep(policy.keep)}`;
}
