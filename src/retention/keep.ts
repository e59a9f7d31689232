import { formatDuration, isZeroDuration } from "../domain/duration.js";
import { COUNT_RULES, WITHIN_BUCKET_RULES } from "../domain/types.js";
import type { Backup, Count, Counters, Duration, KeepRules } from "../domain/types.js";
import { subtractCalendar, type WallClock, type ZonedClock } from "./calendar.js";

/** What the keep rules say about one READY backup of a group. Guards may later flip `keep`. */
export interface KeepOutcome {
  backup: Backup;
  keep: boolean;
  /** Why it is kept; empty (and frozen: replace it, don't push) when no rule matched. */
  reasons: string[];
  /**
   * Remaining count of each enabled count rule after this backup (restic's counters).
   * Frozen, and shared by consecutive outcomes while no count changes: most backups of a
   * large group change nothing, and one object per backup was measurable GC at 100k.
   */
  counters: Counters;
  /** Set by maxDeletionsPerRun on a delete it put off to a later run. */
  deferred?: boolean;
}

/** Newest first; equal instants by backupId so the result never depends on input order. */
export function newestFirst(a: Backup, b: Backup): number {
  return b.createdAtMs - a.createdAtMs || (a.backupId < b.backupId ? -1 : a.backupId > b.backupId ? 1 : 0);
}

/** The bucket rules in restic's fixed order; `last` has no calendar bucket. */
const BUCKETS = WITHIN_BUCKET_RULES;

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** restic's bucket functions as integers (`ymdh`, `ymd`, `yw`, `ym`, `y`); `bucket` indexes WITHIN_BUCKET_RULES. */
export function bucketKey(bucket: number, w: WallClock): number {
  switch (bucket) {
    case 0: return ((w.year * 100 + w.month) * 100 + w.day) * 100 + w.hour;
    case 1: return (w.year * 100 + w.month) * 100 + w.day;
    case 2: return w.isoWeekYear * 100 + w.isoWeek;
    case 3: return w.year * 100 + w.month;
    default: return w.year;
  }
}

/** The label shown in reasons, in the policy's zone: `daily 2026-11-27`, `weekly 2026-W48`. */
export function bucketLabel(bucket: number, w: WallClock): string {
  switch (bucket) {
    case 0: return `${w.year}-${pad2(w.month)}-${pad2(w.day)} ${pad2(w.hour)}h`;
    case 1: return `${w.year}-${pad2(w.month)}-${pad2(w.day)}`;
    case 2: return `${w.isoWeekYear}-W${pad2(w.isoWeek)}`;
    case 3: return `${w.year}-${pad2(w.month)}`;
    default: return `${w.year}`;
  }
}

const NO_REASONS: readonly string[] = Object.freeze([]);

type TagTest = (tags: Readonly<Record<string, string>>) => boolean;

/**
 * restic `HasTags` on key/value tags: every entry must match (`key` = has the key,
 * `key=value` = has that value). As in restic, an entry `""` matches a backup without
 * tags (and ends the list), and an empty list matches every backup.
 */
function tagTest(list: readonly string[]): TagTest {
  const entries = list.map((entry) => {
    const eq = entry.indexOf("=");
    return eq < 0 ? { key: entry, value: undefined } : { key: entry.slice(0, eq), value: entry.slice(eq + 1) };
  });
  return (tags) => {
    for (const { key, value } of entries) {
      if (key === "" && value === undefined) {
        for (const _ in tags) return false;
        return true;
      }
      if (!Object.hasOwn(tags, key)) return false;
      if (value !== undefined && tags[key] !== value) return false;
    }
    return true;
  };
}

/** restic `findLatestTimestamp` with `now` passed in: the newest backup not in the future. */
function latestAt(sorted: readonly Backup[], nowMs: number): number {
  for (const b of sorted) if (b.createdAtMs < nowMs) return b.createdAtMs;
  return sorted[sorted.length - 1]!.createdAtMs;
}

/** Strictly-after bound of a within rule; NaN (never matched) when the rule is off. */
function thresholdOf(latestMs: number, d: Duration, timezone: string): number {
  return isZeroDuration(d) ? Number.NaN : subtractCalendar(latestMs, d, timezone);
}

