import { randomUUID } from "node:crypto";

export const ACCOUNT_ID = "111122223333";

export interface Subscription {
  subscriptionArn: string;
  protocol: string;
  endpoint: string;
  /** Email and HTTP(S) endpoints must confirm, as on AWS; nothing confirms them here. */
  pendingConfirmation: boolean;
}

export interface Topic {
  topicArn: string;
  name: string;
  region: string;
  attributes: ReadonlyMap<string, string>;
  tags: ReadonlyMap<string, string>;
  subscriptions: Subscription[];
}

/** One accepted Publish, exactly as it arrived: what `GET /_emulator/sns` lists. */
export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  /** null when the call had none. */
  subject: string | null;
  message: string;
  /** `"json"` or null. */
  messageStructure: string | null;
  /** Name → `{DataType, StringValue | BinaryValue (base64)}`, as sent. */
  messageAttributes: Record<string, Record<string, string>>;
  /** ISO-8601, from the emulated clock. */
  timestamp: string;
}

/** What `GET /_emulator/sns/topics` lists. */
export interface TopicView {
  topicArn: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  subscriptions: Subscription[];
}

/** Topics per region (keyed by ARN), and every accepted Publish in order. */
export class SnsStore {
  private readonly topics = new Map<string, Topic>();
  private log: PublishedMessage[] = [];

  static topicArn(region: string, name: string): string {
    return `arn:aws:sns:${region}:${ACCOUNT_ID}:${name}`;
  }

  topic(arn: string): Topic | undefined {
    return this.topics.get(arn);
  }

  /** The region's topics, ordered by ARN (the order ListTopics pages in). */
  topicsIn(region: string): Topic[] {
    return [...this.topics.values()].filter((t) => t.region === region).sort((a, b) => (a.topicArn < b.topicArn ? -1 : 1));
  }

  add(topic: Topic): void {
    this.topics.set(topic.topicArn, topic);
  }

  /** Subscribing the same protocol and endpoint twice gives the same subscription, as on AWS. */
  subscribe(topic: Topic, protocol: string, endpoint: string, pendingConfirmation: boolean): Subscription {
    const known = topic.subscriptions.find((s) => s.protocol === protocol && s.endpoint === endpoint);
    if (known) return known;
    const sub = { subscriptionArn: `${topic.topicArn}:${randomUUID()}`, protocol, endpoint, pendingConfirmation };
    topic.subscriptions.push(sub);
    return sub;
  }

  record(message: PublishedMessage): void {
    this.log.push(message);
  }

  published(): PublishedMessage[] {
    return structuredClone(this.log);
  }

  /** Forgets the published messages (not the topics); returns how many there were. */
  clearPublished(): number {
    const n = this.log.length;
    this.log = [];
    return n;
  }

  views(): TopicView[] {
    return [...this.topics.values()]
      .sort((a, b) => (a.topicArn < b.topicArn ? -1 : 1))
      .map((t) => ({
        topicArn: t.topicArn,
        attributes: Object.fromEntries(t.attributes),
        tags: Object.fromEntries(t.tags),
        subscriptions: structuredClone(t.subscriptions),
      }));
  }
}
