import type { Backup, Counters, Decision, Halt, Plan, PolicySummary, RetentionPolicy } from "../domain/types.js";
import { PolicyConflictError } from "../errors.js";
import { zonedClock } from "./calendar.js";
import { describeKeep } from "./describe.js";
import { applyGroupGuards, applyPolicyGuards, type GroupOutcomes } from "./guards.js";
import { applyKeepRules, newestFirst } from "./keep.js";

export interface PlanInput {
  backups: readonly Backup[];
  policies: readonly RetentionPolicy[];
  /** The run's clock; the engine never reads the system time. */
  nowMs: number;
  /** The regions this run covers; undefined = every region present in `backups`. */
  regions?: readonly string[] | undefined;
}

/** Stands in for a cluster id AWS did not report, so such backups still form one group. */
export const UNKNOWN_CLUSTER = "unknown-cluster";

interface Group {
  key: string;
  region: string;
  /** The cluster a policy's `select.clusters` is matched against (the source cluster for copies). */
  cluster: string;
  isCopy: boolean;
  backups: Backup[];
}

/**
 * `us-east-1/cluster-abc`, or for a cross-region copy `us-west-2/copy:us-east-1/cluster-abc`:
 * copies have no native retention and are planned apart from the destination's own backups.
 */
export function groupKeyOf(b: Backup): string {
  if (b.sourceRegion !== undefined) return `${b.region}/copy:${b.sourceRegion}/${b.sourceClusterId ?? UNKNOWN_CLUSTER}`;
  return `${b.region}/${b.clusterId ?? UNKNOWN_CLUSTER}`;
}

/** Shared by every delete decision (most of a large plan): one array, not 100k copies. */
const NO_RULE_MATCHED = Object.freeze(["no keep rule matched"]) as unknown as string[];

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function selects(p: RetentionPolicy, g: Group, runRegions: readonly string[] | undefined): boolean {
  if (p.select.regions !== undefined && !p.select.regions.includes(g.region)) return false;
  if (runRegions !== undefined && !runRegions.includes(g.region)) return false;
  if (g.isCopy ? p.select.copies === "exclude" : p.select.copies === "only") return false;
  return p.select.clusters.includes("*") || p.select.clusters.includes(g.cluster);
}

function stateReason(b: Backup): string {
  if (b.state === "PENDING_DELETION" && b.deleteAtMs !== undefined) {
    const at = new Date(b.deleteAtMs).toISOString().replace(".000Z", "Z");
    return `state PENDING_DELETION (permanently deleted at ${at})`;
  }
  return `state ${b.state}`;
}

function decision(
  b: Backup,
  group: string,
  policy: string | null,
  action: Decision["action"],
  reasons: string[],
  counters?: Counters,
): Decision {
  // Every decision gets the same property set, so 100k of them share one hidden class.
  return {
    backupId: b.backupId,
    clusterId: b.clusterId,
    region: b.region,
    group,
    policy,
    action,
    reasons,
    createdAtMs: b.createdAtMs,
    state: b.state,
    counters,
  };
}

/**
 * Plans every backup: each input backup gets exactly one decision, ordered by group key,
 * then newest first, then backupId, whatever the input order. Pure: no I/O, no clock.
 * Throws PolicyConflictError when two policies select one group. `mode` is only carried
 * into the summaries; report vs enforce matters to the apply step, not to the plan.
 * @example planRetention({ backups, policies, nowMs: Date.parse("2026-11-28T00:00:00Z") })
 */
