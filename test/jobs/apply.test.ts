import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Backup, RetentionPolicy } from "../../src/domain/types.js";
import { DEFAULT_CONCURRENCY, runApply } from "../../src/jobs/apply.js";
import type { JobLogger } from "../../src/jobs/logger.js";
import { backup, dur, ms, policy } from "../support/backup-factory.js";
import { FakeBackupStore } from "../support/fake-store.js";

const NOW = ms("2026-11-28T06:00:00Z");
const REGIONS = ["us-east-1", "us-west-2"];

/** `n` daily backups `<prefix>01..`, the first on 2026-11-<firstDay> at `hour`:00Z. */
function daily(prefix: string, cluster: string, region: string, firstDay: number, n: number, hour: number): Backup[] {
  return Array.from({ length: n }, (_, i) =>
    backup({
      id: `${prefix}${String(i + 1).padStart(2, "0")}`,
      cluster,
      region,
      at: `2026-11-${String(firstDay + i).padStart(2, "0")}T${String(hour).padStart(2, "0")}:00:00Z`,
    }),
  );
}

/**
 * a01..a10 (Nov 18..27, 03:00) and b01..b05 (Nov 23..27, 04:00) in us-east-1, w01..w06
 * (Nov 22..27) in us-west-2. "prod" keeps the last 3 of each east cluster: a01..a07 and
 * b01..b02 go (9). "west" (report) keeps the last 2: w01..w04 would go (4).
 */
const fleet = (): Backup[] => [
  ...daily("a", "cluster-a", "us-east-1", 18, 10, 3),
  ...daily("b", "cluster-b", "us-east-1", 23, 5, 4),
  ...daily("w", "cluster-w", "us-west-2", 22, 6, 5),
];
const prod = (overrides: Parameters<typeof policy>[0] = {}): RetentionPolicy =>
  policy({ name: "prod", select: { regions: ["us-east-1"], clusters: ["*"], copies: "exclude" }, keep: { last: 3 }, ...overrides });
const west = (overrides: Parameters<typeof policy>[0] = {}): RetentionPolicy =>
  policy({ name: "west", mode: "report", select: { regions: ["us-west-2"], clusters: ["*"], copies: "exclude" }, keep: { last: 2 }, ...overrides });

const PROD_DELETIONS = ["a01", "a02", "a03", "a04", "a05", "a06", "a07", "b01", "b02"];
const WEST_DELETIONS = ["w01", "w02", "w03", "w04"];

interface LogLine {
  level: "INFO" | "WARN" | "ERROR";
  message: string;
  attributes: Record<string, unknown>;
}

function recordingLogger(): JobLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine["level"]) => (message: string, attributes: Record<string, unknown> = {}) => {
    lines.push({ level, message, attributes });
  };
  return { lines, info: at("INFO"), warn: at("WARN"), error: at("ERROR") };
}

const apply = (store: FakeBackupStore, policies: RetentionPolicy[], extra: { dryRun?: boolean; concurrency?: number; log?: JobLogger; signal?: AbortSignal } = {}) =>
  runApply({ policies, regions: REGIONS, store, nowMs: NOW, concurrency: 1, ...extra });

describe("runApply: interrupted", () => {
  it("starts no deletion once the signal is aborted, and names every planned one not attempted", async () => {
    // Prepare: abort as the fourth deletion starts (concurrency 1: one at a time).
    const store = new FakeBackupStore(fleet());
    const controller = new AbortController();
    const inner = store.deleteBackup.bind(store);
    let started = 0;
    store.deleteBackup = (region, id) => {
      if (++started === 4) controller.abort();
      return inner(region, id);
    };
    // Act
    const report = await apply(store, [prod(), west()], { signal: controller.signal });
    // Assess: the fourth, in flight when the signal came, finishes; nothing after it starts.
    expect(started).toBe(4);
    expect(report.interrupted).toBe(true);
    expect(report.counts).toMatchObject({ planned: 9, deleted: 4, notAttempted: 5 });
    const done = new Set(store.pendingIds());
    expect(report.notAttempted.map((d) => d.backupId).sort()).toEqual(PROD_DELETIONS.filter((id) => !done.has(id)).sort());
  });
});

