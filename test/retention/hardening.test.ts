import { describe, expect, it } from "vitest";
import type { Backup, Decision } from "../../src/domain/types.js";
import { DuplicateBackupError, PolicyConflictError } from "../../src/errors.js";
import { planRetention } from "../../src/retention/plan.js";
import { backup, dur, ms, policy } from "../support/backup-factory.js";

/**
 * Inputs on which a backup the policy keeps used to be deleted, or a guard stopped
 * guarding (issue "Harden what deletes"). Every expectation here is worked by hand.
 */
const NOW = ms("2026-11-28T00:00:00Z");
const DAY_MS = 86_400_000;

/** `count` daily backups at 03:00Z, the newest `newestDaysAgo` days before NOW. */
function daily(cluster: string, count: number, newestDaysAgo = 0): Backup[] {
  return Array.from({ length: count }, (_, i) =>
    backup({ id: `${cluster}-${String(i).padStart(2, "0")}`, cluster, at: new Date(NOW - (newestDaysAgo + i) * DAY_MS - 21 * 3_600_000).toISOString() }),
  );
}
const action = (ds: Decision[], id: string) => ds.find((d) => d.backupId === id)?.action;
const deleted = (ds: Decision[]) => ds.filter((d) => d.action === "delete").map((d) => d.backupId).sort();

describe("a backup ID listed twice", () => {
  it("is refused by the planner, so no caller can plan a duplicate as a second, deletable backup", () => {
    // With daily: 7 the duplicate of each kept backup used to be "delete" (its day was taken).
    const once = daily("a", 10);
    const twice = [...once, ...once.map((b) => ({ ...b }))];
    const attempt = () => planRetention({ backups: twice, policies: [policy({ keep: { daily: 7 } })], nowMs: NOW });
    expect(attempt).toThrow(DuplicateBackupError);
    expect(attempt).toThrow(/a-00/);
  });

  it("is refused even when the two entries claim different regions (an endpoint that ignores the region)", () => {
    const b = backup({ id: "backup-same", at: "2026-11-27T03:00:00Z" });
    const attempt = () => planRetention({ backups: [b, { ...b, region: "us-west-2" }], policies: [policy({ keep: { last: 1 } })], nowMs: NOW });
    expect(attempt).toThrow(DuplicateBackupError);
  });
});

describe("backups whose cluster AWS did not report", () => {
  it("never share a group: each is left alone, with the reason, and the plan warns", () => {
    // Two clusters that are gone: one backup each, neither has a ClusterId. Merged into one
    // group with `last: 1`, the older one used to be deleted against the other cluster's.
    const orphanA = { ...backup({ id: "o-a", at: "2026-11-27T03:00:00Z" }), clusterId: undefined };
    const orphanB = { ...backup({ id: "o-b", at: "2026-11-20T03:00:00Z" }), clusterId: undefined };
    const copyA = { ...backup({ id: "c-a", at: "2026-11-27T03:00:00Z", sourceRegion: "eu-west-1" }), sourceClusterId: undefined };
    const copyB = { ...backup({ id: "c-b", at: "2026-11-20T03:00:00Z", sourceRegion: "eu-west-1" }), sourceClusterId: undefined };
    const p = policy({ keep: { last: 1 }, select: { clusters: ["*"], copies: "include" } });
    const plan = planRetention({ backups: [orphanA, orphanB, copyA, copyB], policies: [p], nowMs: NOW });
    expect(deleted(plan.decisions)).toEqual([]);
    for (const d of plan.decisions) {
      expect(d.action).toBe("skip");
      expect(d.reasons[0]).toMatch(/cannot tell its (source )?cluster/);
    }
    expect(plan.warnings.map((w) => w.kind)).toContain("no-cluster");
    expect(plan.warnings.find((w) => w.kind === "no-cluster")!.backupIds.sort()).toEqual(["c-a", "c-b", "o-a", "o-b"]);
  });
});

