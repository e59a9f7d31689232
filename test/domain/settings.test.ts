import { describe, expect, it } from "vitest";
import { CONCURRENCY_RANGE, REGION_PATTERN, wholeNumberSetting } from "../../src/domain/settings.js";
import { UserInputError } from "../../src/errors.js";

describe("wholeNumberSetting", () => {
  it("reads a whole number in range, and nothing when not given", () => {
    expect(wholeNumberSetting("--concurrency", "8", CONCURRENCY_RANGE)).toBe(8);
    expect(wholeNumberSetting("--concurrency", "64", CONCURRENCY_RANGE)).toBe(64);
    expect(wholeNumberSetting("--concurrency", undefined, CONCURRENCY_RANGE)).toBeUndefined();
  });

  // Number() reads all of these as 8, 10 or 16: a typo or a stray space must not pass.
  it.each(["0", "65", "2.5", "eight", "", " ", "1e1", "0x10", " 8", "8 ", "+8", "08.0", "0b1"])("refuses %j, naming the setting and its range", (raw) => {
    expect(() => wholeNumberSetting("RETENTION_CONCURRENCY", raw, CONCURRENCY_RANGE)).toThrow(UserInputError);
    expect(() => wholeNumberSetting("RETENTION_CONCURRENCY", raw, CONCURRENCY_RANGE)).toThrow(
      `RETENTION_CONCURRENCY: expected a whole number from 1 to 64, got "${raw}"`,
    );
  });
});

describe("REGION_PATTERN", () => {
  it.each([["us-east-1", true], ["us-gov-west-1", true], ["eu-central-2", true], ["US-EAST-1", false], ["us-east", false], ["useast1", false]])(
    "%s → %s",
    (region, ok) => expect(REGION_PATTERN.test(region)).toBe(ok),
  );
});
