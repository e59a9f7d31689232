import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Backup, CountRule, KeepRules } from "../../src/domain/types.js";
import { zonedClock } from "../../src/retention/calendar.js";
import { describeKeep } from "../../src/retention/describe.js";
import { applyKeepRules, type KeepOutcome } from "../../src/retention/keep.js";
import { keepRules, ms } from "../support/backup-factory.js";
import { countRuleOf, loadFixture } from "./fixture.js";
import { FIXTURE_NOW, GOLDEN_CASES } from "./golden-cases.js";

const here = dirname(fileURLToPath(import.meta.url));
const GOLDEN_DIR = join(here, "../golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const iso = (t: number): string => new Date(t).toISOString();

/** restic's golden-test invariants, checked before any diff. */
function assertInvariants(input: Backup[], out: KeepOutcome[], keep: KeepRules): void {
  const ids = out.map((o) => o.backup.backupId).sort();
  expect(ids).toEqual(input.map((b) => b.backupId).sort());
  const kept = out.filter((o) => o.keep);
  for (const o of out) expect(o.reasons.length > 0).toBe(o.keep);

  // Every count rule keeps at most its count, the "oldest" extra included: it spends a count too.
  const perRule = new Map<CountRule, number>();
  const keptByCount = new Set<Backup>();
  for (const o of kept) {
    for (const r of o.reasons) {
      const rule = countRuleOf(r);
      if (!rule) continue;
      perRule.set(rule, (perRule.get(rule) ?? 0) + 1);
      keptByCount.add(o.backup);
    }
  }
  let sum = 0;
  for (const rule of ["last", "hourly", "daily", "weekly", "monthly", "yearly"] as const) {
    expect(perRule.get(rule) ?? 0).toBeLessThanOrEqual(keep[rule]);
    sum += keep[rule];
  }
  expect(keptByCount.size).toBeLessThanOrEqual(sum);
  const onlyCounts =
    keep.tags.length === 0 &&
    [keep.within, keep.withinHourly, keep.withinDaily, keep.withinWeekly, keep.withinMonthly, keep.withinYearly].every(
      (d) => d.years + d.months + d.days + d.hours === 0,
    );
  if (onlyCounts && Number.isFinite(sum)) {
    const pinned = out.filter((o) => o.backup.neverExpires).length;
    expect(kept.length).toBeLessThanOrEqual(sum + pinned);
  }
  // Counters only ever go down, and never below zero.
  for (let i = 1; i < out.length; i++) {
    for (const [rule, left] of Object.entries(out[i]!.counters)) {
      expect(left).toBeGreaterThanOrEqual(0);
      expect(left).toBeLessThanOrEqual(out[i - 1]!.counters[rule as CountRule]!);
    }
  }
}

function render(name: string, keep: KeepRules, timezone: string, nowMs: number, out: KeepOutcome[]): string {
  const doc = {
    case: name,
    description: describeKeep(keep),
    timezone,
    now: iso(nowMs),
    keep: out
      .filter((o) => o.keep)
      .map((o) => ({ id: o.backup.backupId, at: iso(o.backup.createdAtMs), reasons: o.reasons, counters: o.counters })),
    remove: out.filter((o) => !o.keep).map((o) => `${o.backup.backupId} ${iso(o.backup.createdAtMs)}`),
  };
  return `${JSON.stringify(doc, (_k, v: unknown) => (v === Infinity ? "unlimited" : v), 2)}\n`;
}

describe("applyKeepRules golden cases (test/golden/<case>.json; UPDATE_GOLDEN=1 rewrites)", () => {
  const fixture = loadFixture();

  it("has uniquely named cases", () => {
    expect(new Set(GOLDEN_CASES.map((c) => c.name)).size).toBe(GOLDEN_CASES.length);
    expect(GOLDEN_CASES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(GOLDEN_CASES.map((c) => [c.name, c] as const))("%s", (name, c) => {
    // Prepare
    const keep = keepRules(c.keep);
    const timezone = c.timezone ?? "UTC";
    const nowMs = ms(c.now ?? FIXTURE_NOW);
    // Act
    const out = applyKeepRules(fixture, keep, zonedClock(timezone), nowMs);
    // Assess
    assertInvariants(fixture, out, keep);
    const actual = render(name, keep, timezone, nowMs, out);
    const file = join(GOLDEN_DIR, `${name}.json`);
    if (UPDATE) {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(file, actual);
      return;
    }
    if (!existsSync(file)) throw new Error(`missing golden file ${file}: run npm run golden:update and review it`);
    expect(JSON.parse(actual)).toEqual(JSON.parse(readFileSync(file, "utf8")));
  });
});
