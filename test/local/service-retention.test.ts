import { DescribeBackupsCommand, DescribeClustersCommand, ModifyClusterCommand, RestoreBackupCommand } from "@aws-sdk/client-cloudhsm-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backup } from "../../src/domain/types.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { admin, client, DAY_MS, errorOf, NOW_MS, start } from "./support.js";

/**
 * CloudHSM's own retention (user guide, "Configure backup retention"): backups older
 * than the cluster's policy (7..379 days) are marked for deletion by the service, never
 * the cluster's last backup; NeverExpires exempts a backup; copies in another region
 * belong to no cluster and are never touched. Off unless enabled.
 *
 * The fleet, by hand: cluster A has 20 daily backups, k = 0..19 days and one hour old at
 * NOW (2026-11-28T06:00Z), k = 15 pinned (NeverExpires); cluster B has one backup, 100
 * days old; us-west-2 holds a 30-day-old copy of an A backup.
 */
const HOUR_MS = 3_600_000;
const A = "cluster-aaaaaaaaaaa";
const B = "cluster-bbbbbbbbbbb";
const id = (k: number) => `backup-a${"234567abcdefghijklmnopqrstuvwxyz"[k]}aaaaaaaaa`;
const backup = (over: Partial<Backup>): Backup => ({
  backupId: "", clusterId: A, region: "us-east-1", state: "READY", createdAtMs: 0, neverExpires: false, tags: {}, hsmType: "hsm2m.medium", mode: "FIPS", ...over,
});
const fleet: Backup[] = [
  ...Array.from({ length: 20 }, (_, k) => backup({ backupId: id(k), createdAtMs: NOW_MS - k * DAY_MS - HOUR_MS, neverExpires: k === 15 })),
  backup({ backupId: "backup-bbbbbbbbbbb", clusterId: B, createdAtMs: NOW_MS - 100 * DAY_MS, hsmType: "hsm1.medium", mode: "NON_FIPS" }),
  backup({ backupId: "backup-copycopycop", clusterId: undefined, region: "us-west-2", createdAtMs: NOW_MS - 30 * DAY_MS, sourceRegion: "us-east-1", sourceBackupId: id(19), sourceClusterId: A, copiedAtMs: NOW_MS - 30 * DAY_MS }),
];

let endpoint: LocalEndpoint;
const hsm = () => client(endpoint);

async function states(region = "us-east-1"): Promise<Record<string, { state: string; deleteAt: string | undefined }>> {
  const out = await client(endpoint, region).send(new DescribeBackupsCommand({}));
  return Object.fromEntries((out.Backups ?? []).map((b) => [b.BackupId, { state: b.BackupState as string, deleteAt: b.DeleteTimestamp?.toISOString() }]));
}
const pendingIds = (s: Awaited<ReturnType<typeof states>>) => Object.keys(s).filter((k) => s[k]?.state === "PENDING_DELETION").sort();

beforeAll(async () => {
  endpoint = await start(fleet);
});
afterAll(async () => {
  await endpoint.close();
});

