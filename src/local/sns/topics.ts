import { invalidParameter, notFound } from "./errors.js";
import type { QueryParams } from "./params.js";
import { SnsStore, type Topic } from "./store.js";
import { el, type Markup } from "./xml.js";

/** Everything an operation needs: the store, the caller's region and the emulated time. */
export interface SnsContext {
  store: SnsStore;
  region: string;
  nowMs: number;
}

/** Standard topic names: 1-256 letters, digits, hyphens and underscores (CreateTopic docs). */
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const PROTOCOLS = ["http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"];
/** These must confirm before AWS delivers to them; Subscribe answers "pending confirmation". */
const NEEDS_CONFIRMATION = new Set(["http", "https", "email", "email-json"]);
const LIST_PAGE = 100;

/**
 * CreateTopic: idempotent by name. Calling it again with attributes or tags that differ
 * from the topic's fails, as on AWS. FIFO topics are refused: alerts go to email and
 * chat (HTTPS) subscribers, which FIFO topics cannot reach.
 */
export function createTopic(p: QueryParams, ctx: SnsContext): Markup {
  const name = p.require("Name");
  const attributes = p.map("Attributes");
  const tags = new Map(p.structures("Tags").map((t) => [t.get("Key") ?? "", t.get("Value") ?? ""]));
  if (name.endsWith(".fifo") || attributes.get("FifoTopic")?.toLowerCase() === "true") {
    throw invalidParameter("Invalid parameter: Attributes Reason: FIFO topics are not emulated; create a standard topic");
  }
  if (!TOPIC_NAME.test(name)) throw invalidParameter("Invalid parameter: Topic Name");
  const topicArn = SnsStore.topicArn(ctx.region, name);
  const known = ctx.store.topic(topicArn);
  if (known) {
    if ([...attributes].some(([k, v]) => known.attributes.get(k) !== v)) {
      throw invalidParameter("Invalid parameter: Attributes Reason: Topic already exists with different attributes");
    }
    if ([...tags].some(([k, v]) => known.tags.get(k) !== v)) {
      throw invalidParameter("Invalid parameter: Tags Reason: Topic already exists with different tags");
    }
  } else {
    ctx.store.add({ topicArn, name, region: ctx.region, attributes, tags, subscriptions: [] });
  }
  return el("CreateTopicResult", el("TopicArn", topicArn));
}

/**
 * Subscribe: any protocol SNS knows. Email and HTTP(S) subscriptions stay "pending
 * confirmation" (nothing here confirms them), and Subscribe answers that instead of an
 * ARN unless ReturnSubscriptionArn is true, as AWS does.
 */
export function subscribe(p: QueryParams, ctx: SnsContext): Markup {
  const topic = existingTopic(p.require("TopicArn"), ctx);
  const protocol = p.require("Protocol");
  if (!PROTOCOLS.includes(protocol)) throw invalidParameter(`Invalid parameter: Amazon SNS does not support this protocol string: ${protocol}`);
  const endpoint = p.require("Endpoint");
  checkEndpoint(protocol, endpoint);
  const returnArn = p.boolean("ReturnSubscriptionArn") ?? false;
  const sub = ctx.store.subscribe(topic, protocol, endpoint, NEEDS_CONFIRMATION.has(protocol));
  const arn = sub.pendingConfirmation && !returnArn ? "pending confirmation" : sub.subscriptionArn;
  return el("SubscribeResult", el("SubscriptionArn", arn));
}

/** ListTopics: the region's topics by ARN, 100 a page; NextToken holds the last ARN returned. */
export function listTopics(p: QueryParams, ctx: SnsContext): Markup {
  const token = p.get("NextToken");
  let after = "";
  if (token !== undefined) {
    after = Buffer.from(token, "base64url").toString("utf8");
    if (!after.startsWith(`arn:aws:sns:${ctx.region}:`)) throw invalidParameter("Invalid parameter: NextToken");
  }
  const rest = ctx.store.topicsIn(ctx.region).filter((t) => t.topicArn > after);
  const page = rest.slice(0, LIST_PAGE);
  const last = page[page.length - 1];
  const next = rest.length > LIST_PAGE && last ? Buffer.from(last.topicArn, "utf8").toString("base64url") : undefined;
  const members = page.map((t) => el("member", el("TopicArn", t.topicArn)));
  return el("ListTopicsResult", el("Topics", ...members), next === undefined ? undefined : el("NextToken", next));
}

/** GetTopicAttributes: the topic's attributes (NotFound for a topic that does not exist). */
export function getTopicAttributes(p: QueryParams, ctx: SnsContext): Markup {
  const topic = existingTopic(p.require("TopicArn"), ctx);
  const attributes: Record<string, string> = { ...Object.fromEntries(topic.attributes), TopicArn: topic.topicArn, SubscriptionsConfirmed: String(topic.subscriptions.filter((s) => !s.pendingConfirmation).length), SubscriptionsPending: String(topic.subscriptions.filter((s) => s.pendingConfirmation).length) };
  const entries = Object.entries(attributes).map(([key, value]) => el("entry", el("key", key), el("value", value)));
  return el("GetTopicAttributesResult", el("Attributes", ...entries));
}

/**
 * The topic an ARN names in the caller's region. A malformed ARN is InvalidParameter;
 * a well-formed one that names no topic here (another region included) is NotFound.
 */
export function existingTopic(arn: string, ctx: SnsContext): Topic {
  const parts = arn.split(":");
  if (parts.length < 6) throw invalidParameter(`Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not ${parts.length}`);
  const topic = ctx.store.topic(arn);
  if (!topic || topic.region !== ctx.region) throw notFound("Topic does not exist");
  return topic;
}

function checkEndpoint(protocol: string, endpoint: string): void {
  if ((protocol === "http" || protocol === "https") && !endpoint.toLowerCase().startsWith(`${protocol}://`)) {
    throw invalidParameter("Invalid parameter: Endpoint must match the specified protocol");
  }
  if ((protocol === "email" || protocol === "email-json") && !/^[^@\s]+@[^@\s]+$/.test(endpoint)) {
    throw invalidParameter("Invalid parameter: Email address");
  }
  if (protocol === "sms" && !/^\+?[1-9]\d{1,14}$/.test(endpoint)) throw invalidParameter(`Invalid SMS endpoint: ${endpoint}`);
  if (["sqs", "lambda", "firehose", "application"].includes(protocol) && !endpoint.startsWith("arn:")) {
    throw invalidParameter(`Invalid parameter: Endpoint Reason: a ${protocol} endpoint is an ARN`);
  }
}