describe("runApply: what gets deleted", () => {
  it("deletes every planned deletion of an enforce-mode policy and exits 0", async () => {
    // Prepare
    const store = new FakeBackupStore(fleet());
    // Act
    const report = await apply(store, [prod(), west()]);
    // Assess
    expect(report.exitCode).toBe(0);
    expect(store.pendingIds()).toEqual(PROD_DELETIONS);
    expect(report.counts).toEqual({ planned: 9, deleted: 9, alreadyPending: 0, failed: 0, held: 0, changed: 0, listFailures: 0, reportOnly: 4, deferred: 0, halts: 0, notAttempted: 0 });
  });

  it("counts report-mode deletions as reportOnly and never sends them to the store", async () => {
    // Prepare
    const store = new FakeBackupStore(fleet());
    // Act
    const report = await apply(store, [prod(), west()]);
    // Assess
    const planWest = report.plan.decisions.filter((d) => d.policy === "west" && d.action === "delete").map((d) => d.backupId);
    expect(planWest).toEqual([...WEST_DELETIONS].reverse());
    expect(report.counts.reportOnly).toBe(4);
    expect(store.deleteCalls.filter((c) => c.region === "us-west-2")).toEqual([]);
    expect(store.all().filter((b) => b.region === "us-west-2").every((b) => b.state === "READY")).toBe(true);
  });

  it("sends no deletes on a dry run, yet reports what it would delete", async () => {
    // Prepare
    const store = new FakeBackupStore(fleet());
    // Act
    const report = await apply(store, [prod(), west()], { dryRun: true });
    // Assess
    expect(store.deleteCalls).toEqual([]);
    expect(store.pendingIds()).toEqual([]);
    expect(report).toMatchObject({ dryRun: true, outcomes: [], exitCode: 0 });
    expect(report.counts).toMatchObject({ planned: 9, deleted: 0, reportOnly: 4 });
  });

  it("returns exactly one outcome per planned deletion, and deletes nothing twice", async () => {
    // Prepare: one backup is already PENDING_DELETION (skipped), one delete fails
    const backups = fleet().map((b) => (b.backupId === "a04" ? { ...b, state: "PENDING_DELETION" as const, deleteAtMs: NOW + 86_400_000 } : b));
    const store = new FakeBackupStore(backups).failDelete("a02");
    // Act
    const report = await apply(store, [prod(), west()], { concurrency: 4 });
    // Assess
    const expected = PROD_DELETIONS.filter((id) => id !== "a04");
    expect(report.outcomes.map((o) => o.backupId).sort()).toEqual(expected);
    // a02 failed, so a01, the oldest of its group, is held back and never sent.
    expect(store.deleteCalls.map((c) => c.backupId).sort()).toEqual(expected.filter((id) => id !== "a01"));
    expect(report.counts.planned).toBe(expected.length);
    expect(report.counts.deleted + report.counts.failed + report.counts.alreadyPending + report.counts.held).toBe(report.counts.planned);
  });
});

