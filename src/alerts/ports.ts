import type { EventEntry } from "./events.js";
import type { RenderedMessage } from "./model.js";

/** Where messages go: one SNS topic, whose subscribers are email addresses and AWS Chatbot. */
export interface Notifier {
  /** Publishes one message; throws AlertDeliveryError when it could not be delivered. Returns the message ID. */
  publish(message: RenderedMessage): Promise<string>;
}

/** One EventBridge entry, as src/alerts/events.ts builds it. */
export type { EventEntry } from "./events.js";

export interface EventOutcome {
  sent: number;
  /** Entries that could not be put after retries, each as `DetailType: ErrorCode ErrorMessage`. */
  failed: string[];
  /** The entries themselves, to be kept and put again later. */
  failedEntries?: EventEntry[] | undefined;
}

/** Where events go: the custom EventBridge bus. */
export interface EventSink {
  /** Puts every entry (in batches of 10), retrying failed entries; never throws. */
  put(entries: readonly EventEntry[]): Promise<EventOutcome>;
}
