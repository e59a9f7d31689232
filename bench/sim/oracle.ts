// An independent keep check for bench/sim/policy.yml (last 3, daily 7, weekly 4, tag
// legal-hold, in UTC), written from restic's documented `forget` rules rather than from
// src/retention: newest first; `last n` keeps the n newest; a bucket rule keeps the newest
// backup of each of its n most recent buckets (UTC day, ISO week); when a bucket rule still
// has count left after the oldest backup, restic 0.17+ keeps that oldest backup too.
// NeverExpires (pinned) backups are kept whatever the rules say.
import type { Backup } from "../../src/domain/types.js";

const DAY_MS = 86_400_000;

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** ISO 8601 week: the week with the year's first Thursday is week 1; weeks start on Monday. */
export function isoWeek(ms: number): string {
  const d = new Date(Math.floor(ms / DAY_MS) * DAY_MS);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0 .. Sunday 6
  const thursday = new Date(d.getTime() + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/**
 * The IDs the policy keeps among one cluster's backups (only READY ones take part), as of
 * `nowMs`. Its guard requireBackupWithin 3d keeps them all when the newest READY backup is
 * older than that: backups have stopped, and nothing is deleted until they resume.
 */
export function keptBySimPolicy(backups: readonly Backup[], nowMs: number): Set<string> {
  const ready = backups.filter((b) => b.state === "READY").sort((a, b) => b.createdAtMs - a.createdAtMs || (a.backupId < b.backupId ? -1 : 1));
  if (ready.length > 0 && nowMs - ready[0]!.createdAtMs > 3 * DAY_MS) return new Set(ready.map((b) => b.backupId));
  const kept = new Set<string>();
  ready.slice(0, 3).forEach((b) => kept.add(b.backupId));
  for (const [count, bucketOf] of [
    [7, (b: Backup) => utcDay(b.createdAtMs)],
    [4, (b: Backup) => isoWeek(b.createdAtMs)],
  ] as const) {
    let left: number = count;
    let last: string | undefined;
    for (const b of ready) {
      if (left === 0) break;
      const bucket = bucketOf(b);
      if (bucket !== last) {
        kept.add(b.backupId);
        last = bucket;
        left--;
      }
    }
    const oldest = ready.at(-1);
    if (left > 0 && oldest) kept.add(oldest.backupId);
  }
  for (const b of ready) if (b.neverExpires || Object.hasOwn(b.tags, "legal-hold")) kept.add(b.backupId);
  return kept;
}