describe("ModifyCluster sets the BackupRetentionPolicy", () => {
  it("to 7 days, as DescribeClusters then reports (Value a string)", async () => {
    const out = await hsm().send(new ModifyClusterCommand({ ClusterId: A, BackupRetentionPolicy: { Type: "DAYS", Value: "7" } }));
    expect(out.Cluster?.BackupRetentionPolicy).toEqual({ Type: "DAYS", Value: "7" });
    const described = await hsm().send(new DescribeClustersCommand({ Filters: { clusterIds: [A] } }));
    expect(described.Clusters?.[0]?.BackupRetentionPolicy).toEqual({ Type: "DAYS", Value: "7" });
    const untouched = await hsm().send(new DescribeClustersCommand({ Filters: { clusterIds: [B] } }));
    expect(untouched.Clusters?.[0]?.BackupRetentionPolicy).toEqual({ Type: "DAYS", Value: "90" });
  });

  it.each([
    [{ Type: "DAYS", Value: "6" }, "CloudHsmInvalidRequestException", "from 7 to 379"],
    [{ Type: "DAYS", Value: "380" }, "CloudHsmInvalidRequestException", "from 7 to 379"],
    [{ Type: "DAYS", Value: "7.5" }, "CloudHsmInvalidRequestException", "from 7 to 379"],
    [{ Type: "WEEKS", Value: "2" }, "CloudHsmInvalidRequestException", "Type must be DAYS"],
  ])("refuses %j", async (policy, name, message) => {
    const err = await errorOf(hsm().send(new ModifyClusterCommand({ ClusterId: A, BackupRetentionPolicy: policy as never })));
    expect(err).toMatchObject({ name, status: 400 });
    expect(err.message).toContain(message);
  });

  it("answers CloudHsmResourceNotFoundException for a cluster the region does not have", async () => {
    const err = await errorOf(hsm().send(new ModifyClusterCommand({ ClusterId: "cluster-zzzzzzzzzzz", BackupRetentionPolicy: { Type: "DAYS", Value: "30" } })));
    expect(err).toMatchObject({ name: "CloudHsmResourceNotFoundException", status: 400 });
  });

  it("does nothing to backups while the service's retention is off (the default)", async () => {
    expect(endpoint.retention.enabled).toBe(false);
    expect(pendingIds(await states())).toEqual([]);
  });
});

