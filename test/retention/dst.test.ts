import { describe, expect, it } from "vitest";
import type { Backup, KeepRules } from "../../src/domain/types.js";
import { zonedClock } from "../../src/retention/calendar.js";
import { applyKeepRules } from "../../src/retention/keep.js";
import { backup, dur, keepRules, ms } from "../support/backup-factory.js";
import { keptIds, reasonsOf } from "./fixture.js";

/**
 * Buckets use the wall clock in the policy's zone, exactly like restic's `ymdh`/`ymd`/`yw`
 * on a time in a location. Consequences pinned here:
 * - the hour skipped at spring forward has no bucket; the two sides are different hours;
 * - the hour repeated at fall back is ONE hourly bucket (same local Y-M-D-H), so only
 *   the newer of 01:30 EDT and 01:30 EST is the hourly representative;
 * - a local day is a bucket whether it lasts 23, 24 or 25 hours.
 */
function run(zone: string, rules: Partial<KeepRules>, list: Backup[], now = "2027-06-01T00:00:00Z") {
  return applyKeepRules(list, keepRules(rules), zonedClock(zone), ms(now));
}
const b = (id: string, at: string) => backup({ id, at });

describe("hourly buckets across DST", () => {
  it("Berlin spring forward: 01:30 CET and 03:30 CEST are separate hours, 02h does not exist", () => {
    const out = run("Europe/Berlin", { hourly: 5 }, [b("cet", "2026-03-29T00:30:00Z"), b("cest", "2026-03-29T01:30:00Z")]);
    expect(reasonsOf(out, "cest")).toEqual(["hourly 2026-03-29 03h"]);
    expect(reasonsOf(out, "cet")).toEqual(["hourly 2026-03-29 01h"]);
  });

  it("New York fall back: 01:30 EDT and 01:30 EST share the 01h bucket; the newer represents it", () => {
    const list = [b("edt", "2026-11-01T05:30:00Z"), b("est", "2026-11-01T06:30:00Z"), b("midnight", "2026-11-01T04:10:00Z")];
    const out = run("America/New_York", { hourly: 5 }, list);
    expect(reasonsOf(out, "est")).toEqual(["hourly 2026-11-01 01h"]);
    expect(reasonsOf(out, "edt")).toEqual([]);
    expect(reasonsOf(out, "midnight")).toEqual(["hourly 2026-11-01 00h"]);
  });

  it("Berlin fall back: 02:30 CEST and 02:30 CET (a backup at 02:30 twice) share one bucket", () => {
    const list = [b("first", "2026-10-25T00:30:00Z"), b("second", "2026-10-25T01:30:00Z"), b("older", "2026-10-24T20:00:00Z")];
    const out = run("Europe/Berlin", { hourly: 5 }, list);
    expect(keptIds(out)).toEqual(["second", "older"]);
    expect(reasonsOf(out, "second")).toEqual(["hourly 2026-10-25 02h"]);
  });

  it("UTC has no such overlap: the same two instants are two hours", () => {
    const out = run("UTC", { hourly: 5 }, [b("edt", "2026-11-01T05:30:00Z"), b("est", "2026-11-01T06:30:00Z")]);
    expect(keptIds(out)).toEqual(["est", "edt"]);
  });
});

