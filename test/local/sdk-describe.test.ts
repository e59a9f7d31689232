import {
  CloudHSMV2Client,
  DeleteBackupCommand,
  DescribeBackupsCommand,
  type DescribeBackupsRequest,
  DescribeClustersCommand,
} from "@aws-sdk/client-cloudhsm-v2";
import { describe, expect, it } from "vitest";
import type { Backup } from "../../src/domain/types.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { client, errorOf, expectedOrder, fleet, listAll, withEndpoint } from "./support.js";

describe("DescribeBackups through the real SDK: paging, order, filters", () => {
  const backups = fleet();
  let endpoint: LocalEndpoint;
  let hsm: CloudHSMV2Client;
  withEndpoint(backups, (e, h) => {
    endpoint = e;
    hsm = h;
  });

  it("seeds hundreds of backups in us-east-1", () => {
    expect(expectedOrder(backups, "us-east-1").length).toBeGreaterThan(300);
  });

  it.each([1, 7, 50, undefined])("returns every backup exactly once, newest first, with page size %s", async (pageSize) => {
    const ids = await listAll(hsm, {}, pageSize);
    expect(ids).toEqual(expectedOrder(backups, "us-east-1"));
  });

  it("returns oldest first with SortAscending: true, across pages", async () => {
    const ids = await listAll(hsm, { SortAscending: true }, 7);
    expect(ids).toEqual(expectedOrder(backups, "us-east-1", true));
  });

  it("orders backups with the same CreateTimestamp by BackupId and pages through the tie", async () => {
    const at = Date.parse("2020-01-01T00:00:00Z");
    const tied: Backup[] = ["backup-tiec", "backup-tiea", "backup-tieb"].map((backupId) => ({
      backupId, clusterId: "cluster-tie", region: "eu-north-1", state: "READY", createdAtMs: at, neverExpires: false, tags: {},
    }));
    endpoint.cloudhsm.upsert(tied, at);
    const c = client(endpoint, "eu-north-1");
    expect(await listAll(c, { SortAscending: true }, 1)).toEqual(["backup-tiea", "backup-tieb", "backup-tiec"]);
    expect(await listAll(c, {}, 2)).toEqual(["backup-tiec", "backup-tieb", "backup-tiea"]);
    c.destroy();
  });

  it("sends no NextToken on the last page, even when it is exactly full", async () => {
    const ids = expectedOrder(backups, "us-east-1").slice(0, 7);
    const out = await hsm.send(new DescribeBackupsCommand({ MaxResults: 7, Filters: { backupIds: ids } }));
    expect(out.Backups).toHaveLength(7);
    expect(out.NextToken).toBeUndefined();
    const first = await hsm.send(new DescribeBackupsCommand({ MaxResults: 3, Filters: { backupIds: ids } }));
    expect(first.NextToken).toEqual(expect.any(String));
  });

  it("defaults MaxResults to 50", async () => {
    const out = await hsm.send(new DescribeBackupsCommand({}));
    expect(out.Backups).toHaveLength(50);
    expect(out.NextToken).toBeDefined();
  });

  const cluster = () => backups.find((b) => b.region === "us-east-1")?.clusterId as string;
  const filterCases: Array<[string, () => Record<string, string[]>, (b: Backup) => boolean]> = [
    ["backupIds", () => ({ backupIds: expectedOrder(backups, "us-east-1").filter((_, i) => i % 40 === 0) }), (b) => expectedOrder(backups, "us-east-1").filter((_, i) => i % 40 === 0).includes(b.backupId)],
    ["clusterIds", () => ({ clusterIds: [cluster()] }), (b) => b.clusterId === cluster()],
    ["states (one value)", () => ({ states: ["READY"] }), (b) => b.state === "READY"],
    ["states (values OR'd)", () => ({ states: ["PENDING_DELETION", "CREATE_IN_PROGRESS"] }), (b) => b.state !== "READY"],
    ["neverExpires true", () => ({ neverExpires: ["true"] }), (b) => b.neverExpires],
    ["neverExpires false", () => ({ neverExpires: ["false"] }), (b) => !b.neverExpires],
    ["clusterIds AND states", () => ({ clusterIds: [cluster()], states: ["READY"] }), (b) => b.clusterId === cluster() && b.state === "READY"],
    ["states AND neverExpires", () => ({ states: ["READY"], neverExpires: ["true"] }), (b) => b.state === "READY" && b.neverExpires],
    ["clusterIds matching nothing", () => ({ clusterIds: ["cluster-doesnotexist"] }), () => false],
  ];
  it.each(filterCases)("filters by %s", async (_name, filters, keep) => {
    const ids = await listAll(hsm, { Filters: filters() }, 7);
    const expected = expectedOrder(backups, "us-east-1", false, keep);
    expect(ids).toEqual(expected);
  });

  it("filters by sourceBackupIds (cross-region copies, in their destination region)", async () => {
    const copies = backups.filter((b) => b.sourceBackupId !== undefined);
    const wanted = copies.slice(0, 3).map((b) => b.sourceBackupId as string);
    const west = client(endpoint, "us-west-2");
    const ids = await listAll(west, { Filters: { sourceBackupIds: wanted } });
    west.destroy();
    expect(ids).toEqual(expectedOrder(backups, "us-west-2", false, (b) => wanted.includes(b.sourceBackupId ?? "")));
    expect(ids).toHaveLength(3);
  });

  it("lists nothing with Shared: true (nothing is shared with the emulated account)", async () => {
    // 3.332.0 lacks Shared in its types but sends it on the wire.
    const out = await hsm.send(new DescribeBackupsCommand({ Shared: true } as DescribeBackupsRequest));
    expect(out.Backups).toEqual([]);
    expect(out.NextToken).toBeUndefined();
  });

  it.each<[string, DescribeBackupsRequest]>([
    ["MaxResults 0", { MaxResults: 0 }],
    ["MaxResults 51", { MaxResults: 51 }],
    ["an unknown filter key", { Filters: { state: ["READY"] } }],
    ["an unknown state", { Filters: { states: ["ACTIVE"] } }],
    ["neverExpires that is not true/false", { Filters: { neverExpires: ["yes"] } }],
    ["an empty filter list", { Filters: { states: [] } }],
    ["a garbled NextToken", { NextToken: "not-a-token" }],
  ])("answers CloudHsmInvalidRequestException (400) for %s", async (_name, input) => {
    const err = await errorOf(hsm.send(new DescribeBackupsCommand(input)));
    expect(err).toMatchObject({ name: "CloudHsmInvalidRequestException", status: 400 });
    expect(err.message.length).toBeGreaterThan(0);
  });

  it("rejects a token from another operation or the other sort order", async () => {
    const clusters = await hsm.send(new DescribeClustersCommand({ MaxResults: 1 }));
    expect(clusters.NextToken).toBeDefined();
    const foreign = await errorOf(hsm.send(new DescribeBackupsCommand({ NextToken: clusters.NextToken })));
    expect(foreign.name).toBe("CloudHsmInvalidRequestException");
    const page = await hsm.send(new DescribeBackupsCommand({ MaxResults: 2 }));
    const flipped = await errorOf(hsm.send(new DescribeBackupsCommand({ NextToken: page.NextToken, SortAscending: true })));
    expect(flipped.message).toMatch(/SortAscending/);
  });
});

