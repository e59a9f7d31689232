import type { RemindReport } from "../../jobs/remind.js";
import { JSON_FORMAT_VERSION } from "./json.js";
import type { Style } from "./table.js";
import { isoUtcSeconds } from "./time.js";
import { plural } from "./words.js";

/** A stage as the events and the docs name it: `72h`, `24h`, `2h`. */
const hours = (ms: number): string => `${Math.round(ms / 3_600_000)}h`;

/** What a reminder run told, and what it could not. */
export function renderRemindTable(report: RemindReport, style: Style): string {
  const out: string[] = [];
  const verb = report.dryRun ? "would announce" : "announced";
  out.push(style.bold(`Remind at ${isoUtcSeconds(report.nowMs)}${report.dryRun ? " (dry run: nothing sent)" : ""}`), "");
  for (const r of report.regions) {
    out.push(r.error ? `  ${r.region}: ${style.delete(`FAILED: ${r.error}`)}` : `  ${r.region}: ${plural(r.pending, "backup")} pending deletion`);
  }
  if (report.announced.length) {
    out.push("", `Deletions ${verb}:`);
    for (const n of report.announced) out.push(`  ${n.region} ${n.backupId}  gone for good ${isoUtcSeconds(n.deleteAtMs)}  ${n.outsidePolicy ? "deleted outside policy" : `policy ${n.policy}`}`);
  }
  if (report.reminded.length) {
    out.push("", report.dryRun ? "Reminders due:" : "Reminders sent:");
    for (const n of report.reminded) out.push(`  ${n.region} ${n.backupId}  ${hours(n.stageMs)} stage, gone for good ${isoUtcSeconds(n.deleteAtMs)}`);
  }
  const d = report.delivery;
  out.push(
    "",
    `Remind: ${plural(report.announced.length, "deletion")} ${verb}, ${plural(report.reminded.length, "reminder")}${report.dryRun ? " due" : ""}, ` +
      `${report.expired} gone for good, ${report.back} back; ${plural(d.messages, "message")} sent, ${plural(d.skipped, "notice")} already told.`,
  );
  const failures = d.failedMessages + d.failedEvents + d.ledgerFailures;
  if (failures > 0) {
    out.push(style.delete(`${plural(failures, "failure")} on the alert path (what was not sent is tried again by the next run):`));
    for (const e of d.errors) out.push(`  ${e}`);
  }
  return `${out.join("\n")}\n`;
}

export function remindToJson(report: RemindReport): object {
  return {
    formatVersion: JSON_FORMAT_VERSION,
    now: isoUtcSeconds(report.nowMs),
    dryRun: report.dryRun,
    regions: report.regions,
    announced: report.announced.map((n) => ({ ...n, createdAt: isoUtcSeconds(n.createdAtMs), deleteAt: isoUtcSeconds(n.deleteAtMs), createdAtMs: undefined, deleteAtMs: undefined })),
    reminded: report.reminded.map((n) => ({ ...n, stage: hours(n.stageMs), createdAt: isoUtcSeconds(n.createdAtMs), deleteAt: isoUtcSeconds(n.deleteAtMs), createdAtMs: undefined, deleteAtMs: undefined, stageMs: undefined })),
    expired: report.expired,
    back: report.back,
    delivery: report.delivery,
    exitCode: report.exitCode,
  };
}