describe("the service's retention, once enabled", () => {
  it("marks exactly the backups older than 7 days for deletion, from the moment it is enabled", async () => {
    const res = await admin(endpoint, "POST", "retention", { enabled: true });
    expect(res.json).toMatchObject({ enabled: true, clusters: [{ region: "us-east-1", clusterId: A, days: 7 }, { region: "us-east-1", clusterId: B, days: 90 }] });
    const s = await states();
    // k = 7..19 are 7 days and an hour old or more; k = 15 is pinned.
    const expected = [7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19].map(id).sort();
    expect(pendingIds(s)).toEqual(expected);
    for (const k of expected) expect(s[k]?.deleteAt).toBe(new Date(NOW_MS + 7 * DAY_MS).toISOString());
    expect(s[id(15)]?.state).toBe("READY");
    // Cluster B's only backup is 100 days old, past its 90 days: it is the cluster's last.
    expect(s["backup-bbbbbbbbbbb"]?.state).toBe("READY");
    // The copy belongs to no cluster.
    expect((await states("us-west-2"))["backup-copycopycop"]?.state).toBe("READY");
  });

  it("marks the next one the moment it turns 7 days old", async () => {
    // id(6) was created at NOW - 6 days - 1 hour: 7 days old at NOW + 23 h.
    endpoint.clock.advance(23 * HOUR_MS - 1);
    expect((await states())[id(6)]?.state).toBe("READY");
    endpoint.clock.advance(1);
    expect((await states())[id(6)]).toEqual({ state: "PENDING_DELETION", deleteAt: new Date(NOW_MS + 23 * HOUR_MS + 7 * DAY_MS).toISOString() });
  });

  it("records each deletion in CloudTrail as made by the CloudHSM service itself", () => {
    const records = endpoint.cloudtrail.events().filter((e) => e.detail.eventName === "DeleteBackup");
    expect(records.map((e) => e.detail.requestParameters?.backupId)).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19, 6].map(id));
    for (const e of records) {
      expect(e.detail.userIdentity).toEqual({ type: "AWSService", invokedBy: "cloudhsm.amazonaws.com" });
      expect(e.detail).toMatchObject({ eventSource: "cloudhsm.amazonaws.com", awsRegion: "us-east-1", sourceIPAddress: "cloudhsm.amazonaws.com", readOnly: false, eventType: "AwsApiCall" });
      expect(e.detail.errorCode).toBeUndefined();
      expect(e.detail.responseElements).toMatchObject({ backup: { backupId: e.detail.requestParameters?.backupId, backupState: "PENDING_DELETION", clusterId: A } });
    }
    expect(records.at(-1)?.detail.eventTime).toBe("2026-11-29T05:00:00Z");
    expect(records.at(-1)?.detail.responseElements).toMatchObject({ backup: { deleteTimestamp: "Dec 6, 2026, 5:00:00 AM" } });
  });

  it("a restored backup still past the policy is marked again (the race the user guide warns of)", async () => {
    const restoredAtMs = endpoint.clock.nowMs();
    const out = await hsm().send(new RestoreBackupCommand({ BackupId: id(10) }));
    expect(out.Backup?.BackupState).toBe("READY");
    expect((await states())[id(10)]).toEqual({ state: "PENDING_DELETION", deleteAt: new Date(restoredAtMs + 7 * DAY_MS).toISOString() });
  });

  it("once the last backup is no longer the newest, it goes too", async () => {
    // Cluster B backs up daily at 04:00 (hsm1.medium, NON_FIPS, as the cluster).
    endpoint.schedules.set({ clusterId: B, dailyAt: "04:00", readyAfter: "10m" });
    endpoint.clock.set(Date.parse("2026-11-30T04:09:59Z"));
    expect((await states())["backup-bbbbbbbbbbb"]?.state).toBe("READY");
    endpoint.clock.set(Date.parse("2026-11-30T04:10:00Z"));
    const s = await states();
    expect(s["backup-bbbbbbbbbbb"]).toEqual({ state: "PENDING_DELETION", deleteAt: "2026-12-07T04:10:00.000Z" });
    const made = endpoint.cloudhsm.sorted("us-east-1", endpoint.clock.nowMs()).filter((b) => b.clusterId === B && b.backupId !== "backup-bbbbbbbbbbb");
    expect(made.map((b) => [b.state, b.hsmType, b.mode])).toEqual([["READY", "hsm1.medium", "NON_FIPS"]]);
    endpoint.schedules.remove();
  });

  it("backups are gone for good at their DeleteTimestamp, and the lifecycle log says so", async () => {
    endpoint.clock.set(NOW_MS + 7 * DAY_MS);
    const s = await states();
    const gone = [7, 8, 9, 11, 12, 13, 14, 16, 17, 18, 19].map(id).sort();
    for (const g of gone) expect(s[g]).toBeUndefined();
    const log = endpoint.lifecycle.entries().filter((e) => e.action === "gone");
    expect(log.map((e) => e.backupId).sort()).toEqual(gone);
    for (const e of log) expect(e.time).toBe(new Date(NOW_MS + 7 * DAY_MS).toISOString());
    // Marking for deletion is logged too, with the DeleteTimestamp it set.
    expect(endpoint.lifecycle.entries().find((e) => e.action === "retention-delete" && e.backupId === id(6))).toMatchObject({
      atMs: NOW_MS + 23 * HOUR_MS, deleteAtMs: NOW_MS + 23 * HOUR_MS + 7 * DAY_MS, clusterId: A,
    });
  });

  it("disabled again, it marks nothing more", async () => {
    endpoint.retention.disable();
    const before = await states();
    const ready = Object.keys(before).filter((k) => before[k]?.state === "READY");
    expect(ready.length).toBeGreaterThan(1);
    endpoint.clock.advance(30 * DAY_MS);
    const after = await states();
    for (const k of ready) expect(after[k]?.state).toBe("READY");
  });
});

describe("retention settings through the admin API", () => {
  it("days: null opts a cluster out; days beyond ModifyCluster's range are allowed for old clusters", async () => {
    let res = await admin(endpoint, "POST", "retention", { clusterId: B, days: null });
    expect(res.json.clusters).toContainEqual({ region: "us-east-1", clusterId: B, days: null });
    const described = await hsm().send(new DescribeClustersCommand({ Filters: { clusterIds: [B] } }));
    expect(described.Clusters?.[0]?.BackupRetentionPolicy).toBeUndefined();
    res = await admin(endpoint, "POST", "retention", { clusterId: B, days: 455 });
    expect(res.json.clusters).toContainEqual({ region: "us-east-1", clusterId: B, days: 455 });
  });

  it.each([
    [{}, 'send "enabled": true|false'],
    [{ enabled: "yes" }, "enabled: expected true or false"],
    [{ days: 0 }, "days: expected a whole number of days"],
    [{ clusterId: "cluster-nope2345678", days: 30 }, "cluster cluster-nope2345678 is not known"],
  ])("%j is refused with 400", async (body, message) => {
    const res = await admin(endpoint, "POST", "retention", body);
    expect(res.status).toBe(400);
    expect(res.json.error).toContain(message);
  });
});
