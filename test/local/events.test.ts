import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LocalEndpoint } from "../../src/local/index.js";
import { admin, errorOf, sdkConfig, start } from "./support.js";

let endpoint: LocalEndpoint;
let events: EventBridgeClient;
const NOW_ISO = "2026-11-28T06:00:00.000Z";

beforeAll(async () => {
  endpoint = await start([]);
  events = new EventBridgeClient(sdkConfig(endpoint));
  await events.send(new CreateEventBusCommand({ Name: "retention", Description: "backup retention events" }));
});
afterAll(async () => {
  events.destroy();
  await endpoint.close();
});
beforeEach(async () => {
  await admin(endpoint, "DELETE", "faults");
  endpoint.events.clear();
});

const entry = (e: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: "cloudhsm-retention",
  DetailType: "Backup pending deletion",
  Detail: JSON.stringify({ backupId: "backup-abcdefghijk" }),
  ...e,
});
const put = (...entries: PutEventsRequestEntry[]) => events.send(new PutEventsCommand({ Entries: entries }));

describe("PutEvents", () => {
  it("accepts valid entries, records them as sent, with the emulated time unless Time is given", async () => {
    const out = await put(entry(), entry({ EventBusName: "retention", Time: new Date("2026-11-27T23:59:59Z"), Resources: ["arn:aws:cloudhsm:us-east-1:111122223333:backup/backup-abcdefghijk"] }));
    expect(out.FailedEntryCount).toBe(0);
    const ids = out.Entries?.map((e) => e.EventId);
    expect(ids).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/), expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    expect(endpoint.events.entries()).toEqual([
      {
        eventId: ids?.[0],
        region: "us-east-1",
        eventBusName: "default",
        busExists: true,
        source: "cloudhsm-retention",
        detailType: "Backup pending deletion",
        detail: '{"backupId":"backup-abcdefghijk"}',
        resources: [],
        time: NOW_ISO,
      },
      {
        eventId: ids?.[1],
        region: "us-east-1",
        eventBusName: "retention",
        busExists: true,
        source: "cloudhsm-retention",
        detailType: "Backup pending deletion",
        detail: '{"backupId":"backup-abcdefghijk"}',
        resources: ["arn:aws:cloudhsm:us-east-1:111122223333:backup/backup-abcdefghijk"],
        time: "2026-11-27T23:59:59.000Z",
      },
    ]);
  });

  it("fails bad entries one by one, aligned by index, and counts them; the good ones go through", async () => {
    const out = await put(
      entry({ Source: undefined }),
      entry(),
      entry({ DetailType: undefined }),
      entry({ Detail: undefined }),
      entry({ Detail: "{not json" }),
      entry({ Detail: "[1, 2]" }),
      entry({ Source: "aws.cloudhsm" }),
      entry({ DetailType: "d".repeat(129) }),
      entry({ DetailType: "d".repeat(128) }),
    );
    expect(out.FailedEntryCount).toBe(7);
    expect(out.Entries?.map((e) => e.ErrorCode ?? "ok")).toEqual([
      "InvalidArgument",
      "ok",
      "InvalidArgument",
      "InvalidArgument",
      "MalformedDetail",
      "MalformedDetail",
      "NotAuthorizedForSourceException",
      "InvalidArgument",
      "ok",
    ]);
    expect(out.Entries?.[0]?.ErrorMessage).toBe("Parameter Source is not valid. Reason: Source is a required argument.");
    expect(out.Entries?.[2]?.ErrorMessage).toBe("Parameter DetailType is not valid. Reason: DetailType is a required argument.");
    expect(out.Entries?.[3]?.ErrorMessage).toBe("Parameter Detail is not valid. Reason: Detail is a required argument.");
    expect(out.Entries?.[4]?.ErrorMessage).toBe("Detail is malformed.");
    expect(endpoint.events.entries().map((e) => e.eventId)).toEqual([out.Entries?.[1]?.EventId, out.Entries?.[8]?.EventId]);
  });

  it("fails a lone entry without Source per entry, not the whole call (as seen from AWS)", async () => {
    const out = await put(entry({ Source: "" }));
    expect(out).toMatchObject({ FailedEntryCount: 1, Entries: [{ ErrorCode: "InvalidArgument" }] });
  });

  it.each([
    ["no entries", [] as PutEventsRequestEntry[], "Member must have length greater than or equal to 1"],
    ["11 entries", Array.from({ length: 11 }, () => entry()), "Member must have length less than or equal to 10"],
  ])("refuses the whole call with %s", async (_name, entries, message) => {
    const err = await errorOf(events.send(new PutEventsCommand({ Entries: entries })));
    expect(err).toMatchObject({ name: "ValidationException", status: 400 });
    expect(err.message).toContain(message);
    expect(endpoint.events.entries()).toEqual([]);
  });

  it("takes a total entry size just under 256 KB and refuses 256 KB, by the documented formula", async () => {
    // Source "s" (1 byte) + DetailType "d" (1) + Detail {"a":"x…x"} (8 + n): 262,143 bytes in all.
    const detail = (n: number) => JSON.stringify({ a: "x".repeat(n) });
    const under = await put({ Source: "s", DetailType: "d", Detail: detail(262_143 - 2 - 8) });
    expect(under.FailedEntryCount).toBe(0);
    const err = await errorOf(put({ Source: "s", DetailType: "d", Detail: detail(262_144 - 2 - 8) }));
    expect(err).toMatchObject({ name: "ValidationException", status: 400 });
    // Time counts 14 bytes, whatever its value.
    expect(await errorOf(put({ Source: "s", DetailType: "d", Detail: detail(262_143 - 2 - 8 - 13), Time: new Date() }))).toMatchObject({ name: "ValidationException" });
  });

  it("names the bus by ARN, and accepts an entry for a bus that does not exist, as AWS does, flagging it in the listing", async () => {
    const out = await put(entry({ EventBusName: "arn:aws:events:us-east-1:111122223333:event-bus/retention" }), entry({ EventBusName: "no-such-bus" }));
    expect(out.FailedEntryCount).toBe(0);
    expect(endpoint.events.entries().map((e) => [e.eventBusName, e.busExists])).toEqual([
      ["retention", true],
      ["no-such-bus", false],
    ]);
  });
});

