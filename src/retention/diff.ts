import { formatDuration } from "../domain/duration.js";
import type { Decision, Duration, Halt, Plan, RetentionPolicy } from "../domain/types.js";
import { describeKeep } from "./describe.js";
import { type Outcome, outcomeOf } from "./outcome.js";

/**
 * What a policy change does: the same backups, at the same "now", planned under the old
 * and the new policies, compared backup by backup. Pure. A deletion counts as one only
 * when it is carried out (an enforce-mode policy's); report-mode deletions are counted
 * apart, since merging them deletes nothing.
 */

export interface Side {
  policy: string | null;
  outcome: Outcome;
  /** The policy is in enforce mode: a `delete` is carried out by apply. */
  enforced: boolean;
  reasons: string[];
}

export interface BackupChange {
  backupId: string;
  region: string;
  group: string;
  createdAtMs: number;
  before: Side;
  after: Side;
}

export interface PolicyChange {
  name: string;
  /** `mode: report → enforce`, `keep: keep 7 daily backups → keep 14 daily backups`. */
  what: string[];
}

export interface PlanDiff {
  /** Backups whose outcome, policy or enforcement changes, oldest change first per group. */
  changes: BackupChange[];
  /** Backups that end up the same, for other reasons (`daily 2026-11-27` → `weekly 2026-W48`). */
  reasonOnly: number;
  /** Carried-out deletions: backups the new policies delete and the old did not, and the reverse. */
  deletesMore: number;
  keepsMore: number;
  groupsDeletingMore: number;
  groupsKeepingMore: number;
  /** Backups the rules now delete but maxDeletionsPerRun puts off (were kept), and the reverse. */
  defersMore: number;
  defersFewer: number;
  /** The same for report-mode deletions (shown, never carried out). */
  reportOnly: { deletesMore: number; keepsMore: number };
  policies: { added: string[]; removed: string[]; changed: PolicyChange[] };
  halts: { added: Halt[]; removed: Halt[] };
}

const key = (d: { region: string; backupId: string }) => `${d.region}/${d.backupId}`;

function side(d: Decision, enforced: ReadonlySet<string>): Side {
  return { policy: d.policy, outcome: outcomeOf(d), enforced: d.policy !== null && enforced.has(d.policy), reasons: d.reasons };
}

const isDelete = (s: Side) => s.outcome === "delete" && s.enforced;
const isReportDelete = (s: Side) => s.outcome === "delete" && !s.enforced;

/**
 * Compares two plans of the same backups. Both must come from the same input; a backup
 * in only one of them is a bug in the caller, not a change.
 * @example diffPlans(planRetention({ backups, policies: old, nowMs }), planRetention({ backups, policies, nowMs }), old, policies)
 */
export function diffPlans(before: Plan, after: Plan, oldPolicies: readonly RetentionPolicy[], newPolicies: readonly RetentionPolicy[]): PlanDiff {
  const enforcedBefore = new Set(oldPolicies.filter((p) => p.mode === "enforce").map((p) => p.name));
  const enforcedAfter = new Set(newPolicies.filter((p) => p.mode === "enforce").map((p) => p.name));
  const old = new Map(before.decisions.map((d) => [key(d), d]));
  if (old.size !== after.decisions.length) throw new Error("bug: diffPlans needs two plans of the same backups");
  const changes: BackupChange[] = [];
  let reasonOnly = 0;
  for (const d of after.decisions) {
    const was = old.get(key(d));
    if (!was) throw new Error(`bug: ${key(d)} is in one plan only`);
    const a = side(was, enforcedBefore);
    const b = side(d, enforcedAfter);
    // Enforcement matters only to a deletion: a kept backup is kept in either mode.
    if (a.outcome === b.outcome && a.policy === b.policy && (a.outcome !== "delete" || a.enforced === b.enforced)) {
      if (a.reasons.join("\n") !== b.reasons.join("\n")) reasonOnly++;
      continue;
    }
    changes.push({ backupId: d.backupId, region: d.region, group: d.group, createdAtMs: d.createdAtMs, before: a, after: b });
  }
  const more = changes.filter((c) => isDelete(c.after) && !isDelete(c.before));
  const fewer = changes.filter((c) => isDelete(c.before) && !isDelete(c.after));
  return {
    changes,
    reasonOnly,
    deletesMore: more.length,
    keepsMore: fewer.length,
    groupsDeletingMore: new Set(more.map((c) => c.group)).size,
    groupsKeepingMore: new Set(fewer.map((c) => c.group)).size,
    defersMore: changes.filter((c) => c.after.outcome === "defer" && c.before.outcome !== "defer" && !isDelete(c.before)).length,
    defersFewer: changes.filter((c) => c.before.outcome === "defer" && c.after.outcome !== "defer" && !isDelete(c.after)).length,
    reportOnly: {
      deletesMore: changes.filter((c) => isReportDelete(c.after) && !isReportDelete(c.before) && !isDelete(c.before)).length,
      keepsMore: changes.filter((c) => isReportDelete(c.before) && !isReportDelete(c.after) && !isDelete(c.after)).length,
    },
    policies: policyChanges(oldPolicies, newPolicies),
    halts: haltChanges(before.halts, after.halts),
  };
}

