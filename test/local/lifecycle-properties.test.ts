import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Backup } from "../../src/domain/types.js";
import { BackupSchedules, ServiceRetention } from "../../src/local/cloudhsm/automation.js";
import type { LifecycleEvent } from "../../src/local/cloudhsm/lifecycle.js";
import { BackupStore } from "../../src/local/cloudhsm/store.js";
import { makeId, prng } from "../../src/local/fleet.js";

/**
 * What the emulated CloudHSM does on its own (daily backups, the clusters' retention,
 * permanent deletion) must depend on the clock alone: reading every few minutes or once
 * at the end gives the same backups and the same steps. And the retention keeps the
 * promises the user guide makes, whatever the fleet.
 */
const DAY_MS = 86_400_000;
const START_MS = Date.parse("2026-11-28T06:00:00Z");

interface Scenario {
  seed: number;
  clusters: Array<{ region: string; backups: number; days: number; schedule: { atMinute: number; readyAfterMin: number; stopped: boolean } | null }>;
  horizonMs: number;
  reads: number[];
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  clusters: fc.array(
    fc.record({
      region: fc.constantFrom("us-east-1", "eu-central-1"),
      backups: fc.integer({ min: 0, max: 14 }),
      days: fc.integer({ min: 7, max: 20 }),
      schedule: fc.option(fc.record({ atMinute: fc.integer({ min: 0, max: 1439 }), readyAfterMin: fc.integer({ min: 0, max: 120 }), stopped: fc.boolean() }), { nil: null }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  horizonMs: fc.integer({ min: 0, max: 20 * DAY_MS }),
  reads: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 }),
});

/** The fleet at START: random ages up to 30 days, some pinned, some pending deletion, a copy now and then. */
function fleetOf(s: Scenario): { backups: Backup[]; clusterIds: string[] } {
  const rand = prng(s.seed);
  const backups: Backup[] = [];
  const clusterIds: string[] = [];
  for (const c of s.clusters) {
    const clusterId = makeId("cluster", rand);
    clusterIds.push(clusterId);
    for (let i = 0; i < c.backups; i++) {
      const createdAtMs = START_MS - Math.floor(rand() * 30 * DAY_MS);
      const pending = rand() < 0.15;
      backups.push({
        backupId: makeId("backup", rand), clusterId, region: c.region, createdAtMs, tags: {},
        state: pending ? "PENDING_DELETION" : "READY",
        ...(pending ? { deleteAtMs: START_MS + Math.floor(rand() * 7 * DAY_MS) } : {}),
        neverExpires: rand() < 0.1,
      });
      if (rand() < 0.1) {
        backups.push({ backupId: makeId("backup", rand), clusterId: undefined, region: "us-west-2", createdAtMs, state: "READY", neverExpires: false, tags: {}, sourceRegion: c.region, sourceClusterId: clusterId, sourceBackupId: "backup-source234567" });
      }
    }
  }
  return { backups, clusterIds };
}

/** Sets the scenario up on a fresh store; `now` is read by the switches. */
function setUp(s: Scenario) {
  let nowMs = START_MS;
  const store = new BackupStore();
  const steps: Array<{ event: LifecycleEvent; createdAtMs: number; neverExpires: boolean; copy: boolean }> = [];
  store.onLifecycle((event, b) => steps.push({ event: { ...event }, createdAtMs: b.createdAtMs, neverExpires: b.neverExpires, copy: b.sourceRegion !== undefined }));
  const { backups, clusterIds } = fleetOf(s);
  store.upsert(backups, START_MS);
  const schedules = new BackupSchedules(store, () => nowMs);
  const retention = new ServiceRetention(store, () => nowMs);
  s.clusters.forEach((c, i) => {
    const clusterId = clusterIds[i] as string;
    // A cluster without backups is unknown to the emulator, as on AWS it would have none yet.
    if (c.backups === 0) return;
    retention.setDays({ region: c.region, clusterId }, c.days);
    if (c.schedule) {
      const at = `${String(Math.floor(c.schedule.atMinute / 60)).padStart(2, "0")}:${String(c.schedule.atMinute % 60).padStart(2, "0")}`;
      schedules.set({ region: c.region, clusterId, dailyAt: at, readyAfter: c.schedule.readyAfterMin * 60_000 });
      if (c.schedule.stopped) schedules.stop({ region: c.region, clusterId });
    }
  });
  retention.enable();
  return { store, steps, backups, clusterIds, at: (ms: number) => (nowMs = ms) };
}

function snapshot(store: BackupStore, nowMs: number) {
  return ["eu-central-1", "us-east-1", "us-west-2"].map((r) => store.sorted(r, nowMs).map((b) => ({ ...b })));
}

const byTime = (a: { event: LifecycleEvent }, b: { event: LifecycleEvent }) =>
  a.event.atMs - b.event.atMs || (a.event.backupId < b.event.backupId ? -1 : a.event.backupId > b.event.backupId ? 1 : a.event.action < b.event.action ? -1 : 1);

describe("the service's own work depends on the clock alone", () => {
  it("reading often or once at the end gives the same backups and the same steps", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const endMs = START_MS + s.horizonMs;
        const often = setUp(s);
        const regions = ["us-east-1", "eu-central-1", "us-west-2"];
        [...s.reads].sort((a, b) => a - b).forEach((f, i) => {
          const t = START_MS + Math.floor(f * s.horizonMs);
          often.at(t);
          often.store.sorted(regions[i % 3] as string, t);
        });
        const once = setUp(s);
        once.at(endMs);
        expect(snapshot(often.store, endMs)).toEqual(snapshot(once.store, endMs));
        expect([...often.steps].sort(byTime)).toEqual([...once.steps].sort(byTime));
      }),
      { numRuns: 150 },
    );
  });
});

describe("the clusters' retention keeps the user guide's promises", () => {
  it("marks only READY, unpinned originals past their cluster's policy, never a cluster's last READY backup", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const endMs = START_MS + s.horizonMs;
        const run = setUp(s);
        run.store.catchUp(endMs);
        const days = new Map(s.clusters.map((c, i) => [run.clusterIds[i], c.days]));
        for (const { event, createdAtMs, neverExpires, copy } of run.steps) {
          if (event.action !== "retention-delete") continue;
          expect(copy).toBe(false);
          expect(neverExpires).toBe(false);
          expect(event.atMs).toBeGreaterThanOrEqual(createdAtMs + (days.get(event.clusterId) as number) * DAY_MS);
          expect(event.atMs).toBeGreaterThanOrEqual(START_MS);
          expect(event.deleteAtMs).toBe(event.atMs + 7 * DAY_MS);
        }
        // No caller deletes anything here, so a cluster with a READY original keeps one.
        for (const clusterId of run.clusterIds) {
          const hadReady = run.backups.some((b) => b.clusterId === clusterId && b.state === "READY");
          const region = s.clusters[run.clusterIds.indexOf(clusterId)]?.region as string;
          const hasReady = run.store.sorted(region, endMs).some((b) => b.clusterId === clusterId && b.state === "READY");
          if (hadReady) expect(hasReady).toBe(true);
        }
        // Nothing past the policy is left READY, except pinned ones and each cluster's newest.
        for (const [i, c] of s.clusters.entries()) {
          const own = run.store.sorted(c.region, endMs).filter((b) => b.clusterId === run.clusterIds[i] && b.state === "READY");
          const newest = own.at(-1);
          for (const b of own) {
            if (b === newest || b.neverExpires) continue;
            expect(b.createdAtMs + c.days * DAY_MS).toBeGreaterThan(endMs);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
