import { isValidEpochMs } from "../domain/time.js";
import type { Alert, BackupNotice, ReminderNotice } from "./model.js";
import { count, oneLine } from "./text.js";
import { isoUtc, relativeText, spanText, stageText } from "./time-text.js";

/**
 * What every rendering of an alert agrees on: the one-line headline (subject, Chatbot
 * title, first line of the compact text), who deleted what, the thread, and caps on
 * values so that one backup can never outgrow a message.
 */

export type DeletionAlert = Extract<Alert, { kind: "deletion" }>;
export type ReminderAlert = Extract<Alert, { kind: "reminder" }>;
export type ListAlert = DeletionAlert | ReminderAlert;
export type SingleAlert = Exclude<Alert, ListAlert>;

/** Longest shown value, in characters, per kind of value (cut with an ellipsis). */
export const CAP = {
  id: 128,
  group: 160,
  reason: 1_000,
  message: 2_000,
  /** Values inside the headline: the subject has 99 characters in all. */
  headlineValue: 60,
} as const;

export interface RenderOptions {
  /** Starts every subject; e.g. `[cloudhsm-retention prod]` to tell accounts apart. */
  subjectPrefix?: string;
  /** With it, Chatbot's relatedResources are backup ARNs; without, backup IDs. */
  accountId?: string;
  /** One more sentence for the email footer, e.g. who owns these alerts. */
  footer?: string;
  /** The whole SNS message (the JSON envelope, UTF-8). Default and maximum 262,144 (SNS). */
  maxMessageBytes?: number;
  /** Chatbot description cap in characters; default 8,000 (see render-chatbot.ts). */
  maxDescriptionChars?: number;
}

export const SNS_MAX_MESSAGE_BYTES = 262_144;
export const DEFAULT_SUBJECT_PREFIX = "[cloudhsm-retention]";

/** Where a digest was split: `index` of `total`, and the 1-based number of its first backup. */
export interface PartInfo {
  index: number;
  total: number;
  firstNumber: number;
  /** Backups in the whole alert. */
  of: number;
}

/**
 * One backup of a digest, rendered once for every format; parts only join pieces, so
 * finding where to split a digest of thousands costs no re-rendering.
 */
export interface Piece {
  backup: BackupNotice;
  email: string;
  slack: string;
  text: string;
  resource: string;
}

export function isOutside(b: BackupNotice): boolean {
  return b.outsidePolicy || b.policy === null;
}

/**
 * A backup without a restore link is a bug upstream, but its message must still say how
 * to get it back: the AWS CLI command, when its ID and region are plain enough to paste
 * into a shell safely. The pin matters: a backup restored by hand and not pinned may be
 * deleted again by the next run.
 */
export function noLinkText(b: BackupNotice): string {
  const pasteable = /^backup-[A-Za-z0-9]{1,64}$/.test(b.backupId) && /^[a-z]{2}(-[a-z]+)+-\d$/.test(b.region);
  return pasteable
    ? `no restore link; restore it with: aws cloudhsmv2 restore-backup --region ${b.region} --backup-id ${b.backupId} (then pin it, or the next run may delete it again)`
    : "no restore link; restore it with CloudHSM's RestoreBackup (then pin it, or the next run may delete it again)";
}

export function hasLink(b: BackupNotice): boolean {
  return b.restoreUrl.trim().length > 0;
}

export function partLabel(part: PartInfo | undefined): string {
  return part ? `part ${part.index} of ${part.total}` : "";
}

export function isListAlert(alert: Alert): alert is ListAlert {
  return alert.kind === "deletion" || alert.kind === "reminder";
}

/**
 * The most urgent first (the soonest DeleteTimestamp), then oldest first, ties by ID: a
 * reader sees first what must be saved first, and the same alert always splits into the
 * same parts. In a run's own digest every DeleteTimestamp is the same: oldest first.
 */