describe("DescribeBackups paging while backups change between pages", () => {
  const backups = fleet();
  let endpoint: LocalEndpoint;
  let hsm: CloudHSMV2Client;
  withEndpoint(backups, (e, h) => {
    endpoint = e;
    hsm = h;
  });

  it("skips nothing when each page's READY backups are deleted before the next page is read", async () => {
    // An offset-based token would skip a whole page each time: the deleted backups
    // leave the READY filter and everything after them shifts forward.
    const expected = expectedOrder(backups, "us-east-1", false, (b) => b.state === "READY");
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await hsm.send(new DescribeBackupsCommand({ Filters: { states: ["READY"] }, MaxResults: 7, NextToken: token }));
      for (const b of page.Backups ?? []) {
        seen.push(b.BackupId as string);
        await hsm.send(new DeleteBackupCommand({ BackupId: b.BackupId }));
      }
      token = page.NextToken;
    } while (token);
    expect(seen).toEqual(expected);
  });

  it.each([true, false])("skips nothing when returned backups are purged for good between pages (SortAscending %s)", async (asc) => {
    // Each backup's DeleteTimestamp follows the listing order, so moving the clock to the
    // last returned backup's DeleteTimestamp purges exactly the backups already seen.
    const region = asc ? "ap-south-1" : "ap-east-1";
    const order = expectedOrder(backups, "us-east-1", asc).slice(0, 100);
    const t0 = endpoint.clock.nowMs();
    const deleteAt = new Map(order.map((id, i) => [id, t0 + (i + 1) * 3_600_000]));
    const pending = backups
      .filter((b) => deleteAt.has(b.backupId))
      .map((b): Backup => ({ ...b, state: "PENDING_DELETION", deleteAtMs: deleteAt.get(b.backupId) }));
    endpoint.cloudhsm.upsert(pending, t0, region);
    const c = client(endpoint, region);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await c.send(new DescribeBackupsCommand({ MaxResults: 7, NextToken: token, SortAscending: asc }));
      const ids = (page.Backups ?? []).map((b) => b.BackupId as string);
      seen.push(...ids);
      endpoint.clock.set(deleteAt.get(ids[ids.length - 1] as string) as number);
      token = page.NextToken;
    } while (token);
    expect(seen).toEqual(order);
    expect(await listAll(c)).toEqual([]);
    c.destroy();
  });
});
