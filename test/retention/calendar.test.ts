import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Duration } from "../../src/domain/types.js";
import { subtractCalendar, zonedClock } from "../../src/retention/calendar.js";
import { dur, ms } from "../support/backup-factory.js";

const ZONES = [
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "America/St_Johns",
] as const;

/** The slow, obviously-correct path: one Intl call per instant. */
function intlParts(timezone: string, t: number) {
  const f = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
    hour: "numeric", minute: "numeric", second: "numeric",
  });
  const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, Number(x.value)]));
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute!, second: p.second! };
}

/** ISO week from a calendar date, the textbook way (shift to the week's Thursday). */
function isoWeek(y: number, m: number, d: number): { isoWeekYear: number; isoWeek: number } {
  const date = new Date(Date.UTC(y, m - 1, d));
  date.setUTCDate(date.getUTCDate() + 3 - ((date.getUTCDay() + 6) % 7));
  const isoWeekYear = date.getUTCFullYear();
  const week = Math.floor((date.getTime() - Date.UTC(isoWeekYear, 0, 1)) / 86_400_000 / 7) + 1;
  return { isoWeekYear, isoWeek: week };
}

function intlOffset(timezone: string, t: number): number {
  const p = intlParts(timezone, t);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(t / 1000) * 1000;
}

/** Go's `AddDate` + `Date` re-resolution, built from Date.UTC (which normalises like Go) and raw Intl. */
function referenceSubtract(t: number, d: Duration, timezone: string): number {
  if (d.years === 0 && d.months === 0 && d.days === 0) return t - d.hours * 3_600_000;
  const p = intlParts(timezone, t);
  const local = Date.UTC(p.year - d.years, p.month - 1 - d.months, p.day - d.days, p.hour, p.minute, p.second, t % 1000);
  return local - intlOffset(timezone, local - intlOffset(timezone, local)) - d.hours * 3_600_000;
}

const instant = fc.integer({ min: ms("1995-01-01T00:00:00Z"), max: ms("2040-12-31T00:00:00Z") });

describe("zonedClock", () => {
  it("agrees with Intl and the textbook ISO week for any instant in several zones", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, (zone, t) => {
        const p = intlParts(zone, t);
        expect(zonedClock(zone)(t)).toEqual({ year: p.year, month: p.month, day: p.day, hour: p.hour, ...isoWeek(p.year, p.month, p.day) });
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ["2016-01-03T12:00:00Z", "UTC", 2015, 53],
    ["2021-01-03T12:00:00Z", "UTC", 2020, 53],
    ["2027-01-03T12:00:00Z", "UTC", 2026, 53],
    ["2027-01-04T00:00:00Z", "UTC", 2027, 1],
    ["2025-12-29T00:00:00Z", "UTC", 2026, 1],
    // Sunday 22:00 in New York is already Monday in UTC.
    ["2027-01-04T03:00:00Z", "America/New_York", 2026, 53],
    // Sunday 23:30 UTC is Monday 00:30 in Berlin.
    ["2026-12-27T23:30:00Z", "Europe/Berlin", 2026, 53],
  ])("puts %s (%s) in ISO week %i-W%i", (at, zone, year, week) => {
    const w = zonedClock(zone)(ms(at));
    expect([w.isoWeekYear, w.isoWeek]).toEqual([year, week]);
  });

  it("reads a transition that is off the 15-minute UTC grid exactly (St. John's, 2007-11-04 02:31Z)", () => {
    const clock = zonedClock("America/St_Johns");
    // One second before: 00:00:59 NDT on Nov 4. At the transition: 23:01 NST on Nov 3.
    expect(clock(ms("2007-11-04T02:30:59Z"))).toMatchObject({ day: 4, hour: 0 });
    expect(clock(ms("2007-11-04T02:31:00Z"))).toMatchObject({ day: 3, hour: 23 });
    expect(clock(ms("2007-11-04T02:44:00Z"))).toMatchObject({ day: 3, hour: 23 });
  });

  it("throws for an unknown zone", () => {
    expect(() => zonedClock("Mars/Olympus_Mons")).toThrow(RangeError);
  });
});

