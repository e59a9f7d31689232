import { CloudHSMV2Client, DeleteBackupCommand, DescribeBackupsCommand, ModifyBackupAttributesCommand, RestoreBackupCommand } from "@aws-sdk/client-cloudhsm-v2";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorOf } from "../../src/jobs/watch.js";
import { type CloudTrailEvent, type LocalEndpoint } from "../../src/local/index.js";
import { cloudTrailTime, responseTime } from "../../src/local/cloudtrail.js";
import { admin, DAY_MS, errorOf, expectedOrder, fleet, NOW_MS, rawCall, start } from "./support.js";

/**
 * CloudTrail records of CloudHSM's mutating calls, as EventBridge delivers them, with
 * the caller's identity taken from the SigV4 access key ID; and the call log.
 * test/fixtures/cloudtrail/delete-backup-by-user.json is the documented shape.
 */
const backups = fleet();
const ready = expectedOrder(backups, "us-east-1", false, (b) => b.state === "READY" && !b.neverExpires);
const fixture = JSON.parse(readFileSync("test/fixtures/cloudtrail/delete-backup-by-user.json", "utf8")) as CloudTrailEvent;

let endpoint: LocalEndpoint;
const heard: CloudTrailEvent[] = [];
let unsubscribe: () => void;

/** A one-attempt client signing with the given access key ID. */
function as(accessKeyId: string): CloudHSMV2Client {
  return new CloudHSMV2Client({
    endpoint: endpoint.url,
    region: "us-east-1",
    credentials: { accessKeyId, secretAccessKey: "x" },
    maxAttempts: 1,
    retryStrategy: { mode: "standard", retry: (next: (a: unknown) => Promise<unknown>, a: unknown) => next(a) } as never,
  });
}

beforeAll(async () => {
  endpoint = await start(backups);
  unsubscribe = endpoint.cloudtrail.subscribe((e) => heard.push(e));
});
afterAll(async () => {
  unsubscribe();
  await endpoint.close();
});

