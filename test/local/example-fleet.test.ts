import { describe, expect, it } from "vitest";
import { exampleFleet } from "../../src/local/example.js";
import { loadPolicyFiles } from "../../src/policy/index.js";
import { planRetention } from "../../src/retention/plan.js";

/**
 * The example fleet is what `npm start`, `emulator --seed example` and the README's
 * walk-through run policies/example.yml against, on whatever day that is. It must look
 * the same on every day: no enforce-mode guard may halt because of the date.
 */
const DAY_MS = 86_400_000;

describe("the example fleet, generated as of any date", () => {
  // Seven consecutive days from a Monday: every weekday, and so every phase of weekly copies.
  const days = Array.from({ length: 7 }, (_, i) => new Date(Date.parse("2027-03-01T06:00:00Z") + i * DAY_MS).toISOString());

  it.each(days)("as of %s, policies/example.yml plans deletions and no enforce-mode policy halts", async (iso) => {
    // Prepare
    const policies = await loadPolicyFiles(["policies/example.yml"]);
    const enforced = new Set(policies.filter((p) => p.mode === "enforce").map((p) => p.name));
    const nowMs = Date.parse(iso);
    // Act
    const plan = planRetention({ backups: exampleFleet(nowMs), policies, nowMs, regions: ["us-east-1", "eu-central-1", "us-west-2"] });
    // Assess
    expect(plan.halts.filter((h) => enforced.has(h.policy))).toEqual([]);
    expect(plan.decisions.some((d) => d.action === "delete" && d.policy !== null && enforced.has(d.policy))).toBe(true);
  });

  it.each(days)("as of %s, the newest DR copy is at most two days old", (iso) => {
    const nowMs = Date.parse(iso);
    const copies = exampleFleet(nowMs).filter((b) => b.sourceRegion !== undefined);
    expect(copies.length).toBeGreaterThan(0);
    expect(nowMs - Math.max(...copies.map((b) => b.createdAtMs))).toBeLessThan(2 * DAY_MS);
  });
});
