import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderPlanTable } from "../../src/cli/render/table.js";
import { planRetention } from "../../src/retention/plan.js";
import { backup, ms, policy } from "../support/backup-factory.js";
import { runCli } from "../support/cli.js";

const NOW = ms("2026-11-28T00:00:00Z");
const inventory = "examples/inventory.json";
const now = "2026-11-28T06:00:00Z";

/** Five daily backups of one cluster at 03:00Z, the newest on 11-27. */
const five = Array.from({ length: 5 }, (_, i) => backup({ id: `b-${i}`, at: new Date(ms("2026-11-27T03:00:00Z") - i * 86_400_000).toISOString() }));

function tmpFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "plan-output-"));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe("plan table", () => {
  it("shows a deferred deletion as DEFER, not KEEP, and counts it apart", () => {
    const plan = planRetention({ backups: five, policies: [policy({ keep: { last: 1 }, guards: { maxDeletionsPerRun: 1 } })], nowMs: NOW });
    const table = renderPlanTable(plan, undefined, { verbose: true });
    // b-1..b-4 are deletable; the oldest (b-4) goes now, b-1..b-3 wait.
    expect(table).toMatch(/^ {4}DEFER +b-1 /m);
    expect(table).toMatch(/^ {4}DELETE +b-4 /m);
    expect(table).toMatch(/^ {4}KEEP +b-0 /m);
    expect(table).toContain("1 to delete, 1 to keep, 3 deferred, 0 skipped");
    expect(table.trimEnd().split("\n").at(-1)).toBe("Plan: 1 to delete, 1 to keep, 0 skipped; 3 deferred to later runs.");
  });

  it("writes every instant as ISO-8601 UTC to the second", () => {
    const table = renderPlanTable(planRetention({ backups: five, policies: [policy({ keep: { last: 1 } })], nowMs: NOW }));
    expect(table).toMatch(/^Plan at 2026-11-28T00:00:00Z for 5 backups$/m);
    expect(table).toMatch(/b-2 +2026-11-25T03:00:00Z /);
    expect(table).not.toMatch(/GMT|\d{2}:\d{2} [A-Z]{3}\b|\.\d{3}Z/);
  });

  it("says a halt once per group, not on each backup it spared", () => {
    const p = policy({ mode: "report", keep: { last: 1 }, guards: { maxDeletePercent: 10 } });
    const table = renderPlanTable(planRetention({ backups: five, policies: [p], nowMs: NOW }), undefined, { verbose: true });
    expect(table.match(/maxDeletePercent 10: would delete/g)).toHaveLength(1);
    expect(table.match(/halted by maxDeletePercent/g)).toHaveLength(1);
    expect(table.match(/halted \(see above\)/g)).toHaveLength(4);
  });

  it("uses the singular for one", () => {
    const one = [backup({ id: "only", at: "2026-11-27T03:00:00Z" })];
    const table = renderPlanTable(planRetention({ backups: one, policies: [policy({ keep: { last: 1 } })], nowMs: NOW }));
    expect(table).toMatch(/for 1 backup$/m);
    expect(table).not.toMatch(/\b1 backups\b/);
  });

  it("prints the plan's warnings", () => {
    const tagged = [...five, backup({ id: "near", at: "2026-11-01T03:00:00Z", tags: { "Legal-Hold": "x" } })];
    const table = renderPlanTable(planRetention({ backups: tagged, policies: [policy({ keep: { last: 1, tags: [["legal-hold"]] } })], nowMs: NOW }));
    expect(table).toMatch(/^warning: 1 backup has the tag "Legal-Hold"/m);
    expect(table.trimEnd().split("\n").at(-1)).toMatch(/; 1 warning\.$/);
  });
});

