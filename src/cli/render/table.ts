import type { Decision, Halt, Plan, PolicySummary } from "../../domain/types.js";
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

/**
 * The human plan, in the spirit of `terraform plan`: one section per policy, one block
 * per group (cluster), every decision with its reasons, halts and warnings, and the
 * counts at the end. Every instant is ISO-8601 UTC to the second; calendar bucket labels
 * in the reasons (`daily 2026-11-27`) are in the policy's time zone, named in its header.
 */
export function renderPlanTable(plan: Plan, style: Style = PLAIN): string {
  const out: string[] = [];
  out.push(style.bold(`Plan at ${isoUtcSeconds(plan.nowMs)} for ${plural(plan.decisions.length, "backup")}`), "");
  const byPolicy = groupBy(plan.decisions, (d) => d.policy ?? "");
  const haltsByGroup = groupBy(plan.halts.filter((h) => h.group !== undefined), (h) => `${h.policy}\n${h.group}`);
  for (const summary of plan.policies) {
    out.push(...renderPolicy(summary, byPolicy.get(summary.name) ?? [], plan.halts, haltsByGroup, style, plan.regions));
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
  out.push(renderTotals(plan, style));
  return `${out.join("\n")}\n`;
}

/** Backups no policy selects are left alone for one of a few reasons; say it once per group. */
function leftAloneWhy(decisions: readonly Decision[]): string {
  const reasons = new Set(decisions.map((d) => d.reasons[0]));
  return reasons.size === 1 && !reasons.has("not selected by any policy") ? ` (${[...reasons][0]})` : "";
}

const HALTED = "halted: ";

function renderPolicy(
  summary: PolicySummary,
  decisions: Decision[],
  halts: readonly Halt[],
  haltsByGroup: Map<string, Halt[]>,
  style: Style,
  runRegions: readonly string[] | undefined,
): string[] {
  const policyRegions = summary.regions;
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
  const policyHalt = halts.find((h) => h.policy === summary.name && h.group === undefined);
  for (const [group, rows] of groupBy(decisions, (d) => d.group)) {
    const n = count(rows);
    const halted = rows.filter((d) => d.reasons.some((r) => r.startsWith(HALTED))).length;
    const parts = [`${n.delete} to delete`, `${n.keep - n.deferred - halted} to keep`];
    if (halted) parts.push(`${halted} held by a guard halt`);
    if (n.deferred) parts.push(`${n.deferred} deferred`);
    parts.push(`${n.skip} skipped`);
    out.push("", `  ${style.bold(group)}  ${parts.join(", ")}`);
    // A halt is said once, here, not on each backup it spared.
    const groupHalts = [...(haltsByGroup.get(`${summary.name}\n${group}`) ?? []), ...(policyHalt ? [policyHalt] : [])];
    for (const h of groupHalts) out.push(style.warn(`    ! halted by ${h.guard}: nothing in this group is deleted this run`));
    for (const d of rows) {
      const label = d.deferred ? "DEFER" : d.action.toUpperCase();
      const cell = label.padEnd(6);
      const styled = d.action === "delete" ? style.delete(cell) : d.action === "keep" && !d.deferred ? style.keep(cell) : style.skip(cell);
      const reasons = d.reasons.map((r) => (r.startsWith(HALTED) ? "halted (see above)" : r));
      out.push(`    ${styled}  ${d.backupId.padEnd(23)} ${isoUtcSeconds(d.createdAtMs).padEnd(20)}  ${reasons.join("; ")}`);
    }
  }
  out.push("");
  return out;
}

function renderTotals(plan: Plan, style: Style): string {
  const n = count(plan.decisions);
  const reportOnly = plan.policies.reduce((sum, p) => sum + (p.mode === "report" ? p.delete : 0), 0);
  let line = `Plan: ${style.delete(`${n.delete} to delete`)}, ${style.keep(`${n.keep - n.deferred} to keep`)}, ${n.skip} skipped`;
  if (reportOnly > 0) line += ` (${reportOnly} of the deletions ${reportOnly === 1 ? "is" : "are"} in report-mode policies and will not be carried out)`;
  if (n.deferred > 0) line += `; ${n.deferred} deferred to later runs`;
  if (plan.halts.length > 0) line += `; ${style.warn(`${plural(plan.halts.length, "guard halt")}`)}`;
  if (plan.warnings.length > 0) line += `; ${style.warn(plural(plan.warnings.length, "warning"))}`;
  return `${line}.`;
}

function count(decisions: readonly Decision[]): Record<Decision["action"] | "deferred", number> {
  const n = { keep: 0, delete: 0, skip: 0, deferred: 0 };
  for (const d of decisions) {
    n[d.action]++;
    if (d.deferred) n.deferred++;
  }
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