export function planRetention(input: PlanInput): Plan {
  const { policies, nowMs, regions } = input;
  // Indexed region → (copy source region →) cluster, so the hot loop looks up the strings
  // it already has instead of hashing a freshly concatenated key per backup.
  const groups = new Map<string, Group>();
  const own = new Map<string, Map<string, Group>>();
  const copies = new Map<string, Map<string, Map<string, Group>>>();
  for (const b of input.backups) {
    let byCluster: Map<string, Group> | undefined;
    if (b.sourceRegion === undefined) {
      byCluster = own.get(b.region);
      if (byCluster === undefined) own.set(b.region, (byCluster = new Map()));
    } else {
      let bySource = copies.get(b.region);
      if (bySource === undefined) copies.set(b.region, (bySource = new Map()));
      byCluster = bySource.get(b.sourceRegion);
      if (byCluster === undefined) bySource.set(b.sourceRegion, (byCluster = new Map()));
    }
    const cluster = (b.sourceRegion === undefined ? b.clusterId : b.sourceClusterId) ?? UNKNOWN_CLUSTER;
    let g = byCluster.get(cluster);
    if (g === undefined) {
      const key = groupKeyOf(b);
      g = { key, region: b.region, cluster, isCopy: b.sourceRegion !== undefined, backups: [] };
      byCluster.set(cluster, g);
      groups.set(key, g);
    }
    g.backups.push(b);
  }
  const keys = [...groups.keys()].sort(byCodeUnits);

  const owned = new Map<RetentionPolicy, Group[]>(policies.map((p) => [p, []]));
  const unselected: Group[] = [];
  for (const key of keys) {
    const g = groups.get(key)!;
    g.backups.sort(newestFirst);
    let owner: RetentionPolicy | undefined;
    for (const p of policies) {
      if (!selects(p, g, regions)) continue;
      if (owner !== undefined) {
        const [a, b] = [owner.name, p.name].sort(byCodeUnits) as [string, string];
        throw new PolicyConflictError(key, [a, b]);
      }
      owner = p;
    }
    if (owner === undefined) unselected.push(g);
    else owned.get(owner)!.push(g);
  }

  const decisionsByGroup = new Map<string, Decision[]>();
  const halts: Halt[] = [];
  const summaries: PolicySummary[] = [];
  for (const p of policies) {
    const mine = owned.get(p)!;
    const clock = zonedClock(p.timezone);
    const planned: GroupOutcomes[] = mine.map((g) => ({
      group: g.key,
      outcomes: applyKeepRules(g.backups.filter((b) => b.state === "READY"), p.keep, clock, nowMs),
    }));
    for (const po of planned) {
      const halt = applyGroupGuards(p.name, po, p.guards, p.timezone, nowMs);
      if (halt) halts.push(halt);
    }
    const policyGuards = applyPolicyGuards(p.name, planned, p.guards);
    halts.push(...policyGuards.halts);

    const summary: PolicySummary = {
      name: p.name,
      mode: p.mode,
      timezone: p.timezone,
      description: describeKeep(p.keep),
      groups: mine.map((g) => g.key),
      keep: 0,
      delete: 0,
      skip: 0,
      deferred: policyGuards.deferred,
      halted: policyGuards.halts.length > 0,
    };
    mine.forEach((g, gi) => {
      const outcomes = planned[gi]!.outcomes;
      let next = 0;
      const out: Decision[] = new Array(g.backups.length);
      g.backups.forEach((b, i) => {
        if (b.state !== "READY") {
          summary.skip++;
          out[i] = decision(b, g.key, p.name, "skip", [stateReason(b)]);
          return;
        }
        // Same comparator on the same READY subset: the outcomes line up one to one.
        const o = outcomes[next++]!;
        if (o.backup !== b) throw new Error(`bug: keep outcomes out of order in ${g.key}`);
        if (o.keep) summary.keep++;
        else summary.delete++;
        out[i] = o.keep
          ? decision(b, g.key, p.name, "keep", o.reasons, o.counters)
          : decision(b, g.key, p.name, "delete", NO_RULE_MATCHED, o.counters);
      });
      decisionsByGroup.set(g.key, out);
    });
    summaries.push(summary);
  }
  for (const g of unselected) {
    decisionsByGroup.set(
      g.key,
      g.backups.map((b) => decision(b, g.key, null, "skip", ["not selected by any policy"])),
    );
  }

  const decisions: Decision[] = new Array(input.backups.length);
  let at = 0;
  for (const key of keys) for (const d of decisionsByGroup.get(key)!) decisions[at++] = d;
  return { nowMs, decisions, policies: summaries, halts };
}
