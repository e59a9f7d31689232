import { describe, expect, it } from "vitest";
import type { Backup, Decision } from "../../src/domain/types.js";
import { runApply } from "../../src/jobs/apply.js";
import { renderApplyTable } from "../../src/cli/render/apply.js";
import { PLAIN } from "../../src/cli/render/table.js";
import { planRetention } from "../../src/retention/plan.js";
import { backup, dur, ms, policy } from "../support/backup-factory.js";
import { FakeBackupStore } from "../support/fake-store.js";

/**
 * Review of issue 6 ("Harden what deletes"): each test states the behaviour the issue or
 * the READMEs promise, worked by hand, and fails on the reviewed code.
 */
const NOW = ms("2026-11-28T00:00:00Z");
const action = (ds: Decision[], id: string) => ds.find((d) => d.backupId === id)?.action;

describe("minAge on a cross-region copy whose CopyTimestamp AWS did not report", () => {
  it("is not measured from the source's creation: a copy of unknown arrival is not deleted under minAge", () => {
    // AWS's contract says copies carry CopyTimestamp; the inventory reader and the SDK path
    // both accept a copy without it. Its arrival is then unknown (it may have landed an hour
    // ago), yet minAge falls back to CreateTimestamp, the SOURCE's creation 31 days ago.
    const newer = backup({ id: "copy-new", at: "2026-11-27T03:00:00Z", region: "us-west-2", sourceRegion: "us-east-1", sourceCluster: "cluster-e" });
    const unknownArrival: Backup = {
      ...backup({ id: "copy-unknown-arrival", at: "2026-10-28T03:00:00Z", region: "us-west-2", sourceRegion: "us-east-1", sourceCluster: "cluster-e" }),
      copiedAtMs: undefined,
    };
    const p = policy({ select: { clusters: ["*"], copies: "only" }, keep: { last: 1 }, guards: { minAge: dur({ hours: 24 }) } });
    const plan = planRetention({ backups: [newer, unknownArrival], policies: [p], nowMs: NOW });
    expect(action(plan.decisions, "copy-unknown-arrival")).not.toBe("delete");
  });

  it("is never younger than its own creation: a CopyTimestamp before CreateTimestamp does not void minAge", () => {
    // The inventory reader accepts "CopyTimestamp": 0 (1970). The copy's source was made 4 h
    // before now, so the copy is at most 4 h old in any reading, yet minAge 24h does not
    // protect it: arrival is taken as copiedAtMs ?? createdAtMs, never max(created, copied).
    const newer = backup({ id: "copy-new", at: "2026-11-27T22:00:00Z", region: "us-west-2", sourceRegion: "us-east-1", sourceCluster: "cluster-e" });
    const zeroCopyTime: Backup = {
      ...backup({ id: "copy-4h-old", at: "2026-11-27T20:00:00Z", region: "us-west-2", sourceRegion: "us-east-1", sourceCluster: "cluster-e" }),
      copiedAtMs: 0,
    };
    const p = policy({ select: { clusters: ["*"], copies: "only" }, keep: { last: 1 }, guards: { minAge: dur({ hours: 24 }) } });
    const plan = planRetention({ backups: [newer, zeroCopyTime], policies: [p], nowMs: NOW });
    expect(action(plan.decisions, "copy-4h-old")).not.toBe("delete");
  });
});

describe("minAge in months across a DST fall-back (east of UTC)", () => {
  it("protects a backup younger than one calendar month of wall-clock time", () => {
    // Europe/Berlin. now = 2025-11-26 02:30 CET (01:30Z). The backup was made on
    // 2025-10-26 at 02:45 CEST (00:45Z), the first pass through the repeated hour: one
    // calendar month after it is 2025-11-26 02:45, still ahead of now. subtractCalendar
    // resolves the ambiguous 2025-10-26 02:30 to the LATER instant (01:30Z), so the guard
    // protects 15 minutes less than a calendar month here.
    const now = ms("2025-11-26T01:30:00Z");
    const backups = [
      backup({ id: "newest", at: "2025-11-26T00:00:00Z" }),
      backup({ id: "oct26-0245-cest", at: "2025-10-26T00:45:00Z" }),
    ];
    const p = policy({ timezone: "Europe/Berlin", keep: { last: 1 }, guards: { minAge: dur({ months: 1 }) } });
    const plan = planRetention({ backups, policies: [p], nowMs: now });
    expect(action(plan.decisions, "oct26-0245-cest")).toBe("keep");
  });
});

describe("requireBackupWithin when every READY backup of a group is dated after now", () => {
  it("halts the group: no backup at or before now means none is known to be being made", () => {
    // The plan says future-dated backups "never count as the sign that backups are still
    // being made"; with no other READY backup the guard is skipped entirely (no halt, exit 0).
    const p = policy({ keep: { last: 1 }, guards: { requireBackupWithin: dur({ days: 2 }) } });
    const plan = planRetention({ backups: [backup({ id: "future", at: "2027-03-01T00:00:00Z" })], policies: [p], nowMs: NOW });
    expect(plan.halts.map((h) => h.guard)).toEqual(["requireBackupWithin"]);
  });
});

describe("time of check: the look-up returns the backup under another cluster, or none", () => {
  const fleet = (): Backup[] =>
    Array.from({ length: 10 }, (_, i) =>
      backup({ id: `a${String(i + 1).padStart(2, "0")}`, cluster: "cluster-a", at: `2026-11-${String(18 + i).padStart(2, "0")}T03:00:00Z` }),
    );
  const prod = policy({ name: "prod", select: { regions: ["us-east-1"], clusters: ["*"], copies: "exclude" }, keep: { last: 3 } });

  it.each([
    ["its cluster is gone (no ClusterId: the plan leaves such backups alone)", { clusterId: undefined }],
    ["it now names another cluster", { clusterId: "cluster-z" }],
  ])("does not delete a candidate when %s", async (_, patch) => {
    const store = new FakeBackupStore(fleet()).afterNextListing((s) => s.update("us-east-1", "a03", patch));
    const report = await runApply({ policies: [prod], regions: ["us-east-1"], store, nowMs: ms("2026-11-28T06:00:00Z"), concurrency: 1 });
    expect(store.deleteCalls.map((c) => c.backupId)).not.toContain("a03");
  });
});

describe("apply's table when a backup was left alone as changed", () => {
  it("does not list the group's held oldest backup under 'Failed deletions' when nothing failed (exit 0)", async () => {
    const fleet = Array.from({ length: 10 }, (_, i) =>
      backup({ id: `a${String(i + 1).padStart(2, "0")}`, cluster: "cluster-a", at: `2026-11-${String(18 + i).padStart(2, "0")}T03:00:00Z` }),
    );
    const prod = policy({ name: "prod", keep: { last: 3 } });
    const store = new FakeBackupStore(fleet).afterNextListing((s) => s.update("us-east-1", "a03", { neverExpires: true }));
    const report = await runApply({ policies: [prod], regions: ["us-east-1"], store, nowMs: ms("2026-11-28T06:00:00Z"), concurrency: 1 });
    expect(report.exitCode).toBe(0);
    expect(report.counts.failed).toBe(0);
    expect(renderApplyTable(report, PLAIN)).not.toContain("Failed deletions:");
  });
});
