import { DeleteBackupCommand, DescribeBackupsCommand } from "@aws-sdk/client-cloudhsm-v2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LocalEndpoint } from "../../src/local/index.js";
import { admin, client, DAY_MS, errorOf, expectedOrder, fleet, frozenClock, listAll, rawCall, start } from "./support.js";

const backups = fleet();
let endpoint: LocalEndpoint;
beforeAll(async () => {
  endpoint = await start(backups);
});
afterAll(async () => {
  await endpoint.close();
});

describe("GET /_emulator/health", () => {
  it("reports ok and the registered services, with a request ID", async () => {
    const res = await fetch(`${endpoint.url}/_emulator/health`);
    expect(res.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.json()).toMatchObject({ ok: true, services: ["cloudhsm", "sns", "events", "dynamodb"] });
  });

  it("answers 404 for an unknown admin route", async () => {
    const res = await admin(endpoint, "GET", "nothing-here");
    expect(res.status).toBe(404);
    expect(res.json.error).toContain("/_emulator/nothing-here");
  });
});

describe("/_emulator/clock", () => {
  it("sets the clock to an instant and reads it back", async () => {
    expect(await admin(endpoint, "POST", "clock", { now: "2026-12-01T00:00:00Z" })).toEqual({ status: 200, json: { now: "2026-12-01T00:00:00.000Z" } });
    expect((await admin(endpoint, "GET", "clock")).json.now).toBe("2026-12-01T00:00:00.000Z");
  });

  it.each([
    ["36h", 36 * 3_600_000],
    ["7d", 7 * DAY_MS],
    ["1m", 30 * DAY_MS],
    ["1y", 365 * DAY_MS],
    ["1d12h", 36 * 3_600_000],
  ])("advances by %s (y = 365d, m = 30d)", async (advance, ms) => {
    await admin(endpoint, "POST", "clock", { now: "2026-12-01T00:00:00Z" });
    const res = await admin(endpoint, "POST", "clock", { advance });
    expect(res.json.now).toBe(new Date(Date.parse("2026-12-01T00:00:00Z") + ms).toISOString());
  });

  it("advances by milliseconds given as a number", async () => {
    await admin(endpoint, "POST", "clock", { now: "2026-12-01T00:00:00Z" });
    expect((await admin(endpoint, "POST", "clock", { advance: 1500 })).json.now).toBe("2026-12-01T00:00:01.500Z");
  });

  it.each([
    [{ advance: "2w" }, /unknown unit "w"/],
    [{ advance: "-1d" }, /negative/],
    [{ now: "2026-12-01" }, /ISO-8601 time with a zone/],
    [{ now: "2026-12-01T00:00:00Z", advance: "1h" }, /exactly one/],
    [{}, /exactly one/],
    ["{not json", /not valid JSON/],
    [{ now: "2026-02-30T00:00:00Z" }, /ISO-8601 time with a zone/],
    [{ advance: 1e300 }, /outside the range of a date/],
  ])("rejects %j with 400 and a clear message, and keeps working", async (body, message) => {
    const before = (await admin(endpoint, "GET", "clock")).json.now;
    const res = await admin(endpoint, "POST", "clock", body);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(message);
    expect((await admin(endpoint, "GET", "clock")).json.now).toBe(before);
    expect((await admin(endpoint, "GET", "health")).status).toBe(200);
  });

  it("makes a deleted backup vanish once advanced past its DeleteTimestamp", async () => {
    await admin(endpoint, "POST", "clock", { now: "2026-11-28T06:00:00Z" });
    const hsm = client(endpoint);
    const id = expectedOrder(backups, "us-east-1", false, (b) => b.state === "READY")[0] as string;
    await hsm.send(new DeleteBackupCommand({ BackupId: id }));
    await admin(endpoint, "POST", "clock", { advance: "6d23h" });
    expect(await listAll(hsm, { Filters: { backupIds: [id] } })).toEqual([id]);
    await admin(endpoint, "POST", "clock", { advance: "1h" });
    expect(await listAll(hsm, { Filters: { backupIds: [id] } })).toEqual([]);
    hsm.destroy();
  });
});