describe("runApply: exit codes", () => {
  it("exits 3 when some deletions fail, still carrying out the rest and listing the failures", async () => {
    // Prepare
    const store = new FakeBackupStore(fleet()).failDelete("a03", "CloudHsmInternalFailureException: boom").failDelete("b02");
    // Act
    const report = await apply(store, [prod(), west()]);
    // Assess
    expect(report.exitCode).toBe(3);
    // The oldest of each group with a failure (a01, b01) is held back for the next run.
    expect(report.counts).toMatchObject({ planned: 9, deleted: 5, failed: 2, held: 2 });
    expect(store.pendingIds()).toEqual(PROD_DELETIONS.filter((id) => !["a03", "b02", "a01", "b01"].includes(id)));
    const failed = report.outcomes.filter((o) => o.status === "failed");
    expect(failed.map((o) => [o.backupId, o.error])).toEqual([
      ["a03", "CloudHsmInternalFailureException: boom"],
      ["b02", "CloudHsmInternalFailureException: injected"],
    ]);
  });

  it("exits 3 when a region's listing fails: nothing there is deleted, other regions still are", async () => {
    // Prepare: with west enforcing, a working listing would delete w01..w04
    const policies = [prod(), west({ mode: "enforce" })];
    const control = await apply(new FakeBackupStore(fleet()), policies);
    expect(control.outcomes.filter((o) => o.region === "us-west-2")).toHaveLength(4);
    const store = new FakeBackupStore(fleet()).failListing("us-west-2", new Error("listing backups in us-west-2 failed: AccessDenied"));
    // Act
    const report = await apply(store, policies);
    // Assess
    expect(report.exitCode).toBe(3);
    expect(report.counts).toMatchObject({ listFailures: 1, planned: 9, deleted: 9, failed: 0 });
    expect(report.listings.find((l) => l.region === "us-west-2")).toMatchObject({ backups: 0, error: "listing backups in us-west-2 failed: AccessDenied" });
    expect(store.deleteCalls.filter((c) => c.region === "us-west-2")).toEqual([]);
    expect(store.pendingIds()).toEqual(PROD_DELETIONS);
  });

  it("exits 4 when a guard halts an enforce-mode policy, deleting nothing under it", async () => {
    // Prepare: prod would delete 70% of cluster-a; west enforces and is not halted
    const store = new FakeBackupStore(fleet());
    // Act
    const report = await apply(store, [prod({ guards: { maxDeletePercent: 50 } }), west({ mode: "enforce" })]);
    // Assess
    expect(report.exitCode).toBe(4);
    expect(report.counts.halts).toBe(1);
    expect(report.plan.halts).toEqual([expect.objectContaining({ policy: "prod", guard: "maxDeletePercent" })]);
    expect(store.deleteCalls.filter((c) => c.region === "us-east-1")).toEqual([]);
    expect(store.pendingIds()).toEqual(WEST_DELETIONS);
  });

  it("does not exit 4 for a halt in a report-mode policy", async () => {
    // Prepare: west would show 66.7% of its backups deleted
    const store = new FakeBackupStore(fleet());
    // Act
    const report = await apply(store, [prod(), west({ guards: { maxDeletePercent: 50 } })]);
    // Assess
    expect(report.plan.halts).toEqual([expect.objectContaining({ policy: "west", guard: "maxDeletePercent" })]);
    expect(report.counts.halts).toBe(0);
    expect(report.exitCode).toBe(0);
  });

  it("exits 3 rather than 4 when a deletion fails and another policy is halted", async () => {
    // Prepare
    const store = new FakeBackupStore(fleet()).failDelete("w01");
    // Act
    const report = await apply(store, [prod({ guards: { maxDeletePercent: 50 } }), west({ mode: "enforce" })]);
    // Assess
    expect(report.counts).toMatchObject({ halts: 1, failed: 1 });
    expect(report.exitCode).toBe(3);
  });
});

describe("runApply: a failed listing", () => {
  it("keeps in the report how hard the adapter tried before giving up", async () => {
    // Prepare: the adapter's ListBackupsError carries calls and retries
    const err = Object.assign(new Error("listing backups in us-west-2 failed: ThrottlingException"), { calls: 4, retries: { throttled: 3 } });
    const store = new FakeBackupStore(fleet()).failListing("us-west-2", err);
    // Act
    const report = await apply(store, [prod(), west()]);
    // Assess
    expect(report.listings.find((l) => l.region === "us-west-2")).toMatchObject({ calls: 4, retries: { throttled: 3 } });
    expect(report.retries).toMatchObject({ throttled: 3 });
  });
});

