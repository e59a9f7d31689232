import { describe, expect, it } from "vitest";
import { diffPlans } from "../../src/retention/diff.js";
import { planRetention } from "../../src/retention/plan.js";
import { backup, ms, policy, type PolicySpec } from "../support/backup-factory.js";

const NOW = ms("2026-11-28T00:00:00Z");
/** Ten daily backups at 03:00Z, b-0 on 11-27 (newest) to b-9 on 11-18. */
const ten = Array.from({ length: 10 }, (_, i) => backup({ id: `b-${i}`, at: new Date(ms("2026-11-27T03:00:00Z") - i * 86_400_000).toISOString() }));

function diff(before: PolicySpec, after: PolicySpec, backups = ten) {
  const a = [policy(before)];
  const b = [policy(after)];
  return diffPlans(planRetention({ backups, policies: a, nowMs: NOW }), planRetention({ backups, policies: b, nowMs: NOW }), a, b);
}

describe("diffPlans", () => {
  it("finds the backups a smaller daily count deletes, each with before and after", () => {
    // daily 7 keeps b-0..b-6; daily 5 keeps b-0..b-4: b-5 (11-22) and b-6 (11-21) go.
    const d = diff({ keep: { daily: 7 } }, { keep: { daily: 5 } });
    expect(d).toMatchObject({ deletesMore: 2, keepsMore: 0, groupsDeletingMore: 1, reasonOnly: 0, defersMore: 0 });
    expect(d.changes.map((c) => [c.backupId, c.before.outcome, c.after.outcome])).toEqual([
      ["b-5", "keep", "delete"],
      ["b-6", "keep", "delete"],
    ]);
    expect(d.changes[0]!.before.reasons).toEqual(["daily 2026-11-22"]);
    expect(d.changes[0]!.after.reasons).toEqual(["no keep rule matched"]);
    expect(d.policies.changed).toEqual([{ name: "default", what: ["keep: keep 7 daily backups → keep 5 daily backups"] }]);
  });

  it("counts report-mode deletions apart: switching to enforce is what deletes", () => {
    const d = diff({ mode: "report", keep: { daily: 7 } }, { mode: "enforce", keep: { daily: 7 } });
    expect(d).toMatchObject({ deletesMore: 3, keepsMore: 0, reportOnly: { deletesMore: 0, keepsMore: 0 } });
    expect(d.changes.every((c) => c.before.outcome === "delete" && !c.before.enforced && c.after.enforced)).toBe(true);
    expect(d.policies.changed).toEqual([{ name: "default", what: ["mode: report → enforce"] }]);
    const back = diff({ mode: "enforce", keep: { daily: 7 } }, { mode: "report", keep: { daily: 5 } });
    expect(back).toMatchObject({ deletesMore: 0, keepsMore: 3, reportOnly: { deletesMore: 2, keepsMore: 0 } });
  });

  it("tells deferrals from keeps: a cap makes deletions wait", () => {
    // daily 5 deletes b-5..b-9; with maxDeletionsPerRun 1 the oldest (b-9) goes, b-5..b-8 wait.
    const d = diff({ keep: { daily: 5 } }, { keep: { daily: 5 }, guards: { maxDeletionsPerRun: 1 } });
    expect(d).toMatchObject({ deletesMore: 0, keepsMore: 4, defersMore: 0 });
    expect(d.changes.map((c) => c.after.outcome)).toEqual(["defer", "defer", "defer", "defer"]);
    expect(d.policies.changed[0]!.what).toEqual(["guards.maxDeletionsPerRun: unlimited → 1"]);
    // From daily 7 to daily 3 under the same cap: b-3..b-6 were kept and now wait their turn.
    const later = diff({ keep: { daily: 7 }, guards: { maxDeletionsPerRun: 1 } }, { keep: { daily: 3 }, guards: { maxDeletionsPerRun: 1 } });
    expect(later).toMatchObject({ deletesMore: 0, keepsMore: 0, defersMore: 4 });
  });

  it("reports new halts, and policies added and removed", () => {
    const a = [policy({ name: "old", keep: { daily: 7 } })];
    const b = [policy({ name: "new", keep: { last: 1 }, guards: { maxDeletePercent: 50 } })];
    const d = diffPlans(planRetention({ backups: ten, policies: a, nowMs: NOW }), planRetention({ backups: ten, policies: b, nowMs: NOW }), a, b);
    expect(d.policies).toEqual({ added: ["new"], removed: ["old"], changed: [] });
    expect(d.halts.added.map((h) => h.guard)).toEqual(["maxDeletePercent"]);
    // The halt holds every backup: the old policy's 3 deletions are no longer made.
    expect(d).toMatchObject({ deletesMore: 0, keepsMore: 3 });
    expect(d.changes.find((c) => c.backupId === "b-9")?.after.outcome).toBe("held");
  });

  it("counts backups kept by other rules as reason-only, not as changes", () => {
    // last 3 and daily 3 keep the same three backups, for different reasons.
    const d = diff({ keep: { last: 3 } }, { keep: { daily: 3 } });
    expect(d.changes).toEqual([]);
    expect(d.reasonOnly).toBe(3);
  });

  it("refuses two plans of different backups", () => {
    const a = [policy({ keep: { daily: 7 } })];
    const plan = (backups: typeof ten) => planRetention({ backups, policies: a, nowMs: NOW });
    expect(() => diffPlans(plan(ten), plan(ten.slice(1)), a, a)).toThrow(/same backups/);
  });
});
