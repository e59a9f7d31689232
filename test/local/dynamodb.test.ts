import { crc32 } from "node:zlib";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  TransactWriteItemsCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LocalEndpoint } from "../../src/local/index.js";
import { admin, errorOf, sdkConfig, start } from "./support.js";

let endpoint: LocalEndpoint;
let dynamo: DynamoDBClient;
let doc: DynamoDBDocumentClient;

/** A ledger-like table: one alert per backup and kind, expiring through TTL. */
const createLedger = (client: DynamoDBClient, TableName = "ledger") =>
  client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
    }),
  );

beforeAll(async () => {
  endpoint = await start([]);
  dynamo = new DynamoDBClient(sdkConfig(endpoint));
  doc = DynamoDBDocumentClient.from(dynamo);
  await createLedger(dynamo);
});
afterAll(async () => {
  dynamo.destroy();
  await endpoint.close();
});
beforeEach(async () => {
  await admin(endpoint, "DELETE", "faults");
});

const alertOnce = (sk: string, extra: Record<string, unknown> = {}) =>
  doc.send(new PutCommand({ TableName: "ledger", Item: { pk: "backup-abcdefghijk", sk, ...extra }, ConditionExpression: "attribute_not_exists(pk)" }));

describe("tables and items through dynalite", () => {
  it("CreateTable gives the emulator's account and region in the ARN, and the table is ACTIVE at once", async () => {
    const table = (await dynamo.send(new DescribeTableCommand({ TableName: "ledger" }))).Table;
    expect(table).toMatchObject({ TableArn: "arn:aws:dynamodb:us-east-1:111122223333:table/ledger", TableStatus: "ACTIVE" });
  });

  it("a conditional PutItem succeeds once; the second fails with ConditionalCheckFailedException", async () => {
    await alertOnce("pending#2026-11-28", { sentAt: "2026-11-28T06:00:00Z" });
    expect(await errorOf(alertOnce("pending#2026-11-28", { sentAt: "later" }))).toMatchObject({ name: "ConditionalCheckFailedException", status: 400 });
    const item = await doc.send(new GetCommand({ TableName: "ledger", Key: { pk: "backup-abcdefghijk", sk: "pending#2026-11-28" } }));
    expect(item.Item?.sentAt).toBe("2026-11-28T06:00:00Z");
  });

  it("Query returns a partition's items in sort-key order", async () => {
    await alertOnce("pending#2026-11-30");
    await alertOnce("pending#2026-11-29");
    const out = await doc.send(new QueryCommand({ TableName: "ledger", KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)", ExpressionAttributeValues: { ":pk": "backup-abcdefghijk", ":p": "pending#" } }));
    expect(out.Items?.map((i) => i.sk)).toEqual(["pending#2026-11-28", "pending#2026-11-29", "pending#2026-11-30"]);
  });

  it("keeps regions apart", async () => {
    const eu = new DynamoDBClient(sdkConfig(endpoint, "eu-west-1"));
    expect(await errorOf(eu.send(new DescribeTableCommand({ TableName: "ledger" })))).toMatchObject({ name: "ResourceNotFoundException" });
    const created = await createLedger(eu);
    expect(created.TableDescription?.TableArn).toBe("arn:aws:dynamodb:eu-west-1:111122223333:table/ledger");
    eu.destroy();
  });

  it("answers dynalite's UnknownOperationException for operations dynalite lacks (transactions)", async () => {
    const err = await errorOf(
      dynamo.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: "ledger", Item: { pk: { S: "a" }, sk: { S: "b" } } } }] })),
    );
    expect(err).toMatchObject({ name: "UnknownOperationException", status: 400 });
  });

  it("relays dynalite's bytes unchanged: the x-amz-crc32 it computed matches the body received", async () => {
    const res = await fetch(`${endpoint.url}/`, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "DynamoDB_20120810.DescribeTable",
        "x-amz-date": "20261128T060000Z",
        authorization: "AWS4-HMAC-SHA256 Credential=test/20261128/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
      },
      body: JSON.stringify({ TableName: "ledger" }),
    });
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-amz-json-1.0");
    expect(res.headers.get("x-amz-crc32")).toBe(String(crc32(body)));
    expect(res.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(body.toString()).Table.TableName).toBe("ledger");
  });
});