describe("runApply: a failed deletion holds back its group's oldest", () => {
  it("does not delete a group's oldest backup when another deletion in that group failed", async () => {
    // Prepare: a03 fails; a01 is the oldest of cluster a, b01 of cluster b
    const store = new FakeBackupStore(fleet()).failDelete("a03");
    const log = recordingLogger();
    // Act
    const report = await apply(store, [prod(), west()], { log });
    // Assess
    expect(report.exitCode).toBe(3);
    expect(report.counts).toMatchObject({ planned: 9, deleted: 7, failed: 1, held: 1 });
    expect(report.outcomes.find((o) => o.backupId === "a01")).toMatchObject({ status: "held", attempts: 0 });
    expect(store.deleteCalls.map((c) => c.backupId)).not.toContain("a01");
    expect(store.pendingIds()).toEqual(["a02", "a04", "a05", "a06", "a07", "b01", "b02"]);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: "WARN", message: "delete held", attributes: expect.objectContaining({ backupId: "a01", status: "held" }) }));
  });

  it("ends where an uninterrupted run would once the failure clears and it runs again", async () => {
    const store = new FakeBackupStore(fleet()).failDelete("a03");
    await apply(store, [prod(), west()]);
    const healed = new FakeBackupStore(store.all());
    const report = await apply(healed, [prod(), west()]);
    expect(report.exitCode).toBe(0);
    expect(healed.pendingIds()).toEqual(PROD_DELETIONS);
  });
});

describe("runApply: order and concurrency", () => {
  it("deletes oldest first, and each group's oldest backup after all other deletions", async () => {
    // Prepare
    const store = new FakeBackupStore(fleet());
    // Act
    await apply(store, [prod(), west()], { concurrency: 1 });
    // Assess: a01 and b01 are their groups' oldest backups
    expect(store.deleteCalls.map((c) => c.backupId)).toEqual(["a02", "a03", "a04", "a05", "a06", "a07", "b02", "a01", "b01"]);
  });

  it("starts a group's oldest deletion only once every other deletion has finished, even in parallel", async () => {
    // Prepare: uneven latencies, so a barrier-free schedule would overlap the phases
    const latency: Record<string, number> = { a02: 30, a03: 1, b02: 25, a07: 15 };
    const store = new FakeBackupStore(fleet(), { deleteLatencyMs: (id) => latency[id] ?? 2 });
    // Act
    await apply(store, [prod(), west()], { concurrency: 4 });
    // Assess
    const lastOtherEnd = Math.max(...store.events.flatMap((e, i) => (e.kind === "end" && !["a01", "b01"].includes(e.backupId) ? [i] : [])));
    const oldestStarts = store.events.flatMap((e, i) => (e.kind === "start" && ["a01", "b01"].includes(e.backupId) ? [i] : []));
    expect(oldestStarts).toHaveLength(2);
    for (const i of oldestStarts) expect(i).toBeGreaterThan(lastOtherEnd);
  });

  it.each([1, 2, 5])("keeps at most %i deletions in flight", async (concurrency) => {
    // Prepare: 29 deletions
    const store = new FakeBackupStore(daily("c", "cluster-c", "us-east-1", 1, 27, 3).concat(daily("d", "cluster-c", "us-east-1", 1, 3, 9)), {
      deleteLatencyMs: () => 2,
    });
    // Act
    const report = await apply(store, [policy({ keep: { last: 1 } })], { concurrency });
    // Assess
    expect(report.counts.deleted).toBe(29);
    expect(store.maxInFlight).toBe(concurrency);
  });

  it(`runs ${DEFAULT_CONCURRENCY} deletions in parallel when no concurrency is given`, async () => {
    // Prepare
    const store = new FakeBackupStore(daily("c", "cluster-c", "us-east-1", 1, 27, 3), { deleteLatencyMs: () => 2 });
    // Act
    await runApply({ policies: [policy({ keep: { last: 1 } })], regions: REGIONS, store, nowMs: NOW });
    // Assess
    expect(DEFAULT_CONCURRENCY).toBeGreaterThan(1);
    expect(store.maxInFlight).toBe(DEFAULT_CONCURRENCY);
  });
});

