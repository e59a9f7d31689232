import type { Counters, Plan } from "../../domain/types.js";
import { isoUtc } from "./time.js";

/** Infinity is not JSON: unlimited counters print as the word the policy uses. */
function counters(c: Counters | undefined): Record<string, number | "unlimited"> | undefined {
  if (!c) return undefined;
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v === Infinity ? "unlimited" : (v as number)]));
}

/**
 * The machine-readable plan: one object whose `decisions` hold every input backup
 * exactly once. Keys are stable; new keys may be added, none renamed.
 */
export function planToJson(plan: Plan): object {
  return {
    now: isoUtc(plan.nowMs),
    policies: plan.policies,
    halts: plan.halts,
    decisions: plan.decisions.map((d) => ({
      backupId: d.backupId,
      clusterId: d.clusterId ?? null,
      region: d.region,
      policy: d.policy,
      action: d.action,
      reasons: d.reasons,
      group: d.group,
      state: d.state,
      createdAt: isoUtc(d.createdAtMs),
      ...(d.counters ? { counters: counters(d.counters) } : {}),
    })),
  };
}
