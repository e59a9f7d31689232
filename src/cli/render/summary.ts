import type { Decision, Plan } from "../../domain/types.js";
import { HALTED, type Outcome, outcomeOf } from "../../retention/outcome.js";

export { HALTED, type Outcome, outcomeOf };

/**
 * What the human formats (table, markdown, html) say about a group of decisions, worked
 * out once: how each backup ends up, what keeps the kept ones, and the deletions as they
 * are shown when there are too many to list one by one.
 */

export const OUTCOME_LABEL: Record<Outcome, string> = { delete: "DELETE", defer: "DEFER", held: "HELD", keep: "KEEP", skip: "SKIP" };

/** The enforce-mode policies of a plan: their deletions are the ones apply carries out. */
export function enforcedPolicies(plan: Plan): Set<string> {
  return new Set(plan.policies.filter((p) => p.mode === "enforce").map((p) => p.name));
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

export function countOutcomes(decisions: readonly Decision[]): Record<Outcome, number> {
  const n: Record<Outcome, number> = { delete: 0, defer: 0, held: 0, keep: 0, skip: 0 };
  for (const d of decisions) n[outcomeOf(d)]++;
  return n;
}

/**
 * The rule (or guard) a keep reason names, without its bucket: `daily 2026-11-27` and
 * `oldest daily` are both `daily`, `last #2` is `last`, `guard: keepNewest 2` is
 * `guard keepNewest`. Used to count what keeps a group's backups.
 */
export function ruleOf(reason: string): string {
  const r = reason.startsWith("oldest ") ? reason.slice("oldest ".length) : reason;
  if (r.startsWith("last #")) return "last";
  if (r === "never expires" || r.startsWith("tags ") || r.startsWith("within ")) return r;
  const bucket = /^(hourly|daily|weekly|monthly|yearly)( within \S+)?/.exec(r);
  if (bucket) return bucket[0];
  if (r.startsWith("guard: tag ")) return "guard near-miss tag";
  if (r.startsWith("guard: refusing")) return "guard last READY backup";
  const guard = /^guard: (\w+)/.exec(r);
  if (guard) return `guard ${guard[1]}`;
  if (r.startsWith("dated after the run's now")) return "dated in the future";
  if (r.startsWith("held until ")) return "held after a restore";
  return r;
}

export interface KeptSummary {
  count: number;
  newestMs: number | undefined;
  oldestMs: number | undefined;
  /** Rules in the order first met (newest backup first), each with how many backups it keeps. */
  byRule: Array<[rule: string, count: number]>;
}

/** What keeps a group's kept backups; a backup kept by several rules counts in each. */
export function keptSummary(decisions: readonly Decision[]): KeptSummary {
  const byRule = new Map<string, number>();
  let count = 0;
  let newestMs: number | undefined;
  let oldestMs: number | undefined;
  for (const d of decisions) {
    if (outcomeOf(d) !== "keep") continue;
    count++;
    newestMs = newestMs === undefined ? d.createdAtMs : Math.max(newestMs, d.createdAtMs);
    oldestMs = oldestMs === undefined ? d.createdAtMs : Math.min(oldestMs, d.createdAtMs);
    for (const rule of new Set(d.reasons.map(ruleOf))) byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
  }
  return { count, newestMs, oldestMs, byRule: [...byRule] };
}

export function describeKept(k: KeptSummary): string {
  return k.byRule.map(([rule, n]) => `${rule} ${n}`).join(", ");
}

/** Decisions of one outcome that share one reason text, for a one-line summary of many. */
export interface Run {
  outcome: Outcome;
  reasons: string;
  decisions: Decision[];
  newestMs: number;
  oldestMs: number;
}

/** Splits decisions (all of one outcome) by their reasons, in first-seen order. */
export function runsOf(decisions: readonly Decision[]): Run[] {
  return [...groupBy(decisions, (d) => d.reasons.join("; "))].map(([reasons, ds]) => ({
    outcome: outcomeOf(ds[0]!),
    reasons,
    decisions: ds,
    newestMs: ds.reduce((m, d) => Math.max(m, d.createdAtMs), -Infinity),
    oldestMs: ds.reduce((m, d) => Math.min(m, d.createdAtMs), Infinity),
  }));
}
