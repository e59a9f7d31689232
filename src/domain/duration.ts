import type { Duration } from "./types.js";

/**
 * restic's duration grammar (internal/data/duration.go): one or more `<int><unit>`
 * with units y (years), m (months), d (days), h (hours). A repeated unit overwrites
 * the earlier one, as in restic. Anything else (`2w`, `-1d`, `1.5d`, ``) is an error:
 * restic silently ignored `2w` before 0.14 and users lost snapshots (restic #3529).
 */
const PART = /(\d+)([ymdh])/y;

/** The longest duration accepted; a retention rule beyond it is a typo. */
export const MAX_DURATION_YEARS = 1000;

/** Returns the duration, or a message saying what is wrong with the text. */
export function parseDuration(text: string): { ok: true; value: Duration } | { ok: false; message: string } {
  const bad = (why: string) => ({
    ok: false as const,
    message: `invalid duration "${text}": ${why}; use whole numbers with units y, m, d, h, e.g. 1y6m, 14d, 36h`,
  });
  if (text.length === 0) return bad("it is empty");
  if (text.startsWith("-")) return bad("durations cannot be negative");
  const value: Duration = { years: 0, months: 0, days: 0, hours: 0 };
  PART.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) {
      const rest = text.slice(pos);
      const unit = /^\d+([a-zA-Z])/.exec(rest)?.[1];
      return bad(unit ? `unknown unit "${unit}"` : `cannot read "${rest}"`);
    }
    const n = Number(m[1]);
    if (!Number.isSafeInteger(n)) return bad("number too large");
    switch (m[2]) {
      case "y": value.years = n; break;
      case "m": value.months = n; break;
      case "d": value.days = n; break;
      case "h": value.hours = n; break;
    }
    pos = PART.lastIndex;
  }
  // Calendar arithmetic that far back leaves JavaScript's date range (and means nothing).
  const years = value.years + value.months / 12 + value.days / 365.25 + value.hours / 8766;
  if (years > MAX_DURATION_YEARS) return bad(`longer than ${MAX_DURATION_YEARS} years`);
  return { ok: true, value };
}

export function isZeroDuration(d: Duration): boolean {
  return d.years === 0 && d.months === 0 && d.days === 0 && d.hours === 0;
}

/** Canonical text, e.g. `1y6m`, `2d12h`, `0h` for zero. */
export function formatDuration(d: Duration): string {
  const parts: string[] = [];
  if (d.years) parts.push(`${d.years}y`);
  if (d.months) parts.push(`${d.months}m`);
  if (d.days) parts.push(`${d.days}d`);
  if (d.hours) parts.push(`${d.hours}h`);
  return parts.length ? parts.join("") : "0h";
}
