import type { Backup, Counters, Decision, Halt, Plan, PlanWarning, PolicySummary, RetentionPolicy } from "../domain/types.js";
import { formatDuration, isZeroDuration } from "../domain/duration.js";
import { isoSeconds } from "../domain/time.js";
import { zonedClock } from "./calendar.js";
import { describeKeep } from "./describe.js";
import { applyGroupGuards, applyPolicyGuards, type GroupOutcomes } from "./guards.js";
import { assignPolicies, groupBackups, groupKeyOf } from "./grouping.js";
import { applyKeepRules, newestFirst } from "./keep.js";
import { nearKeepTag, nearTagWarnings } from "./warnings.js";

export { groupKeyOf, UNKNOWN_CLUSTER } from "./grouping.js";

export interface PlanInput {
  backups: readonly Backup[];
  policies: readonly RetentionPolicy[];
  /** The run's clock; the engine never reads the system time. */
  nowMs: number;
  /** The regions this run covers; undefined = every region present in `backups`. */
  regions?: readonly string[] | undefined;
  /** Deletions per policy in the last 24 hours (the ledger's count), for maxDeletionsPerDay. */
  deletedInLastDay?: ReadonlyMap<string, number> | undefined;
  /** Restored backups held back from policy (the ledger's holds), by backup ID. */
  holds?: ReadonlyMap<string, { untilMs: number; via: string }> | undefined;
}

/** Shared by every delete decision (most of a large plan): one array, not 100k copies. */
const NO_RULE_MATCHED = Object.freeze(["no keep rule matched"]) as unknown as string[];


function stateReason(b: Backup): string {
  if (b.state === "PENDING_DELETION" && b.deleteAtMs !== undefined) {
    return `state PENDING_DELETION (permanently deleted at ${isoSeconds(b.deleteAtMs)})`;
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
  deferred = false,
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
    deleteAtMs: b.deleteAtMs,
    counters,
    deferred,
  };
}

/**
 * Plans every backup: each input backup gets exactly one decision, ordered by group key,
 * then newest first, then backupId, whatever the input order. Pure: no I/O, no clock.
 * Throws DuplicateBackupError for a backup ID given twice, and PolicyConflictError
 * naming every group two policies select. `mode` is only carried into the summaries;
 * report vs enforce matters to the apply step, not to the plan.
 *
 * Two deliberate departures from restic, both towards keeping:
 * - a READY backup dated after `nowMs` is kept and counted by no rule (restic lets it
 *   take count buckets; a wrong clock must not cost real backups their slots), and it
 *   does not satisfy requireBackupWithin;
 * - a backup whose cluster AWS did not report is left alone, never grouped with others.
 * @example planRetention({ backups, policies, nowMs: Date.parse("2026-11-28T00:00:00Z") })
 */
