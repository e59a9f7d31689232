import type { Decision, Plan, PolicySummary } from "../../domain/types.js";
import { formatInZone, isoUtcSeconds } from "./time.js";

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

/**
 * The human plan, in the spirit of `terraform plan`: one section per policy, one block
 * per group (cluster), times in the policy's zone, every decision with its reasons,
 * and the counts at the end.
 */
export function renderPlanTable(plan: Plan, style: Style = PLAIN): string {
  const out: string[] = [];
  out.push(style.bold(`Plan at ${isoUtcSeconds(plan.nowMs)} for ${plan.decisions.length} backups`), "");
  const byPolicy = groupBy(plan.decisions, (d) => d.policy ?? "");
  for (const summary of plan.policies) {
    out.push(...renderPolicy(summary, byPolicy.get(summary.name) ?? [], style));
  }
  const unselected = byPolicy.get("") ?? [];
  if (unselected.length > 0) {
    out.push(style.bold("Not selected by any policy (left alone)"));
    for (const [group, decisions] of groupBy(unselected, (d) => d.group)) {
      out.push(`  ${group}: ${decisions.length} backups`);
    }
    out.push("");
  }
  const reportMode = new Set(plan.policies.filter((p) => p.mode === "report").map((p) => p.name));
  for (const halt of plan.halts) {
    const where = `${halt.policy}${reportMode.has(halt.policy) ? " (report mode)" : ""}${halt.group ? ` ${halt.group}` : ""}`;
    out.push(style.warn(`! ${where}: ${halt.message}`));
  }
  if (plan.halts.length > 0) out.push("");
  out.push(renderTotals(plan, style));
  return `${out.join("\n")}\n`;
}

function renderPolicy(summary: PolicySummary, decisions: Decision[], style: Style): string[] {
  const out: string[] = [];
  const mode = summary.mode === "enforce" ? "enforce" : "report (plan only, never deletes)";
  out.push(style.bold(`Policy ${summary.name}`) + `  mode: ${mode}  time zone: ${summary.timezone}`);
  out.push(`  ${summary.description}`);
  if (decisions.length === 0) out.push("  (selects no backups in this run)");
  for (const [group, rows] of groupBy(decisions, (d) => d.group)) {
    const n = count(rows);
    out.push("", `  ${style.bold(group)}  ${n.delete} to delete, ${n.keep} to keep, ${n.skip} skipped`);
    for (const d of rows) {
      const action = d.action.toUpperCase().padEnd(6);
      const styled = d.action === "keep" ? style.keep(action) : d.action === "delete" ? style.delete(action) : style.skip(action);
      out.push(`    ${styled}  ${d.backupId.padEnd(23)} ${formatInZone(d.createdAtMs, summary.timezone).padEnd(22)} ${d.reasons.join("; ")}`);
    }
  }
  out.push("");
  return out;
}

function renderTotals(plan: Plan, style: Style): string {
  const n = count(plan.decisions);
  const reportOnly = plan.policies.reduce((sum, p) => sum + (p.mode === "report" ? p.delete : 0), 0);
  const deferred = plan.policies.reduce((sum, p) => sum + p.deferred, 0);
  let line = `Plan: ${style.delete(`${n.delete} to delete`)}, ${style.keep(`${n.keep} to keep`)}, ${n.skip} skipped`;
  if (reportOnly > 0) line += ` (${reportOnly} of the deletions are in report-mode policies and will not be carried out)`;
  if (deferred > 0) line += `; ${deferred} deferred to later runs`;
  if (plan.halts.length > 0) line += `; ${style.warn(`${plan.halts.length} halted by guards`)}`;
  return `${line}.`;
}

function count(decisions: readonly Decision[]): Record<Decision["action"], number> {
  const n = { keep: 0, delete: 0, skip: 0 };
  for (const d of decisions) n[d.action]++;
  return n;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