describe("time to live (answered by the emulator; dynalite 4.0.0 has no UpdateTimeToLive)", () => {
  it("UpdateTimeToLive is accepted, DescribeTimeToLive shows it, and a second change within the hour is refused", async () => {
    await createLedger(dynamo, "ttl-table");
    expect((await dynamo.send(new DescribeTimeToLiveCommand({ TableName: "ttl-table" }))).TimeToLiveDescription).toEqual({ TimeToLiveStatus: "DISABLED" });
    const updated = await dynamo.send(new UpdateTimeToLiveCommand({ TableName: "ttl-table", TimeToLiveSpecification: { Enabled: true, AttributeName: "expiresAt" } }));
    expect(updated.TimeToLiveSpecification).toEqual({ Enabled: true, AttributeName: "expiresAt" });
    expect((await dynamo.send(new DescribeTimeToLiveCommand({ TableName: "ttl-table" }))).TimeToLiveDescription).toEqual({
      TimeToLiveStatus: "ENABLED",
      AttributeName: "expiresAt",
    });
    expect(await errorOf(dynamo.send(new UpdateTimeToLiveCommand({ TableName: "ttl-table", TimeToLiveSpecification: { Enabled: true, AttributeName: "expiresAt" } })))).toEqual({
      name: "ValidationException",
      message: "TimeToLive is already enabled",
      status: 400,
    });
    const disable = () => dynamo.send(new UpdateTimeToLiveCommand({ TableName: "ttl-table", TimeToLiveSpecification: { Enabled: false, AttributeName: "expiresAt" } }));
    expect(await errorOf(disable())).toMatchObject({ name: "ValidationException", message: "Time to live has been modified multiple times within a fixed interval" });
    await admin(endpoint, "POST", "clock", { advance: "1h" });
    await disable();
    await admin(endpoint, "POST", "clock", { now: "2026-11-28T06:00:00Z" });
    expect((await dynamo.send(new DescribeTimeToLiveCommand({ TableName: "ttl-table" }))).TimeToLiveDescription?.TimeToLiveStatus).toBe("DISABLED");
  });

  it("answers ResourceNotFoundException for a table that does not exist", async () => {
    const err = await errorOf(dynamo.send(new UpdateTimeToLiveCommand({ TableName: "nope", TimeToLiveSpecification: { Enabled: true, AttributeName: "x" } })));
    expect(err).toMatchObject({ name: "ResourceNotFoundException", status: 400 });
  });
});

describe("faults, in DynamoDB's own errors", () => {
  it("throttles item calls with ProvisionedThroughputExceededException and writes nothing", async () => {
    await admin(endpoint, "POST", "faults", { service: "dynamodb", throttleRate: 1 });
    const err = await errorOf(alertOnce("throttled"));
    expect(err).toEqual({
      name: "ProvisionedThroughputExceededException",
      message: "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
      status: 400,
    });
    expect(await errorOf(dynamo.send(new DescribeTableCommand({ TableName: "ledger" })))).toMatchObject({ name: "ThrottlingException", status: 400 });
    await admin(endpoint, "DELETE", "faults");
    expect((await doc.send(new GetCommand({ TableName: "ledger", Key: { pk: "backup-abcdefghijk", sk: "throttled" } }))).Item).toBeUndefined();
  });

  it("answers InternalServerError (500) for internal faults and outages", async () => {
    await admin(endpoint, "POST", "faults", { service: "dynamodb", internalErrorRate: 1 });
    expect(await errorOf(alertOnce("internal"))).toMatchObject({ name: "InternalServerError", status: 500 });
    await admin(endpoint, "POST", "faults", { service: "dynamodb", outage: true });
    expect(await errorOf(dynamo.send(new DescribeTableCommand({ TableName: "ledger" })))).toMatchObject({ name: "InternalServerError", status: 500 });
  });

  it("lets the SDK's retries ride out occasional throttling", async () => {
    const retrying = DynamoDBDocumentClient.from(new DynamoDBClient(sdkConfig(endpoint, "us-east-1", { retries: true })));
    await admin(endpoint, "POST", "faults", { service: "dynamodb", throttleRate: 0.3, seed: 3 });
    endpoint.calls.reset();
    for (let i = 0; i < 8; i++) await retrying.send(new PutCommand({ TableName: "ledger", Item: { pk: "retry", sk: String(i) } }));
    expect(endpoint.calls.snapshot().byService.dynamodb?.faults.throttled).toBeGreaterThan(0);
    retrying.destroy();
  });
});
