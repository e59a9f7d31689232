import { isoSeconds, isValidEpochMs } from "../domain/time.js";

/**
 * Times as people read them in an alert: wall clock in the policy's zone with the zone's
 * usual abbreviation, the same instant in UTC, and "how long from now" in whole units.
 * No clock here: "now" is always the alert's `nowMs`.
 */

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

/** Shown for an instant a Date cannot hold, rather than failing the whole alert. */
const UNKNOWN_TIME = "(unknown time)";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, timezone: string): Intl.DateTimeFormat {
  const key = `${locale} ${timezone}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone: timezone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    formatters.set(key, f);
  }
  return f;
}

function parts(epochMs: number, locale: string, timezone: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of formatter(locale, timezone).formatToParts(epochMs)) out[p.type] = p.value;
  return out;
}

const utcZones = new Map<string, boolean>();
const britishNames = new Map<string, string>();

/** True for a zone name Intl knows; an unknown one would throw when formatting. */
export function isKnownZone(timezone: string): boolean {
  try {
    formatter("en-US", timezone);
    return true;
  } catch {
    return false;
  }
}

/** Whether the zone is UTC under another name (`UTC`, `Etc/UTC`...), or unknown (shown as UTC). */
export function isUtcZone(timezone: string): boolean {
  let utc = utcZones.get(timezone);
  if (utc === undefined) {
    utc = !isKnownZone(timezone) || formatter("en-US", timezone).resolvedOptions().timeZone === "UTC";
    if (utcZones.size < 1000) utcZones.set(timezone, utc);
  }
  return utc;
}

/**
 * The zone's abbreviation at that instant. ICU's English names differ by locale: en-US
 * knows EST/PST but says GMT+1 for Berlin, en-GB knows CET/CEST/BST but says GMT-5 for
 * New York. Take whichever is a real abbreviation; where neither is (Asia/Tokyo), the
 * numeric offset, written `UTC+9`. The UTC time is always shown beside it, so an
 * ambiguous abbreviation (IST, CST) cannot mislead.
 */
function zoneName(epochMs: number, timezone: string, us: string): string {
  if (!/^GMT[+-]/.test(us)) return us;
  // Within one zone, one offset has one abbreviation (GMT+1 is CET in Berlin): look the
  // British name up once per zone and offset, not once per time shown.
  const key = `${timezone} ${us}`;
  let name = britishNames.get(key);
  if (name === undefined) {
    const gb = parts(epochMs, "en-GB", timezone).timeZoneName ?? "";
    name = gb && !/^GMT[+-]/.test(gb) ? gb : us.replace(/^GMT/, "UTC");
    if (britishNames.size < 4096) britishNames.set(key, name);
  }
  return name;
}

/**
 * `2026-11-27 04:13 CET`: wall clock in `timezone`. An unknown zone (which policy
 * validation should have refused) falls back to UTC rather than failing the alert.
 */
export function localTime(epochMs: number, timezone: string): string {
  if (!isValidEpochMs(epochMs)) return UNKNOWN_TIME;
  const zone = isKnownZone(timezone) ? timezone : "UTC";
  const p = parts(epochMs, "en-US", zone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${zoneName(epochMs, zone, p.timeZoneName ?? "")}`;
}

/** `2026-11-27T03:13:00Z`: ISO-8601 UTC to the second. */
export function isoUtc(epochMs: number): string {
  if (!isValidEpochMs(epochMs)) return UNKNOWN_TIME;
  return isoSeconds(epochMs);
}

/**
 * `2026-11-27 04:13 CET (2026-11-27T03:13:00Z)`; only the UTC form when the zone is
 * UTC, where the two would say the same thing twice.
 */
export function localAndUtc(epochMs: number, timezone: string): string {
  if (!isValidEpochMs(epochMs)) return UNKNOWN_TIME;
  return isUtcZone(timezone) ? isoUtc(epochMs) : `${localTime(epochMs, timezone)} (${isoUtc(epochMs)})`;
}

/**
 * A span in whole units, rounded down: `6 days 23 h`, `1 day`, `1 h 59 min`, `5 min`.
 * Rounding down is deliberate: "in 6 days 23 h" when 6 days 23 h 59 min remain never
 * promises more time than is left.
 */
export function spanText(ms: number): string {
  const span = Number.isFinite(ms) ? Math.max(0, ms) : 0;
  const days = Math.floor(span / MS_PER_DAY);
  const hours = Math.floor((span % MS_PER_DAY) / MS_PER_HOUR);
  const minutes = Math.floor((span % MS_PER_HOUR) / MS_PER_MINUTE);
  if (days > 0) return hours > 0 ? `${days} ${days === 1 ? "day" : "days"} ${hours} h` : `${days} ${days === 1 ? "day" : "days"}`;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  return `${minutes} min`;
}

/** `in 6 days 23 h`, `in less than a minute`, `2 h ago`, measured from `nowMs`. */
export function relativeText(targetMs: number, nowMs: number): string {
  if (!isValidEpochMs(targetMs) || !isValidEpochMs(nowMs)) return "(unknown)";
  const diff = targetMs - nowMs;
  if (diff >= 0) return diff < MS_PER_MINUTE ? "in less than a minute" : `in ${spanText(diff)}`;
  return -diff < MS_PER_MINUTE ? "less than a minute ago" : `${spanText(-diff)} ago`;
}

/**
 * A reminder stage as configured: `72 h`, `24 h`, `2 h` (stages are whole hours in the
 * policy grammar; anything finer is written out, e.g. `1 h 30 min`).
 */
export function stageText(stageMs: number): string {
  return stageMs > 0 && stageMs % MS_PER_HOUR === 0 ? `${stageMs / MS_PER_HOUR} h` : spanText(stageMs);
}