export function planRetention(input: PlanInput): Plan {
  const { policies, nowMs, regions } = input;
  const grouping = groupBackups(input.backups, newestFirst);
  const { owned, unselected } = assignPolicies(grouping, policies, regions);

  const decisionsByGroup = new Map<string, Decision[]>();
  const halts: Halt[] = [];
  const warnings: PlanWarning[] = [];
  const summaries: PolicySummary[] = [];
  for (const p of policies) {
    const mine = owned.get(p)!;
    const clock = zonedClock(p.timezone);
    const planned: GroupOutcomes[] = mine.map((g) => ({
      group: g.key,
      outcomes: applyKeepRules(g.backups.filter((b) => b.state === "READY" && b.createdAtMs <= nowMs), p.keep, clock, nowMs),
    }));
    planned.forEach((po, gi) => {
      const halt = applyGroupGuards(p.name, po, p.guards, p.timezone, nowMs) ?? onlyFutureHalt(p, mine[gi]!, nowMs);
      if (halt) halts.push(halt);
      // A tag one letter's case away from a keep-tag was almost certainly meant as one; a
      // backup a person restored is held until its hold ends. Both only turn deletes into keeps.
      for (const o of po.outcomes) {
        if (o.keep) continue;
        const hold = input.holds?.get(o.backup.backupId);
        if (hold !== undefined && hold.untilMs > nowMs) {
          o.keep = true;
          o.reasons = [`held until ${isoSeconds(hold.untilMs)}: restored ${hold.via}`];
          continue;
        }
        const near = nearKeepTag(p, o.backup);
        if (near === undefined) continue;
        o.keep = true;
        o.reasons = [`guard: tag ${JSON.stringify(near.tag)} nearly matches keep-tag ${JSON.stringify(near.keepTag)}: kept until the tag or the policy is fixed`];
      }
    });
    const policyGuards = applyPolicyGuards(p.name, planned, p.guards, input.deletedInLastDay?.get(p.name) ?? 0);
    halts.push(...policyGuards.halts);
    warnings.push(...nearTagWarnings(p, mine.map((g) => g.backups.filter((b) => b.state === "READY"))));
    if (!isZeroDuration(p.guards.minAge)) {
      const unknown = mine.flatMap((g) => g.backups.filter((b) => b.state === "READY" && b.sourceRegion !== undefined && b.copiedAtMs === undefined).map((b) => b.backupId));
      if (unknown.length > 0) {
        warnings.push({
          kind: "unknown-arrival",
          policy: p.name,
          backupIds: unknown,
          message: `${unknown.length === 1 ? "1 copy has" : `${unknown.length} copies have`} no CopyTimestamp: minAge counts ${unknown.length === 1 ? "it" : "them"} as just arrived, so policy "${p.name}" deletes none of them`,
        });
      }
    }

    const summary: PolicySummary = {
      name: p.name,
      mode: p.mode,
      timezone: p.timezone,
      description: describeKeep(p.keep),
      regions: p.select.regions === undefined ? undefined : [...p.select.regions],
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
      const future: string[] = [];
      const out: Decision[] = new Array(g.backups.length);
      g.backups.forEach((b, i) => {
        if (b.state !== "READY") {
          summary.skip++;
          out[i] = decision(b, g.key, p.name, "skip", [stateReason(b)]);
          return;
        }
        if (b.createdAtMs > nowMs) {
          summary.keep++;
          future.push(b.backupId);
          out[i] = decision(b, g.key, p.name, "keep", [`dated after the run's now (created ${isoSeconds(b.createdAtMs)}): kept, counted by no rule`]);
          return;
        }
        // Same comparator on the same READY subset: the outcomes line up one to one.
        const o = outcomes[next++]!;
        if (o.backup !== b) throw new Error(`bug: keep outcomes out of order in ${g.key}`);
        if (o.keep) summary.keep++;
        else summary.delete++;
        out[i] = o.keep
          ? decision(b, g.key, p.name, "keep", o.reasons, o.counters, o.deferred === true)
          : decision(b, g.key, p.name, "delete", NO_RULE_MATCHED, o.counters);
      });
      if (future.length > 0) warnings.push(futureWarning(p.name, g.key, future, nowMs));
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

  const decisions: Decision[] = [];
  for (const key of grouping.keys) for (const d of decisionsByGroup.get(key)!) decisions.push(d);
  if (grouping.clusterless.length > 0) {
    const alone = [...grouping.clusterless].sort((a, b) => (groupKeyOf(a) < groupKeyOf(b) ? -1 : groupKeyOf(a) > groupKeyOf(b) ? 1 : newestFirst(a, b)));
    for (const b of alone) decisions.push(decision(b, groupKeyOf(b), null, "skip", [noClusterReason(b)]));
    warnings.push(noClusterWarning(alone));
  }
  return { nowMs, regions: regions === undefined ? undefined : [...regions], decisions, policies: summaries, halts, warnings };
}

/**
 * requireBackupWithin for a group whose READY backups are all dated after now: none is
 * known to have been made, so it halts like a group whose backups stopped (there is
 * nothing the rules may delete in it anyway).
 */
function onlyFutureHalt(p: RetentionPolicy, g: { key: string; backups: readonly Backup[] }, nowMs: number): Halt | undefined {
  const within = p.guards.requireBackupWithin;
  if (within === undefined || isZeroDuration(within)) return undefined;
  const ready = g.backups.filter((b) => b.state === "READY");
  if (ready.length === 0 || ready.some((b) => b.createdAtMs <= nowMs)) return undefined;
  return {
    policy: p.name,
    group: g.key,
    guard: "requireBackupWithin",
    message: `requireBackupWithin ${formatDuration(within)}: every READY backup in ${g.key} is dated after the run's now (backups may have stopped, or clocks are wrong); nothing is deleted in this group`,
  };
}

function noClusterReason(b: Backup): string {
  return b.sourceRegion === undefined
    ? "cannot tell its cluster (AWS reported no ClusterId): left alone, never deleted"
    : "cannot tell its source cluster (AWS reported no SourceCluster for this copy): left alone, never deleted";
}

function noClusterWarning(backups: readonly Backup[]): PlanWarning {
  const n = backups.length;
  return {
    kind: "no-cluster",
    backupIds: backups.map((b) => b.backupId),
    message:
      `${n} ${n === 1 ? "backup has" : "backups have"} no cluster (no ClusterId, or a copy with no SourceCluster): ` +
      "left alone, since planning them together could delete one cluster's backups against another's; delete them by hand if they are not needed",
  };
}

function futureWarning(policy: string, group: string, backupIds: string[], nowMs: number): PlanWarning {
  const n = backupIds.length;
  return {
    kind: "future-dated",
    policy,
    group,
    backupIds,
    message:
      `${n} READY ${n === 1 ? "backup is" : "backups are"} dated after the run's now (${isoSeconds(nowMs)}) in ${group}: ` +
      "kept, counted by no rule, and not taken as a sign that backups are still being made; check the clocks"
  };
}