/**
 * restic `ApplyPolicy` for ONE group of READY backups (§B of peers-and-pitfalls.md).
 * Returns one outcome per backup, newest first; the input is not modified.
 * `neverExpires` keeps a backup like a tag match: counting still sees it.
 * @example applyKeepRules(backups, { ...rules, daily: 7 }, zonedClock("UTC"), Date.now())
 */
export function applyKeepRules(
  groupBackups: readonly Backup[],
  keep: KeepRules,
  clock: ZonedClock,
  nowMs: number,
): KeepOutcome[] {
  const list = [...groupBackups].sort(newestFirst);
  const n = list.length;
  if (n === 0) return [];
  const latest = latestAt(list, nowMs);
  const tz = clock.timezone;

  const tagLists = keep.tags.map((l) => ({ test: tagTest(l), reason: `tags ${l.map((t) => (t === "" ? '""' : t)).join(",")}` }));
  const within = thresholdOf(latest, keep.within, tz);
  const withinReason = `within ${formatDuration(keep.within)}`;

  // Count rules: remaining[0] is `last`, remaining[1 + b] is BUCKETS[b]. Infinity = unlimited.
  const remaining: Count[] = [keep.last, keep.hourly, keep.daily, keep.weekly, keep.monthly, keep.yearly];
  const enabled = remaining.map((c) => c !== 0);
  const lastKey = [Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN];
  let lastPosition = 0;

  const withinDurations = [keep.withinHourly, keep.withinDaily, keep.withinWeekly, keep.withinMonthly, keep.withinYearly];
  const withinBucket = withinDurations.map((d, b) => ({
    threshold: thresholdOf(latest, d, tz),
    reason: `${BUCKETS[b]} within ${formatDuration(d)}`,
    lastKey: Number.NaN,
  }));
  const needsClock = remaining.slice(1).some((c) => c !== 0) || withinBucket.some((w) => !Number.isNaN(w.threshold));

  let counters: Counters | undefined;
  // Scratch reused per backup; a kept backup gets an exact-size copy, a removed one none.
  const reasons: string[] = [];
  const wall: WallClock = { year: 0, month: 0, day: 0, hour: 0, isoWeekYear: 0, isoWeek: 0 };
  const out: KeepOutcome[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const b = list[i]!;
    const isOldest = i === n - 1;
    reasons.length = 0;
    if (b.neverExpires) reasons.push("never expires");
    for (const t of tagLists) if (t.test(b.tags)) reasons.push(t.reason);
    if (b.createdAtMs > within) reasons.push(withinReason);

    // `last` keys are the index, so they always differ: it keeps the first N.
    let changed = counters === undefined;
    if (remaining[0]! > 0) {
      if (remaining[0] !== Infinity) {
        remaining[0]!--;
        changed = true;
      }
      reasons.push(`last #${++lastPosition}`);
    }
    const w = needsClock ? clock(b.createdAtMs, wall) : undefined;
    for (let r = 0; r < 5; r++) {
      if (!(remaining[r + 1]! > 0)) continue;
      const key = bucketKey(r, w!);
      if (key === lastKey[r] && !isOldest) continue;
      // Capacity left on reaching the oldest backup keeps it even if its period is represented.
      reasons.push(key === lastKey[r] ? `oldest ${BUCKETS[r]}` : `${BUCKETS[r]} ${bucketLabel(r, w!)}`);
      lastKey[r] = key;
      if (remaining[r + 1] !== Infinity) {
        remaining[r + 1]!--;
        changed = true;
      }
    }
    for (let r = 0; r < 5; r++) {
      const wb = withinBucket[r]!;
      if (!(b.createdAtMs > wb.threshold)) continue;
      const key = bucketKey(r, w!);
      if (key === wb.lastKey && !isOldest) continue;
      reasons.push(key === wb.lastKey ? `oldest ${wb.reason}` : wb.reason);
      wb.lastKey = key;
    }

    if (changed) {
      const next: Counters = {};
      for (let r = 0; r < 6; r++) if (enabled[r]) next[COUNT_RULES[r]!] = remaining[r]!;
      counters = Object.freeze(next);
    }
    const keepIt = reasons.length > 0;
    out[i] = { backup: b, keep: keepIt, reasons: keepIt ? reasons.slice() : (NO_REASONS as string[]), counters: counters! };
  }
  return out;
}
