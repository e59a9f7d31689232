import type { Counters, Plan } from "../../domain/types.js";
import { isoUtcSeconds } from "./time.js";

/** Bumped only when a key is renamed or removed; new keys may be added at any time. */
export const JSON_FORMAT_VERSION = 1;

/** Infinity is not JSON: unlimited counters print as the word the policy uses. */
function counters(c: Counters | undefined): Record<string, number | "unlimited"> | undefined {
  if (!c) return undefined;
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v === Infinity ? "unlimited" : (v as number)]));
}

/** Counts over the whole plan, so scripts need not recount the decisions. */
export function planTotals(plan: Plan): Record<string, number> {
  const enforced = new Set(plan.policies.filter((p) => p.mode === "enforce").map((p) => p.name));
  const t = { backups: plan.decisions.length, keep: 0, delete: 0, skip: 0, deferred: 0, enforcedDeletes: 0, reportOnlyDeletes: 0, halts: plan.halts.length, warnings: plan.warnings.length };
  // Disjoint, as the table shows them: keep + deferred + delete + skip = backups.
  for (const d of plan.decisions) {
    if (d.deferred) t.deferred++;
    else t[d.action]++;
    if (d.action === "delete") {
      if (d.policy !== null && enforced.has(d.policy)) t.enforcedDeletes++;
      else t.reportOnlyDeletes++;
    }
  }
  return t;
}

/**
 * The machine-readable plan: one object whose `decisions` hold every input backup
 * exactly once. Keys are stable (`formatVersion` says which set); new keys may be added,
 * none renamed. Instants are ISO-8601 UTC to the second.
 */
export function planToJson(plan: Plan): object {
  const enforced = new Set(plan.policies.filter((p) => p.mode === "enforce").map((p) => p.name));
  return {
    formatVersion: JSON_FORMAT_VERSION,
    now: isoUtcSeconds(plan.nowMs),
    totals: planTotals(plan),
    policies: plan.policies,
    halts: plan.halts,
    warnings: plan.warnings,
    decisions: plan.decisions.map((d) => ({
      backupId: d.backupId,
      clusterId: d.clusterId ?? null,
      region: d.region,
      policy: d.policy,
      action: d.action,
      reasons: d.reasons,
      group: d.group,
      state: d.state,
      createdAt: isoUtcSeconds(d.createdAtMs),
      // PENDING_DELETION: when AWS deletes it for good.
      ...(d.deleteAtMs !== undefined ? { deleteAt: isoUtcSeconds(d.deleteAtMs) } : {}),
      // `keep` that maxDeletionsPerRun put off: the rules would delete it.
      deferred: d.deferred,
      // Whether the decision's policy acts (enforce mode): a `delete` here is carried out by apply.
      enforced: d.policy !== null && enforced.has(d.policy),
      ...(d.counters ? { counters: counters(d.counters) } : {}),
    })),
  };
}