describe("a DeleteBackup by a person in an assumed role", () => {
  let event: CloudTrailEvent;
  let requestId: string | undefined;

  beforeAll(async () => {
    endpoint.cloudtrail.setIdentity("ASIAOPSADMINJANE", { role: "OpsAdmin", session: "jane.doe" });
    const out = await as("ASIAOPSADMINJANE").send(new DeleteBackupCommand({ BackupId: ready[0] as string }));
    requestId = out.$metadata.requestId;
    event = heard.at(-1) as CloudTrailEvent;
  });

  it("reaches subscribers at once, in the EventBridge envelope of a CloudTrail API call", () => {
    expect(heard).toHaveLength(1);
    expect(event).toMatchObject({
      version: "0",
      "detail-type": "AWS API Call via CloudTrail",
      source: "aws.cloudhsm",
      account: "111122223333",
      time: "2026-11-28T06:00:00Z",
      region: "us-east-1",
      resources: [],
    });
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("has every field the documented record has (tlsDetails aside: the emulator speaks plain HTTP)", () => {
    expect(Object.keys(event).sort()).toEqual(Object.keys(fixture).sort());
    const expectedKeys = Object.keys(fixture.detail).filter((k) => k !== "tlsDetails").sort();
    expect(Object.keys(event.detail).sort()).toEqual(expectedKeys);
  });

  it("names the caller from the access key: role session, session issuer, key", () => {
    expect(event.detail.userIdentity).toMatchObject({
      type: "AssumedRole",
      arn: "arn:aws:sts::111122223333:assumed-role/OpsAdmin/jane.doe",
      accountId: "111122223333",
      accessKeyId: "ASIAOPSADMINJANE",
      sessionContext: { sessionIssuer: { type: "Role", arn: "arn:aws:iam::111122223333:role/OpsAdmin", accountId: "111122223333", userName: "OpsAdmin" } },
    });
    expect(event.detail.userIdentity.principalId).toMatch(/^AROA[0-9A-F]{16}:jane\.doe$/);
    // The watcher names the role that deleted it.
    expect(actorOf(event.detail.userIdentity)).toBe("arn:aws:iam::111122223333:role/OpsAdmin");
  });

  it("carries the call: event name, time, request, response (camelCase, CloudTrail's time style), request ID", () => {
    expect(event.detail).toMatchObject({
      eventVersion: "1.09",
      eventTime: "2026-11-28T06:00:00Z",
      eventSource: "cloudhsm.amazonaws.com",
      eventName: "DeleteBackup",
      awsRegion: "us-east-1",
      requestParameters: { backupId: ready[0] },
      responseElements: { backup: { backupId: ready[0], backupState: "PENDING_DELETION", neverExpires: false, deleteTimestamp: "Dec 5, 2026, 6:00:00 AM" } },
      readOnly: false,
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: "111122223333",
      eventCategory: "Management",
    });
    expect(event.detail.requestID).toBe(requestId);
    expect(event.detail.userAgent).toContain("aws-sdk-js");
    expect(event.detail.errorCode).toBeUndefined();
  });
});

describe("other callers and other calls", () => {
  it("an access key nobody mapped is an IAM user named after it", async () => {
    await as("AKIAALICE").send(new ModifyBackupAttributesCommand({ BackupId: ready[1] as string, NeverExpires: true }));
    const e = heard.at(-1) as CloudTrailEvent;
    expect(e.detail.eventName).toBe("ModifyBackupAttributes");
    expect(e.detail.requestParameters).toEqual({ backupId: ready[1], neverExpires: true });
    expect(e.detail.userIdentity).toMatchObject({ type: "IAMUser", arn: "arn:aws:iam::111122223333:user/AKIAALICE", userName: "AKIAALICE", accessKeyId: "AKIAALICE" });
  });

  it("an IAM user mapped through the admin API", async () => {
    const res = await admin(endpoint, "POST", "cloudtrail/identities", { accessKeyId: "AKIABOB", user: "bob" });
    expect(res.json.AKIABOB).toMatchObject({ type: "IAMUser", arn: "arn:aws:iam::111122223333:user/bob" });
    await as("AKIABOB").send(new RestoreBackupCommand({ BackupId: ready[0] as string }));
    const e = heard.at(-1) as CloudTrailEvent;
    expect(e.detail).toMatchObject({ eventName: "RestoreBackup", userIdentity: { userName: "bob" }, responseElements: { backup: { backupState: "READY" } } });
  });

  it("a refused call is recorded with its errorCode and no response", async () => {
    const err = await errorOf(as("AKIABOB").send(new DeleteBackupCommand({ BackupId: "backup-unknown234567" })));
    expect(err.name).toBe("CloudHsmResourceNotFoundException");
    const e = heard.at(-1) as CloudTrailEvent;
    expect(e.detail).toMatchObject({ eventName: "DeleteBackup", errorCode: "CloudHsmResourceNotFoundException", responseElements: null, requestParameters: { backupId: "backup-unknown234567" } });
    expect(e.detail.errorMessage).toContain("backup-unknown234567");
  });

  it("a call failed by fault injection is recorded too, with the error the caller got", async () => {
    await admin(endpoint, "POST", "faults", { service: "cloudhsm", outage: true });
    const err = await errorOf(as("AKIABOB").send(new DeleteBackupCommand({ BackupId: ready[2] as string })));
    await admin(endpoint, "DELETE", "faults");
    expect(err.name).toBe("CloudHsmInternalFailureException");
    expect((heard.at(-1) as CloudTrailEvent).detail).toMatchObject({ eventName: "DeleteBackup", errorCode: "CloudHsmInternalFailureException", requestParameters: { backupId: ready[2] } });
  });

  it("an unsigned call is CloudTrail's anonymous principal", async () => {
    const res = await rawCall(endpoint, "BaldrApiService.ModifyBackupAttributes", JSON.stringify({ BackupId: ready[1], NeverExpires: false }));
    expect(res.status).toBe(200);
    expect((heard.at(-1) as CloudTrailEvent).detail.userIdentity).toEqual({ type: "AWSAccount", principalId: "", accountId: "ANONYMOUS_PRINCIPAL" });
    expect(endpoint.callLog.entries().at(-1)).toMatchObject({ operation: "ModifyBackupAttributes", accessKeyId: null, neverExpires: false });
  });

  it("read-only calls are not recorded", async () => {
    const before = heard.length;
    await as("AKIABOB").send(new DescribeBackupsCommand({}));
    expect(heard).toHaveLength(before);
  });
});

describe("the call log", () => {
  it("lists every mutating call with its time, region, backup, key and outcome, faulted or not", async () => {
    const log = endpoint.callLog.entries();
    expect(log.map((e) => [e.operation, e.backupId, e.accessKeyId, e.outcome, e.errorCode, e.fault])).toEqual([
      ["DeleteBackup", ready[0], "ASIAOPSADMINJANE", "ok", null, null],
      ["ModifyBackupAttributes", ready[1], "AKIAALICE", "ok", null, null],
      ["RestoreBackup", ready[0], "AKIABOB", "ok", null, null],
      ["DeleteBackup", "backup-unknown234567", "AKIABOB", "error", "CloudHsmResourceNotFoundException", null],
      ["DeleteBackup", ready[2], "AKIABOB", "error", "CloudHsmInternalFailureException", "outage"],
      ["ModifyBackupAttributes", ready[1], null, "ok", null, null],
    ]);
    for (const e of log) expect(e).toMatchObject({ atMs: NOW_MS, time: "2026-11-28T06:00:00.000Z", region: "us-east-1" });
    expect(log[1]?.neverExpires).toBe(true);
    expect(log[0]?.neverExpires).toBeNull();
    // The cluster comes from the response when the request names none.
    expect(log[0]?.clusterId).toBe(backups.find((b) => b.backupId === ready[0])?.clusterId);
    expect((await admin(endpoint, "GET", "call-log")).json).toEqual(log);
  });

  it("records a throttled call as faulted", async () => {
    await admin(endpoint, "POST", "faults", { service: "cloudhsm", throttleRate: 1, seed: 1 });
    await errorOf(as("AKIABOB").send(new DeleteBackupCommand({ BackupId: ready[2] as string })));
    await admin(endpoint, "DELETE", "faults");
    expect(endpoint.callLog.entries().at(-1)).toMatchObject({ operation: "DeleteBackup", outcome: "error", errorCode: "ThrottlingException", fault: "throttle" });
  });

  it("DELETE /_emulator/call-log empties it", async () => {
    expect((await admin(endpoint, "DELETE", "call-log")).json).toEqual({ cleared: 7 });
    expect(endpoint.callLog.entries()).toEqual([]);
  });
});

describe("GET /_emulator/cloudtrail", () => {
  it("lists what subscribers heard, filters by eventName, and DELETE clears it", async () => {
    const all = await admin(endpoint, "GET", "cloudtrail");
    expect(all.json).toEqual(heard);
    const restores = await admin(endpoint, "GET", "cloudtrail?eventName=RestoreBackup");
    expect(restores.json.map((e: CloudTrailEvent) => e.detail.eventName)).toEqual(["RestoreBackup"]);
    expect((await admin(endpoint, "DELETE", "cloudtrail")).json).toEqual({ cleared: heard.length });
    expect((await admin(endpoint, "GET", "cloudtrail")).json).toEqual([]);
  });

  it.each([
    [{ accessKeyId: "AKIAX", role: "Ops Admin", session: "s1" }, "role: expected an IAM role name"],
    [{ accessKeyId: "AKIAX", role: "Ops" }, "session: expected a role session name"],
    [{ accessKeyId: "AKIAX", user: "a", role: "b", session: "cc" }, "expected exactly one of"],
    [{ user: "a" }, "accessKeyId: expected an access key ID"],
    [{ accessKeyId: "AKIAX", userIdentity: { arn: "x" } }, "userIdentity must be an object with a string type"],
  ])("refuses identity %j with 400", async (body, message) => {
    const res = await admin(endpoint, "POST", "cloudtrail/identities", body);
    expect(res.status).toBe(400);
    expect(res.json.error).toContain(message);
  });
});

describe("the service's own deletions reach subscribers when the clock moves", () => {
  it("clock.advance alone delivers the retention's DeleteBackup records, at the times they happened", async () => {
    const ep = await start(backups);
    try {
      const got: CloudTrailEvent[] = [];
      ep.cloudtrail.subscribe((e) => got.push(e));
      ep.retention.enable(); // 90 days: the fleet is 120 days deep
      const first = got.length;
      expect(first).toBeGreaterThan(0);
      for (const e of got) expect(e.detail.eventTime).toBe("2026-11-28T06:00:00Z");
      ep.clock.advance(2 * DAY_MS);
      const later = got.slice(first);
      expect(later.length).toBeGreaterThan(0);
      // Each a day-90 birthday: a backup's CreateTimestamp + 90 days, in order.
      const times = later.map((e) => Date.parse(e.detail.eventTime));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      for (const e of later) {
        const b = backups.find((x) => x.backupId === e.detail.requestParameters?.backupId) as (typeof backups)[number];
        expect(Date.parse(e.detail.eventTime)).toBe(Math.floor((b.createdAtMs + 90 * DAY_MS) / 1000) * 1000);
        expect(e.detail.userIdentity.type).toBe("AWSService");
      }
    } finally {
      await ep.close();
    }
  });
});

describe("CloudTrail's time formats", () => {
  it.each([
    ["2026-11-20T04:10:00Z", "Nov 20, 2026, 4:10:00 AM"],
    ["2026-12-05T06:00:00Z", "Dec 5, 2026, 6:00:00 AM"],
    ["2026-01-01T00:00:05Z", "Jan 1, 2026, 12:00:05 AM"],
    ["2026-07-04T12:30:00Z", "Jul 4, 2026, 12:30:00 PM"],
    ["2026-07-04T23:59:59Z", "Jul 4, 2026, 11:59:59 PM"],
  ])("responseElements timestamps: %s is %s", (iso, shown) => {
    expect(responseTime(Date.parse(iso))).toBe(shown);
  });

  it("eventTime has whole seconds", () => {
    expect(cloudTrailTime(Date.parse("2026-11-28T06:00:00.999Z"))).toBe("2026-11-28T06:00:00Z");
  });
});
