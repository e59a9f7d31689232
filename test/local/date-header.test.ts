import { DescribeBackupsCommand } from "@aws-sdk/client-cloudhsm-v2";
import { ListTablesCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeEventBusCommand, EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorClock, type LocalEndpoint, startLocalEndpoint } from "../../src/local/index.js";
import { admin, client, DAY_MS, fleet, sdkConfig, start } from "./support.js";

/** Records the `Date` header of every successful response a client receives. */
function captureDates(c: { middlewareStack: { add: (...args: never[]) => void } }): string[] {
  const dates: string[] = [];
  const middleware = (next: (args: unknown) => Promise<{ response: unknown }>) => async (args: unknown) => {
    const out = await next(args);
    dates.push((out.response as { headers: Record<string, string> }).headers.date as string);
    return out;
  };
  c.middlewareStack.add(...([middleware, { step: "deserialize", name: "captureDate" }] as never[]));
  return dates;
}

describe("the Date header (frozen emulated clock at 2026-11-28T06:00:00Z)", () => {
  let endpoint: LocalEndpoint;
  beforeAll(async () => {
    endpoint = await start(fleet().slice(0, 20));
  });
  afterAll(async () => {
    await endpoint.close();
  });

  it("is on admin responses, in IMF-fixdate, at the emulated time", async () => {
    const res = await fetch(`${endpoint.url}/_emulator/health`);
    // 2026-11-28 is a Saturday (worked by hand: day 332 of a year that began on a Thursday).
    expect(res.headers.get("date")).toBe("Sat, 28 Nov 2026 06:00:00 GMT");
    const missing = await fetch(`${endpoint.url}/_emulator/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("date")).toBe("Sat, 28 Nov 2026 06:00:00 GMT");
  });

  it("follows the clock: a CloudHSM SDK call after moving it a week sees the new date", async () => {
    const hsm = client(endpoint);
    const dates = captureDates(hsm as never);
    await hsm.send(new DescribeBackupsCommand({ MaxResults: 1 }));
    await admin(endpoint, "POST", "clock", { advance: "7d" });
    await hsm.send(new DescribeBackupsCommand({ MaxResults: 1 }));
    hsm.destroy();
    await admin(endpoint, "POST", "clock", { now: "2026-11-28T06:00:00Z" });
    expect(dates).toEqual(["Sat, 28 Nov 2026 06:00:00 GMT", "Sat, 05 Dec 2026 06:00:00 GMT"]);
  });

  it("is on service errors too", async () => {
    const res = await fetch(`${endpoint.url}/`, { method: "POST", headers: { "x-amz-target": "BaldrApiService.DeleteBackup" }, body: "{}" });
    expect(res.status).toBe(400);
    expect(res.headers.get("date")).toBe("Sat, 28 Nov 2026 06:00:00 GMT");
  });
});

describe("with the emulated clock months away from real time", () => {
  const clock = new EmulatorClock();
  let endpoint: LocalEndpoint;
  beforeAll(async () => {
    endpoint = await startLocalEndpoint({ port: 0, clock, seeds: [{ backups: fleet().slice(0, 20) }] });
  });
  afterAll(async () => {
    await endpoint.close();
  });

  it("gives running time at the emulated instant", async () => {
    clock.set(Date.parse("2027-03-01T12:00:00Z"));
    const res = await fetch(`${endpoint.url}/_emulator/clock`);
    const dateMs = Date.parse(res.headers.get("date") as string);
    // Whole seconds in the header, and a little real time passes.
    expect(Math.abs(dateMs - Date.parse("2027-03-01T12:00:00Z"))).toBeLessThan(5_000);
  });

  it.each([
    ["ahead", 150 * DAY_MS],
    ["behind", -120 * DAY_MS],
  ])("SDK calls of every service keep working %s, after the SDK corrects its clock skew from the Date", async (_name, offsetMs) => {
    clock.set(Date.now() + offsetMs);
    const hsm = client(endpoint);
    const sns = new SNSClient(sdkConfig(endpoint));
    const events = new EventBridgeClient(sdkConfig(endpoint));
    const dynamo = new DynamoDBClient(sdkConfig(endpoint));
    for (let i = 0; i < 2; i++) {
      await hsm.send(new DescribeBackupsCommand({ MaxResults: 1 }));
      await sns.send(new CreateTopicCommand({ Name: "skewed" }));
      await events.send(new DescribeEventBusCommand({}));
      await dynamo.send(new ListTablesCommand({}));
    }
    // Both SDK generations took the emulated time as the server's: their offset moved by ~offsetMs.
    for (const c of [hsm, sns]) {
      const skewMs = (c.config as { systemClockOffset: number }).systemClockOffset;
      expect(Math.abs(skewMs - offsetMs)).toBeLessThan(60_000);
    }
    for (const c of [hsm, sns, events, dynamo]) c.destroy();
  });
});
