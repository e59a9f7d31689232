/**
 * The emulator's clock: real time plus an offset. Time keeps flowing (so an SDK's
 * retries and a demo feel real) while tests and demos can jump it to a date or skip
 * ahead a week to watch PENDING_DELETION backups disappear.
 *
 * @example
 * const clock = new EmulatorClock();
 * clock.set(Date.parse("2026-11-28T06:00:00Z"));
 * clock.advance(7 * 86_400_000);
 */
export class EmulatorClock {
  private offsetMs = 0;
  private readonly realNowMs: () => number;
  private readonly listeners = new Set<() => void>();

  /** `realNowMs` is injectable so that tests can freeze the underlying time. */
  constructor(opts: { realNowMs?: () => number; startMs?: number } = {}) {
    this.realNowMs = opts.realNowMs ?? Date.now;
    if (opts.startMs !== undefined) this.set(opts.startMs);
  }

  nowMs(): number {
    return this.realNowMs() + this.offsetMs;
  }

  /** Jumps to an instant; time flows on from there. */
  set(epochMs: number): void {
    if (!Number.isFinite(epochMs)) throw new RangeError(`clock.set: not a time: ${epochMs}`);
    this.offsetMs = epochMs - this.realNowMs();
    this.changed();
  }

  /** Skips ahead (or back, with a negative amount). */
  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`clock.advance: not a duration: ${ms}`);
    this.offsetMs += ms;
    this.changed();
  }

  /**
   * Called after every `set` and `advance`, so the endpoint does at once the work that
   * fell due (backups made, retention, permanent deletion) and CloudTrail subscribers
   * hear of it without another call. Returns a function that unsubscribes.
   */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  toISOString(): string {
    return new Date(this.nowMs()).toISOString();
  }
}