export function sortBackups<T extends BackupNotice>(backups: readonly T[]): T[] {
  // An instant that is not a number sorts last, so the comparison stays consistent.
  const key = (t: number) => (Number.isFinite(t) ? t : Number.POSITIVE_INFINITY);
  // DeleteTimestamps within a minute are one deletion run's: they do not reorder its backups.
  const minute = (t: number) => Math.floor(key(t) / 60_000);
  return [...backups].sort((a, b) => {
    const da = minute(a.deleteAtMs);
    const db = minute(b.deleteAtMs);
    if (da !== db) return da < db ? -1 : 1;
    const ka = key(a.createdAtMs);
    const kb = key(b.createdAtMs);
    if (ka !== kb) return ka < kb ? -1 : 1;
    return a.backupId < b.backupId ? -1 : a.backupId > b.backupId ? 1 : 0;
  });
}

/** Updates about one group (one cluster in one region, or its copies) thread together. */
export function threadId(alert: Alert): string {
  const key =
    alert.kind === "restored" ? alert.backup.group : alert.kind === "halt" ? (alert.group ?? `policy/${alert.policy}`) : alert.group;
  return `cloudhsm-retention/${oneLine(key, CAP.group)}`;
}

/** The EventBridge detail-type of the event that goes with this alert (also Chatbot's eventType). */
export function eventTypeOf(alert: Alert): string {
  switch (alert.kind) {
    case "deletion": return "Backup Deletion Scheduled";
    case "reminder": return "Backup Deletion Reminder";
    case "halt": return "Retention Run Halted";
    case "backups-stopped": return "Backups Stopped";
    case "backups-resumed": return "Backups Resumed";
    case "restored": return "Backup Restored";
  }
}

const v = (value: string | null | undefined) => oneLine(value, CAP.headlineValue);

/** Who deleted the backups of a digest: `by policy production`, `outside policy`, or both. */
export function deletedBy(backups: readonly BackupNotice[]): string {
  const byPolicy = new Map<string, number>();
  let outside = 0;
  for (const b of backups) {
    if (isOutside(b) || b.policy === null) outside++;
    else byPolicy.set(b.policy, (byPolicy.get(b.policy) ?? 0) + 1);
  }
  const names = [...byPolicy.keys()].sort();
  if (outside === 0 && names.length === 1) return `by policy ${oneLine(names[0], CAP.id)}`;
  if (names.length === 0) return "outside policy (not by cloudhsm-retention)";
  const parts = names.map((n) => `${byPolicy.get(n)} by policy ${oneLine(n, CAP.id)}`);
  if (outside) parts.push(`${outside} outside policy (not by cloudhsm-retention)`);
  return parts.join(", ");
}

/** For a sentence after "were deleted": ` by policy p`, or `: 2 by policy p, 1 outside policy (...)`. */
export function deletedClause(by: string): string {
  return /^\d/.test(by) ? `: ${by}` : ` ${by}`;
}

/**
 * When the first of them is gone for good, as time left (`in 1 h 59 min`), or with several
 * deadlines `from 23 h 59 min`: after a gap the stage's name (72 h) would overstate it.
 */
export function stagePhrase(backups: readonly ReminderNotice[], nowMs: number): string {
  const left = [...new Set(backups.map((b) => b.deleteAtMs))].sort((a, b) => a - b);
  const soonest = spanText((left[0] ?? nowMs) - nowMs);
  return left.length <= 1 || left[left.length - 1]! - left[0]! < 60_000 ? `in ${soonest}` : `from ${soonest} on`;
}

/** The reminder stages named, most urgent first: `24 h`, or `2 h and 24 h`. */
export function stageList(backups: readonly ReminderNotice[]): string {
  const stages = [...new Set(backups.map((b) => b.stageMs))].sort((a, b) => a - b).map(stageText);
  return stages.length <= 1 ? (stages[0] ?? "") : `${stages.slice(0, -1).join(", ")} and ${stages[stages.length - 1]}`;
}

/**
 * The headline, without product tag or part marker: where first (region and cluster), then
 * what, so that a subject cut to fit SNS's 100 characters loses the end of the "what", never
 * which cluster it is about. `backups` is the whole alert's list.
 */
