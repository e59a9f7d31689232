import {
  CloudHSMV2Client,
  DeleteBackupCommand,
  DescribeBackupsCommand,
  DescribeClustersCommand,
  ListTagsCommand,
  ModifyBackupAttributesCommand,
  paginateDescribeClusters,
  paginateListTags,
  RestoreBackupCommand,
} from "@aws-sdk/client-cloudhsm-v2";
import { describe, expect, it } from "vitest";
import type { Backup } from "../../src/domain/types.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { client, DAY_MS, errorOf, expectedOrder, fleet, listAll, NOW_MS, rawCall, withEndpoint } from "./support.js";

const backups = fleet();
const east = (keep: (b: Backup) => boolean) => backups.find((b) => b.region === "us-east-1" && keep(b)) as Backup;
const readyIds = expectedOrder(backups, "us-east-1", false, (b) => b.state === "READY" && !b.neverExpires);
const describeOne = async (c: CloudHSMV2Client, id: string) =>
  (await c.send(new DescribeBackupsCommand({ Filters: { backupIds: [id] } }))).Backups?.[0];

let endpoint: LocalEndpoint;
let hsm: CloudHSMV2Client;
withEndpoint(backups, (e, h) => {
  endpoint = e;
  hsm = h;
});

describe("the backup state machine", () => {
  const id = readyIds[3] as string;

  it("DeleteBackup moves READY to PENDING_DELETION with DeleteTimestamp = now + 7 days", async () => {
    const out = await hsm.send(new DeleteBackupCommand({ BackupId: id }));
    expect(out.Backup).toMatchObject({ BackupId: id, BackupState: "PENDING_DELETION" });
    expect(out.Backup?.DeleteTimestamp?.getTime()).toBe(NOW_MS + 7 * DAY_MS);
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await describeOne(hsm, id))?.BackupState).toBe("PENDING_DELETION");
  });

  it("refuses to delete a backup that is already PENDING_DELETION", async () => {
    const err = await errorOf(hsm.send(new DeleteBackupCommand({ BackupId: id })));
    expect(err).toMatchObject({ name: "CloudHsmInvalidRequestException", status: 400 });
    expect(err.message).toContain("PENDING_DELETION");
  });

  it("RestoreBackup moves it back to READY and clears DeleteTimestamp", async () => {
    const out = await hsm.send(new RestoreBackupCommand({ BackupId: id }));
    expect(out.Backup).toMatchObject({ BackupId: id, BackupState: "READY" });
    expect(out.Backup?.DeleteTimestamp).toBeUndefined();
    expect((await describeOne(hsm, id))?.DeleteTimestamp).toBeUndefined();
  });

  it("refuses to restore a READY backup", async () => {
    const err = await errorOf(hsm.send(new RestoreBackupCommand({ BackupId: id })));
    expect(err).toMatchObject({ name: "CloudHsmInvalidRequestException", status: 400 });
  });

  it("refuses to delete a backup still being created", async () => {
    const inProgress = east((b) => b.state === "CREATE_IN_PROGRESS");
    const err = await errorOf(hsm.send(new DeleteBackupCommand({ BackupId: inProgress.backupId })));
    expect(err).toMatchObject({ name: "CloudHsmInvalidRequestException", status: 400 });
  });
});

describe("permanent deletion when the clock passes DeleteTimestamp", () => {
  const id = readyIds[5] as string;

  it("keeps the backup restorable until the last second, then it is gone for good", async () => {
    await hsm.send(new DeleteBackupCommand({ BackupId: id }));
    endpoint.clock.advance(7 * DAY_MS - 1000);
    expect((await describeOne(hsm, id))?.BackupState).toBe("PENDING_DELETION");
    endpoint.clock.advance(2000);
    expect(await describeOne(hsm, id)).toBeUndefined();
    expect(await listAll(hsm, { Filters: { states: ["PENDING_DELETION"] } })).not.toContain(id);
    for (const call of [
      hsm.send(new RestoreBackupCommand({ BackupId: id })),
      hsm.send(new DeleteBackupCommand({ BackupId: id })),
      hsm.send(new ModifyBackupAttributesCommand({ BackupId: id, NeverExpires: true })),
      hsm.send(new ListTagsCommand({ ResourceId: id })),
    ]) {
      expect(await errorOf(call)).toMatchObject({ name: "CloudHsmResourceNotFoundException", status: 400 });
    }
  });
});

