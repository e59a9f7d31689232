import type { RetryCounts } from "../../domain/ports.js";
import type { ApplyReport } from "../../jobs/apply.js";
import { planToJson } from "./json.js";
import { type Style, renderPlanTable } from "./table.js";
import { isoUtc, isoUtcSeconds } from "./time.js";

function retrySummary(retries: RetryCounts): string {
  const parts = Object.entries(retries).map(([reason, n]) => `${n} ${reason}`);
  return parts.length ? `retried ${parts.join(", ")}` : "no retries";
}

/** The plan, then what was done: counts, retries, and every failure by name. */
export function renderApplyTable(report: ApplyReport, style: Style): string {
  const out = [renderPlanTable(report.plan, style)];
  for (const l of report.listings) {
    out.push(`Listed ${l.region}: ${l.error ? style.delete(`FAILED: ${l.error}`) : `${l.backups} backups in ${l.calls} DescribeBackups calls`}`);
  }
  const c = report.counts;
  if (report.dryRun) {
    out.push(`Dry run: ${c.planned} deletions planned in enforce-mode policies, none carried out.`);
  } else {
    const deleteTimes = report.outcomes.flatMap((o) => (o.deleteAtMs === undefined ? [] : [o.deleteAtMs]));
    let line = `Apply: ${style.delete(`${c.deleted} deleted`)}`;
    if (c.alreadyPending) line += `, ${c.alreadyPending} already pending deletion`;
    if (c.held) line += `, ${c.held} held for the next run`;
    line += `, ${c.failed ? style.delete(`${c.failed} failed`) : "0 failed"} of ${c.planned} planned; ${retrySummary(report.retries)}.`;
    out.push(line);
    if (deleteTimes.length > 0) {
      const first = isoUtcSeconds(deleteTimes.reduce((a, b) => Math.min(a, b)));
      out.push(`Deleted backups stay restorable for 7 days (the first until ${first}) with aws cloudhsmv2 restore-backup.`);
    }
  }
  const failures = report.outcomes.filter((o) => o.status === "failed" || o.status === "held");
  if (failures.length) {
    out.push(style.delete("Failed deletions:"));
    for (const f of failures) out.push(`  ${f.region} ${f.backupId}: ${f.error}${f.attempts ? ` (after ${f.attempts} attempts)` : ""}`);
  }
  if (report.interrupted && !report.dryRun) {
    out.push(style.warn(`Interrupted: ${c.deleted} deleted, ${c.notAttempted} planned deletions not attempted (run apply again to finish):`));
    for (const d of report.notAttempted) out.push(`  ${d.region} ${d.backupId}`);
  }
  if (c.reportOnly) out.push(`${c.reportOnly} deletions belong to report-mode policies and were not carried out.`);
  if (c.halts) out.push(style.warn(`${c.halts} guard halt(s) in enforce-mode policies: see the "!" lines above; nothing was deleted where a guard halted.`));
  return `${out.join("\n")}\n`;
}

export function applyToJson(report: ApplyReport): object {
  return {
    ...planToJson(report.plan),
    dryRun: report.dryRun,
    listings: report.listings,
    counts: report.counts,
    retries: report.retries,
    interrupted: report.interrupted,
    notAttempted: report.notAttempted,
    outcomes: report.outcomes.map((o) => ({ ...o, deleteAt: o.deleteAtMs === undefined ? undefined : isoUtc(o.deleteAtMs), deleteAtMs: undefined })),
    exitCode: report.exitCode,
  };
}
