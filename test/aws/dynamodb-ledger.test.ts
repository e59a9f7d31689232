import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertClients } from "../../src/aws/clients.js";
import { DynamoDbLedger, ensureLedgerTable } from "../../src/aws/dynamodb-ledger.js";
import { LedgerError } from "../../src/errors.js";
import type { LedgerAction } from "../../src/ledger/port.js";
import { EmulatorClock, type LocalEndpoint, startLocalEndpoint } from "../../src/local/index.js";

/** The DynamoDB ledger against dynalite on the local endpoint, through the real SDK. */
const NOW = Date.parse("2026-11-28T06:00:00Z");
const DAY = 86_400_000;
let endpoint: LocalEndpoint;
let ledger: DynamoDbLedger;
let clock: EmulatorClock;

beforeAll(async () => {
  clock = new EmulatorClock({ realNowMs: () => NOW });
  endpoint = await startLocalEndpoint({ port: 0, clock });
  const clients = alertClients("us-east-1", { endpointUrl: endpoint.url, credentials: { accessKeyId: "t", secretAccessKey: "t" } });
  await ensureLedgerTable(clients.dynamodb, "ledger");
  await ensureLedgerTable(clients.dynamodb, "ledger"); // a second time: nothing to do
  ledger = new DynamoDbLedger({ client: clients.documents, tableName: "ledger", nowMs: () => clock.nowMs() });
});
afterAll(async () => endpoint.close());

const lease = { leaseMs: 10 * 60_000, expiresAtMs: NOW + 30 * DAY };

describe("DynamoDbLedger notices", () => {
  it("lets exactly one of twenty concurrent claims win", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.claim("race/1", `run-${i}`, NOW, lease)));
    expect(results.filter((r) => r === "won")).toHaveLength(1);
    expect(results.filter((r) => r === "busy")).toHaveLength(19);
  });

  it("answers sent once completed, whoever asks", async () => {
    expect(await ledger.claim("done/1", "run-a", NOW, lease)).toBe("won");
    await ledger.complete("done/1", "run-a", NOW + 1000);
    expect(await ledger.claim("done/1", "run-b", NOW + 2000, lease)).toBe("sent");
    expect((await ledger.notices(["done/1"])).get("done/1")).toEqual({ status: "sent", runId: "run-a", atMs: NOW + 1000 });
  });

  it("lets a later run take over a claim whose lease ended (its run died), but not before", async () => {
    expect(await ledger.claim("lease/1", "run-a", NOW, lease)).toBe("won");
    expect(await ledger.claim("lease/1", "run-b", NOW + lease.leaseMs - 1, lease)).toBe("busy");
    expect(await ledger.claim("lease/1", "run-b", NOW + lease.leaseMs + 1, lease)).toBe("won");
  });

  it("gives a released claim to the next run at once, and only its own run can release it", async () => {
    expect(await ledger.claim("rel/1", "run-a", NOW, lease)).toBe("won");
    await ledger.release("rel/1", "run-b");
    expect(await ledger.claim("rel/1", "run-b", NOW, lease)).toBe("busy");
    await ledger.release("rel/1", "run-a");
    expect(await ledger.claim("rel/1", "run-b", NOW, lease)).toBe("won");
  });

  it("reads the states of more notices than one BatchGet takes", async () => {
    const ids = Array.from({ length: 130 }, (_, i) => `batch/${i}`);
    for (const id of ids.slice(0, 120)) await ledger.claim(id, "run-x", NOW, lease);
    const states = await ledger.notices(ids);
    expect(states.size).toBe(120);
    expect(states.get("batch/119")?.status).toBe("claimed");
    expect(states.has("batch/125")).toBe(false);
  });
});