describe("errors: every type with its HTTP status", () => {
  it.each([
    ["DeleteBackup", () => new DeleteBackupCommand({ BackupId: "backup-unknown234567" })],
    ["RestoreBackup", () => new RestoreBackupCommand({ BackupId: "backup-unknown234567" })],
    ["ModifyBackupAttributes", () => new ModifyBackupAttributesCommand({ BackupId: "backup-unknown234567", NeverExpires: true })],
    ["ListTags", () => new ListTagsCommand({ ResourceId: "cluster-unknown234567" })],
  ])("%s of an unknown ID is CloudHsmResourceNotFoundException, HTTP 400", async (_op, command) => {
    const err = await errorOf(hsm.send(command() as DeleteBackupCommand));
    expect(err).toMatchObject({ name: "CloudHsmResourceNotFoundException", status: 400 });
    expect(err.message).toMatch(/unknown234567 was not found in us-east-1/);
  });

  it.each([
    ["DeleteBackup without BackupId", () => new DeleteBackupCommand({} as never)],
    ["RestoreBackup without BackupId", () => new RestoreBackupCommand({} as never)],
    ["ModifyBackupAttributes without NeverExpires", () => new ModifyBackupAttributesCommand({ BackupId: readyIds[0] } as never)],
    ["ListTags without ResourceId", () => new ListTagsCommand({} as never)],
    ["ListTags with MaxResults 101", () => new ListTagsCommand({ ResourceId: readyIds[0], MaxResults: 101 } as never)],
    ["ListTags of a non-resource ID", () => new ListTagsCommand({ ResourceId: "hsm-abcdefghijk" })],
    ["DescribeClusters with MaxResults 26", () => new DescribeClustersCommand({ MaxResults: 26 })],
    ["DescribeClusters with an unknown filter", () => new DescribeClustersCommand({ Filters: { clusterId: ["x"] } })],
  ])("%s is CloudHsmInvalidRequestException, HTTP 400", async (_name, command) => {
    const err = await errorOf(hsm.send(command() as DeleteBackupCommand));
    expect(err).toMatchObject({ name: "CloudHsmInvalidRequestException", status: 400 });
  });

  it("an injected fault is CloudHsmInternalFailureException, HTTP 500, and a throttle ThrottlingException, HTTP 400", async () => {
    endpoint.faults.configure({ throttleRate: 0, internalErrorRate: 1, latencyMs: 0, seed: 1 });
    const internal = await errorOf(hsm.send(new DescribeBackupsCommand({})));
    endpoint.faults.configure({ throttleRate: 1, internalErrorRate: 0, latencyMs: 0, seed: 1 });
    const throttled = await errorOf(hsm.send(new DescribeBackupsCommand({})));
    endpoint.faults.configure({ throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1 });
    expect(internal).toMatchObject({ name: "CloudHsmInternalFailureException", status: 500 });
    expect(throttled).toMatchObject({ name: "ThrottlingException", status: 400, message: "Rate exceeded" });
  });

  it("an unknown operation is UnknownOperationException, HTTP 400, with a request ID", async () => {
    const res = await rawCall(endpoint, "BaldrApiService.DescribeEverything", "{}");
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await res.json()) as { __type: string }).__type).toBe("UnknownOperationException");
  });
});

describe("regions are isolated by the SigV4 credential scope", () => {
  it("lists only the signing region's backups and cannot touch another region's", async () => {
    const west = client(endpoint, "us-west-2");
    const ids = await listAll(west);
    expect(ids).toEqual(expectedOrder(backups, "us-west-2"));
    const err = await errorOf(west.send(new DeleteBackupCommand({ BackupId: readyIds[10] })));
    expect(err.name).toBe("CloudHsmResourceNotFoundException");
    const empty = client(endpoint, "eu-central-1");
    expect(await listAll(empty)).toEqual([]);
    west.destroy();
    empty.destroy();
  });

  it("uses the default region for unsigned requests", async () => {
    const res = await rawCall(endpoint, "BaldrApiService.DescribeBackups", "");
    const body = (await res.json()) as { Backups: Array<{ BackupArn: string; CreateTimestamp: unknown }> };
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(body.Backups[0]?.BackupArn).toMatch(/^arn:aws:cloudhsm:us-east-1:\d{12}:backup\/backup-/);
    expect(typeof body.Backups[0]?.CreateTimestamp).toBe("number");
  });
});

