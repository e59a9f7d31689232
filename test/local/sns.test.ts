import {
  CreateTopicCommand,
  ListTopicsCommand,
  paginateListTopics,
  PublishCommand,
  type PublishCommandInput,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LocalEndpoint } from "../../src/local/index.js";
import { admin, errorOf, sdkConfig, start } from "./support.js";

let endpoint: LocalEndpoint;
let sns: SNSClient;
/** Account 111122223333, region us-east-1, as documented for the emulator. */
const ALERTS = "arn:aws:sns:us-east-1:111122223333:alerts";

beforeAll(async () => {
  endpoint = await start([]);
  sns = new SNSClient(sdkConfig(endpoint));
  await sns.send(new CreateTopicCommand({ Name: "alerts" }));
});
afterAll(async () => {
  sns.destroy();
  await endpoint.close();
});
beforeEach(async () => {
  await admin(endpoint, "DELETE", "faults");
  endpoint.sns.clear();
});

const publish = (input: Partial<PublishCommandInput>) => sns.send(new PublishCommand({ TopicArn: ALERTS, Message: "m", ...input }));

describe("CreateTopic", () => {
  it("answers the ARN from region, account and name, the same one each time", async () => {
    const first = await sns.send(new CreateTopicCommand({ Name: "ops_alerts-1", Attributes: { DisplayName: "Ops" }, Tags: [{ Key: "team", Value: "sec" }] }));
    const again = await sns.send(new CreateTopicCommand({ Name: "ops_alerts-1", Attributes: { DisplayName: "Ops" } }));
    expect(first.TopicArn).toBe("arn:aws:sns:us-east-1:111122223333:ops_alerts-1");
    expect(again.TopicArn).toBe(first.TopicArn);
    const view = endpoint.sns.topics().find((t) => t.topicArn === first.TopicArn);
    expect(view).toMatchObject({ attributes: { DisplayName: "Ops" }, tags: { team: "sec" }, subscriptions: [] });
  });

  it.each([
    ["different attributes", { Name: "ops_alerts-1", Attributes: { DisplayName: "Other" } }, /Topic already exists with different attributes/],
    ["different tags", { Name: "ops_alerts-1", Tags: [{ Key: "team", Value: "other" }] }, /Topic already exists with different tags/],
    ["a name with a space", { Name: "bad name" }, /^Invalid parameter: Topic Name$/],
    ["a name of 257 characters", { Name: "a".repeat(257) }, /^Invalid parameter: Topic Name$/],
    ["a FIFO topic", { Name: "alerts.fifo", Attributes: { FifoTopic: "true" } }, /FIFO topics are not emulated/],
  ])("refuses %s with InvalidParameter", async (_name, input, message) => {
    await sns.send(new CreateTopicCommand({ Name: "ops_alerts-1", Attributes: { DisplayName: "Ops" }, Tags: [{ Key: "team", Value: "sec" }] }));
    const err = await errorOf(sns.send(new CreateTopicCommand(input)));
    expect(err).toMatchObject({ name: "InvalidParameterException", status: 400 });
    expect(err.message).toMatch(message);
  });
});

