import type { Plan } from "../../domain/types.js";
import type { BackupChange, PlanDiff, Side } from "../../retention/diff.js";
import { planTotals } from "./json.js";
import { groupBy, OUTCOME_LABEL } from "./summary.js";
import { LIST_UP_TO, renderTotals, type Style } from "./table.js";
import { isoUtcSeconds } from "./time.js";
import { plural } from "./words.js";

/**
 * `plan --compare`: what changing the policies does to the same backups, backup by
 * backup, for the table, markdown and JSON outputs.
 */

/** `DELETE`, `DELETE (report mode)`, `SKIP (no policy)`. */
export function sideLabel(s: Side): string {
  const label = OUTCOME_LABEL[s.outcome];
  if (s.outcome === "delete" && !s.enforced) return `${label} (report mode)`;
  if (s.policy === null) return `${label} (no policy)`;
  return label;
}

/** "deletes 14 more backups in 3 clusters and keeps 2 more": the headline of a change. */
export function diffSentence(diff: PlanDiff): string {
  const parts: string[] = [];
  if (diff.deletesMore > 0) parts.push(`deletes ${plural(diff.deletesMore, "more backup", "more backups")} in ${plural(diff.groupsDeletingMore, "cluster")}`);
  if (diff.keepsMore > 0) parts.push(`keeps ${diff.keepsMore} more${diff.deletesMore > 0 ? "" : ` ${diff.keepsMore === 1 ? "backup" : "backups"}`} in ${plural(diff.groupsKeepingMore, "cluster")}`);
  const later: string[] = [];
  if (diff.defersMore > 0) later.push(`defers ${diff.defersMore} more that ${diff.defersMore === 1 ? "was" : "were"} kept (later runs delete ${diff.defersMore === 1 ? "it" : "them"})`);
  if (diff.defersFewer > 0) later.push(`no longer defers ${diff.defersFewer} (now kept)`);
  const and = (xs: string[]) => (xs.length > 1 ? `${xs.slice(0, -1).join(", ")} and ${xs.at(-1)}` : (xs[0] ?? ""));
  const what =
    parts.length > 0 ? and([...parts, ...later]) : later.length > 0 ? `deletes nothing more now, but ${and(later)}` : "deletes nothing more and keeps nothing more";
  const others = diff.changes.length - diff.deletesMore - diff.keepsMore - diff.defersMore - diff.defersFewer;
  return `The change ${what}${others > 0 ? ` (${plural(others, "other change")}: see below)` : ""}.`;
}

/** Policy-level changes, one line each. */
export function policyLines(diff: PlanDiff): string[] {
  const out: string[] = [];
  for (const name of diff.policies.added) out.push(`policy ${name}: added`);
  for (const name of diff.policies.removed) out.push(`policy ${name}: removed`);
  for (const c of diff.policies.changed) out.push(`policy ${c.name}: ${c.what.join("; ")}`);
  return out;
}

export function haltLines(diff: PlanDiff): string[] {
  return [
    ...diff.halts.added.map((h) => `new halt: ${h.policy}${h.group ? ` ${h.group}` : ""}: ${h.message}`),
    ...diff.halts.removed.map((h) => `no longer halted: ${h.policy}${h.group ? ` ${h.group}` : ""} (${h.guard})`),
  ];
}

/** One backup's change as words: `KEEP → DELETE  was: daily 2026-11-03; now: no keep rule matched`. */
export function changeText(c: BackupChange): { transition: string; why: string } {
  return { transition: `${sideLabel(c.before)} → ${sideLabel(c.after)}`, why: `was: ${c.before.reasons.join("; ")}; now: ${c.after.reasons.join("; ")}` };
}

export interface CompareInput {
  /** What the old policies were, as given: `main:policies/`, `old/prod.yml`. */
  base: string;
  diff: PlanDiff;
  before: Plan;
  after: Plan;
}

export function renderCompareTable(input: CompareInput, style: Style, opts: { verbose?: boolean | undefined } = {}): string {
  const { diff, before, after, base } = input;
  const out = [style.bold(`Compared with ${base}: the same ${plural(after.decisions.length, "backup")} at ${isoUtcSeconds(after.nowMs)}`), ""];
  const headline = diffSentence(diff);
  out.push(diff.deletesMore > 0 ? style.delete(headline) : headline);
  if (diff.reportOnly.deletesMore + diff.reportOnly.keepsMore > 0) {
    out.push(`In report-mode policies (shown, never carried out): ${diff.reportOnly.deletesMore} more to delete, ${diff.reportOnly.keepsMore} fewer.`);
  }
  for (const line of policyLines(diff)) out.push(`  ${line}`);
  for (const line of haltLines(diff)) out.push(style.warn(`  ! ${line}`));
  let collapsed = false;
  for (const [group, changes] of groupBy(diff.changes, (c) => c.group)) {
    out.push("", `  ${style.bold(group)}  ${plural(changes.length, "backup")} change`);
    for (const [transition, some] of groupBy(changes, (c) => changeText(c).transition)) {
      if (opts.verbose || some.length <= LIST_UP_TO) {
        for (const c of some) out.push(`    ${c.backupId.padEnd(23)} ${isoUtcSeconds(c.createdAtMs).padEnd(20)}  ${transition}  ${changeText(c).why}`);
        continue;
      }
      collapsed = true;
      const oldest = some.reduce((m, c) => Math.min(m, c.createdAtMs), Infinity);
      const newest = some.reduce((m, c) => Math.max(m, c.createdAtMs), -Infinity);
      const span = `${isoUtcSeconds(oldest)} … ${isoUtcSeconds(newest)}`;
      out.push(`    ${plural(some.length, "backup")} ${span}  ${transition}`);
    }
  }
  if (diff.reasonOnly > 0) out.push("", `${plural(diff.reasonOnly, "backup")} ${diff.reasonOnly === 1 ? "ends" : "end"} up the same for other reasons (--format json lists every decision).`);
  out.push("", `Before: ${renderTotals(before, style)}`, `After:  ${renderTotals(after, style)}`);
  if (collapsed) out.push("(--verbose lists every changed backup)");
  return `${out.join("\n")}\n`;
}

/** The `compare` key of `plan --compare --format json` (next to the new plan's keys). */
export function compareToJson(input: CompareInput): object {
  const { diff, base, before } = input;
  const side = (s: Side) => ({ policy: s.policy, outcome: s.outcome, enforced: s.enforced, reasons: s.reasons });
  return {
    base,
    deletesMore: diff.deletesMore,
    keepsMore: diff.keepsMore,
    clustersDeletingMore: diff.groupsDeletingMore,
    clustersKeepingMore: diff.groupsKeepingMore,
    reportOnly: diff.reportOnly,
    reasonOnly: diff.reasonOnly,
    policies: diff.policies,
    halts: diff.halts,
    before: { totals: planTotals(before), policies: before.policies },
    changes: diff.changes.map((c) => ({
      backupId: c.backupId,
      region: c.region,
      group: c.group,
      createdAt: isoUtcSeconds(c.createdAtMs),
      before: side(c.before),
      after: side(c.after),
    })),
  };
}