describe("CreateEventBus and DescribeEventBus", () => {
  it("the default bus always exists; a created bus has its ARN and description", async () => {
    const dflt = await events.send(new DescribeEventBusCommand({}));
    expect(dflt).toMatchObject({ Name: "default", Arn: "arn:aws:events:us-east-1:111122223333:event-bus/default" });
    const west = new EventBridgeClient(sdkConfig(endpoint, "us-west-2"));
    expect((await west.send(new DescribeEventBusCommand({ Name: "default" }))).Arn).toBe("arn:aws:events:us-west-2:111122223333:event-bus/default");
    const created = await west.send(new CreateEventBusCommand({ Name: "dr" }));
    expect(created.EventBusArn).toBe("arn:aws:events:us-west-2:111122223333:event-bus/dr");
    const described = await west.send(new DescribeEventBusCommand({ Name: created.EventBusArn }));
    expect(described).toMatchObject({ Name: "dr", Arn: created.EventBusArn, CreationTime: new Date(NOW_ISO) });
    west.destroy();
    expect((await events.send(new DescribeEventBusCommand({ Name: "retention" }))).Description).toBe("backup retention events");
  });

  it("refuses a second bus of the same name, and a name with a slash", async () => {
    expect(await errorOf(events.send(new CreateEventBusCommand({ Name: "retention" })))).toEqual({
      name: "ResourceAlreadyExistsException",
      message: "Event bus retention already exists.",
      status: 400,
    });
    expect(await errorOf(events.send(new CreateEventBusCommand({ Name: "a/b" })))).toMatchObject({ name: "ValidationException" });
  });

  it("answers ResourceNotFoundException for a bus that does not exist, here or in another region", async () => {
    expect(await errorOf(events.send(new DescribeEventBusCommand({ Name: "nope" })))).toEqual({
      name: "ResourceNotFoundException",
      message: "Event bus nope does not exist.",
      status: 400,
    });
    const eu = new EventBridgeClient(sdkConfig(endpoint, "eu-west-1"));
    expect(await errorOf(eu.send(new DescribeEventBusCommand({ Name: "retention" })))).toMatchObject({ name: "ResourceNotFoundException" });
    eu.destroy();
  });
});