describe("a backup dated after the run's now", () => {
  const future = backup({ id: "a-future", cluster: "a", at: "2027-03-01T00:00:00Z" });

  it("does not count as the sign that backups are still being made (requireBackupWithin)", () => {
    // Backups stopped ten days ago; one bogus backup is dated next year. Today the bogus one
    // satisfied requireBackupWithin and the cluster lost its history.
    const stopped = daily("a", 30, 10);
    const p = policy({ keep: { daily: 7, weekly: 4 }, guards: { requireBackupWithin: dur({ days: 2 }) } });
    const plan = planRetention({ backups: [future, ...stopped], policies: [p], nowMs: NOW });
    expect(deleted(plan.decisions)).toEqual([]);
    expect(plan.halts.map((h) => [h.group, h.guard])).toEqual([["us-east-1/a", "requireBackupWithin"]]);
  });

  it("takes no bucket: the real backups keep every slot of the rules", () => {
    // daily: 3 over five real days; the future one used to take one of the three days.
    const real = daily("a", 5);
    const plan = planRetention({ backups: [future, ...real], policies: [policy({ keep: { daily: 3 } })], nowMs: NOW });
    expect(deleted(plan.decisions)).toEqual(["a-03", "a-04"]);
    expect(action(plan.decisions, "a-future")).toBe("keep");
  });

  it("does not move the within windows (they run back from the newest backup before now, as in restic)", () => {
    // within 2d of a-00 (21h old): a-01 is 24h older, kept; a-02 is exactly 48h older, not
    // strictly after the threshold, so it goes. Measured from next March, nothing would stay.
    const real = daily("a", 5);
    const plan = planRetention({ backups: [future, ...real], policies: [policy({ keep: { within: dur({ days: 2 }) } })], nowMs: NOW });
    expect(deleted(plan.decisions)).toEqual(["a-02", "a-03", "a-04"]);
  });

  it("is kept, never counted, reported with its date, and warned about", () => {
    const plan = planRetention({ backups: [future, ...daily("a", 3)], policies: [policy({ keep: { last: 1 } })], nowMs: NOW });
    const d = plan.decisions.find((x) => x.backupId === "a-future")!;
    expect(d.action).toBe("keep");
    expect(d.reasons).toEqual(["dated after the run's now (created 2027-03-01T00:00:00Z): kept, counted by no rule"]);
    expect(plan.warnings).toContainEqual(expect.objectContaining({ kind: "future-dated", group: "us-east-1/a", backupIds: ["a-future"] }));
  });
});

describe("minAge", () => {
  it("measures a cross-region copy from its arrival (CopyTimestamp), not from the source's creation", () => {
    const copy = (id: string, createdIso: string, copiedIso: string): Backup => ({
      ...backup({ id, at: createdIso, region: "us-west-2", sourceRegion: "us-east-1", sourceCluster: "cluster-e" }),
      copiedAtMs: ms(copiedIso),
    });
    // The old source backup was copied an hour ago; a newer copy keeps `last: 1`.
    const fresh = copy("copy-new", "2026-11-27T03:00:00Z", "2026-11-27T04:00:00Z");
    const arrivedJustNow = copy("copy-old", "2026-10-28T03:00:00Z", "2026-11-27T23:00:00Z");
    const p = policy({ select: { clusters: ["*"], copies: "only" }, keep: { last: 1 }, guards: { minAge: dur({ hours: 24 }) } });
    const plan = planRetention({ backups: [fresh, arrivedJustNow], policies: [p], nowMs: NOW });
    expect(plan.decisions.find((d) => d.backupId === "copy-old")).toMatchObject({ action: "keep", reasons: ["guard: minAge 24h"] });
  });

  it("never protects less than a calendar month: 2025-03-31 minus 1m is 02-28, not 03-03", () => {
    const now = ms("2025-03-31T12:00:00Z");
    const backups = [
      backup({ id: "newest", at: "2025-03-31T03:00:00Z" }),
      backup({ id: "mar-01", at: "2025-03-01T00:00:00Z" }), // 30.5 days old: younger than a month
      backup({ id: "feb-28-late", at: "2025-02-28T13:00:00Z" }), // after 02-28 12:00: still younger
      backup({ id: "feb-28-early", at: "2025-02-28T11:00:00Z" }), // older than a month
    ];
    const p = policy({ keep: { last: 1 }, guards: { minAge: dur({ months: 1 }) } });
    const plan = planRetention({ backups, policies: [p], nowMs: now });
    expect(deleted(plan.decisions)).toEqual(["feb-28-early"]);
  });
});

