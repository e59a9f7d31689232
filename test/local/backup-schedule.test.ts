import { type Backup as AwsBackup, DescribeBackupsCommand } from "@aws-sdk/client-cloudhsm-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backup } from "../../src/domain/types.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { admin, client, DAY_MS, fleet, NOW_MS, start } from "./support.js";

/**
 * CloudHSM backs each cluster up at least once every 24 hours (user guide, "Cluster
 * backups"). The emulator does it on a schedule, lazily, as its clock passes the time.
 * NOW_MS is 2026-11-28T06:00:00Z; the clock is frozen, so it moves only when told.
 */
const backups = fleet();
const eastClusters = [...new Set(backups.filter((b) => b.region === "us-east-1").map((b) => b.clusterId as string))].sort();
const [scheduled, other] = eastClusters as [string, string];
const seededIds = new Set(backups.map((b) => b.backupId));
const HOUR_MS = 3_600_000;

let endpoint: LocalEndpoint;
const hsm = () => client(endpoint);

async function backupsOf(clusterId: string): Promise<AwsBackup[]> {
  const out: AwsBackup[] = [];
  let token: string | undefined;
  do {
    const page = await hsm().send(new DescribeBackupsCommand({ Filters: { clusterIds: [clusterId] }, SortAscending: true, NextToken: token }));
    out.push(...(page.Backups ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}
const madeByTheService = async (clusterId: string) => (await backupsOf(clusterId)).filter((b) => !seededIds.has(b.BackupId as string));

beforeAll(async () => {
  endpoint = await start(backups);
});
afterAll(async () => {
  await endpoint.close();
});

describe("daily backups on a schedule", () => {
  it("makes no backups until a schedule is set", async () => {
    endpoint.clock.advance(2 * DAY_MS);
    expect(await madeByTheService(scheduled)).toEqual([]);
    endpoint.clock.set(NOW_MS);
  });

  it("POST /_emulator/schedule sets one cluster's time of day and answers its schedule", async () => {
    const res = await admin(endpoint, "POST", "schedule", { region: "us-east-1", clusterId: scheduled, dailyAt: "03:15", readyAfter: "10m" });
    expect(res.status).toBe(200);
    expect(res.json).toEqual([
      { region: "us-east-1", clusterId: scheduled, dailyAt: "03:15", readyAfterMs: 600_000, state: "running", nextBackupAt: "2026-11-29T03:15:00.000Z" },
    ]);
  });

  it("makes exactly one backup a day, at 03:15, across a 10-day clock jump", async () => {
    endpoint.clock.advance(10 * DAY_MS); // 2026-12-08T06:00Z
    const made = await madeByTheService(scheduled);
    // 29 Nov to 8 Dec inclusive: ten days, worked out by hand.
    const expected = Array.from({ length: 10 }, (_, i) => new Date(Date.parse("2026-11-29T03:15:00Z") + i * DAY_MS).toISOString());
    expect(made.map((b) => b.CreateTimestamp?.toISOString())).toEqual(expected);
    for (const b of made) {
      expect(b).toMatchObject({ ClusterId: scheduled, BackupState: "READY", NeverExpires: false });
      expect(b.BackupId).toMatch(/^backup-[2-7a-z]{11}$/);
      expect(b.DeleteTimestamp).toBeUndefined();
      // SDK 3.332.0's model predates HsmType and Mode on a backup: read them from the store.
      expect(endpoint.cloudhsm.get("us-east-1", b.BackupId as string, endpoint.clock.nowMs())).toMatchObject({ hsmType: "hsm2m.medium", mode: "FIPS" });
    }
    expect(new Set(made.map((b) => b.BackupId)).size).toBe(10);
    // Only the scheduled cluster.
    expect(await madeByTheService(other)).toEqual([]);
  });

  it("a new backup is CREATE_IN_PROGRESS for readyAfter, then READY", async () => {
    endpoint.clock.set(Date.parse("2026-12-09T03:15:00Z"));
    let newest = (await madeByTheService(scheduled)).at(-1);
    expect(newest?.CreateTimestamp?.toISOString()).toBe("2026-12-09T03:15:00.000Z");
    expect(newest?.BackupState).toBe("CREATE_IN_PROGRESS");
    endpoint.clock.set(Date.parse("2026-12-09T03:24:59Z"));
    newest = (await madeByTheService(scheduled)).at(-1);
    expect(newest?.BackupState).toBe("CREATE_IN_PROGRESS");
    endpoint.clock.set(Date.parse("2026-12-09T03:25:00Z"));
    newest = (await madeByTheService(scheduled)).at(-1);
    expect(newest?.BackupState).toBe("READY");
    expect(await madeByTheService(scheduled)).toHaveLength(11);
  });

  it("the lifecycle log lists each backup created and each one ready, at their times", async () => {
    const log = endpoint.lifecycle.entries().filter((e) => e.clusterId === scheduled && (e.action === "created" || e.action === "ready"));
    expect(log).toHaveLength(22);
    expect(log.slice(-2)).toEqual([
      expect.objectContaining({ action: "created", time: "2026-12-09T03:15:00.000Z", region: "us-east-1" }),
      expect.objectContaining({ action: "ready", time: "2026-12-09T03:25:00.000Z", region: "us-east-1" }),
    ]);
    const admin_ = await admin(endpoint, "GET", "lifecycle");
    expect(admin_.json).toEqual(endpoint.lifecycle.entries());
  });

  it("stopped, it makes none (backups stopped); resumed, it goes on from the next 03:15 without making up the days missed", async () => {
    const stopped = await admin(endpoint, "POST", "schedule/stop", { clusterId: scheduled });
    expect(stopped.json).toEqual([expect.objectContaining({ clusterId: scheduled, state: "stopped", nextBackupAt: null })]);
    endpoint.clock.advance(5 * DAY_MS); // 2026-12-14T03:25Z
    expect(await madeByTheService(scheduled)).toHaveLength(11);
    const resumed = await admin(endpoint, "POST", "schedule/resume", { clusterId: scheduled });
    expect(resumed.json).toEqual([expect.objectContaining({ state: "running", nextBackupAt: "2026-12-15T03:15:00.000Z" })]);
    endpoint.clock.advance(DAY_MS); // 2026-12-15T03:25Z
    const made = await madeByTheService(scheduled);
    expect(made).toHaveLength(12);
    expect(made.at(-1)).toMatchObject({ BackupState: "READY" });
    expect(made.at(-1)?.CreateTimestamp?.toISOString()).toBe("2026-12-15T03:15:00.000Z");
  });

  it("DELETE /_emulator/schedule forgets it", async () => {
    const res = await admin(endpoint, "DELETE", `schedule?clusterId=${scheduled}`);
    expect(res.json).toEqual({ removed: 1 });
    expect((await admin(endpoint, "GET", "schedule")).json).toEqual([]);
    endpoint.clock.advance(2 * DAY_MS);
    expect(await madeByTheService(scheduled)).toHaveLength(12);
  });
});

describe("every cluster at once", () => {
  it("without dailyAt, each cluster keeps the time of day its newest backup shows", async () => {
    const now = endpoint.clock.nowMs();
    const views = endpoint.schedules.set({ region: "us-east-1", readyAfter: 0 });
    expect(views.map((v) => v.clusterId)).toEqual(eastClusters);
    for (const v of views) {
      const own = endpoint.cloudhsm.sorted("us-east-1", now).filter((b: Backup) => b.clusterId === v.clusterId);
      const newest = own[own.length - 1] as Backup;
      expect(v.dailyAt).toBe(new Date(newest.createdAtMs).toISOString().slice(11, 19).replace(/:00$/, ""));
      expect(v.readyAfterMs).toBe(0);
    }
    endpoint.clock.advance(DAY_MS);
    // readyAfter 0: each cluster has one more backup, READY at once.
    for (const id of eastClusters) {
      const made = (await madeByTheService(id)).filter((b) => (b.CreateTimestamp?.getTime() ?? 0) > now);
      expect(made.map((b) => b.BackupState)).toEqual(["READY"]);
    }
    expect(endpoint.schedules.remove()).toBe(3);
  });
});

describe("bad schedule input", () => {
  it.each([
    [{ clusterId: "cluster-unknown2345", dailyAt: "03:15" }, "cluster cluster-unknown2345 is not known in any region"],
    [{ region: "eu-west-1" }, "no clusters known in eu-west-1: seed backups first"],
    [{ dailyAt: "25:00" }, 'dailyAt: expected a UTC time of day "HH:MM" or "HH:MM:SS", e.g. "03:15"; got "25:00"'],
    [{ readyAfter: "10x" }, "readyAfter: expected a duration"],
    [{ every: "1d" }, "unknown field(s): every"],
  ])("%j is refused with 400", async (body, message) => {
    const res = await admin(endpoint, "POST", "schedule", body);
    expect(res.status).toBe(400);
    expect(res.json.error).toContain(message);
  });

  it("stopping a cluster without a schedule is refused", async () => {
    const res = await admin(endpoint, "POST", "schedule/stop", { clusterId: other });
    expect(res.status).toBe(400);
    expect(res.json.error).toContain("no backup schedule in that scope");
  });

  it("in process, the same mistakes throw", () => {
    expect(() => endpoint.schedules.set({ dailyAt: "3:15" })).toThrow(/dailyAt/);
  });
});

describe("the schedule with a live clock", () => {
  it("a backup due while real time flows appears on the next read, with its scheduled CreateTimestamp", async () => {
    let realMs = NOW_MS;
    const ep = await start(backups, new (await import("../../src/local/index.js")).EmulatorClock({ realNowMs: () => realMs }));
    try {
      ep.schedules.set({ clusterId: scheduled, dailyAt: "06:30", readyAfter: "1m" });
      realMs += 31 * 60_000 + HOUR_MS; // 07:31, no clock call
      const made = ep.cloudhsm.sorted("us-east-1", ep.clock.nowMs()).filter((b) => b.clusterId === scheduled && !seededIds.has(b.backupId));
      expect(made.map((b) => [new Date(b.createdAtMs).toISOString(), b.state])).toEqual([["2026-11-28T06:30:00.000Z", "READY"]]);
    } finally {
      await ep.close();
    }
  });
});