describe("ModifyBackupAttributes", () => {
  const id = readyIds[20] as string;

  it("sets and clears NeverExpires, which the neverExpires filter then sees", async () => {
    const on = await hsm.send(new ModifyBackupAttributesCommand({ BackupId: id, NeverExpires: true }));
    expect(on.Backup).toMatchObject({ BackupId: id, NeverExpires: true, BackupState: "READY" });
    expect(await listAll(hsm, { Filters: { neverExpires: ["true"], backupIds: [id] } })).toEqual([id]);
    const off = await hsm.send(new ModifyBackupAttributesCommand({ BackupId: id, NeverExpires: false }));
    expect(off.Backup?.NeverExpires).toBe(false);
    expect(await listAll(hsm, { Filters: { neverExpires: ["true"], backupIds: [id] } })).toEqual([]);
  });

  it("refuses a backup that is not READY", async () => {
    const pending = readyIds[21] as string;
    await hsm.send(new DeleteBackupCommand({ BackupId: pending }));
    const err = await errorOf(hsm.send(new ModifyBackupAttributesCommand({ BackupId: pending, NeverExpires: true })));
    expect(err).toMatchObject({ name: "CloudHsmInvalidRequestException", status: 400 });
  });
});

describe("DescribeClusters and ListTags", () => {
  const clusterIds = [...new Set(backups.filter((b) => b.region === "us-east-1" && b.clusterId).map((b) => b.clusterId))];

  it("derives the region's clusters from its backups, ACTIVE with a 90-day retention policy (Value a string)", async () => {
    const out = await hsm.send(new DescribeClustersCommand({}));
    expect(out.Clusters?.map((c) => c.ClusterId).sort()).toEqual([...clusterIds].sort());
    for (const c of out.Clusters ?? []) {
      expect(c.BackupRetentionPolicy).toEqual({ Type: "DAYS", Value: "90" });
      expect(c).toMatchObject({ State: "ACTIVE", HsmType: "hsm2m.medium", BackupPolicy: "DEFAULT" });
      expect(c.VpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
      expect(c.Hsms?.[0]?.HsmId).toMatch(/^hsm-[2-7a-z]{11}$/);
      expect(c.CreateTimestamp).toBeInstanceOf(Date);
    }
  });

  it("pages clusters one at a time and filters by clusterIds, states and vpcIds", async () => {
    const paged: string[] = [];
    for await (const page of paginateDescribeClusters({ client: hsm, pageSize: 1 }, {})) {
      expect(page.Clusters?.length).toBeLessThanOrEqual(1);
      paged.push(...(page.Clusters ?? []).map((c) => c.ClusterId as string));
    }
    expect(paged.sort()).toEqual([...clusterIds].sort());
    const all = (await hsm.send(new DescribeClustersCommand({}))).Clusters ?? [];
    const first = all[0];
    const byVpc = await hsm.send(new DescribeClustersCommand({ Filters: { vpcIds: [first?.VpcId as string] } }));
    expect(byVpc.Clusters?.map((c) => c.ClusterId)).toEqual([first?.ClusterId]);
    const byId = await hsm.send(new DescribeClustersCommand({ Filters: { clusterIds: [first?.ClusterId as string], states: ["ACTIVE"] } }));
    expect(byId.Clusters).toHaveLength(1);
    const none = await hsm.send(new DescribeClustersCommand({ Filters: { states: ["DEGRADED"] } }));
    expect(none.Clusters).toEqual([]);
  });

  it("lists a backup's tags, page by page", async () => {
    const tagged: Backup = {
      backupId: "backup-tagged234567", clusterId: clusterIds[0], region: "us-east-1", state: "READY",
      createdAtMs: NOW_MS - DAY_MS, neverExpires: false, tags: { team: "hsm", env: "prod", "legal-hold": "case-1" },
    };
    endpoint.cloudhsm.upsert([tagged], endpoint.clock.nowMs());
    const tags: Array<{ Key?: string; Value?: string }> = [];
    for await (const page of paginateListTags({ client: hsm, pageSize: 1 }, { ResourceId: tagged.backupId })) {
      expect(page.TagList?.length).toBeLessThanOrEqual(1);
      tags.push(...(page.TagList ?? []));
    }
    expect(tags).toEqual([
      { Key: "env", Value: "prod" },
      { Key: "legal-hold", Value: "case-1" },
      { Key: "team", Value: "hsm" },
    ]);
  });

  it("lists a cluster's (empty) tags", async () => {
    const out = await hsm.send(new ListTagsCommand({ ResourceId: clusterIds[0] as string }));
    expect(out.TagList).toEqual([]);
    expect(out.NextToken).toBeUndefined();
  });
});