describe("daily buckets on 23-hour and 25-hour days", () => {
  it.each([
    ["Europe/Berlin", "23h day", "2026-03-29T21:30:00Z", "2026-03-29T22:30:00Z", "2026-03-29", "2026-03-30"],
    ["Europe/Berlin", "25h day", "2026-10-25T22:30:00Z", "2026-10-25T23:30:00Z", "2026-10-25", "2026-10-26"],
    ["America/New_York", "23h day", "2026-03-09T03:30:00Z", "2026-03-09T04:30:00Z", "2026-03-08", "2026-03-09"],
    ["America/New_York", "25h day", "2026-11-02T04:30:00Z", "2026-11-02T05:30:00Z", "2026-11-01", "2026-11-02"],
  ])("%s %s: 23:30 local stays on its day, 00:30 local is the next", (zone, _day, lateAt, nextAt, lateDay, nextDay) => {
    const out = run(zone, { daily: 5 }, [b("late", lateAt), b("next", nextAt)]);
    expect(reasonsOf(out, "late")).toEqual([`daily ${lateDay}`]);
    expect(reasonsOf(out, "next")).toEqual([`daily ${nextDay}`]);
  });

  it("a backup at 00:30 Berlin is the previous day in UTC", () => {
    const list = [b("night", "2026-06-14T22:30:00Z"), b("evening", "2026-06-14T18:00:00Z")];
    expect(reasonsOf(run("Europe/Berlin", { daily: 5 }, list), "night")).toEqual(["daily 2026-06-15"]);
    expect(reasonsOf(run("Europe/Berlin", { daily: 5 }, list), "evening")).toEqual(["daily 2026-06-14"]);
    // In UTC both fall on 06-14: only the newer represents the day; the older is "oldest daily".
    expect(reasonsOf(run("UTC", { daily: 5 }, list), "evening")).toEqual(["oldest daily"]);
  });
});

describe("within across DST", () => {
  it("within 1m in Berlin keeps the local wall time: 04-15 12:00 CEST minus 1m is 03-15 12:00 CET (11:00Z)", () => {
    const list = [b("latest", "2026-04-15T10:00:00Z"), b("after", "2026-03-15T11:01:00Z"), b("before", "2026-03-15T10:59:00Z")];
    expect(keptIds(run("Europe/Berlin", { within: dur({ months: 1 }) }, list))).toEqual(["latest", "after"]);
    // The same rule in UTC puts the threshold at 10:00Z.
    expect(keptIds(run("UTC", { within: dur({ months: 1 }) }, list))).toEqual(["latest", "after", "before"]);
  });

  it("within 1d across New York spring forward spans 23 hours", () => {
    const list = [b("latest", "2026-03-08T16:00:00Z"), b("22h", "2026-03-07T18:00:00Z"), b("24h", "2026-03-07T16:00:00Z")];
    const out = run("America/New_York", { within: dur({ days: 1 }) }, list);
    expect(keptIds(out)).toEqual(["latest", "22h"]);
  });

  it("within 24h is absolute in every zone", () => {
    const list = [b("latest", "2026-03-08T16:00:00Z"), b("23.5h", "2026-03-07T16:30:00Z")];
    expect(keptIds(run("America/New_York", { within: dur({ hours: 24 }) }, list))).toEqual(["latest", "23.5h"]);
  });
});

describe("weekly buckets at ISO year boundaries outside UTC", () => {
  it("Sunday evening in New York is still 2026-W53 while UTC already says 2027-W01", () => {
    const list = [b("sun-night", "2027-01-04T03:00:00Z"), b("sun-noon", "2027-01-03T17:00:00Z")];
    const ny = run("America/New_York", { weekly: 5 }, list);
    expect(reasonsOf(ny, "sun-night")).toEqual(["weekly 2026-W53"]);
    expect(reasonsOf(ny, "sun-noon")).toEqual(["oldest weekly"]);
    const utc = run("UTC", { weekly: 5 }, list);
    expect(reasonsOf(utc, "sun-night")).toEqual(["weekly 2027-W01"]);
    expect(reasonsOf(utc, "sun-noon")).toEqual(["weekly 2026-W53"]);
  });

  it("Sunday 23:30 UTC is Monday of 2026-W53 in Berlin", () => {
    const out = run("Europe/Berlin", { weekly: 5 }, [b("x", "2026-12-27T23:30:00Z"), b("y", "2026-12-27T12:00:00Z")]);
    expect(reasonsOf(out, "x")).toEqual(["weekly 2026-W53"]);
    expect(reasonsOf(out, "y")).toEqual(["weekly 2026-W52"]);
  });
});