describe("policies that select the same group", () => {
  it("a run names every conflicting group, not only the first", () => {
    const backups = [
      backup({ id: "e1", cluster: "cluster-e", region: "us-east-1", at: "2026-11-27T03:00:00Z" }),
      backup({ id: "w1", cluster: "cluster-w", region: "us-west-2", at: "2026-11-27T03:00:00Z" }),
      backup({ id: "x1", cluster: "cluster-x", region: "us-west-2", at: "2026-11-27T03:00:00Z" }),
    ];
    const all = policy({ name: "all", keep: { last: 1 } });
    const west = policy({ name: "west", select: { regions: ["us-west-2"], clusters: ["*"], copies: "exclude" }, keep: { last: 1 } });
    const attempt = () => planRetention({ backups, policies: [all, west], nowMs: NOW });
    expect(attempt).toThrow(PolicyConflictError);
    try {
      attempt();
    } catch (err) {
      const conflict = err as PolicyConflictError;
      expect(conflict.conflicts.map((c) => c.group)).toEqual(["us-west-2/cluster-w", "us-west-2/cluster-x"]);
      expect(conflict.message).toContain("us-west-2/cluster-w");
      expect(conflict.message).toContain("us-west-2/cluster-x");
    }
  });
});

describe("tags that nearly match a keep-tag", () => {
  it("do not match the tag rule (AWS tag keys are case-sensitive), yet are kept by a guard, and the plan warns", () => {
    const backups = [
      backup({ id: "newest", at: "2026-11-27T03:00:00Z" }),
      backup({ id: "case", at: "2026-11-20T03:00:00Z", tags: { "Legal-Hold": "case-1" } }),
      backup({ id: "space", at: "2026-11-19T03:00:00Z", tags: { "legal-hold ": "case-2" } }),
      backup({ id: "exact", at: "2026-11-18T03:00:00Z", tags: { "legal-hold": "case-3" } }),
    ];
    const p = policy({ keep: { last: 1, tags: [["legal-hold"]] } });
    const plan = planRetention({ backups, policies: [p], nowMs: NOW });
    expect(deleted(plan.decisions)).toEqual([]);
    expect(plan.decisions.find((d) => d.backupId === "case")?.reasons).toEqual([
      'guard: tag "Legal-Hold" nearly matches keep-tag "legal-hold": kept until the tag or the policy is fixed',
    ]);
    expect(plan.decisions.find((d) => d.backupId === "exact")?.reasons).toEqual(["tags legal-hold"]);
    const near = plan.warnings.filter((w) => w.kind === "near-tag");
    expect(near.flatMap((w) => w.backupIds).sort()).toEqual(["case", "space"]);
    expect(near.map((w) => w.message).join("\n")).toContain('"Legal-Hold"');
  });

  it("also warns about a value that differs only in case or spaces", () => {
    const backups = [
      backup({ id: "newest", at: "2026-11-27T03:00:00Z" }),
      backup({ id: "prod-ish", at: "2026-11-20T03:00:00Z", tags: { env: "Prod " } }),
    ];
    const plan = planRetention({ backups, policies: [policy({ keep: { last: 1, tags: [["env=prod"]] } })], nowMs: NOW });
    expect(plan.warnings.filter((w) => w.kind === "near-tag").flatMap((w) => w.backupIds)).toEqual(["prod-ish"]);
  });
});

describe("deferred deletions", () => {
  it("are marked as deferred, not as plain keeps", () => {
    const p = policy({ keep: { last: 1 }, guards: { maxDeletionsPerRun: 2 } });
    const plan = planRetention({ backups: daily("a", 5), policies: [p], nowMs: NOW });
    // a-01..a-04 are deletable; the two oldest go now, a-01 and a-02 wait.
    expect(plan.decisions.filter((d) => d.deferred).map((d) => d.backupId).sort()).toEqual(["a-01", "a-02"]);
    expect(deleted(plan.decisions)).toEqual(["a-03", "a-04"]);
  });
});
