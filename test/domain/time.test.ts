import { describe, expect, it } from "vitest";
import { isValidEpochMs, MAX_ABS_EPOCH_MS, parseIsoInstant } from "../../src/domain/time.js";

describe("parseIsoInstant", () => {
  it.each([
    ["2026-11-28T06:00:00Z", Date.UTC(2026, 10, 28, 6)],
    ["2026-11-28T06:00Z", Date.UTC(2026, 10, 28, 6)],
    ["2026-11-28T07:00:00.250+01:00", Date.UTC(2026, 10, 28, 6, 0, 0, 250)],
    ["2026-11-28T01:00:00-0500", Date.UTC(2026, 10, 28, 6)],
    ["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
  ])("reads %s", (text, ms) => {
    expect(parseIsoInstant(text)).toBe(ms);
  });

  it.each([
    "2026-02-30T00:00:00Z", // Date.parse would make this March 2nd
    "2025-02-29T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-11-28T24:00:00Z",
    "2026-11-28T06:60:00Z",
    "2026-11-28T06:00:00+25:00",
    "2026-11-28T06:00:00", // no zone: would depend on the laptop's zone
    "2026-11-28",
    "yesterday",
  ])("refuses %s", (text) => {
    expect(parseIsoInstant(text)).toBeNaN();
  });
});

describe("isValidEpochMs", () => {
  it("accepts the range of a Date and nothing beyond", () => {
    expect(isValidEpochMs(0)).toBe(true);
    expect(isValidEpochMs(MAX_ABS_EPOCH_MS)).toBe(true);
    expect(isValidEpochMs(-MAX_ABS_EPOCH_MS)).toBe(true);
    expect(isValidEpochMs(MAX_ABS_EPOCH_MS + 1)).toBe(false);
    expect(isValidEpochMs(1e23)).toBe(false);
    expect(isValidEpochMs(Number.NaN)).toBe(false);
    expect(isValidEpochMs(Number.POSITIVE_INFINITY)).toBe(false);
  });
});
