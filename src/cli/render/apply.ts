import type { RetryCounts } from "../../domain/ports.js";
import type { ApplyReport } from "../../jobs/apply.js";
import { planToJson } from "./json.js";
import { type Style, renderPlanTable } from "./table.js";
import { isoUtcSeconds } from "./time.js";
import { plural } from "./words.js";

const RETRY_WORDS: Record<string, [string, string]> = {
  throttled: ["throttled call", "throttled calls"],
  "server error": ["server error", "server errors"],
  transient: ["network error", "network errors"],
};

function retrySummary(retries: RetryCounts): string {
  const parts = Object.entries(retries).map(([reason, n]) => {
    const [one, many] = RETRY_WORDS[reason] ?? [reason, reason];
    return plural(n ?? 0, one, many);
  });
  return parts.length ? `retried ${parts.join(", ")}` : "no retries";
}

/**
 * The plan, then what was done: counts, retries, and every failure by name. `withPlan:
 * false` leaves the plan out, for a terminal that was shown it before the deletions began.
 */
export function renderApplyTable(report: ApplyReport, style: Style, opts: { withPlan?: boolean; verbose?: boolean | undefined } = {}): string {
  const out = opts.withPlan === false ? [] : [renderPlanTable(report.plan, style, { verbose: opts.verbose })];
  for (const l of report.listings) {
    out.push(`Listed ${l.region}: ${l.error ? style.delete(`FAILED: ${l.error}`) : `${plural(l.backups, "backup")} in ${plural(l.calls, "DescribeBackups call")}`}`);
  }
  const c = report.counts;
  if (report.dryRun) {
    out.push(`Dry run: ${plural(c.planned, "deletion")} planned in enforce-mode policies, none carried out.`);
  } else {
    const deleteTimes = report.outcomes.flatMap((o) => (o.status !== "deleted" || o.deleteAtMs === undefined ? [] : [o.deleteAtMs]));
    let line = `Apply: ${style.delete(`${c.deleted} deleted`)}`;
    if (c.alreadyPending) line += `, ${c.alreadyPending} already pending deletion`;
    if (c.changed) line += `, ${c.changed} left alone (changed since listed)`;
    if (c.held) line += `, ${c.held} held for the next run`;
    line += `, ${c.failed ? style.delete(`${c.failed} failed`) : "0 failed"} of ${c.planned} planned; ${retrySummary(report.retries)}.`;
    out.push(line);
    if (deleteTimes.length > 0) {
      const first = isoUtcSeconds(deleteTimes.reduce((a, b) => Math.min(a, b)));
      out.push(
        `Deleted backups stay restorable for 7 days (the first until ${first}): restore one with ` +
          (report.alerts ? "its alert's link or `cloudhsm-retention restore`, which hold it from the next run; or with " : "`cloudhsm-retention restore`, which holds it from the next run; or with ") +
          "aws cloudhsmv2 restore-backup and then pin it (modify-backup-attributes --never-expires), or the next run deletes it again.",
      );
      if (report.alerts?.silent) out.push(style.warn("No message was sent (--no-alerts); the ledger was kept: the next reminder run announces these deletions, with their restore links."));
      if (!report.alerts) out.push(style.warn("No one was told of these deletions (--no-alerts), and no ledger was configured: later reminder runs see them as made outside this service."));
    }
  }
  const changed = report.outcomes.filter((o) => o.status === "changed");
  if (changed.length) {
    out.push(style.warn("Not deleted, changed since they were listed:"));
    for (const o of changed) out.push(`  ${o.region} ${o.backupId}: ${o.reason}`);
  }
  const failures = report.outcomes.filter((o) => o.status === "failed");
  if (failures.length) {
    out.push(style.delete("Failed deletions:"));
    for (const f of failures) out.push(`  ${f.region} ${f.backupId}: ${f.error}${f.attempts ? ` (after ${f.attempts} attempts)` : ""}`);
  }
  const held = report.outcomes.filter((o) => o.status === "held");
  if (held.length) {
    out.push(style.warn("Held for the next run (the oldest of a group where another deletion failed or was left alone):"));
    for (const h of held) out.push(`  ${h.region} ${h.backupId}`);
  }
  if (report.interrupted && !report.dryRun) {
    out.push(style.warn(`Interrupted: ${c.deleted} deleted, ${plural(c.notAttempted, "planned deletion")} not attempted (run apply again to finish):`));
    for (const d of report.notAttempted) out.push(`  ${d.region} ${d.backupId}`);
  }
  if (report.alerts) {
    const d = report.alerts.delivery;
    if (report.alerts.blocked) out.push(style.delete(`Ledger unavailable, ${report.alerts.blocked}.`));
    out.push(report.alerts.silent ? "Alerts: none sent (--no-alerts); the ledger was kept." : `Alerts: ${plural(d.messages, "message")} sent (${plural(d.notices, "notice")}), ${plural(d.events, "event")}.`);
    const failures = d.failedMessages + d.failedEvents + d.ledgerFailures;
    if (failures > 0) {
      out.push(
        style.delete(
          `${plural(failures, "failure")} on the alert path: the next reminder run announces the deletions this run could not, ` +
            "and the next apply run the halts and backups-stopped alerts:",
        ),
      );
      for (const e of d.errors) out.push(`  ${e}`);
    }
  }
  if (c.reportOnly) out.push(`${plural(c.reportOnly, "deletion")} ${c.reportOnly === 1 ? "belongs" : "belong"} to report-mode policies and ${c.reportOnly === 1 ? "was" : "were"} not carried out.`);
  if (c.halts) out.push(style.warn(`${plural(c.halts, "guard halt")} in enforce-mode policies: see the "!" lines above; nothing was deleted where a guard halted.`));
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
    alerts: report.alerts,
    outcomes: report.outcomes.map((o) => ({ ...o, deleteAt: o.deleteAtMs === undefined ? undefined : isoUtcSeconds(o.deleteAtMs), deleteAtMs: undefined })),
    exitCode: report.exitCode,
  };
}
