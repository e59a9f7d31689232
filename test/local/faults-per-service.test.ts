import { DescribeBackupsCommand } from "@aws-sdk/client-cloudhsm-v2";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { DescribeEventBusCommand, EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { CreateTopicCommand, ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FaultInjector } from "../../src/local/faults.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { admin, client, errorOf, fleet, sdkConfig, start } from "./support.js";

describe("FaultInjector per service", () => {
  const config = { throttleRate: 0.3, internalErrorRate: 0.3, latencyMs: 0, seed: 42 };
  const draw = (f: FaultInjector, service: string, n: number) => Array.from({ length: n }, () => f.decide(service));

  it("gives a service with its own settings its own sequence, and leaves the others' unchanged", () => {
    const alone = new FaultInjector(() => 0);
    alone.configure(config);
    const expected = draw(alone, "cloudhsm", 50);

    const mixed = new FaultInjector(() => 0);
    mixed.configure(config);
    mixed.configureService("sns", { ...config, seed: 7 });
    const hsm: unknown[] = [];
    for (let i = 0; i < 50; i++) {
      hsm.push(mixed.decide("cloudhsm"));
      mixed.decide("sns");
    }
    expect(hsm).toEqual(expected);
  });

  it("fails every call of a service in outage, whatever the rates", () => {
    const f = new FaultInjector(() => 0);
    f.configureService("sns", { throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1, outage: true });
    expect(new Set(draw(f, "sns", 20))).toEqual(new Set(["outage"]));
    expect(new Set(draw(f, "cloudhsm", 20))).toEqual(new Set([undefined]));
  });

  it("configure() replaces everything, clearService() one service's own settings", () => {
    const f = new FaultInjector(() => 0);
    f.configureService("sns", { ...config, outage: true });
    f.configureService("events", { ...config, outage: true });
    f.clearService("events");
    expect(Object.keys(f.snapshot().services)).toEqual(["sns"]);
    f.configure({ ...config, throttleRate: 0 });
    expect(f.snapshot()).toEqual({ ...config, throttleRate: 0, services: {} });
  });
});

describe("per-service faults over HTTP", () => {
  let endpoint: LocalEndpoint;
  let hsm: ReturnType<typeof client>;
  let sns: SNSClient;
  let events: EventBridgeClient;
  let dynamo: DynamoDBClient;
  const up = async () => ({
    cloudhsm: await hsm.send(new DescribeBackupsCommand({ MaxResults: 1 })).then(() => "ok", (e: Error) => e.name),
    sns: await sns.send(new ListTopicsCommand({})).then(() => "ok", (e: Error) => e.name),
    events: await events.send(new DescribeEventBusCommand({})).then(() => "ok", (e: Error) => e.name),
    dynamodb: await dynamo.send(new ListTablesCommand({})).then(() => "ok", (e: Error) => e.name),
  });

  beforeAll(async () => {
    endpoint = await start(fleet().slice(0, 30));
    hsm = client(endpoint);
    sns = new SNSClient(sdkConfig(endpoint));
    events = new EventBridgeClient(sdkConfig(endpoint));
    dynamo = new DynamoDBClient(sdkConfig(endpoint));
  });
  afterAll(async () => {
    for (const c of [hsm, sns, events, dynamo]) c.destroy();
    await endpoint.close();
  });
  beforeEach(async () => {
    await admin(endpoint, "DELETE", "faults");
    await admin(endpoint, "DELETE", "calls");
  });

  it("takes one service down with an outage while the others, CloudHSM included, keep working", async () => {
    for (const [service, error] of [
      ["sns", "InternalErrorException"],
      ["events", "InternalException"],
      ["dynamodb", "InternalServerError"],
    ] as const) {
      await admin(endpoint, "DELETE", "faults");
      expect((await admin(endpoint, "POST", "faults", { service, outage: true })).status).toBe(200);
      expect(await up()).toEqual({ cloudhsm: "ok", sns: "ok", events: "ok", dynamodb: "ok", [service]: error });
    }
    await admin(endpoint, "POST", "faults", { service: "cloudhsm", outage: true });
    expect((await up()).cloudhsm).toBe("CloudHsmInternalFailureException");
  });

  it("shows each service's own settings in GET faults, and DELETE faults?service= brings it back to the endpoint-wide ones", async () => {
    await admin(endpoint, "POST", "faults", { service: "sns", outage: true, seed: 3 });
    await admin(endpoint, "POST", "faults", { service: "events", internalErrorRate: 0.5, seed: 4 });
    const shown = (await admin(endpoint, "GET", "faults")).json;
    expect(shown).toMatchObject({ throttleRate: 0, internalErrorRate: 0, services: { sns: { outage: true, seed: 3 }, events: { internalErrorRate: 0.5, seed: 4 } } });
    expect((await admin(endpoint, "DELETE", "faults?service=sns")).json.services).toEqual({ events: expect.any(Object) });
    expect((await up()).sns).toBe("ok");
  });

  it("keeps the endpoint-wide behaviour: POST without service faults every service and drops services' own settings", async () => {
    await admin(endpoint, "POST", "faults", { service: "sns", outage: true });
    await admin(endpoint, "POST", "faults", { throttleRate: 1 });
    expect((await admin(endpoint, "GET", "faults")).json.services).toEqual({});
    expect(await up()).toEqual({ cloudhsm: "ThrottlingException", sns: "Throttling", events: "ThrottlingException", dynamodb: "ThrottlingException" });
  });

  it("counts calls and faults per service as well as in total", async () => {
    await admin(endpoint, "POST", "faults", { service: "sns", outage: true });
    await up();
    await errorOf(sns.send(new CreateTopicCommand({ Name: "x" })));
    const calls = (await admin(endpoint, "GET", "calls")).json;
    expect(calls.total).toBe(5);
    expect(calls.faults).toEqual({ throttled: 0, internalErrors: 2 });
    expect(calls.byService.sns).toEqual({ total: 2, byOperation: { ListTopics: 1, CreateTopic: 1 }, faults: { throttled: 0, internalErrors: 2 } });
    expect(calls.byService.dynamodb).toEqual({ total: 1, byOperation: { ListTables: 1 }, faults: { throttled: 0, internalErrors: 0 } });
  });

  it("repeats a service's fault sequence for the same seed, whatever the other services do", async () => {
    const run = async (noise: boolean) => {
      await admin(endpoint, "POST", "faults", { service: "sns", throttleRate: 0.4, internalErrorRate: 0.2, seed: 99 });
      const outcomes: string[] = [];
      for (let i = 0; i < 20; i++) {
        if (noise) {
          await hsm.send(new DescribeBackupsCommand({ MaxResults: 1 }));
          await events.send(new DescribeEventBusCommand({}));
        }
        outcomes.push(await sns.send(new ListTopicsCommand({})).then(() => "ok", (e: Error) => e.name));
      }
      return outcomes;
    };
    const quiet = await run(false);
    expect(await run(true)).toEqual(quiet);
    expect(new Set(quiet)).toEqual(new Set(["ok", "Throttling", "InternalErrorException"]));
  });

  it.each([
    [{ service: "sqs", outage: true }, /service: expected one of cloudhsm, sns, events, dynamodb, got "sqs"/],
    [{ service: "sns", outage: "yes" }, /outage: expected true or false/],
    [{ service: "sns", throttleRate: 2 }, /throttleRate: expected a number from 0 to 1/],
  ])("refuses %j with 400", async (body, message) => {
    const res = await admin(endpoint, "POST", "faults", body);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(message);
  });

  it("refuses DELETE faults for an unknown service", async () => {
    expect(await admin(endpoint, "DELETE", "faults?service=nope")).toMatchObject({ status: 400 });
  });
});