describe("POST /_emulator/seed", () => {
  const inventory = (state: string) =>
    JSON.stringify({
      Backups: [
        { BackupId: "backup-seededaaaaaa", BackupState: state, ClusterId: "cluster-seededclstr", CreateTimestamp: "2026-11-20T00:00:00Z" },
        { BackupId: "backup-seededbbbbbb", BackupState: "READY", ClusterId: "cluster-seededclstr", CreateTimestamp: 1795000000.5 },
      ],
    });

  it("loads an inventory into the given region and upserts by BackupId", async () => {
    expect(await admin(endpoint, "POST", "seed?region=eu-west-1", inventory("READY"))).toEqual({ status: 200, json: { seeded: 2 } });
    expect(await admin(endpoint, "POST", "seed?region=eu-west-1", inventory("PENDING_DELETION"))).toEqual({ status: 200, json: { seeded: 2 } });
    const eu = client(endpoint, "eu-west-1");
    const out = await eu.send(new DescribeBackupsCommand({ SortAscending: true }));
    eu.destroy();
    expect(out.Backups?.map((b) => [b.BackupId, b.BackupState])).toEqual([
      ["backup-seededbbbbbb", "READY"],
      ["backup-seededaaaaaa", "PENDING_DELETION"],
    ]);
    // A seeded PENDING_DELETION backup without DeleteTimestamp gets one, 7 days out.
    expect(out.Backups?.[1]?.DeleteTimestamp).toBeInstanceOf(Date);
  });

  it("answers 400 with the inventory reader's file:line:col message for bad input", async () => {
    const bad = await admin(endpoint, "POST", "seed", '{"Backups": [{"BackupId": "backup-x", "BackupState": "GONE"}]}');
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/^seed:1:\d+: Backups\[0\]\.BackupState: expected one of/m);
    const garbled = await admin(endpoint, "POST", "seed", "{");
    expect(garbled.status).toBe(400);
    expect(garbled.json.error).toMatch(/invalid JSON/);
    const unknown = await admin(endpoint, "POST", "seed?service=sns", inventory("READY"));
    expect(unknown).toMatchObject({ status: 400, json: { error: 'service "sns" cannot be seeded' } });
  });
});

describe("/_emulator/faults and /_emulator/calls", () => {
  beforeEach(async () => {
    await admin(endpoint, "POST", "faults", {});
    await admin(endpoint, "DELETE", "calls");
  });

  it("throttles every call with throttleRate 1, and a throttled delete changes nothing", async () => {
    const hsm = client(endpoint);
    const id = expectedOrder(backups, "us-east-1", false, (b) => b.state === "READY")[5] as string;
    await admin(endpoint, "POST", "faults", { throttleRate: 1, seed: 3 });
    for (let i = 0; i < 5; i++) {
      expect(await errorOf(hsm.send(new DeleteBackupCommand({ BackupId: id })))).toMatchObject({ name: "ThrottlingException", status: 400 });
    }
    await admin(endpoint, "POST", "faults", {});
    expect((await hsm.send(new DescribeBackupsCommand({ Filters: { backupIds: [id] } }))).Backups?.[0]?.BackupState).toBe("READY");
    const res = await rawCall(endpoint, "BaldrApiService.DescribeBackups", "{}");
    expect(res.status).toBe(200);
    hsm.destroy();
  });

  it("sends the throttling error exactly as AWS JSON services do", async () => {
    await admin(endpoint, "POST", "faults", { throttleRate: 1 });
    const res = await rawCall(endpoint, "BaldrApiService.DescribeBackups", "{}");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ __type: "ThrottlingException", message: "Rate exceeded" });
  });

  it("repeats the same fault sequence for the same seed", async () => {
    const hsm = client(endpoint);
    const run = async () => {
      await admin(endpoint, "POST", "faults", { throttleRate: 0.3, internalErrorRate: 0.3, seed: 42 });
      const outcomes: string[] = [];
      for (let i = 0; i < 30; i++) {
        outcomes.push(await hsm.send(new DescribeBackupsCommand({ MaxResults: 1 })).then(() => "ok", (e: Error) => e.name));
      }
      return outcomes;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first)).toEqual(new Set(["ok", "ThrottlingException", "CloudHsmInternalFailureException"]));
    hsm.destroy();
  });

  it("lets the SDK's own retries ride out occasional throttling", async () => {
    const hsm = client(endpoint, "us-east-1", { retries: true });
    await admin(endpoint, "POST", "faults", { throttleRate: 0.2, seed: 9 });
    const ids = await listAll(hsm, {}, 25);
    expect(ids).toEqual(expectedOrder(backups, "us-east-1").filter((id) => ids.includes(id)));
    expect((await admin(endpoint, "GET", "calls")).json.faults.throttled).toBeGreaterThan(0);
    hsm.destroy();
  });

  it("adds latency to service calls", async () => {
    await admin(endpoint, "POST", "faults", { latencyMs: 120 });
    const started = performance.now();
    await rawCall(endpoint, "BaldrApiService.DescribeBackups", '{"MaxResults": 1}');
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    expect((await admin(endpoint, "GET", "faults")).json).toMatchObject({ latencyMs: 120, throttleRate: 0 });
  });

  it.each([{ throttleRate: 1.5 }, { internalErrorRate: -0.1 }, { latencyMs: "slow" }, { seed: 1.5 }, { throttle: 1 }, { maxRequestsPerSecond: -1 }])(
    "rejects %j with 400",
    async (body) => {
      const res = await admin(endpoint, "POST", "faults", body);
      expect(res.status).toBe(400);
      expect(res.json.error).toEqual(expect.any(String));
    },
  );

  it("counts service calls by operation and fault, but not admin calls, and resets", async () => {
    const hsm = client(endpoint);
    await hsm.send(new DescribeBackupsCommand({ MaxResults: 1 }));
    await hsm.send(new DescribeBackupsCommand({ MaxResults: 1 }));
    await errorOf(hsm.send(new DeleteBackupCommand({ BackupId: "backup-unknown234567" })));
    await admin(endpoint, "POST", "faults", { throttleRate: 1 });
    await errorOf(hsm.send(new DescribeBackupsCommand({})));
    await admin(endpoint, "POST", "faults", { internalErrorRate: 1 });
    await errorOf(hsm.send(new DescribeBackupsCommand({})));
    await admin(endpoint, "GET", "health");
    const counts = { total: 5, byOperation: { DescribeBackups: 4, DeleteBackup: 1 }, faults: { throttled: 1, internalErrors: 1 } };
    expect((await admin(endpoint, "GET", "calls")).json).toEqual({ ...counts, byService: { cloudhsm: counts } });
    expect((await admin(endpoint, "DELETE", "calls")).json.total).toBe(0);
    expect((await admin(endpoint, "GET", "calls")).json).toEqual({ total: 0, byOperation: {}, faults: { throttled: 0, internalErrors: 0 }, byService: {} });
    hsm.destroy();
  });
});