describe("Subscribe", () => {
  it("leaves email and HTTPS pending confirmation, as AWS does, and subscribes SQS at once", async () => {
    const email = await sns.send(new SubscribeCommand({ TopicArn: ALERTS, Protocol: "email", Endpoint: "oncall@example.com" }));
    expect(email.SubscriptionArn).toBe("pending confirmation");
    const withArn = await sns.send(new SubscribeCommand({ TopicArn: ALERTS, Protocol: "https", Endpoint: "https://global.sns-api.chatbot.amazonaws.com", ReturnSubscriptionArn: true }));
    expect(withArn.SubscriptionArn).toMatch(/^arn:aws:sns:us-east-1:111122223333:alerts:[0-9a-f-]{36}$/);
    const sqs = await sns.send(new SubscribeCommand({ TopicArn: ALERTS, Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:111122223333:q" }));
    expect(sqs.SubscriptionArn).toMatch(/^arn:aws:sns:us-east-1:111122223333:alerts:/);
    // Subscribing the same endpoint again gives the same subscription.
    const again = await sns.send(new SubscribeCommand({ TopicArn: ALERTS, Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:111122223333:q" }));
    expect(again.SubscriptionArn).toBe(sqs.SubscriptionArn);
    const subs = endpoint.sns.topics().find((t) => t.topicArn === ALERTS)?.subscriptions ?? [];
    expect(subs.map((s) => [s.protocol, s.pendingConfirmation])).toEqual([
      ["email", true],
      ["https", true],
      ["sqs", false],
    ]);
  });

  it.each([
    ["an unknown protocol, its name escaped in the XML", { Protocol: "<pigeon & co>", Endpoint: "x" }, "Invalid parameter: Amazon SNS does not support this protocol string: <pigeon & co>"],
    ["an https endpoint that is not https", { Protocol: "https", Endpoint: "http://example.com" }, "Invalid parameter: Endpoint must match the specified protocol"],
    ["an email endpoint without @", { Protocol: "email", Endpoint: "oncall" }, "Invalid parameter: Email address"],
    ["no endpoint", { Protocol: "email" }, "Invalid parameter: Endpoint"],
  ])("refuses %s", async (_name, input, message) => {
    const err = await errorOf(sns.send(new SubscribeCommand({ TopicArn: ALERTS, ...input } as never)));
    expect(err).toEqual({ name: "InvalidParameterException", message, status: 400 });
  });

  it("answers NotFound (404) for a topic that does not exist", async () => {
    const err = await errorOf(sns.send(new SubscribeCommand({ TopicArn: `${ALERTS}-gone`, Protocol: "email", Endpoint: "a@example.com" })));
    expect(err).toEqual({ name: "NotFoundException", message: "Topic does not exist", status: 404 });
  });
});

describe("ListTopics", () => {
  it("pages 100 topics at a time through the SDK paginator, and keeps regions apart", async () => {
    const west = new SNSClient(sdkConfig(endpoint, "us-west-2"));
    const names = Array.from({ length: 150 }, (_, i) => `t${String(i).padStart(3, "0")}`);
    for (const Name of names) await west.send(new CreateTopicCommand({ Name }));
    const first = await west.send(new ListTopicsCommand({}));
    expect(first.Topics).toHaveLength(100);
    expect(first.NextToken).toEqual(expect.any(String));
    const arns: string[] = [];
    for await (const page of paginateListTopics({ client: west }, {})) arns.push(...(page.Topics ?? []).map((t) => t.TopicArn as string));
    expect(arns).toEqual(names.map((n) => `arn:aws:sns:us-west-2:111122223333:${n}`));
    const east = await sns.send(new ListTopicsCommand({}));
    expect(east.Topics?.some((t) => t.TopicArn?.includes("us-west-2"))).toBe(false);
    expect(await errorOf(west.send(new ListTopicsCommand({ NextToken: "garbage" })))).toMatchObject({ name: "InvalidParameterException" });
    west.destroy();
  });
});

describe("Publish", () => {
  it("returns a MessageId and records the message exactly as sent, with the emulated time", async () => {
    const message = 'Backup backup-abc <pending> & "due" in 3 days\r\n— ünïcødé 🔐';
    const out = await publish({ Message: message, Subject: "CloudHSM: 1 backup pending deletion", MessageAttributes: { severity: { DataType: "String", StringValue: "high" } } });
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(endpoint.sns.published()).toEqual([
      {
        messageId: out.MessageId,
        topicArn: ALERTS,
        subject: "CloudHSM: 1 backup pending deletion",
        message,
        messageStructure: null,
        messageAttributes: { severity: { DataType: "String", StringValue: "high" } },
        timestamp: "2026-11-28T06:00:00.000Z",
      },
    ]);
  });

  it("accepts TargetArn naming a topic, as AWS does", async () => {
    await sns.send(new PublishCommand({ TargetArn: ALERTS, Message: "via target" }));
    expect(endpoint.sns.published().map((m) => [m.topicArn, m.message])).toEqual([[ALERTS, "via target"]]);
  });

  it("accepts a message of exactly 262,144 UTF-8 bytes and refuses one byte more", async () => {
    const max = "é".repeat(131_072); // two bytes each
    await publish({ Message: max });
    const err = await errorOf(publish({ Message: `${max}a` }));
    expect(err).toEqual({ name: "InvalidParameterException", message: "Invalid parameter: Message too long", status: 400 });
    expect(endpoint.sns.published()).toHaveLength(1);
  });

  it("counts message attributes towards the 256 KiB, as the SNS docs say", async () => {
    const err = await errorOf(publish({ Message: "x".repeat(262_140), MessageAttributes: { a: { DataType: "String", StringValue: "yy" } } }));
    expect(err.message).toBe("Invalid parameter: Message too long");
  });

  it("accepts a subject of 99 characters", async () => {
    await publish({ Subject: "s".repeat(99) });
    expect(endpoint.sns.published()[0]?.subject).toBe("s".repeat(99));
  });

  it.each([
    ["100 characters", "s".repeat(100)],
    ["a line feed", "Backup\nalert"],
    ["a carriage return", "Backup\ralert"],
    ["a tab (a control character)", "Backup\talert"],
    ["nothing", ""],
  ])("refuses a subject of %s", async (_name, Subject) => {
    const err = await errorOf(publish({ Subject }));
    expect(err).toMatchObject({ name: "InvalidParameterException", status: 400 });
    expect(err.message).toMatch(/^Invalid parameter: Subject/);
    expect(endpoint.sns.published()).toEqual([]);
  });

  it("refuses an empty message", async () => {
    expect(await errorOf(publish({ Message: "" }))).toMatchObject({ name: "InvalidParameterException", message: "Invalid parameter: Empty message" });
  });

  it("with MessageStructure=json, accepts an object whose default is a string, and records it as sent", async () => {
    const message = JSON.stringify({ default: "plain", email: "for email", https: JSON.stringify({ version: "1.0", source: "custom" }) });
    await publish({ Message: message, MessageStructure: "json" });
    expect(endpoint.sns.published()[0]).toMatchObject({ message, messageStructure: "json" });
  });

  it.each([
    ["no default", '{"email": "x"}', "Invalid parameter: Message Structure - No default entry in JSON message body"],
    ["a default that is not a string", '{"default": {"text": "x"}}', "Invalid parameter: Message Structure - No default entry in JSON message body"],
    ["not JSON", "default: x", "Invalid parameter: Message Structure - JSON message body failed to parse"],
    ["a JSON array", '["default"]', "Invalid parameter: Message Structure - JSON message body failed to parse"],
  ])("with MessageStructure=json, refuses a message with %s", async (_name, Message, message) => {
    expect(await errorOf(publish({ Message, MessageStructure: "json" }))).toEqual({ name: "InvalidParameterException", message, status: 400 });
  });

  it("refuses message attributes SNS would refuse, with ParameterValueInvalid", async () => {
    const err = await errorOf(publish({ MessageAttributes: { "AWS.reserved": { DataType: "String", StringValue: "x" } } }));
    expect(err).toMatchObject({ name: "InvalidParameterValueException", status: 400 });
    const badType = await errorOf(publish({ MessageAttributes: { a: { DataType: "Text", StringValue: "x" } } }));
    expect(badType.message).toContain("supported type prefixes is Binary, Number, and String");
  });

  it("answers NotFound (404) for a topic that does not exist, in this region or another", async () => {
    expect(await errorOf(publish({ TopicArn: "arn:aws:sns:us-east-1:111122223333:nope" }))).toEqual({
      name: "NotFoundException",
      message: "Topic does not exist",
      status: 404,
    });
    const eu = new SNSClient(sdkConfig(endpoint, "eu-west-1"));
    expect(await errorOf(eu.send(new PublishCommand({ TopicArn: ALERTS, Message: "m" })))).toMatchObject({ name: "NotFoundException", status: 404 });
    eu.destroy();
    expect(await errorOf(publish({ TopicArn: "alerts" }))).toMatchObject({ name: "InvalidParameterException", message: expect.stringMatching(/^Invalid parameter: TopicArn/) });
  });
});

describe("the wire format", () => {
  const form = (body: string) =>
    fetch(`${endpoint.url}/`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, body });

  it("answers Publish with the PublishResponse document and the request ID in body and header", async () => {
    const res = await form(`Action=Publish&Version=2010-03-31&TopicArn=${encodeURIComponent(ALERTS)}&Message=hello`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/xml");
    const id = res.headers.get("x-amzn-requestid");
    const messageId = endpoint.sns.published()[0]?.messageId;
    expect(await res.text()).toBe(
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${messageId}</MessageId></PublishResult>` +
        `<ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  });

  it("answers errors with the SNS ErrorResponse document", async () => {
    const res = await form("Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A111122223333%3Anope&Message=x");
    expect(res.status).toBe(404);
    const id = res.headers.get("x-amzn-requestid");
    expect(await res.text()).toBe(
      `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>NotFound</Code>` +
        `<Message>Topic does not exist</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`,
    );
  });

  it("answers InvalidAction for an action it does not emulate", async () => {
    const res = await form("Action=DeleteTopic&Version=2010-03-31");
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>InvalidAction</Code><Message>The action DeleteTopic is not valid for this endpoint.</Message>");
  });
});

describe("faults", () => {
  it("throttles with Throttling (400), which the SDK sees as a throttling error", async () => {
    await admin(endpoint, "POST", "faults", { service: "sns", throttleRate: 1 });
    const err = await errorOf(publish({}));
    expect(err).toEqual({ name: "Throttling", message: "Rate exceeded", status: 400 });
    expect(endpoint.sns.published()).toEqual([]);
  });

  it("fails with InternalError (500) on an internal fault or an outage", async () => {
    await admin(endpoint, "POST", "faults", { service: "sns", internalErrorRate: 1 });
    expect(await errorOf(publish({}))).toMatchObject({ name: "InternalErrorException", status: 500 });
    await admin(endpoint, "POST", "faults", { service: "sns", outage: true });
    expect(await errorOf(publish({}))).toMatchObject({ name: "InternalErrorException", status: 500, message: expect.stringContaining("outage") });
    expect(endpoint.sns.published()).toEqual([]);
  });

  it("lets the SDK's retries ride out occasional throttling", async () => {
    const retrying = new SNSClient(sdkConfig(endpoint, "us-east-1", { retries: true }));
    await admin(endpoint, "POST", "faults", { service: "sns", throttleRate: 0.3, seed: 5 });
    for (let i = 0; i < 10; i++) await retrying.send(new PublishCommand({ TopicArn: ALERTS, Message: `m${i}` }));
    expect(endpoint.sns.published().map((m) => m.message)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
    expect(endpoint.calls.snapshot().byService.sns?.faults.throttled).toBeGreaterThan(0);
    retrying.destroy();
  });
});

describe("GET and DELETE /_emulator/sns", () => {
  it("lists every published message in order, and clears them", async () => {
    await publish({ Message: "first", Subject: "one" });
    await publish({ Message: '{"default":"second"}', MessageStructure: "json" });
    const listed = await admin(endpoint, "GET", "sns");
    expect(listed.status).toBe(200);
    expect(listed.json.map((m: Record<string, unknown>) => [m.topicArn, m.subject, m.message, m.messageStructure, m.timestamp])).toEqual([
      [ALERTS, "one", "first", null, "2026-11-28T06:00:00.000Z"],
      [ALERTS, null, '{"default":"second"}', "json", "2026-11-28T06:00:00.000Z"],
    ]);
    expect(await admin(endpoint, "DELETE", "sns")).toEqual({ status: 200, json: { cleared: 2 } });
    expect((await admin(endpoint, "GET", "sns")).json).toEqual([]);
    // Topics stay.
    expect((await admin(endpoint, "GET", "sns/topics")).json.map((t: { topicArn: string }) => t.topicArn)).toContain(ALERTS);
  });
});
