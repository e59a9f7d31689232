import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/domain/duration.js";

describe("parseDuration", () => {
  it.each([
    ["1y6m", { years: 1, months: 6, days: 0, hours: 0 }],
    ["14d", { years: 0, months: 0, days: 14, hours: 0 }],
    ["36h", { years: 0, months: 0, days: 0, hours: 36 }],
    ["2d12h", { years: 0, months: 0, days: 2, hours: 12 }],
    ["1d3d", { years: 0, months: 0, days: 3, hours: 0 }],
    ["1000y", { years: 1000, months: 0, days: 0, hours: 0 }],
  ])("reads %s", (text, value) => {
    expect(parseDuration(text)).toEqual({ ok: true, value });
  });

  it.each([
    ["2w", 'unknown unit "w"'],
    ["-1d", "cannot be negative"],
    ["", "empty"],
    ["1.5d", "cannot read"],
    ["d", "cannot read"],
    ["1d 2h", "cannot read"],
    ["300000y", "longer than 1000 years"],
    ["1001y", "longer than 1000 years"],
    ["9000000h", "longer than 1000 years"],
  ])("rejects %j", (text, why) => {
    const r = parseDuration(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(why);
  });

  it("formats canonically and round-trips", () => {
    for (const text of ["1y6m", "14d", "36h", "1y2m3d4h"]) {
      const r = parseDuration(text);
      if (!r.ok) throw new Error(r.message);
      expect(formatDuration(r.value)).toBe(text);
    }
    expect(formatDuration({ years: 0, months: 0, days: 0, hours: 0 })).toBe("0h");
  });
});