describe("the edge", () => {
  beforeEach(async () => {
    await admin(endpoint, "POST", "faults", {});
  });

  it("accepts an empty body as {} and rejects a body that is not JSON", async () => {
    expect((await rawCall(endpoint, "BaldrApiService.DescribeClusters", "")).status).toBe(200);
    const bad = await rawCall(endpoint, "BaldrApiService.DescribeBackups", "{nope");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { __type: string }).__type).toBe("SerializationException");
  });

  it("answers UnknownOperationException for a target no service handles", async () => {
    const res = await rawCall(endpoint, "AmazonSQS.SendMessage", "{}");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: "UnknownOperationException", message: "No emulated service handles X-Amz-Target AmazonSQS.SendMessage." });
  });
});

describe("POST /_emulator/seed?fleet=example", () => {
  // The example fleet is generated as of the emulator's clock, whatever the date: a fixed
  // file (examples/inventory.json) makes requireBackupWithin halt a few days later.
  const later = Date.parse("2027-06-01T06:00:00Z");

  it("seeds the example fleet ending at the emulator's clock, in its three regions", async () => {
    const ep = await start([], frozenClock(later));
    try {
      const res = await admin(ep, "POST", "seed?fleet=example");
      expect(res.status).toBe(200);
      expect(res.json.seeded).toBeGreaterThan(0);
      for (const region of ["us-east-1", "eu-central-1", "us-west-2"]) {
        const hsm = client(ep, region);
        const newest = (await hsm.send(new DescribeBackupsCommand({ MaxResults: 1 }))).Backups?.[0];
        hsm.destroy();
        const ageMs = later - (newest?.CreateTimestamp?.getTime() ?? 0);
        // Daily backups (yesterday's is the newest READY one), and the DR copy of the newest.
        expect(ageMs).toBeGreaterThanOrEqual(0);
        expect(ageMs).toBeLessThan(2 * DAY_MS);
      }
    } finally {
      await ep.close();
    }
  });

  it("refuses a fleet it does not know", async () => {
    expect(await admin(endpoint, "POST", "seed?fleet=huge")).toEqual({ status: 400, json: { error: 'fleet "huge": the only fleet is "example"' } });
  });
});