describe("DynamoDbLedger actions", () => {
  const action = (atMs: number, backupId: string, policy = "prod"): LedgerAction => ({
    kind: "delete", atMs, runId: "run-1", region: "us-east-1", backupId, group: "us-east-1/cluster-a", policy, revision: "abc123",
    reason: "no keep rule matched", actor: "cli:test@host", deleteAtMs: atMs + 7 * DAY,
  });

  it("records actions per backup, oldest first, with every field", async () => {
    await ledger.record(action(NOW, "backup-aaaaaaaaaaa"), NOW + 30 * DAY);
    await ledger.record({ ...action(NOW + 1000, "backup-aaaaaaaaaaa"), kind: "restore", deleteAtMs: undefined, actor: "link" }, NOW + 30 * DAY);
    const actions = await ledger.actionsFor("us-east-1", "backup-aaaaaaaaaaa");
    expect(actions.map((a) => a.kind)).toEqual(["delete", "restore"]);
    expect(actions[0]).toEqual(action(NOW, "backup-aaaaaaaaaaa"));
  });

  it("counts a policy's reserved deletions in a rolling window", async () => {
    const inf = Number.POSITIVE_INFINITY;
    expect(await ledger.reserveDeletion("window", "us-east-1", "backup-old11111111", NOW - 25 * 3_600_000, inf)).toBe(true);
    expect(await ledger.reserveDeletion("window", "us-east-1", "backup-new11111111", NOW - 3_600_000, inf)).toBe(true);
    expect(await ledger.reserveDeletion("window", "us-east-1", "backup-new22222222", NOW - 60_000, inf)).toBe(true);
    expect(await ledger.deletionsSince("window", NOW - DAY)).toBe(2);
    expect(await ledger.deletionsSince("other", NOW - DAY)).toBe(0);
    await ledger.withdrawDeletion("window", "us-east-1", "backup-new22222222", NOW);
    expect(await ledger.deletionsSince("window", NOW - DAY)).toBe(1);
  });

  it("lets no more than the cap of twenty racing reservations through, and counts only those kept", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => ledger.reserveDeletion("capped", "us-east-1", `backup-race${String(i).padStart(8, "0")}`, NOW + i, 5)),
    );
    const kept = results.filter(Boolean).length;
    expect(kept).toBeLessThanOrEqual(5);
    expect(await ledger.deletionsSince("capped", NOW - DAY)).toBe(kept);
    // One at a time, the cap is reached exactly.
    for (let i = 0; i < 8; i++) await ledger.reserveDeletion("serial", "us-east-1", `backup-serial${String(i).padStart(6, "0")}`, NOW + i, 5);
    expect(await ledger.deletionsSince("serial", NOW - DAY)).toBe(5);
  });

  it("treats items past their TTL as gone, by the run's clock (TTL deletion is lazy)", async () => {
    await ledger.track({ region: "eu-west-1", backupId: "backup-ttl1111111", deleteAtMs: NOW + DAY, group: "g", createdAtMs: NOW - DAY, policy: null, ours: false, confirmed: true, reason: "r", runId: "run-1" }, NOW + 2 * DAY);
    expect(await ledger.tracked("eu-west-1")).toHaveLength(1);
    clock.advance(3 * DAY);
    try {
      expect(await ledger.tracked("eu-west-1")).toHaveLength(0);
    } finally {
      clock.advance(-3 * DAY);
    }
  });
});

describe("DynamoDbLedger pending and episodes", () => {
  it("tracks and untracks pending backups per region", async () => {
    const entry = { region: "us-west-2", backupId: "backup-pend1111111", deleteAtMs: NOW + DAY, group: "us-west-2/c", createdAtMs: NOW - DAY, policy: "prod", ours: true, confirmed: true, reason: "no keep rule matched", runId: "run-1" };
    await ledger.track(entry, NOW + 30 * DAY);
    expect(await ledger.tracked("us-west-2")).toEqual([entry]);
    await ledger.untrack("us-west-2", entry.backupId);
    expect(await ledger.tracked("us-west-2")).toEqual([]);
  });

  it("opens a backups-stopped episode once, and closes only the one that is open", async () => {
    const ep = { group: "us-east-1/cluster-s", sinceMs: NOW - 3 * DAY, openedAtMs: NOW, runId: "run-1" };
    expect(await ledger.openEpisode(ep, NOW + 90 * DAY)).toBe(true);
    expect(await ledger.openEpisode({ ...ep, runId: "run-2" }, NOW + 90 * DAY)).toBe(false);
    expect(await ledger.episode(ep.group)).toEqual(ep);
    expect(await ledger.closeEpisode(ep.group, NOW)).toBe(false);
    expect(await ledger.closeEpisode(ep.group, ep.sinceMs)).toBe(true);
    expect(await ledger.episode(ep.group)).toBeUndefined();
  });
});

describe("DynamoDbLedger failures", () => {
  it("says which table and what failed when DynamoDB is down", async () => {
    endpoint.faults.configureService("dynamodb", { throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1, outage: true });
    try {
      const err = await ledger.claim("down/1", "run-a", NOW, lease).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LedgerError);
      expect((err as Error).message).toMatch(/^ledger: claiming down\/1 in table ledger failed: /);
    } finally {
      endpoint.faults.clearService("dynamodb");
    }
  });
});
