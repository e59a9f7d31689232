import type { RenderedMessage } from "./model.js";

/** Where messages go: one SNS topic, whose subscribers are email addresses and AWS Chatbot. */
export interface Notifier {
  /** Publishes one message; throws AlertDeliveryError when it could not be delivered. Returns the message ID. */
  publish(message: RenderedMessage): Promise<string>;
}

/** One EventBridge entry, before the bus, source and serialisation are added. */
export interface EventEntry {
  detailType: string;
  detail: object;
  /** ARNs of the resources concerned (backup ARNs). */
  resources?: string[] | undefined;
  /** When it happened (epoch ms); the bus's time otherwise. */
  timeMs?: number | undefined;
}

export interface EventOutcome {
  sent: number;
  /** Entries that could not be put after retries, each as `DetailType: ErrorCode ErrorMessage`. */
  failed: string[];
}

/** Where events go: the custom EventBridge bus. */
export interface EventSink {
  /** Puts every entry (in batches of 10), retrying failed entries; never throws. */
  put(entries: readonly EventEntry[]): Promise<EventOutcome>;
}