describe("runApply: retries and logs", () => {
  it("sums the retries of every listing and every delete into report.retries", async () => {
    // Prepare
    const store = new FakeBackupStore(fleet())
      .reportListRetries("us-east-1", { throttled: 2 })
      .reportListRetries("us-west-2", { "server error": 1 })
      .reportDeleteRetries("a02", { throttled: 1 })
      .reportDeleteRetries("b02", { transient: 3, throttled: 1 });
    const log = recordingLogger();
    // Act
    const report = await apply(store, [prod(), west()], { log });
    // Assess
    expect(report.retries).toEqual({ throttled: 4, "server error": 1, transient: 3 });
    expect(log.lines.find((l) => l.message === "apply finished")?.attributes.retries).toEqual(report.retries);
  });

  it('logs "backup deleted" for each deletion with stable keys', async () => {
    // Prepare
    const store = new FakeBackupStore(fleet()).reportDeleteRetries("a02", { throttled: 2 });
    const log = recordingLogger();
    // Act
    await apply(store, [prod(), west()], { log });
    // Assess
    const deleted = log.lines.filter((l) => l.message === "backup deleted");
    expect(deleted.map((l) => l.attributes.backupId)).toEqual(["a02", "a03", "a04", "a05", "a06", "a07", "b02", "a01", "b01"]);
    for (const line of deleted) {
      expect(line.level).toBe("INFO");
      expect(Object.keys(line.attributes).sort()).toEqual(
        ["attempts", "backupId", "clusterId", "deleteAtMs", "group", "policy", "reason", "region", "status"].sort(),
      );
    }
    expect(deleted[0]!.attributes).toEqual({
      backupId: "a02",
      clusterId: "cluster-a",
      region: "us-east-1",
      policy: "prod",
      group: "us-east-1/cluster-a",
      status: "deleted",
      attempts: 3,
      reason: "no keep rule matched",
      deleteAtMs: NOW + 7 * 86_400_000,
    });
  });

  it('logs "delete failed" at ERROR with the error', async () => {
    // Prepare
    const store = new FakeBackupStore(fleet()).failDelete("b02", "CloudHsmAccessDeniedException: not authorized");
    const log = recordingLogger();
    // Act
    await apply(store, [prod(), west()], { log });
    // Assess
    expect(log.lines.filter((l) => l.message === "delete failed")).toEqual([
      {
        level: "ERROR",
        message: "delete failed",
        attributes: expect.objectContaining({
          backupId: "b02",
          clusterId: "cluster-b",
          region: "us-east-1",
          policy: "prod",
          group: "us-east-1/cluster-b",
          status: "failed",
          attempts: 1,
          error: "CloudHsmAccessDeniedException: not authorized",
        }),
      },
    ]);
  });

  it('logs "apply finished" last, with the counts and the exit code', async () => {
    // Prepare
    const store = new FakeBackupStore(fleet()).failListing("us-west-2");
    const log = recordingLogger();
    // Act
    await apply(store, [prod(), west()], { log });
    // Assess
    expect(log.lines.at(-1)).toEqual({
      level: "INFO",
      message: "apply finished",
      attributes: { planned: 9, deleted: 9, alreadyPending: 0, failed: 0, held: 0, changed: 0, listFailures: 1, reportOnly: 0, deferred: 0, halts: 0, notAttempted: 0, retries: {}, dryRun: false, interrupted: false, exitCode: 3 },
    });
    expect(log.lines.find((l) => l.level === "ERROR")).toMatchObject({ attributes: { region: "us-west-2" } });
  });
});

