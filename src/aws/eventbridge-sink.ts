import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { batchEntries, type EventEntry, toPutEventsEntry } from "../alerts/events.js";
import type { EventOutcome, EventSink } from "../alerts/ports.js";
/** Entry error codes worth another try (the PutEvents reference); others never succeed on retry. */
const RETRYABLE = new Set(["InternalFailure", "ThrottlingException"]);

/**
 * Puts events on the custom bus, 10 per call. PutEvents answers 200 even when entries
 * failed: `FailedEntryCount` and each entry's `ErrorCode` say which, and those with a
 * retryable code are put again (up to `attempts` times, with a short back-off).
 */
export class EventBridgeSink implements EventSink {
  readonly #events: EventBridgeClient;
  readonly #bus: string;
  readonly #attempts: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: { client: EventBridgeClient; busName: string; attempts?: number; sleep?: (ms: number) => Promise<void> }) {
    this.#events = options.client;
    this.#bus = options.busName;
    this.#attempts = options.attempts ?? 4;
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async put(entries: readonly EventEntry[]): Promise<EventOutcome> {
    const out: EventOutcome = { sent: 0, failed: [], failedEntries: [] };
    // At most 10 entries and under 256 KB per call.
    for (const batch of batchEntries(entries)) await this.#putBatch(batch, out);
    return out;
  }

  async #putBatch(batch: readonly EventEntry[], out: EventOutcome): Promise<void> {
    let pending: PutEventsRequestEntry[] = batch.map((e) => toPutEventsEntry(e, this.#bus));
    const original = new Map(pending.map((p, i) => [p, batch[i]!]));
    const lost = (entry: PutEventsRequestEntry) => out.failedEntries!.push(original.get(entry)!);
    for (let attempt = 1; pending.length > 0; attempt++) {
      let retry: PutEventsRequestEntry[] = [];
      try {
        const res = await this.#events.send(new PutEventsCommand({ Entries: pending }));
        (res.Entries ?? []).forEach((r, i) => {
          const entry = pending[i]!;
          if (r.EventId && !r.ErrorCode) out.sent++;
          else if (RETRYABLE.has(r.ErrorCode ?? "") && attempt < this.#attempts) retry.push(entry);
          else {
            out.failed.push(`${entry.DetailType}: ${r.ErrorCode ?? "Unknown"} ${r.ErrorMessage ?? ""}`.trim());
            lost(entry);
          }
        });
      } catch (err) {
        // The whole call failed (after the SDK's own retries): these entries are lost unless tried again.
        if (attempt < this.#attempts) retry = pending;
        else
          for (const entry of pending) {
            out.failed.push(`${entry.DetailType}: ${(err as Error).name} ${(err as Error).message}`);
            lost(entry);
          }
      }
      pending = retry;
      if (pending.length > 0) await this.#sleep(100 * 2 ** (attempt - 1));
    }
  }
}
