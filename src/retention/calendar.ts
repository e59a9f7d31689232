import type { Duration } from "../domain/types.js";

/**
 * Wall-clock arithmetic in an IANA zone without a per-instant `Intl` call.
 *
 * Planning touches every backup, and `formatToParts` costs ~9 µs, so offsets are cached
 * per zone and UTC day: if the offsets at a day's two midnights (UTC) agree, the whole day
 * has that offset, since no zone transitions and transitions back within 24 hours (checked
 * at 6-hour steps for all 418 zones Node 20 ships, 1990–2036). A day whose offsets differ
 * has one transition, found to the second by bisection (~17 samples, once per such day):
 * transitions are not always on a 15-minute UTC grid (St. John's fell back at 00:01 local,
 * 02:31 UTC, until 2011). A year of random backup times costs ~370 samples (~0.3 s cold)
 * instead of one per backup.
 * The civil date math is done here with Howard Hinnant's days-from-civil algorithms.
 */
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;
/** Bounds the memory of a long-lived Lambda container that plans many distinct instants. */
const MAX_CACHED = 200_000;

/** The local calendar fields restic's bucket functions read (`ymdh`, `ymd`, `yw`, `ym`, `y`). */
export interface WallClock {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
  /** 0..23 */
  hour: number;
  isoWeekYear: number;
  /** 1..53, weeks run Monday–Sunday */
  isoWeek: number;
}

/**
 * Maps an instant to its wall clock in one zone; `timezone` says which. Pass `into` to
 * reuse one object in a hot loop instead of allocating one per call.
 */
export type ZonedClock = ((epochMs: number, into?: WallClock) => WallClock) & { readonly timezone: string };

/** A UTC day with one offset transition: `before` until `atMs`, `after` from it. */
interface Transition {
  atMs: number;
  before: number;
  after: number;
}

class ZoneOffsets {
  readonly #format: Intl.DateTimeFormat | undefined;
  /** UTC day → its offset, or its one transition. */
  readonly #days = new Map<number, number | Transition>();

  constructor(timezone: string) {
    // Throws RangeError for an unknown zone: the policy validator should have caught it.
    const format = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    this.#format = format.resolvedOptions().timeZone === "UTC" ? undefined : format;
  }

  /** Milliseconds to add to a UTC instant to get its local wall time. */
  offsetAt(utcMs: number): number {
    if (this.#format === undefined) return 0;
    const day = Math.floor(utcMs / MS_PER_DAY);
    let known = this.#days.get(day);
    if (known === undefined) {
      known = this.#learnDay(day);
      if (this.#days.size >= MAX_CACHED) this.#days.clear();
      this.#days.set(day, known);
    }
    if (typeof known === "number") return known;
    return utcMs < known.atMs ? known.before : known.after;
  }

  #learnDay(day: number): number | Transition {
    const startMs = day * MS_PER_DAY;
    const before = this.#sample(startMs);
    const after = this.#sample(startMs + MS_PER_DAY);
    if (before === after) return before;
    // The first whole second with the new offset (Intl reads whole seconds; tz
    // transitions fall on them): lo always has `before`, hi always `after`.
    let lo = startMs / 1000;
    let hi = lo + MS_PER_DAY / 1000;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.#sample(mid * 1000) === before) lo = mid;
      else hi = mid;
    }
    return { atMs: hi * 1000, before, after };
  }

  #sample(utcMs: number): number {
    let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    for (const part of this.#format!.formatToParts(utcMs)) {
      const v = Number(part.value);
      switch (part.type) {
        case "year": y = v; break;
        case "month": mo = v; break;
        case "day": d = v; break;
        case "hour": h = v; break;
        case "minute": mi = v; break;
        case "second": s = v; break;
      }
    }
    const localMs = daysFromCivil(y, mo, d) * MS_PER_DAY + h * MS_PER_HOUR + mi * 60_000 + s * 1000;
    return localMs - utcMs;
  }
}

const zones = new Map<string, ZoneOffsets>();

function zoneFor(timezone: string): ZoneOffsets {
  let zone = zones.get(timezone);
  if (zone === undefined) {
    zone = new ZoneOffsets(timezone);
    zones.set(timezone, zone);
  }
  return zone;
}

/** Days since 1970-01-01 of a proleptic Gregorian date; month may be 1..12 only. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date of a day number, packed as YYYYMMDD so the hot path allocates nothing. */
function civilFromDays(days: number): number {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return year * 10000 + month * 100 + day;
}

/**
 * A clock for one zone.
 * @example zonedClock("Europe/Berlin")(Date.parse("2026-01-03T23:30:00Z"))
 *   // { year: 2026, month: 1, day: 4, hour: 0, isoWeekYear: 2026, isoWeek: 1 }
 */
