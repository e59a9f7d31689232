import type { Decision, Halt, Plan, PolicySummary } from "../../domain/types.js";
import { countOutcomes, describeKept, groupBy, HALTED, keptSummary, OUTCOME_LABEL, outcomeOf, type Run, runsOf } from "./summary.js";
import { isoUtcSeconds } from "./time.js";
import { plural } from "./words.js";

export interface Style {
  keep: (s: string) => string;
  delete: (s: string) => string;
  skip: (s: string) => string;
  warn: (s: string) => string;
  bold: (s: string) => string;
}

const plain = (s: string) => s;
export const PLAIN: Style = { keep: plain, delete: plain, skip: plain, warn: plain, bold: plain };
export const COLOR: Style = {
  keep: (s) => `\x1b[32m${s}\x1b[39m`,
  delete: (s) => `\x1b[31m${s}\x1b[39m`,
  skip: (s) => `\x1b[2m${s}\x1b[22m`,
  warn: (s) => `\x1b[33m${s}\x1b[39m`,
  bold: (s) => `\x1b[1m${s}\x1b[22m`,
};

/** In the default view, a group's deletions (or skips) beyond this many are summed up per reason. */
export const LIST_UP_TO = 5;

export interface TableOptions {
  /** Every backup with its reasons; by default only what changes, and a summary of what is kept. */
  verbose?: boolean | undefined;
}

/**
 * The human plan, in the spirit of `terraform plan`: one section per policy, one block
 * per group (cluster) with its counts, halts and warnings, and the counts at the end.
 * By default a group shows what changes (its deletions, one by one up to LIST_UP_TO, else
 * per reason with their count and time span) and a summary of what keeps the rest;
 * `verbose` lists every backup with its reasons. Every instant is ISO-8601 UTC to the
 * second; calendar bucket labels in the reasons (`daily 2026-11-27`) are in the policy's
 * time zone, named in its header.
 */
export function renderPlanTable(plan: Plan, style: Style = PLAIN, opts: TableOptions = {}): string {
  const out: string[] = [];
  out.push(style.bold(`Plan at ${isoUtcSeconds(plan.nowMs)} for ${plural(plan.decisions.length, "backup")}`), "");
  const byPolicy = groupBy(plan.decisions, (d) => d.policy ?? "");
  const haltsByGroup = groupBy(plan.halts.filter((h) => h.group !== undefined), (h) => `${h.policy}\n${h.group}`);
  const shown = { collapsed: false };
  for (const summary of plan.policies) {
    out.push(...renderPolicy(summary, byPolicy.get(summary.name) ?? [], plan, haltsByGroup, style, opts, shown));
  }
  const unselected = byPolicy.get("") ?? [];
  if (unselected.length > 0) {
    out.push(style.bold("Not selected by any policy (left alone)"));
    for (const [group, decisions] of groupBy(unselected, (d) => d.group)) {
      out.push(`  ${group}: ${plural(decisions.length, "backup")}${leftAloneWhy(decisions)}`);
    }
    out.push("");
  }
  const reportMode = new Set(plan.policies.filter((p) => p.mode === "report").map((p) => p.name));
  for (const halt of plan.halts) {
    const where = `${halt.policy}${reportMode.has(halt.policy) ? " (report mode)" : ""}${halt.group ? ` ${halt.group}` : ""}`;
    out.push(style.warn(`! ${where}: ${halt.message}`));
  }
  for (const w of plan.warnings) out.push(style.warn(`warning: ${w.message}`));
  if (plan.halts.length > 0 || plan.warnings.length > 0) out.push("");
  if (shown.collapsed) out.push("(--verbose lists every backup with its reasons)");
  out.push(renderTotals(plan, style));
  return `${out.join("\n")}\n`;
}

/** Backups no policy selects are left alone for one of a few reasons; say it once per group. */
function leftAloneWhy(decisions: readonly Decision[]): string {
  const reasons = new Set(decisions.map((d) => d.reasons[0]));
  return reasons.size === 1 && !reasons.has("not selected by any policy") ? ` (${[...reasons][0]})` : "";
}