describe("faults", () => {
  it("fails every entry with InternalFailure at entryFailureRate 1, and records none", async () => {
    await admin(endpoint, "POST", "faults", { service: "events", entryFailureRate: 1 });
    const out = await put(entry(), entry(), entry({ Source: undefined }));
    expect(out.FailedEntryCount).toBe(3);
    expect(out.Entries?.map((e) => e.ErrorCode)).toEqual(["InternalFailure", "InternalFailure", "InvalidArgument"]);
    expect(endpoint.events.entries()).toEqual([]);
  });

  it("uses the chosen entry error code, and repeats the same pattern for the same seed", async () => {
    const run = async () => {
      await admin(endpoint, "POST", "faults", { service: "events", entryFailureRate: 0.5, entryErrorCode: "ThrottlingException", seed: 11 });
      const codes: string[] = [];
      for (let i = 0; i < 4; i++) codes.push(...((await put(entry(), entry(), entry())).Entries ?? []).map((e) => e.ErrorCode ?? "ok"));
      return codes;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first)).toEqual(new Set(["ok", "ThrottlingException"]));
    expect(endpoint.events.entries()).toHaveLength(2 * first.filter((c) => c === "ok").length);
  });

  it("fails whole calls with InternalException (500) or ThrottlingException (400)", async () => {
    await admin(endpoint, "POST", "faults", { service: "events", internalErrorRate: 1 });
    expect(await errorOf(put(entry()))).toMatchObject({ name: "InternalException", status: 500 });
    await admin(endpoint, "POST", "faults", { service: "events", throttleRate: 1 });
    expect(await errorOf(put(entry()))).toEqual({ name: "ThrottlingException", message: "Rate exceeded", status: 400 });
    expect(endpoint.events.entries()).toEqual([]);
  });

  it.each([
    [{ service: "sns", entryFailureRate: 1 }, /unknown fault setting\(s\): entryFailureRate.*service that answers per entry/],
    [{ service: "events", entryErrorCode: "Oops" }, /entryErrorCode: expected one of InternalFailure, ThrottlingException/],
    [{ service: "events", entryFailureRate: 2 }, /entryFailureRate: expected a number from 0 to 1/],
    [{ entryFailureRate: 1 }, /unknown fault setting/],
  ])("refuses %j with 400", async (body, message) => {
    const res = await admin(endpoint, "POST", "faults", body);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(message);
  });
});

describe("GET and DELETE /_emulator/events", () => {
  it("lists the accepted entries in order, and clears them", async () => {
    await put(entry({ Detail: '{"n":1}' }), entry({ Source: undefined }));
    await put(entry({ Detail: '{"n":2}', EventBusName: "retention" }));
    const listed = await admin(endpoint, "GET", "events");
    expect(listed.json.map((e: Record<string, unknown>) => [e.eventBusName, e.source, e.detailType, e.detail, e.time])).toEqual([
      ["default", "cloudhsm-retention", "Backup pending deletion", '{"n":1}', NOW_ISO],
      ["retention", "cloudhsm-retention", "Backup pending deletion", '{"n":2}', NOW_ISO],
    ]);
    expect(await admin(endpoint, "DELETE", "events")).toEqual({ status: 200, json: { cleared: 2 } });
    expect((await admin(endpoint, "GET", "events")).json).toEqual([]);
  });
});
