import { describe, expect, it } from "vitest";
import type { Backup, Decision } from "../../src/domain/types.js";
import { planRetention } from "../../src/retention/plan.js";
import { backup, dur, ms, policy } from "../support/backup-factory.js";

const NOW = ms("2026-11-28T00:00:00Z");

/** `count` daily backups at 03:00Z of one cluster, the newest `newestDaysAgo` days before NOW. */
function series(cluster: string, count: number, newestDaysAgo = 0, region = "us-east-1"): Backup[] {
  return Array.from({ length: count }, (_, i) =>
    backup({ id: `${cluster}-${String(i).padStart(2, "0")}`, cluster, region, at: new Date(NOW - (newestDaysAgo + i) * 86_400_000 - 21 * 3_600_000).toISOString() }),
  );
}
const byId = (ds: Decision[], id: string): Decision => ds.find((d) => d.backupId === id)!;
const actions = (ds: Decision[]) => ds.map((d) => d.action);

describe("guards", () => {
  it("keepNewest: the K newest READY backups of each group are kept", () => {
    // Prepare: a tag-only policy matches nothing, so only the guard keeps anything.
    const p = policy({ keep: { tags: [["legal-hold"]] }, guards: { keepNewest: 2 } });
    const backups = [...series("a", 4), backup({ id: "creating", cluster: "a", at: "2026-11-27T23:00:00Z", state: "CREATE_IN_PROGRESS" })];
    // Act
    const plan = planRetention({ backups, policies: [p], nowMs: NOW });
    // Assess: the CREATE_IN_PROGRESS backup is newer but neither counts nor is protected.
    expect(actions(plan.decisions)).toEqual(["skip", "keep", "keep", "delete", "delete"]);
    expect(byId(plan.decisions, "a-00").reasons).toEqual(["guard: keepNewest 2"]);
    expect(byId(plan.decisions, "a-02").reasons).toEqual(["no keep rule matched"]);
  });

  it("keepNewest adds no reason to a backup the rules already keep", () => {
    const plan = planRetention({ backups: series("a", 3), policies: [policy({ keep: { daily: 1 } })], nowMs: NOW });
    expect(byId(plan.decisions, "a-00").reasons).toEqual(["daily 2026-11-27"]);
  });

  it("minAge: backups younger than now - minAge are kept", () => {
    const p = policy({ keep: { last: 1 }, guards: { minAge: dur({ days: 2 }) } });
    const plan = planRetention({ backups: series("a", 4), policies: [p], nowMs: NOW });
    // a-00 is 21h old (last #1), a-01 45h (younger than 2d), a-02 69h (older).
    expect(byId(plan.decisions, "a-01").reasons).toEqual(["guard: minAge 2d"]);
    expect(actions(plan.decisions)).toEqual(["keep", "keep", "delete", "delete"]);
  });

  it("requireBackupWithin: a group whose backups stopped deletes nothing and is reported", () => {
    const p = policy({ keep: { last: 1 }, guards: { requireBackupWithin: dur({ hours: 48 }) } });
    const stale = series("stale", 3, 3); // newest 3d 21h old
    const fresh = series("fresh", 3);
    const plan = planRetention({ backups: [...stale, ...fresh], policies: [p], nowMs: NOW });
    expect(byId(plan.decisions, "stale-01")).toMatchObject({
      action: "keep",
      reasons: ["halted: requireBackupWithin 48h (newest READY backup is 3d 21h old)"],
    });
    expect(byId(plan.decisions, "fresh-01").action).toBe("delete");
    expect(plan.halts).toEqual([
      {
        policy: "default",
        group: "us-east-1/stale",
        guard: "requireBackupWithin",
        message: "requireBackupWithin 48h: the newest READY backup in us-east-1/stale is 3d 21h old (backups may have stopped); nothing is deleted in this group",
      },
    ]);
    expect(plan.policies[0]).toMatchObject({ halted: false, keep: 4, delete: 2 });
  });

  it("maxDeletePercent: one group over the limit halts the whole policy", () => {
    const p = policy({ keep: { last: 1 }, guards: { maxDeletePercent: 50 } });
    const plan = planRetention({ backups: [...series("big", 5), ...series("small", 2)], policies: [p], nowMs: NOW });
    const reason = "halted: maxDeletePercent 50 (would delete 80% of READY backups in us-east-1/big)";
    expect(plan.decisions.every((d) => d.action === "keep")).toBe(true);
    expect(byId(plan.decisions, "big-04").reasons).toEqual([reason]);
    // small (50%, not more) is halted too: the breaker is per policy.
    expect(byId(plan.decisions, "small-01").reasons).toEqual([reason]);
    expect(plan.halts).toEqual([
      {
        policy: "default",
        guard: "maxDeletePercent",
        message: 'maxDeletePercent 50: would delete 80% of READY backups in us-east-1/big; nothing is deleted under policy "default"',
      },
    ]);
    expect(plan.policies[0]).toMatchObject({ halted: true, delete: 0, keep: 7 });
  });

  it("maxDeletePercent: exactly P% is allowed, and the text keeps one decimal", () => {
    const p50 = policy({ keep: { last: 1 }, guards: { maxDeletePercent: 50 } });
    expect(planRetention({ backups: series("a", 2), policies: [p50], nowMs: NOW }).halts).toEqual([]);
    const p60 = policy({ keep: { last: 1 }, guards: { maxDeletePercent: 60 } });
    const plan = planRetention({ backups: series("a", 3), policies: [p60], nowMs: NOW });
    expect(plan.halts[0]!.message).toContain("would delete 66.7% of READY backups");
  });

  it("maxDeletionsPerRun: the oldest planned deletions happen, the newer excess is deferred", () => {
    const p = policy({ keep: { last: 1 }, guards: { maxDeletionsPerRun: 3 } });
    const plan = planRetention({ backups: [...series("a", 4), ...series("b", 4, 10)], policies: [p], nowMs: NOW });
    // Planned deletes: a-01..a-03 (1-3 days old) and b-01..b-03 (11-13 days old).
    const deleted = plan.decisions.filter((d) => d.action === "delete").map((d) => d.backupId);
    expect(deleted.sort()).toEqual(["b-01", "b-02", "b-03"]);
    expect(byId(plan.decisions, "a-03")).toMatchObject({ action: "keep", reasons: ["deferred: maxDeletionsPerRun 3"] });
    expect(plan.policies[0]).toMatchObject({ deferred: 3, delete: 3, keep: 5 });
  });

  it("refuses to delete every READY backup of a group even without keepNewest", () => {
    const p = policy({ keep: { tags: [["nothing"]] }, guards: { keepNewest: 0 } });
    const plan = planRetention({ backups: series("a", 3), policies: [p], nowMs: NOW });
    expect(actions(plan.decisions)).toEqual(["keep", "keep", "keep"]);
    expect(plan.decisions[0]!.reasons).toEqual(["guard: refusing to delete every READY backup of the group"]);
  });
});

