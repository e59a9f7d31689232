import { prng } from "./fleet.js";
import type { FaultKind } from "./http.js";

/**
 * Fault injection and call counting, applied by the edge to every service call (never
 * to admin calls), so retry and back-off code can be tested against any service.
 */
export interface FaultConfig {
  /** Share of calls answered with the service's throttling error, 0..1. */
  throttleRate: number;
  /** Share of the remaining calls answered with an internal error, 0..1. */
  internalErrorRate: number;
  /** Added to every service call, faulted or not. */
  latencyMs: number;
  /** Seeds the PRNG: the same seed gives the same fault sequence. */
  seed: number;
}

export const NO_FAULTS: Readonly<FaultConfig> = Object.freeze({ throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1 });

export class FaultInjector {
  private config: FaultConfig = { ...NO_FAULTS };
  private rand = prng(NO_FAULTS.seed);

  get current(): Readonly<FaultConfig> {
    return this.config;
  }

  configure(config: FaultConfig): void {
    this.config = { ...config };
    this.rand = prng(config.seed);
  }

  /**
   * Decides the fate of one call before it runs, so a faulted call never changes state.
   * Two draws per call, always, so the sequence depends only on the seed and the call
   * count, not on which faults happened to fire.
   */
  decide(): FaultKind | undefined {
    const throttle = this.rand() < this.config.throttleRate;
    const internal = this.rand() < this.config.internalErrorRate;
    return throttle ? "throttle" : internal ? "internal" : undefined;
  }
}

export interface CallCounts {
  total: number;
  byOperation: Record<string, number>;
  faults: { throttled: number; internalErrors: number };
}

export class CallCounter {
  private counts: CallCounts = CallCounter.empty();

  private static empty(): CallCounts {
    return { total: 0, byOperation: {}, faults: { throttled: 0, internalErrors: 0 } };
  }

  record(operation: string, fault: FaultKind | undefined): void {
    this.counts.total++;
    this.counts.byOperation[operation] = (this.counts.byOperation[operation] ?? 0) + 1;
    if (fault === "throttle") this.counts.faults.throttled++;
    if (fault === "internal") this.counts.faults.internalErrors++;
  }

  snapshot(): CallCounts {
    return structuredClone(this.counts);
  }

  reset(): void {
    this.counts = CallCounter.empty();
  }
}
