import { WITHIN_BUCKET_RULES, type WithinBucketRule } from "../domain/types.js";
import { zonedClock } from "./calendar.js";
import { bucketKey, bucketLabel } from "./keep.js";

/**
 * Where the calendar buckets of a rule begin (a new day, ISO week, month… in the
 * policy's zone), found with the very key function the engine buckets backups with: a
 * boundary is the first instant whose key differs from the instant before. For pictures
 * of a plan (the HTML timeline); the engine itself never needs them.
 */

/** The shortest a bucket of each rule can be: an hour may be 15 minutes short of one... */
const MIN_LENGTH_MS: Record<WithinBucketRule, number> = {
  hourly: 15 * 60_000,
  daily: 23 * 3_600_000,
  weekly: 167 * 3_600_000,
  monthly: 28 * 86_400_000 - 3_600_000,
  yearly: 365 * 86_400_000 - 3_600_000,
};
/** ...and the scan step, below each shortest length so no boundary is stepped over. */
const STEP_MS: Record<WithinBucketRule, number> = { hourly: 15 * 60_000, daily: 3_600_000, weekly: 86_400_000, monthly: 86_400_000, yearly: 86_400_000 };
/** Boundaries are placed to the minute. */
const PRECISION_MS = 60_000;

export interface Bucket {
  startMs: number;
  /** `2026-11-27`, `2026-W48`, `2026-11`: as the reasons name it. */
  label: string;
}

/**
 * The buckets of `rule` that begin in (fromMs, toMs], in order; undefined when there would
 * be more than `max` (too many to draw). Exact to the minute for every zone whose offsets
 * change on whole minutes.
 * @example bucketStarts("daily", Date.parse("2026-03-28T12:00Z"), Date.parse("2026-03-30T12:00Z"), "Europe/Berlin")
 *   // [{ startMs: Date.parse("2026-03-28T23:00Z"), label: "2026-03-29" }, { startMs: Date.parse("2026-03-29T22:00Z"), label: "2026-03-30" }]
 */
export function bucketStarts(rule: WithinBucketRule, fromMs: number, toMs: number, timezone: string, max = 2000): Bucket[] | undefined {
  if (!(toMs > fromMs)) return [];
  if ((toMs - fromMs) / MIN_LENGTH_MS[rule] > max + 1) return undefined;
  const b = WITHIN_BUCKET_RULES.indexOf(rule);
  const clock = zonedClock(timezone);
  const key = (ms: number) => bucketKey(b, clock(ms));
  const out: Bucket[] = [];
  const step = STEP_MS[rule];
  let prevMs = fromMs;
  let prevKey = key(fromMs);
  for (let t = Math.min(fromMs + step, toMs); ; t = Math.min(t + step, toMs)) {
    const k = key(t);
    if (k !== prevKey) {
      // The first instant in (prevMs, t] with another key than prevMs's.
      let lo = Math.floor(prevMs / PRECISION_MS) * PRECISION_MS;
      let hi = Math.ceil(t / PRECISION_MS) * PRECISION_MS;
      while (hi - lo > PRECISION_MS) {
        const mid = lo + Math.floor((hi - lo) / PRECISION_MS / 2) * PRECISION_MS;
        if (key(mid) === prevKey) lo = mid;
        else hi = mid;
      }
      out.push({ startMs: hi, label: bucketLabel(b, clock(hi)) });
      if (out.length > max) return undefined;
      prevKey = k;
    }
    prevMs = t;
    if (t >= toMs) break;
  }
  return out;
}