describe("runApply: convergence", () => {
  const TIMEZONES = ["UTC", "Europe/Berlin", "America/New_York"];
  const HOUR_MS = 3_600_000;

  // Histories of 4 to 21 days with several backups a day, so that within rules' thresholds
  // and day buckets fall inside them: where the deletion order matters.
  const backupsArb = fc.integer({ min: 4, max: 21 }).chain((spanDays) =>
    fc.array(
      fc.record({
        region: fc.constantFrom(...REGIONS),
        cluster: fc.constantFrom("cluster-a", "cluster-a", "cluster-a", "cluster-b"),
        hoursAgo: fc.integer({ min: 1, max: 24 * spanDays }),
        pinned: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
        held: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
      }),
      { minLength: 4, maxLength: 50, size: "medium" },
    ),
  );
  // Mostly off: a count rule with count left at a group's oldest backup keeps it, and a
  // long `within` keeps everything, and then there is no "oldest goes last" order to check.
  const count = (max: number) => fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: fc.integer({ min: 1, max }), weight: 1 });
  const policyArb = (name: string, region: string) =>
    fc
      .record({
        mode: fc.constantFrom("enforce" as const, "enforce" as const, "enforce" as const, "report" as const),
        timezone: fc.constantFrom(...TIMEZONES),
        last: count(4),
        daily: count(7),
        weekly: count(3),
        monthly: count(2),
        withinDays: count(10),
        withinDailyDays: fc.integer({ min: 0, max: 14 }),
        withinWeeklyDays: fc.integer({ min: 0, max: 21 }),
        withinHourlyDays: count(2),
        keepNewest: fc.integer({ min: 1, max: 3 }),
        minAgeDays: fc.integer({ min: 0, max: 3 }),
        maxDeletePercent: fc.constantFrom(100, 100, 80),
      })
      .map((p) =>
        policy({
          name,
          mode: p.mode,
          timezone: p.timezone,
          select: { regions: [region], clusters: ["*"], copies: "exclude" },
          keep: {
            last: p.last,
            daily: p.daily,
            weekly: p.weekly,
            monthly: p.monthly,
            within: dur({ days: p.withinDays }),
            withinDaily: dur({ days: p.withinDailyDays }),
            withinWeekly: dur({ days: p.withinWeeklyDays }),
            withinHourly: dur({ days: p.withinHourlyDays }),
            tags: [["legal-hold"]],
          },
          guards: { keepNewest: p.keepNewest, minAge: dur({ days: p.minAgeDays }), maxDeletePercent: p.maxDeletePercent },
        }),
      );

  it("ends where one uninterrupted run ends after a run killed at any point and rerun", async () => {
    await fc.assert(
      fc.asyncProperty(backupsArb, policyArb("east", "us-east-1"), policyArb("west", "us-west-2"), async (specs, east, westP) => {
        // Prepare
        const backups = specs.map((s, i) =>
          backup({
            id: `backup-${String(i).padStart(3, "0")}`,
            cluster: s.cluster,
            region: s.region,
            at: new Date(NOW - s.hoursAgo * HOUR_MS).toISOString(),
            neverExpires: s.pinned,
            tags: s.held ? { "legal-hold": "case-1" } : {},
          }),
        );
        const policies = [east, westP];
        const uninterrupted = new FakeBackupStore(backups, { nowMs: NOW });
        await runApply({ policies, regions: REGIONS, store: uninterrupted, nowMs: NOW, concurrency: 1 });
        const order = uninterrupted.deleteCalls;
        // Every interruption point: the first `cut` deletions done, then a rerun.
        for (let cut = 0; cut < order.length; cut++) {
          const killed = new FakeBackupStore(backups, { nowMs: NOW });
          for (const c of order.slice(0, cut)) await killed.deleteBackup(c.region, c.backupId);
          // Act
          await runApply({ policies, regions: REGIONS, store: killed, nowMs: NOW, concurrency: 1 });
          // Assess
          expect(killed.pendingIds(), `rerun after ${cut} of ${order.length} deletions`).toEqual(uninterrupted.pendingIds());
        }
      }),
      {
        numRuns: 50,
        examples: [
          // Deleting x (the oldest) before y1 leaves y1 the oldest backup inside the
          // withinDaily window, sharing Nov 25 with y2: a rerun would keep it.
          [
            [
              { region: "us-east-1", cluster: "cluster-a", hoursAgo: 27, pinned: false, held: false },
              { region: "us-east-1", cluster: "cluster-a", hoursAgo: 58, pinned: false, held: false },
              { region: "us-east-1", cluster: "cluster-a", hoursAgo: 75, pinned: false, held: false },
              { region: "us-east-1", cluster: "cluster-a", hoursAgo: 171, pinned: false, held: false },
            ],
            policy({ name: "east", select: { regions: ["us-east-1"], clusters: ["*"], copies: "exclude" }, keep: { withinDaily: dur({ days: 3 }) } }),
            policy({ name: "west", select: { regions: ["us-west-2"], clusters: ["*"], copies: "exclude" }, keep: { last: 1 } }),
          ],
        ],
      },
    );
  });
});

