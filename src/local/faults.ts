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
  /**
   * A token bucket over real time (capacity = one second's worth): calls beyond this
   * rate are throttled, as a service's rate limit would. 0 or absent: no limit.
   */
  maxRequestsPerSecond?: number | undefined;
}

export const NO_FAULTS: Readonly<FaultConfig> = Object.freeze({ throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1 });

export class FaultInjector {
  private config: FaultConfig = { ...NO_FAULTS };
  private rand = prng(NO_FAULTS.seed);
  private tokens = 0;
  private refilledAtMs = 0;

  /** `realNowMs` drives the rate limit: real time, not the emulated clock (which may stand still). */
  constructor(private readonly realNowMs: () => number = () => performance.now()) {}

  get current(): Readonly<FaultConfig> {
    return this.config;
  }

  configure(config: FaultConfig): void {
    this.config = { ...config };
    this.rand = prng(config.seed);
    this.tokens = config.maxRequestsPerSecond ?? 0;
    this.refilledAtMs = this.realNowMs();
  }

  /**
   * Decides the fate of one call before it runs, so a faulted call never changes state.
   * Two draws per call, always, so the sequence depends only on the seed and the call
   * count, not on which faults happened to fire.
   */
  decide(): FaultKind | undefined {
    const throttle = this.rand() < this.config.throttleRate;
    const internal = this.rand() < this.config.internalErrorRate;
    if (throttle) return "throttle";
    if (internal) return "internal";
    return this.overRate() ? "throttle" : undefined;
  }

  /** Takes a token from the bucket; true when there is none (the call is over the rate). */
  private overRate(): boolean {
    const rate = this.config.maxRequestsPerSecond ?? 0;
    if (rate <= 0) return false;
    const nowMs = this.realNowMs();
    this.tokens = Math.min(rate, this.tokens + ((nowMs - this.refilledAtMs) * rate) / 1000);
    this.refilledAtMs = nowMs;
    if (this.tokens < 1) return true;
    this.tokens -= 1;
    return false;
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