describe("plan --format json", () => {
  it("marks each decision deferred/enforced, adds totals and a format version, keeps the documented keys", async () => {
    const pol = tmpFile(
      "p.yml",
      "version: 1\npolicies:\n  - name: east\n    mode: enforce\n    select: {regions: [us-east-1]}\n    keep: {daily: 7}\n    guards: {maxDeletionsPerRun: 5, maxDeletePercent: 100}\n  - name: west\n    mode: report\n    select: {regions: [us-west-2], copies: only}\n    keep: {last: 1}\n    guards: {maxDeletePercent: 100}\n",
    );
    const run = await runCli(["plan", "--policy", pol, "--inventory", inventory, "--now", now, "--format", "json"]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.formatVersion).toBe(1);
    expect(out.now).toBe("2026-11-28T06:00:00Z");
    const decisions = out.decisions as Array<Record<string, unknown>>;
    for (const d of decisions) {
      expect(d).toEqual(expect.objectContaining({ backupId: expect.any(String), action: expect.any(String), reasons: expect.any(Array) }));
      expect(typeof d.deferred).toBe("boolean");
      expect(typeof d.enforced).toBe("boolean");
      expect(d.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    }
    // A backup already PENDING_DELETION says when AWS deletes it for good (its DeleteTimestamp).
    const listed = (JSON.parse(readFileSync(inventory, "utf8")).Backups as Array<Record<string, string | number>>).filter((b) => b.BackupState === "PENDING_DELETION");
    expect(listed.length).toBeGreaterThan(0);
    expect(decisions.filter((d) => d.state === "PENDING_DELETION").map((d) => [d.backupId, d.deleteAt])).toEqual(
      listed.map((b) => [b.BackupId, new Date(Number(b.DeleteTimestamp) * 1000).toISOString().replace(".000Z", "Z")]), // epoch seconds
    );
    expect(decisions.filter((d) => d.state !== "PENDING_DELETION").every((d) => !("deleteAt" in d))).toBe(true);
    const deferred = decisions.filter((d) => d.deferred);
    expect(deferred.length).toBeGreaterThan(0);
    for (const d of deferred) expect(d).toMatchObject({ action: "keep", policy: "east", enforced: true });
    const westDeletes = decisions.filter((d) => d.policy === "west" && d.action === "delete");
    expect(westDeletes.length).toBeGreaterThan(0);
    for (const d of westDeletes) expect(d.enforced).toBe(false);
    const count = (f: (d: Record<string, unknown>) => boolean) => decisions.filter(f).length;
    expect(out.totals).toEqual({
      backups: decisions.length,
      keep: count((d) => d.action === "keep" && !d.deferred),
      delete: count((d) => d.action === "delete"),
      skip: count((d) => d.action === "skip"),
      deferred: deferred.length,
      enforcedDeletes: 5,
      reportOnlyDeletes: westDeletes.length,
      halts: 0,
      warnings: out.warnings.length,
    });
  });
});

describe("plan and apply --dry-run exit alike on a guard halt", () => {
  it("plan exits 4 when a guard halts an enforce-mode policy, 0 when the halted policy only reports", async () => {
    const halting = "test/fixtures/policies/halting.yml";
    const run = await runCli(["plan", "--policy", halting, "--inventory", inventory, "--now", now]);
    expect(run.code).toBe(4);
    const reportOnly = tmpFile("r.yml", "version: 1\npolicies:\n  - name: production\n    mode: report\n    select: {regions: [us-east-1]}\n    keep: {daily: 7}\n    guards: {maxDeletePercent: 10}\n");
    expect((await runCli(["plan", "--policy", reportOnly, "--inventory", inventory, "--now", now])).code).toBe(0);
  });
});

describe("plan table: halts and policies the run does not reach", () => {
  it("counts the backups a halt holds back apart from those the rules keep", () => {
    const p = policy({ keep: { last: 1 }, guards: { maxDeletePercent: 10 } });
    const table = renderPlanTable(planRetention({ backups: five, policies: [p], nowMs: NOW }));
    // last 1 keeps b-0; the halt holds b-1..b-4.
    expect(table).toContain("0 to delete, 1 to keep, 4 held by a guard halt, 0 skipped");
  });

  it("says when a policy selects no backups because its regions are not among the run's", () => {
    const p = policy({ select: { regions: ["eu-central-1"], clusters: ["*"], copies: "exclude" }, keep: { last: 1 } });
    const table = renderPlanTable(planRetention({ backups: five, policies: [p], nowMs: NOW, regions: ["us-east-1"] }));
    expect(table).toContain("(selects no backups in this run: its regions eu-central-1 are not among the run's regions us-east-1)");
  });
});

describe("plan table: the default view shows what changes", () => {
  /** Twelve daily backups at 03:00Z, the newest (d-0) on 11-27. */
  const twelve = Array.from({ length: 12 }, (_, i) => backup({ id: `d-${i}`, at: new Date(ms("2026-11-27T03:00:00Z") - i * 86_400_000).toISOString() }));

  it("sums up more than five deletions of one reason in one line, with their count and span", () => {
    // last 2 and daily 3: d-0..d-2 kept (d-0, d-1 by both), d-3..d-11 (9) deleted.
    const table = renderPlanTable(planRetention({ backups: twelve, policies: [policy({ keep: { last: 2, daily: 3 } })], nowMs: NOW }));
    expect(table).toContain("  us-east-1/cluster-a  9 to delete, 3 to keep, 0 skipped");
    expect(table).toMatch(/^ {4}KEEP {4}3 backups 2026-11-25T03:00:00Z … 2026-11-27T03:00:00Z, by last 2, daily 3$/m);
    expect(table).toMatch(/^ {4}DELETE {2}9 backups 2026-11-16T03:00:00Z … 2026-11-24T03:00:00Z: no keep rule matched$/m);
    expect(table).not.toMatch(/ d-\d+ /);
    expect(table).toContain("(--verbose lists every backup with its reasons)");
    expect(table.trimEnd().split("\n").at(-1)).toBe("Plan: 9 to delete, 3 to keep, 0 skipped.");
  });

  it("lists up to five deletions one by one, and every backup with verbose", () => {
    const six = twelve.slice(0, 6);
    const plan = planRetention({ backups: six, policies: [policy({ keep: { last: 1 } })], nowMs: NOW });
    const table = renderPlanTable(plan);
    for (const id of ["d-1", "d-2", "d-3", "d-4", "d-5"]) expect(table).toMatch(new RegExp(`^ {4}DELETE {2}${id} +2026-11-\\d\\dT03:00:00Z {2}no keep rule matched$`, "m"));
    expect(table).not.toContain("--verbose");
    const verbose = renderPlanTable(plan, undefined, { verbose: true });
    expect(verbose).toMatch(/^ {4}KEEP {4}d-0 +2026-11-27T03:00:00Z {2}last #1$/m);
    expect(verbose.split("\n").filter((l) => /^ {4}(KEEP|DELETE) /.test(l))).toHaveLength(6);
  });
});
