import { randomUUID } from "node:crypto";
import { invalidParameter, SnsError } from "./errors.js";
import type { QueryParams } from "./params.js";
import type { PublishedMessage } from "./store.js";
import { existingTopic, type SnsContext } from "./topics.js";
import { el, type Markup } from "./xml.js";

/** Publish's documented limit for everything but SMS: 256 KiB of UTF-8, message attributes included. */
export const MAX_MESSAGE_BYTES = 262_144;
/** "Subjects must be UTF-8 text with no line breaks or control characters, and less than 100 characters long." */
const MAX_SUBJECT_CHARS = 99;
const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)[A-Za-z0-9_.-]{1,256}(?<!\.)$/;
const ATTRIBUTE_TYPE = /^(String|Number|Binary)(\..+)?$/;

const invalidValue = (message: string) => new SnsError("ParameterValueInvalid", message);

/**
 * Publish to a topic, with SNS's documented checks, in the order LocalStack's
 * AWS-validated tests found them: subject, empty message, size, FIFO-only parameters,
 * message structure, message attributes, and last whether the topic exists. The
 * accepted message is recorded exactly as sent, for `GET /_emulator/sns`.
 */
export function publish(p: QueryParams, ctx: SnsContext): Markup {
  if (p.get("PhoneNumber") !== undefined) {
    throw invalidParameter("Invalid parameter: PhoneNumber Reason: the emulator publishes to topics only, not SMS");
  }
  // AWS accepts a topic's ARN as TargetArn too.
  const topicArn = p.get("TopicArn") ?? p.get("TargetArn");
  if (topicArn === undefined) throw invalidParameter("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
  const subject = p.get("Subject");
  if (subject !== undefined) checkSubject(subject);
  const message = p.get("Message") ?? "";
  if (message === "") throw invalidParameter("Invalid parameter: Empty message");
  const attributes = messageAttributes(p);
  const attributeBytes = Object.entries(attributes).reduce((n, [name, v]) => n + bytes(name) + Object.values(v).reduce((m, s) => m + bytes(s), 0), 0);
  if (bytes(message) + attributeBytes > MAX_MESSAGE_BYTES) throw invalidParameter("Invalid parameter: Message too long");
  for (const fifoOnly of ["MessageDeduplicationId", "MessageGroupId"]) {
    if (p.get(fifoOnly) !== undefined) {
      throw invalidParameter(`Invalid parameter: ${fifoOnly} Reason: The request includes ${fifoOnly} parameter that is not valid for this topic type`);
    }
  }
  const structure = p.get("MessageStructure");
  if (structure !== undefined) checkJsonStructure(structure, message);
  const topic = existingTopic(topicArn, ctx);

  const record: PublishedMessage = {
    messageId: randomUUID(),
    topicArn: topic.topicArn,
    subject: subject ?? null,
    message,
    messageStructure: structure ?? null,
    messageAttributes: attributes,
    timestamp: new Date(ctx.nowMs).toISOString(),
  };
  ctx.store.record(record);
  return el("PublishResult", el("MessageId", record.messageId));
}

function checkSubject(subject: string): void {
  if (subject === "") throw invalidParameter("Invalid parameter: Subject");
  if ([...subject].length > MAX_SUBJECT_CHARS) throw invalidParameter("Invalid parameter: Subject Reason: must be fewer than 100 characters");
  // Control characters include CR and LF; U+2028/2029 are line breaks too.
  if (/[\p{Cc}\u2028\u2029]/u.test(subject)) {
    throw invalidParameter("Invalid parameter: Subject Reason: must not contain line breaks or control characters");
  }
}

/**
 * MessageStructure=json: the message is a JSON object whose `default` member is a
 * string. Members whose values are not strings are ignored, as AWS does, so a non-string
 * `default` counts as none.
 */
function checkJsonStructure(structure: string, message: string): void {
  if (structure !== "json") throw invalidParameter("Invalid parameter: MessageStructure Reason: the only supported value is json");
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter("Invalid parameter: Message Structure - JSON message body failed to parse");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter("Invalid parameter: Message Structure - JSON message body failed to parse");
  }
  if (typeof (parsed as Record<string, unknown>).default !== "string") {
    throw invalidParameter("Invalid parameter: Message Structure - No default entry in JSON message body");
  }
}

/** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue|BinaryValue`, checked as SNS does. */
function messageAttributes(p: QueryParams): PublishedMessage["messageAttributes"] {
  const out: PublishedMessage["messageAttributes"] = {};
  for (const entry of p.structures("MessageAttributes", "entry")) {
    const name = entry.get("Name") ?? "";
    if (!ATTRIBUTE_NAME.test(name) || /^(AWS|Amazon)\./i.test(name)) {
      throw invalidValue(`Invalid message attribute name ${JSON.stringify(name)}: 1-256 letters, digits, hyphens, underscores and periods, no leading, trailing or double period, not starting with AWS. or Amazon.`);
    }
    const dataType = entry.get("Value.DataType") ?? "";
    if (!ATTRIBUTE_TYPE.test(dataType)) {
      throw invalidValue(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    const field = dataType.startsWith("Binary") ? "BinaryValue" : "StringValue";
    const value = entry.get(`Value.${field}`);
    if (value === undefined || value === "") {
      throw invalidValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`);
    }
    out[name] = { DataType: dataType, [field]: value };
  }
  return out;
}

function bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}