function renderPolicy(
  summary: PolicySummary,
  decisions: Decision[],
  plan: Plan,
  haltsByGroup: Map<string, Halt[]>,
  style: Style,
  opts: TableOptions,
  shown: { collapsed: boolean },
): string[] {
  const policyRegions = summary.regions;
  const runRegions = plan.regions;
  const out: string[] = [];
  const mode = summary.mode === "enforce" ? "enforce" : "report (plan only, never deletes)";
  out.push(style.bold(`Policy ${summary.name}`) + `  mode: ${mode}  time zone: ${summary.timezone}`);
  out.push(`  ${summary.description}`);
  if (decisions.length === 0) {
    const outside = policyRegions && runRegions ? policyRegions.filter((r) => !runRegions.includes(r)) : [];
    out.push(
      outside.length > 0 && outside.length === policyRegions!.length
        ? `  (selects no backups in this run: its regions ${outside.join(", ")} are not among the run's regions ${runRegions!.join(", ")})`
        : "  (selects no backups in this run)",
    );
  }
  const policyHalt = plan.halts.find((h) => h.policy === summary.name && h.group === undefined);
  for (const [group, rows] of groupBy(decisions, (d) => d.group)) {
    const n = countOutcomes(rows);
    const parts = [`${n.delete} to delete`, `${n.keep} to keep`];
    if (n.held) parts.push(`${n.held} held by a guard halt`);
    if (n.defer) parts.push(`${n.defer} deferred`);
    parts.push(`${n.skip} skipped`);
    out.push("", `  ${style.bold(group)}  ${parts.join(", ")}`);
    // A halt is said once, here, not on each backup it spared.
    const groupHalts = [...(haltsByGroup.get(`${summary.name}\n${group}`) ?? []), ...(policyHalt ? [policyHalt] : [])];
    for (const h of groupHalts) out.push(style.warn(`    ! halted by ${h.guard}: nothing in this group is deleted this run`));
    if (opts.verbose) for (const d of rows) out.push(row(d, style));
    else out.push(...changes(rows, style, shown));
  }
  out.push("");
  return out;
}

function cell(d: Decision | Run, style: Style): string {
  const outcome = "outcome" in d ? d.outcome : outcomeOf(d);
  const label = OUTCOME_LABEL[outcome === "held" ? "keep" : outcome].padEnd(6);
  return outcome === "delete" ? style.delete(label) : outcome === "keep" ? style.keep(label) : style.skip(label);
}

function row(d: Decision, style: Style): string {
  const reasons = d.reasons.map((r) => (r.startsWith(HALTED) ? "halted (see above)" : r));
  return `    ${cell(d, style)}  ${d.backupId.padEnd(23)} ${isoUtcSeconds(d.createdAtMs).padEnd(20)}  ${reasons.join("; ")}`;
}

/** The default view of a group: what keeps the kept backups, then deletions, deferrals and skips. */
function changes(rows: readonly Decision[], style: Style, shown: { collapsed: boolean }): string[] {
  const out: string[] = [];
  const kept = keptSummary(rows);
  if (kept.count > 0) {
    const span = kept.count === 1 ? isoUtcSeconds(kept.newestMs!) : `${isoUtcSeconds(kept.oldestMs!)} … ${isoUtcSeconds(kept.newestMs!)}`;
    out.push(`    ${style.keep("KEEP".padEnd(6))}  ${plural(kept.count, "backup")} ${span}, by ${describeKept(kept)}`);
  }
  for (const outcome of ["delete", "defer", "skip"] as const) {
    const some = rows.filter((d) => outcomeOf(d) === outcome);
    if (some.length <= LIST_UP_TO) {
      for (const d of some) out.push(row(d, style));
      continue;
    }
    shown.collapsed = true;
    for (const r of runsOf(some)) {
      const span = r.decisions.length === 1 ? isoUtcSeconds(r.newestMs) : `${isoUtcSeconds(r.oldestMs)} … ${isoUtcSeconds(r.newestMs)}`;
      out.push(`    ${cell(r, style)}  ${plural(r.decisions.length, "backup")} ${span}: ${r.reasons}`);
    }
  }
  return out;
}

/** The last line of a plan: its counts. */
export function renderTotals(plan: Plan, style: Style): string {
  const n = countOutcomes(plan.decisions);
  const reportOnly = plan.policies.reduce((sum, p) => sum + (p.mode === "report" ? p.delete : 0), 0);
  let line = `Plan: ${style.delete(`${n.delete} to delete`)}, ${style.keep(`${n.keep + n.held} to keep`)}, ${n.skip} skipped`;
  if (reportOnly > 0) line += ` (${reportOnly} of the deletions ${reportOnly === 1 ? "is" : "are"} in report-mode policies and will not be carried out)`;
  if (n.defer > 0) line += `; ${n.defer} deferred to later runs`;
  if (plan.halts.length > 0) line += `; ${style.warn(`${plural(plan.halts.length, "guard halt")}`)}`;
  if (plan.warnings.length > 0) line += `; ${style.warn(plural(plan.warnings.length, "warning"))}`;
  return `${line}.`;
}
