import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WITHIN_BUCKET_RULES } from "../../src/domain/types.js";
import { bucketStarts } from "../../src/retention/buckets.js";
import { zonedClock } from "../../src/retention/calendar.js";
import { bucketKey } from "../../src/retention/keep.js";

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const starts = (...args: Parameters<typeof bucketStarts>) => bucketStarts(...args)?.map((b) => `${iso(b.startMs)} ${b.label}`);

describe("bucketStarts (the timeline's bucket boundaries)", () => {
  it.each([
    // Berlin: days begin at 23:00Z in winter, 22:00Z in summer; 2026-03-29 is 23 hours long.
    ["daily", "2026-03-28T12:00:00Z", "2026-03-30T12:00:00Z", "Europe/Berlin", ["2026-03-28T23:00:00Z 2026-03-29", "2026-03-29T22:00:00Z 2026-03-30"]],
    // Kathmandu is UTC+05:45: ISO weeks begin on Sunday at 18:15Z.
    ["weekly", "2026-11-01T00:00:00Z", "2026-11-20T00:00:00Z", "Asia/Kathmandu", ["2026-11-01T18:15:00Z 2026-W45", "2026-11-08T18:15:00Z 2026-W46", "2026-11-15T18:15:00Z 2026-W47"]],
    // New York: months begin at 05:00Z in winter, 04:00Z in summer (DST from 2026-03-08).
    ["monthly", "2026-01-15T00:00:00Z", "2026-04-15T00:00:00Z", "America/New_York", ["2026-02-01T05:00:00Z 2026-02", "2026-03-01T05:00:00Z 2026-03", "2026-04-01T04:00:00Z 2026-04"]],
    // Berlin's fall-back night: 02:00-03:00 local happens twice, and restic's key is the wall clock, so one hourly bucket spans two hours.
    ["hourly", "2026-10-24T23:30:00Z", "2026-10-25T02:30:00Z", "Europe/Berlin", ["2026-10-25T00:00:00Z 2026-10-25 02h", "2026-10-25T02:00:00Z 2026-10-25 03h"]],
    ["yearly", "2025-06-01T00:00:00Z", "2027-06-01T00:00:00Z", "UTC", ["2026-01-01T00:00:00Z 2026", "2027-01-01T00:00:00Z 2027"]],
  ] as const)("%s from %s to %s in %s", (rule, from, to, tz, expected) => {
    expect(starts(rule, Date.parse(from), Date.parse(to), tz)).toEqual(expected);
  });

  it("gives up (undefined) past max boundaries rather than draw a smear", () => {
    expect(bucketStarts("hourly", 0, 365 * 86_400_000, "UTC", 2000)).toBeUndefined();
    // (from, to]: the 30th midnight is the end itself.
    expect(bucketStarts("daily", 0, 30 * 86_400_000, "UTC", 2000)).toHaveLength(30);
  });

  it("puts every instant in the bucket the engine puts it in (any zone, any rule)", () => {
    const zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe", "America/Santiago"];
    fc.assert(
      fc.property(
        fc.constantFrom(...WITHIN_BUCKET_RULES.filter((r) => r !== "yearly")),
        fc.constantFrom(...zones),
        fc.integer({ min: Date.parse("2020-01-01T00:00:00Z"), max: Date.parse("2030-01-01T00:00:00Z") }),
        fc.integer({ min: 1, max: 40 * 86_400_000 }),
        (rule, tz, fromMs, spanMs) => {
          const list = bucketStarts(rule, fromMs, fromMs + spanMs, tz, 100_000)!;
          const b = WITHIN_BUCKET_RULES.indexOf(rule);
          const clock = zonedClock(tz);
          const key = (t: number) => bucketKey(b, clock(t));
          for (const s of list) {
            // A boundary: the key changes exactly there (to the minute).
            expect(key(s.startMs)).not.toBe(key(s.startMs - 60_000));
          }
          // No boundary is missed: between two found ones (and the ends) the key stays put,
          // looked at every 15 minutes (hourly keys repeat in a fall-back hour, so not hourly).
          if (rule === "hourly") return;
          const edges = [fromMs, ...list.map((s) => s.startMs), fromMs + spanMs + 1];
          for (let i = 0; i + 1 < edges.length; i++) {
            const first = key(edges[i]!);
            for (let t = edges[i]!; t < edges[i + 1]!; t += 15 * 60_000) expect(key(t)).toBe(first);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