function haltChanges(before: readonly Halt[], after: readonly Halt[]): PlanDiff["halts"] {
  const id = (h: Halt) => `${h.policy}\n${h.group ?? ""}\n${h.guard}`;
  const was = new Set(before.map(id));
  const is = new Set(after.map(id));
  return { added: after.filter((h) => !was.has(id(h))), removed: before.filter((h) => !is.has(id(h))) };
}

function policyChanges(oldPolicies: readonly RetentionPolicy[], newPolicies: readonly RetentionPolicy[]): PlanDiff["policies"] {
  const old = new Map(oldPolicies.map((p) => [p.name, p]));
  const now = new Map(newPolicies.map((p) => [p.name, p]));
  const changed: PolicyChange[] = [];
  for (const p of newPolicies) {
    const was = old.get(p.name);
    if (!was) continue;
    const what: string[] = [];
    const a = describeKeep(was.keep);
    const b = describeKeep(p.keep);
    if (a !== b) what.push(`keep: ${a} → ${b}`);
    else if (show(was.keep) !== show(p.keep)) what.push(`keep: ${leafChanges("keep", was.keep, p.keep).join(", ")}`);
    for (const field of ["mode", "timezone", "select", "guards", "alerts"] as const) what.push(...leafChanges(field, was[field], p[field]));
    if (what.length > 0) changed.push({ name: p.name, what });
  }
  return {
    added: newPolicies.filter((p) => !old.has(p.name)).map((p) => p.name),
    removed: oldPolicies.filter((p) => !now.has(p.name)).map((p) => p.name),
    changed,
  };
}

function isDuration(v: unknown): v is Duration {
  return typeof v === "object" && v !== null && "years" in v && "months" in v && "days" in v && "hours" in v;
}

/** A policy value as people write it: `unlimited`, `14d`, `[us-east-1]`. */
function show(v: unknown): string {
  if (v === undefined) return "unset";
  if (v === Infinity) return "unlimited";
  if (isDuration(v)) return formatDuration(v);
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  if (typeof v === "object" && v !== null) return `{${Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(", ")}}`;
  return String(v);
}

/** `guards.maxDeletePercent: 50 → 95` for each leaf that differs. */
function leafChanges(path: string, a: unknown, b: unknown): string[] {
  if (show(a) === show(b)) return [];
  const isMap = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v) && !isDuration(v);
  if (isMap(a) && isMap(b)) {
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])];
    return keys.flatMap((k) => leafChanges(`${path}.${k}`, (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  const fmt = /Ms$/.test(path) ? showMs : show;
  return [`${path.replace(/Ms$/, "")}: ${fmt(a)} → ${fmt(b)}`];
}

/** Alert settings are held in milliseconds; people wrote hours or days. */
function showMs(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(showMs).join(", ")}]`;
  if (typeof v !== "number") return show(v);
  return v % 86_400_000 === 0 ? `${v / 86_400_000}d` : `${v / 3_600_000}h`;
}
