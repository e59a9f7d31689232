import type { Clock } from "../domain/ports.js";

/**
 * "Now" as the AWS endpoint a run talks to sees it: the `Date` header of its latest
 * response, carried forward by the local monotonic clock since then. A run takes its
 * time from the service it acts on, not from the laptop, so the same code behaves alike
 * against AWS and against the local endpoint whose clock was moved, and reminder stages
 * are measured on the same clock as DeleteTimestamp. The header has whole seconds:
 * this clock is right to within one second.
 */
export class ServiceClock implements Clock {
  #dateMs: number | undefined;
  #observedAtMs = 0;
  readonly #monotonicMs: () => number;
  readonly #fallbackMs: () => number;

  /** `monotonicMs` measures elapsed time; `fallbackMs` answers before any response was seen. */
  constructor(opts: { monotonicMs?: () => number; fallbackMs?: () => number } = {}) {
    this.#monotonicMs = opts.monotonicMs ?? (() => performance.now());
    this.#fallbackMs = opts.fallbackMs ?? Date.now;
  }

  /** Records a response's `Date` header (IMF-fixdate); an unreadable one is ignored. */
  observe(dateHeader: string | undefined): void {
    if (dateHeader === undefined) return;
    const ms = Date.parse(dateHeader);
    if (!Number.isFinite(ms)) return;
    this.#dateMs = ms;
    this.#observedAtMs = this.#monotonicMs();
  }

  /** Whether any response has been seen yet. */
  get observed(): boolean {
    return this.#dateMs !== undefined;
  }

  nowMs(): number {
    if (this.#dateMs === undefined) return this.#fallbackMs();
    // Whole milliseconds: performance.now() is fractional, and ledger times are integers.
    return Math.floor(this.#dateMs + (this.#monotonicMs() - this.#observedAtMs));
  }
}

/** The part of an SDK v3 client this needs: its middleware stack. */
interface HasMiddleware {
  middlewareStack: { add(mw: unknown, options: { step: "deserialize"; name: string }): void };
}

/**
 * Lets `clock` read the `Date` header of every response `client` receives. Added at the
 * deserialize step, where the raw HTTP response is at hand.
 */
export function observeDates(client: HasMiddleware, clock: ServiceClock): void {
  const middleware =
    (next: (args: unknown) => Promise<{ response?: unknown }>) =>
    async (args: unknown): Promise<{ response?: unknown }> => {
      const result = await next(args);
      const headers = (result.response as { headers?: Record<string, string | undefined> } | undefined)?.headers;
      clock.observe(headers?.date ?? headers?.Date);
      return result;
    };
  client.middlewareStack.add(middleware, { step: "deserialize", name: "cloudhsmRetentionServiceClock" });
}