export function zonedClock(timezone: string): ZonedClock {
  const zone = zoneFor(timezone);
  const clock = (epochMs: number, into?: WallClock): WallClock => {
    const local = epochMs + zone.offsetAt(epochMs);
    const days = Math.floor(local / MS_PER_DAY);
    const ymd = civilFromDays(days);
    // ISO 8601: the week belongs to the year of its Thursday. Day 0 was a Thursday.
    const mondayBased = (((days + 3) % 7) + 7) % 7;
    const thursday = days - mondayBased + 3;
    const isoWeekYear = Math.floor(civilFromDays(thursday) / 10000);
    const w = into ?? { year: 0, month: 0, day: 0, hour: 0, isoWeekYear: 0, isoWeek: 0 };
    w.year = Math.floor(ymd / 10000);
    w.month = Math.floor(ymd / 100) % 100;
    w.day = ymd % 100;
    w.hour = Math.floor((local - days * MS_PER_DAY) / MS_PER_HOUR);
    w.isoWeekYear = isoWeekYear;
    w.isoWeek = Math.floor((thursday - daysFromCivil(isoWeekYear, 1, 1)) / 7) + 1;
    return w;
  };
  return Object.assign(clock, { timezone });
}

/**
 * Converts a local wall time (ms since the local epoch) to UTC the way Go's `time.Date`
 * does, so restic thresholds match: take the offset in force at the local value read as
 * UTC, and if the resulting instant is in another offset period, use that period's offset.
 * Deterministic, if asymmetric, for times that do not exist or occur twice:
 * - a gap (spring forward) resolves with the offset before the transition in zones east
 *   of UTC (Berlin 02:30 → 03:30 CEST) and after it in zones west of UTC (New York
 *   02:30 → 01:30 EST);
 * - an overlap (fall back) resolves to the later instant east of UTC (Berlin 02:30 CET)
 *   and the earlier one west of UTC (New York 01:30 EDT).
 */
function localToUtc(zone: ZoneOffsets, localMs: number): number {
  const guess = localMs - zone.offsetAt(localMs);
  return localMs - zone.offsetAt(guess);
}

/**
 * The earliest instant a local wall time can mean: in a DST overlap the first pass, in a
 * gap the instant before it. Guards use it so that a protecting cutoff never lands later
 * than the wall clock says (no zone moves its offset twice within a day).
 */
function localToUtcEarliest(zone: ZoneOffsets, localMs: number): number {
  const candidates = [localMs - zone.offsetAt(localMs - MS_PER_DAY), localMs - zone.offsetAt(localMs + MS_PER_DAY)];
  const valid = candidates.filter((u) => u + zone.offsetAt(u) === localMs);
  // None valid: the wall time falls in a gap; the earlier reading is the safer cutoff.
  return Math.min(...(valid.length > 0 ? valid : candidates));
}

/**
 * restic's `threshold(t, D)`: `t.AddDate(-years, -months, -days).Add(-hours)` in `timezone`.
 * Calendar steps keep the local wall time and roll overflow forward like Go
 * (2024-03-31 minus 1 month is "2024-02-31", i.e. 2024-03-02); hours are absolute.
 * With no calendar part this is plain subtraction: calendar addition of zero is the
 * identity, and skipping it avoids Go's re-resolution of a time inside a DST overlap.
 *
 * `protective` is for guards that keep backups: a day the target month lacks is clamped to
 * its last day (2025-03-31 minus 1 month is 2025-02-28, where rolling forward would make
 * "1m" protect only 28 days), and a wall time that a DST change makes ambiguous or skips
 * resolves to its earliest instant, so the cutoff is never later than the calendar says.
 */
export function subtractCalendar(epochMs: number, d: Duration, timezone: string, options: { protective?: boolean } = {}): number {
  const hoursMs = d.hours * MS_PER_HOUR;
  if (d.years === 0 && d.months === 0 && d.days === 0) return epochMs - hoursMs;
  const zone = zoneFor(timezone);
  const local = epochMs + zone.offsetAt(epochMs);
  const days = Math.floor(local / MS_PER_DAY);
  const timeOfDayMs = local - days * MS_PER_DAY;
  const ymd = civilFromDays(days);
  // Go normalises the month first (carrying into the year), then adds the days.
  const monthIndex = Math.floor(ymd / 100) % 100 - 1 - d.months;
  const year = Math.floor(ymd / 10000) - d.years + Math.floor(monthIndex / 12);
  const month = (((monthIndex % 12) + 12) % 12) + 1;
  let day = ymd % 100;
  if (options.protective) {
    const nextMonthStart = month === 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1);
    day = Math.min(day, nextMonthStart - daysFromCivil(year, month, 1));
  }
  const targetDays = daysFromCivil(year, month, 1) + day - d.days - 1;
  const target = targetDays * MS_PER_DAY + timeOfDayMs;
  return (options.protective ? localToUtcEarliest(zone, target) : localToUtc(zone, target)) - hoursMs;
}