export function headline(alert: Alert): string {
  const { where, what } = headlineParts(alert);
  return `${where}: ${what}`;
}

function headlineParts(alert: Alert): { where: string; what: string } {
  switch (alert.kind) {
    case "deletion": {
      const all = alert.backups;
      const outside = all.every(isOutside) ? " outside policy" : "";
      return { where: v(alert.group), what: `${count(all.length, "backup")} deleted${outside}` };
    }
    case "reminder":
      // The time actually left to the soonest, not the stage's name: after a gap they differ.
      return { where: v(alert.group), what: `reminder: ${count(alert.backups.length, "backup")} gone for good ${stagePhrase(alert.backups, alert.nowMs)}` };
    case "halt":
      return alert.group === undefined
        ? { where: `policy ${v(alert.policy)}`, what: `halted by ${v(alert.guard)}` }
        : { where: v(alert.group), what: `policy ${v(alert.policy)} halted by ${v(alert.guard)}` };
    case "backups-stopped":
      return {
        where: v(alert.group),
        what: alert.newestReadyMs === undefined ? "backups stopped, no READY backup" : `backups stopped, none for ${spanText(alert.nowMs - alert.newestReadyMs)}`,
      };
    case "backups-resumed":
      return { where: v(alert.group), what: "backups resumed" };
    case "restored": {
      const until = alert.heldUntilMs;
      const held = until === undefined ? "pinned" : isValidEpochMs(until) ? `held until ${isoUtc(until).slice(0, 10)}` : "held";
      return { where: v(alert.backup.group), what: `restored ${v(alert.backup.backupId)}, ${held}` };
    }
  }
}

/**
 * How a digest's lines read, decided once for the whole alert (so every part reads
 * alike): the owner on each line only when owners differ, the reason once in the lead
 * when all backups share it (the usual case: one policy's rule sentence).
 */
export interface LineStyle {
  mixedOwners: boolean;
  sharedReason: string | undefined;
}

/** What a digest says as a whole, worked out once however many parts it is split into. */
export interface Digest {
  alert: ListAlert;
  headline: string;
  /** `by policy production`, `outside policy (...)`, or `2 by policy p, 1 outside policy (...)`. */
  deletedBy: string;
  /** Reminders: `in about 24 h` / `within about 72 h`, and `24 h` / `2 h and 24 h`; else empty. */
  stagePhrase: string;
  stageList: string;
  /** `at 2026-12-04T06:15:00Z`, or `between ... and ...`. */
  deadlines: string;
  style: LineStyle;
  /** Chatbot keywords, filled by the first part rendered (they are the same for every part). */
  keywords?: string[];
}

export function digestOf(alert: ListAlert): Digest {
  const owners = new Set(alert.backups.map((b) => (isOutside(b) ? undefined : b.policy)));
  const reasons = new Set(alert.backups.map((b) => b.reason));
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const b of alert.backups) {
    lo = Math.min(lo, b.deleteAtMs);
    hi = Math.max(hi, b.deleteAtMs);
  }
  return {
    alert,
    headline: headline(alert),
    deletedBy: deletedBy(alert.backups),
    stagePhrase: alert.kind === "reminder" ? stagePhrase(alert.backups, alert.nowMs) : "",
    stageList: alert.kind === "reminder" ? stageList(alert.backups) : "",
    deadlines: isoUtc(lo) === isoUtc(hi) ? `at ${isoUtc(lo)}` : `between ${isoUtc(lo)} and ${isoUtc(hi)}`,
    style: { mixedOwners: owners.size > 1, sharedReason: reasons.size === 1 ? alert.backups[0]?.reason : undefined },
  };
}

/** `in 6 days 23 h`, or `2 h ago: too late to restore` once DeleteTimestamp has passed. */
export function goneText(deleteAtMs: number, nowMs: number): string {
  if (!isValidEpochMs(deleteAtMs) || !isValidEpochMs(nowMs)) return "(unknown)";
  const when = relativeText(deleteAtMs, nowMs);
  return deleteAtMs > nowMs ? when : `${when}: too late to restore`;
}
