import { describe, expect, it } from "vitest";
import type { Backup } from "../../src/domain/types.js";
import { zonedClock } from "../../src/retention/calendar.js";
import { applyKeepRules } from "../../src/retention/keep.js";
import { backup, dur, keepRules, ms } from "../support/backup-factory.js";
import { keptAt, keptIds, loadFixture, reasonsOf } from "./fixture.js";
import { FIXTURE_NOW } from "./golden-cases.js";

/** The §B facts restic users trip over, asserted directly rather than through golden files. */
const UTC = zonedClock("UTC");
const NOW = ms(FIXTURE_NOW);
const fixture = loadFixture();
const withoutPins = fixture.filter((b) => !b.neverExpires);

/** One backup a day at `time`, `count` days back from `newestDay` (YYYY-MM-DD). */
function daily(newestDay: string, count: number, time = "10:00:00Z", stepDays = 1): Backup[] {
  const start = ms(`${newestDay}T${time}`);
  return Array.from({ length: count }, (_, i) =>
    backup({ id: `d${String(i).padStart(3, "0")}`, at: new Date(start - i * stepDays * 86_400_000).toISOString() }),
  );
}

describe("applyKeepRules: restic forget semantics", () => {
  it("keeps the newest backup of each day (daily 3, like restic golden 6)", () => {
    const out = applyKeepRules(withoutPins, keepRules({ daily: 3 }), UTC, NOW);
    expect(keptAt(out)).toEqual(["2027-01-18T11:02:03.000Z", "2027-01-17T23:59:59.999Z", "2027-01-16T12:00:00.000Z"]);
  });

  it("keeps the newest backup of each ISO week (weekly 2, like golden 11)", () => {
    const out = applyKeepRules(withoutPins, keepRules({ weekly: 2 }), UTC, NOW);
    // Mon 2027-01-18 opens 2027-W03; Sun 2027-01-17 23:59:59.999 closes W02.
    expect(keptAt(out)).toEqual(["2027-01-18T11:02:03.000Z", "2027-01-17T23:59:59.999Z"]);
  });

  it('keeps the oldest backup as "oldest yearly" while yearly has capacity (like golden 16)', () => {
    const out = applyKeepRules(withoutPins, keepRules({ yearly: 10 }), UTC, NOW);
    expect(keptIds(out)).toEqual(["bk-001", "bk-022", "bk-057", "bk-072", "bk-077", "bk-100", "bk-081"]);
    expect(reasonsOf(out, "bk-081")).toEqual(["oldest yearly"]);
    expect(out.find((o) => o.backup.backupId === "bk-081")!.counters).toEqual({ yearly: 3 });
    // bk-082 is 500 ms newer in the same year: the year is represented by the newest, bk-100.
    expect(reasonsOf(out, "bk-082")).toEqual([]);
  });

  it("does not keep the oldest once the count is spent", () => {
    const out = applyKeepRules(withoutPins, keepRules({ yearly: 3 }), UTC, NOW);
    expect(keptIds(out)).toEqual(["bk-001", "bk-022", "bk-057"]);
  });

  it("counts one backup in every rule that selects it (GFS like golden 17)", () => {
    const out = applyKeepRules(withoutPins, keepRules({ daily: 7, weekly: 2, monthly: 3, yearly: 10 }), UTC, NOW);
    expect(reasonsOf(out, "bk-001")).toEqual(["daily 2027-01-18", "weekly 2027-W03", "monthly 2027-01", "yearly 2027"]);
    expect(reasonsOf(out, "bk-004")).toEqual(["daily 2027-01-17", "weekly 2027-W02"]);
    expect(reasonsOf(out, "bk-022")).toEqual(["monthly 2026-12", "yearly 2026"]);
    expect(reasonsOf(out, "bk-081")).toEqual(["oldest yearly"]);
    // 7 dailies (two also weekly, one also monthly+yearly), 2026-12 and 2026-11 monthlies, 5 more yearlies, the oldest.
    expect(keptIds(out)).toHaveLength(14);
  });

  it("keeps 4 weeklies beyond the dailies when the newest backup is a Sunday (daily 7, weekly 5)", () => {
    // Sun 2026-11-29 back 60 days: the 7 dailies are exactly ISO week 2026-W48.
    const list = daily("2026-11-29", 60);
    const out = applyKeepRules(list, keepRules({ daily: 7, weekly: 5 }), UTC, ms("2026-11-30T00:00:00Z"));
    const weeklies = out.filter((o) => o.reasons.some((r) => r.startsWith("weekly ")));
    const beyond = weeklies.filter((o) => !o.reasons.some((r) => r.startsWith("daily ")));
    expect(weeklies).toHaveLength(5);
    expect(beyond.map((o) => o.reasons)).toEqual([["weekly 2026-W47"], ["weekly 2026-W46"], ["weekly 2026-W45"], ["weekly 2026-W44"]]);
    expect(keptIds(out)).toHaveLength(11);
  });

  it("counts only periods that have backups: Sunday-only backups and daily 4 keep the last 4 Sundays", () => {
    const sundays = daily("2026-11-29", 10, "03:00:00Z", 7);
    const out = applyKeepRules(sundays, keepRules({ daily: 4 }), UTC, ms("2026-12-03T00:00:00Z"));
    expect(keptAt(out)).toEqual([
      "2026-11-29T03:00:00.000Z",
      "2026-11-22T03:00:00.000Z",
      "2026-11-15T03:00:00.000Z",
      "2026-11-08T03:00:00.000Z",
    ]);
  });

  it("keeps everything with last: unlimited", () => {
    const out = applyKeepRules(fixture, keepRules({ last: Infinity }), UTC, NOW);
    expect(out.every((o) => o.keep)).toBe(true);
    expect(out.map((o) => o.reasons.at(-1))).toEqual(out.map((_, i) => `last #${i + 1}`));
  });

  it("measures within from the newest backup, not from now, so stopped backups are not eaten", () => {
    const list = daily("2026-10-31", 20);
    const aYearLater = ms("2027-10-31T00:00:00Z");
    const out = applyKeepRules(list, keepRules({ within: dur({ days: 7 }) }), UTC, aYearLater);
    // Strictly after 2026-10-24T10:00Z: seven backups, 10-25 .. 10-31.
    expect(keptAt(out)).toEqual(daily("2026-10-31", 7).map((b) => new Date(b.createdAtMs).toISOString()));
    expect(reasonsOf(out, "d000")).toEqual(["within 7d"]);
  });

  it("excludes future-dated backups from `latest`, yet lets them occupy buckets", () => {
    const list = [backup({ id: "future", at: "2026-12-05T00:00:00Z" }), ...daily("2026-11-29", 5)];
    const out = applyKeepRules(list, keepRules({ daily: 2, within: dur({ days: 1 }) }), UTC, ms("2026-11-30T00:00:00Z"));
    expect(reasonsOf(out, "future")).toEqual(["within 1d", "daily 2026-12-05"]);
    expect(reasonsOf(out, "d000")).toEqual(["within 1d", "daily 2026-11-29"]);
    expect(reasonsOf(out, "d001")).toEqual([]);
  });

  it("uses the oldest time as `latest` when every backup is in the future", () => {
    const list = daily("2026-11-29", 3);
    const out = applyKeepRules(list, keepRules({ within: dur({ hours: 1 }) }), UTC, ms("2020-01-01T00:00:00Z"));
    expect(keptIds(out)).toEqual(["d000", "d001", "d002"]);
  });

  it("keeps never-expiring backups without sparing them from counting", () => {
    const list = daily("2026-11-29", 3).map((b, i) => (i === 0 ? { ...b, neverExpires: true } : b));
    const out = applyKeepRules(list, keepRules({ daily: 1 }), UTC, ms("2026-11-30T00:00:00Z"));
    expect(reasonsOf(out, "d000")).toEqual(["never expires", "daily 2026-11-29"]);
    expect(keptIds(out)).toEqual(["d000"]);
  });

  it("matches tags as key or key=value, ANDs entries and ORs lists", () => {
    const list = [
      backup({ id: "both", at: "2026-11-29T00:00:00Z", tags: { env: "prod", tier: "1" } }),
      backup({ id: "prod", at: "2026-11-28T00:00:00Z", tags: { env: "prod" } }),
      backup({ id: "hold", at: "2026-11-27T00:00:00Z", tags: { "legal-hold": "" } }),
      backup({ id: "dev", at: "2026-11-26T00:00:00Z", tags: { env: "dev", tier: "1" } }),
    ];
    const out = applyKeepRules(list, keepRules({ tags: [["env=prod", "tier"], ["legal-hold"]] }), UTC, ms("2026-12-01T00:00:00Z"));
    expect(keptIds(out)).toEqual(["both", "hold"]);
    expect(reasonsOf(out, "both")).toEqual(["tags env=prod,tier"]);
  });

  it("orders equal instants by backupId, whatever the input order", () => {
    const a = applyKeepRules(fixture, keepRules({ daily: 30 }), UTC, NOW);
    const b = applyKeepRules([...fixture].reverse(), keepRules({ daily: 30 }), UTC, NOW);
    expect(b).toEqual(a);
    expect(reasonsOf(a, "bk-008")).toEqual(["daily 2027-01-15"]);
    expect(reasonsOf(a, "bk-009")).toEqual([]);
  });

  it("does not modify the caller's list", () => {
    const list = [...fixture];
    applyKeepRules(list, keepRules({ daily: 3 }), UTC, NOW);
    expect(list).toEqual(fixture);
  });

  it("returns nothing for an empty group", () => {
    expect(applyKeepRules([], keepRules({ daily: 3 }), UTC, NOW)).toEqual([]);
  });
});