describe("runApply: a backup listed in two regions", () => {
  it("fails both regions' listings and deletes nothing in them (an endpoint that ignores the region)", async () => {
    // The same fleet answered for both regions: every east backup also appears in the west.
    const east = daily("a", "cluster-a", "us-east-1", 18, 10, 3);
    const store = new FakeBackupStore([...east, ...east.map((b) => ({ ...b, region: "us-west-2" }))]);
    const report = await apply(store, [prod(), west()]);
    expect(store.deleteCalls).toEqual([]);
    expect(report.exitCode).toBe(3);
    expect(report.listings.map((l) => [l.region, l.error?.includes("was listed in us-east-1 and us-west-2")])).toEqual([
      ["us-east-1", true],
      ["us-west-2", true],
    ]);
  });
});

describe("runApply: time of check", () => {
  it("does not delete a backup pinned (NeverExpires) between the listing and its deletion", async () => {
    // Prepare: someone pins a03 right after the listing.
    const store = new FakeBackupStore(fleet()).afterNextListing((s) => s.update("us-east-1", "a03", { neverExpires: true }));
    // Act
    const report = await apply(store, [prod()]);
    // Assess
    expect(store.deleteCalls.map((c) => c.backupId)).not.toContain("a03");
    expect(report.outcomes.find((o) => o.backupId === "a03")).toMatchObject({ status: "changed", reason: expect.stringContaining("pinned (NeverExpires)") });
    expect(report.counts).toMatchObject({ planned: 9, changed: 1 });
    expect(report.exitCode).toBe(0);
  });

  it.each([
    ["tagged", { tags: { "legal-hold": "case-9" } }, "its tags changed"],
    ["deleted by someone else", { state: "PENDING_DELETION" as const, deleteAtMs: NOW + 7 * 86_400_000 }, "its state is now PENDING_DELETION"],
  ])("does not delete a backup %s meanwhile, and says why", async (_, patch, why) => {
    const store = new FakeBackupStore(fleet()).afterNextListing((s) => s.update("us-east-1", "a05", patch));
    const report = await apply(store, [prod()]);
    expect(store.deleteCalls.map((c) => c.backupId)).not.toContain("a05");
    expect(report.outcomes.find((o) => o.backupId === "a05")?.reason).toContain(why);
  });

  it("holds back the group's oldest when another of its deletions was skipped as changed", async () => {
    const store = new FakeBackupStore(fleet()).afterNextListing((s) => s.update("us-east-1", "a03", { neverExpires: true }));
    const report = await apply(store, [prod()]);
    expect(report.outcomes.find((o) => o.backupId === "a01")?.status).toBe("held");
    // cluster-b's deletions are untouched by cluster-a's change.
    expect(store.pendingIds()).toEqual(["a02", "a04", "a05", "a06", "a07", "b01", "b02"]);
  });

  it("looks every candidate up again before deleting it, in batches per region", async () => {
    const store = new FakeBackupStore(fleet());
    await apply(store, [prod()]);
    const looked = store.lookUpCalls.flatMap((c) => c.backupIds).sort();
    expect(looked).toEqual(PROD_DELETIONS);
    expect(store.lookUpCalls.every((c) => c.region === "us-east-1")).toBe(true);
  });

  it("counts a batch it could not look at again as failed, and deletes none of it", async () => {
    const store = new FakeBackupStore(fleet()).failLookUp("us-east-1");
    const report = await apply(store, [prod()]);
    expect(store.deleteCalls).toEqual([]);
    expect(report.exitCode).toBe(3);
    expect(report.outcomes.filter((o) => o.status === "failed")).toHaveLength(7);
    expect(report.outcomes.find((o) => o.status === "failed")?.error).toContain("could not look at the backup again");
  });
});