describe("maxDeletionsPerDay", () => {
  it("caps deletions over a rolling day: what the ledger says was deleted counts", () => {
    // keep last 1 of 10: 9 deletable; 10 per day, 7 already gone today: 3 now, oldest first.
    const p = policy({ keep: { last: 1 }, guards: { maxDeletionsPerRun: 50, maxDeletionsPerDay: 10 } });
    const plan = planRetention({ backups: series("a", 10), policies: [p], nowMs: NOW, deletedInLastDay: new Map([["default", 7]]) });
    expect(plan.decisions.filter((d) => d.action === "delete").map((d) => d.backupId)).toEqual(["a-07", "a-08", "a-09"]);
    expect(byId(plan.decisions, "a-06")).toMatchObject({ action: "keep", deferred: true, reasons: ["deferred: maxDeletionsPerDay 10 (7 deleted in the last 24 hours)"] });
  });

  it("defaults to maxDeletionsPerRun, so a second run right after the first deletes nothing more", () => {
    const p = policy({ keep: { last: 1 }, guards: { maxDeletionsPerRun: 4 } });
    const plan = planRetention({ backups: series("a", 10), policies: [p], nowMs: NOW, deletedInLastDay: new Map([["default", 4]]) });
    expect(actions(plan.decisions).filter((a) => a === "delete")).toEqual([]);
    expect(plan.policies[0]?.deferred).toBe(9);
  });
});
