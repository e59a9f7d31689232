import { formatDuration, isZeroDuration } from "../domain/duration.js";
import type { KeepRules } from "../domain/types.js";

const countText = (n: number): string => (n === Infinity ? "unlimited" : String(n));

/**
 * The keep rules as one sentence for plans and alerts, after restic's `ExpirePolicy.String()`.
 * @example describeKeep(rules)
 *   // "keep the last 3, 7 daily, 4 weekly, 12 monthly, unlimited yearly backups,
 *   //  all within 2d, daily within 30d, and those tagged legal-hold"
 */
export function describeKeep(keep: KeepRules): string {
  const counts: string[] = [];
  if (keep.last !== 0) counts.push(keep.last === Infinity ? "unlimited last" : `the last ${keep.last}`);
  for (const rule of ["hourly", "daily", "weekly", "monthly", "yearly"] as const) {
    if (keep[rule] !== 0) counts.push(`${countText(keep[rule])} ${rule}`);
  }
  const clauses: string[] = [];
  // "keep the last 1 backup", "keep 1 daily backup"; with several rules the list is plural.
  const single = counts.length === 1 && [keep.last, keep.hourly, keep.daily, keep.weekly, keep.monthly, keep.yearly].some((c) => c === 1);
  if (counts.length) clauses.push(`${counts.join(", ")} ${single ? "backup" : "backups"}`);
  if (!isZeroDuration(keep.within)) clauses.push(`all within ${formatDuration(keep.within)}`);
  const withins = [
    ["hourly", keep.withinHourly],
    ["daily", keep.withinDaily],
    ["weekly", keep.withinWeekly],
    ["monthly", keep.withinMonthly],
    ["yearly", keep.withinYearly],
  ] as const;
  for (const [rule, d] of withins) if (!isZeroDuration(d)) clauses.push(`${rule} within ${formatDuration(d)}`);
  if (keep.tags.length) clauses.push(`those tagged ${describeTags(keep.tags)}`);

  if (clauses.length === 0) return "keep nothing by rule";
  if (clauses.length === 1) return `keep ${clauses[0]}`;
  const last = clauses.pop()!;
  return `keep ${clauses.join(", ")}${clauses.length > 1 ? "," : ""} and ${last}`;
}

/** `legal-hold or (env=prod and tier=1)`; `""` is restic's "has no tags". */
function describeTags(lists: readonly (readonly string[])[]): string {
  const texts = lists.map((l) => {
    const entries = l.map((t) => (t === "" ? '""' : t));
    const text = entries.length ? entries.join(" and ") : "anything";
    return lists.length > 1 && entries.length > 1 ? `(${text})` : text;
  });
  return texts.join(" or ");
}

/**
 * A compact age for messages: `3d 4h`, `5h`, `42min` (never `m`, which means months in
 * policy durations). Negative ages (clock skew, future-dated backups) read `in the future`.
 */
export function formatAge(ms: number): string {
  if (ms < 0) return "in the future";
  const totalMinutes = Math.floor(ms / 60_000);
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  if (days > 0) return hours > 0 ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0) return `${hours}h`;
  return `${totalMinutes}min`;
}