describe("subtractCalendar", () => {
  it.each([
    ["Go AddDate overflow: 03-31 minus 1m is 02-31, i.e. 03-02", "2024-03-31T10:00:00Z", dur({ months: 1 }), "UTC", "2024-03-02T10:00:00.000Z"],
    ["leap day minus 1y rolls to 03-01", "2024-02-29T10:00:00Z", dur({ years: 1 }), "UTC", "2023-03-01T10:00:00.000Z"],
    ["months carry into years", "2026-02-15T00:00:00Z", dur({ months: 14 }), "UTC", "2024-12-15T00:00:00.000Z"],
    ["hours are absolute", "2026-03-30T12:00:00Z", dur({ days: 1, hours: 36 }), "UTC", "2026-03-28T00:00:00.000Z"],
    ["Berlin month end keeps local 12:00 across DST", "2024-03-31T10:00:00Z", dur({ months: 1 }), "Europe/Berlin", "2024-03-02T11:00:00.000Z"],
    ["Berlin 1d from the day after spring forward is 24 h (both CEST)", "2026-03-30T10:00:00Z", dur({ days: 1 }), "Europe/Berlin", "2026-03-29T10:00:00.000Z"],
    ["Berlin 2d across spring forward is 47 h", "2026-03-30T10:00:00Z", dur({ days: 2 }), "Europe/Berlin", "2026-03-28T11:00:00.000Z"],
    ["New York 1d across spring forward is 23 h", "2026-03-08T16:00:00Z", dur({ days: 1 }), "America/New_York", "2026-03-07T17:00:00.000Z"],
    ["New York 1d across fall back is 25 h", "2026-11-01T17:00:00Z", dur({ days: 1 }), "America/New_York", "2026-10-31T16:00:00.000Z"],
    // Gaps and overlaps resolve as Go's time.Date does (see localToUtc).
    ["Berlin gap 02:30 resolves to 03:30 CEST", "2026-03-30T00:30:00Z", dur({ days: 1 }), "Europe/Berlin", "2026-03-29T01:30:00.000Z"],
    ["New York gap 02:30 resolves to 01:30 EST", "2026-03-09T06:30:00Z", dur({ days: 1 }), "America/New_York", "2026-03-08T06:30:00.000Z"],
    ["Berlin overlap 02:30 resolves to the later (CET)", "2026-10-26T01:30:00Z", dur({ days: 1 }), "Europe/Berlin", "2026-10-25T01:30:00.000Z"],
    ["New York overlap 01:30 resolves to the earlier (EDT)", "2026-11-02T06:30:00Z", dur({ days: 1 }), "America/New_York", "2026-11-01T05:30:00.000Z"],
    // St. John's fell back at 00:01 local until 2011 (02:31 UTC): a transition off the
    // 15-minute UTC grid. At 02:31Z it is already 23:01 NST on Nov 3; a day earlier is
    // 23:01 NDT on Nov 2, i.e. 01:31Z. (Found by the property below, seed 663185504.)
    ["St. John's 2007 fall back at 00:01 local, at the instant itself", "2007-11-04T02:31:00Z", dur({ days: 1 }), "America/St_Johns", "2007-11-03T01:31:00.000Z"],
  ])("%s", (_name, at, d, zone, expected) => {
    expect(new Date(subtractCalendar(ms(at), d, zone)).toISOString()).toBe(expected);
  });

  it("matches a direct Go-style reference built on raw Intl for random instants and durations", () => {
    const duration = fc.record({
      years: fc.integer({ min: 0, max: 3 }),
      months: fc.integer({ min: 0, max: 25 }),
      days: fc.integer({ min: 0, max: 400 }),
      hours: fc.integer({ min: 0, max: 50 }),
    });
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, duration, (zone, t, d) => {
        expect(subtractCalendar(t, d, zone)).toBe(referenceSubtract(t, d, zone));
      }),
      { numRuns: 2000 },
    );
  });
});
