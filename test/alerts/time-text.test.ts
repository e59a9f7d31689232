import { describe, expect, it } from "vitest";
import { isoUtc, localAndUtc, localTime, relativeText, spanText, stageText } from "../../src/alerts/time-text.js";
import { at, DAY, HOUR } from "./fixtures.js";

describe("localTime", () => {
  // Europe/Berlin leaves summer time on 2026-10-25 at 01:00 UTC (03:00 CEST becomes 02:00 CET),
  // so 00:30Z and 01:30Z both read 02:30 on the wall, once as CEST and once as CET.
  it.each([
    ["2026-10-25T00:30:00Z", "Europe/Berlin", "2026-10-25 02:30 CEST"],
    ["2026-10-25T01:30:00Z", "Europe/Berlin", "2026-10-25 02:30 CET"],
    ["2026-11-27T03:13:00Z", "Europe/Berlin", "2026-11-27 04:13 CET"],
    ["2026-07-01T12:00:00Z", "Europe/London", "2026-07-01 13:00 BST"],
    ["2026-01-15T12:00:00Z", "America/New_York", "2026-01-15 07:00 EST"],
    ["2026-03-08T07:30:00Z", "America/New_York", "2026-03-08 03:30 EDT"],
    // No common English abbreviation: the numeric offset, written as UTC+n.
    ["2026-11-27T03:13:00Z", "Asia/Tokyo", "2026-11-27 12:13 UTC+9"],
    ["2026-11-27T03:13:00Z", "Asia/Kolkata", "2026-11-27 08:43 UTC+5:30"],
    ["2026-11-27T03:13:00Z", "UTC", "2026-11-27 03:13 UTC"],
  ])("%s in %s reads %s", (iso, zone, expected) => {
    expect(localTime(at(iso), zone)).toBe(expected);
  });

  it("falls back to UTC for a zone Intl does not know, rather than failing the alert", () => {
    expect(localTime(at("2026-11-27T03:13:00Z"), "Mars/Olympus_Mons")).toBe("2026-11-27 03:13 UTC");
  });

  it("says so for an instant a Date cannot hold", () => {
    expect(localTime(1e20, "Europe/Berlin")).toBe("(unknown time)");
    expect(isoUtc(Number.NaN)).toBe("(unknown time)");
  });
});

describe("localAndUtc", () => {
  it("gives the wall clock and the UTC instant", () => {
    expect(localAndUtc(at("2026-11-27T03:13:00Z"), "Europe/Berlin")).toBe("2026-11-27 04:13 CET (2026-11-27T03:13:00Z)");
  });

  it("says a UTC time once", () => {
    expect(localAndUtc(at("2026-11-27T03:13:00Z"), "UTC")).toBe("2026-11-27T03:13:00Z");
    expect(localAndUtc(at("2026-11-27T03:13:00Z"), "Etc/UTC")).toBe("2026-11-27T03:13:00Z");
  });
});

describe("relativeText", () => {
  const now = at("2026-10-24T06:16:00Z");
  // Worked by hand: a backup deleted at 06:15 is gone for good 7 days later, at
  // 2026-10-31T06:15Z; one minute after the deletion, 6 days 23 h 59 min are left, and
  // whole units rounded down read "6 days 23 h". Elapsed time, so the DST change on
  // 2026-10-25 (a 25-hour day on Berlin's wall clock) changes nothing.
  it.each([
    [at("2026-10-31T06:15:00Z"), "in 6 days 23 h"],
    [now + 7 * DAY, "in 7 days"],
    [now + DAY, "in 1 day"],
    [now + DAY + HOUR, "in 1 day 1 h"],
    [now + 2 * DAY + 59 * 60_000, "in 2 days"],
    [now + 2 * HOUR - 60_000, "in 1 h 59 min"],
    [now + HOUR, "in 1 h"],
    [now + 5 * 60_000 + 59_000, "in 5 min"],
    [now + 59_000, "in less than a minute"],
    [now, "in less than a minute"],
    [now - 2 * HOUR, "2 h ago"],
    [now - 30_000, "less than a minute ago"],
  ])("%s reads %s", (target, expected) => {
    expect(relativeText(target, now)).toBe(expected);
  });
});

describe("spanText and stageText", () => {
  it("writes singulars and plurals", () => {
    expect(spanText(DAY)).toBe("1 day");
    expect(spanText(3 * DAY + 2 * HOUR)).toBe("3 days 2 h");
    expect(spanText(-5)).toBe("0 min");
  });

  it("writes stages in hours, as configured", () => {
    expect(stageText(72 * HOUR)).toBe("72 h");
    expect(stageText(24 * HOUR)).toBe("24 h");
    expect(stageText(90 * 60_000)).toBe("1 h 30 min");
  });
});
