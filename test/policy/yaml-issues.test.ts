import { describe, expect, it } from "vitest";
import { editDistance, formatPath, suggest } from "../../src/policy/yaml-issues.js";

describe("formatPath", () => {
  it.each([
    [[], ""],
    [["version"], "version"],
    [["policies", 0, "keep", "daily"], "policies[0].keep.daily"],
    [["policies", 2, "select", "clusters", 1], "policies[2].select.clusters[1]"],
  ])("%j → %j", (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});

describe("suggest", () => {
  const keys = ["last", "hourly", "daily", "weekly", "monthly", "yearly", "within", "withinDaily", "tags"];

  it.each([
    ["dayly", "daily"],
    ["Daily", "daily"],
    ["montly", "monthly"],
    ["withinDayly", "withinDaily"],
    ["tag", "tags"],
  ])("suggests %s → %s", (word, expected) => {
    expect(suggest(word, keys)).toBe(expected);
  });

  it.each(["extra", "retention", "x"])("suggests nothing for %s", (word) => {
    expect(suggest(word, keys)).toBeUndefined();
  });

  it("measures edit distance", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("same", "same")).toBe(0);
  });
});
