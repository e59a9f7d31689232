import { prng } from "./fleet.js";
import type { FaultKind } from "./http.js";

/**
 * Fault injection and call counting, applied by the edge to every service call (never
 * to admin calls), so retry and back-off code can be tested against any service.
 *
 * There is one endpoint-wide configuration, and each service can have its own, which
 * then replaces the endpoint-wide one for that service's calls (rates, latency, rate
 * limit and all). Each configuration has its own seeded sequence, so SNS calls never
 * shift the faults CloudHSM calls see.
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
  /** Every call fails with the service's internal error, as in an outage. */
  outage?: boolean | undefined;
  /** Share of entries that fail on their own in calls answered per entry (PutEvents), 0..1. */
  entryFailureRate?: number | undefined;
  /** The error code of those entries; the service's first supported code when absent. */
  entryErrorCode?: string | undefined;
}

export const NO_FAULTS: Readonly<FaultConfig> = Object.freeze({ throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1 });

/** What the edge does with one call. An outage renders as the service's internal error. */
export type FaultDecision = FaultKind | "outage" | undefined;

/** The endpoint-wide configuration plus each service's own, as `GET /_emulator/faults` shows it. */
export type FaultSnapshot = FaultConfig & { services: Record<string, FaultConfig> };

/** One configuration with its own PRNG and token bucket. */
class FaultPlan {
  private readonly rand: () => number;
  private tokens: number;
  private refilledAtMs: number;

  constructor(
    readonly config: Readonly<FaultConfig>,
    private readonly realNowMs: () => number,
  ) {
    this.rand = prng(config.seed);
    this.tokens = config.maxRequestsPerSecond ?? 0;
    this.refilledAtMs = realNowMs();
  }

  /**
   * Two draws per call, always, so the sequence depends only on the seed and the call
   * count, not on which faults happened to fire.
   */
  decide(): FaultDecision {
    const throttle = this.rand() < this.config.throttleRate;
    const internal = this.rand() < this.config.internalErrorRate;
    if (this.config.outage) return "outage";
    if (throttle) return "throttle";
    if (internal) return "internal";
    return this.overRate() ? "throttle" : undefined;
  }

  /** One draw per entry, always, for the same reason. */
  entryFault(defaultCode: string | undefined): string | undefined {
    const fails = this.rand() < (this.config.entryFailureRate ?? 0);
    return fails ? (this.config.entryErrorCode ?? defaultCode) : undefined;
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

export class FaultInjector {
  private endpointWide: FaultPlan;
  private readonly byService = new Map<string, FaultPlan>();

  /** `realNowMs` drives the rate limit: real time, not the emulated clock (which may stand still). */
  constructor(private readonly realNowMs: () => number = () => performance.now()) {
    this.endpointWide = new FaultPlan({ ...NO_FAULTS }, realNowMs);
  }

  /** The endpoint-wide configuration. */
  get current(): Readonly<FaultConfig> {
    return this.endpointWide.config;
  }

  /** Replaces the whole fault configuration: endpoint-wide settings, no per-service ones. */
  configure(config: FaultConfig): void {
    this.endpointWide = new FaultPlan({ ...config }, this.realNowMs);
    this.byService.clear();
  }

  /** Gives one service its own configuration, replacing the endpoint-wide one for its calls. */
  configureService(service: string, config: FaultConfig): void {
    this.byService.set(service, new FaultPlan({ ...config }, this.realNowMs));
  }

  /** The service follows the endpoint-wide configuration again. */
  clearService(service: string): void {
    this.byService.delete(service);
  }

  /** The configuration that applies to a service's calls. */
  forService(service: string): Readonly<FaultConfig> {
    return this.plan(service).config;
  }

  snapshot(): FaultSnapshot {
    const services: Record<string, FaultConfig> = {};
    for (const [name, plan] of [...this.byService].sort(([a], [b]) => (a < b ? -1 : 1))) services[name] = { ...plan.config };
    return { ...this.endpointWide.config, services };
  }

  /** Decides the fate of one call before it runs, so a faulted call never changes state. */
  decide(service = ""): FaultDecision {
    return this.plan(service).decide();
  }

  /** Whether the next entry of a per-entry call fails, and with which code. */
  entryFault(service: string, defaultCode?: string): string | undefined {
    return this.plan(service).entryFault(defaultCode);
  }

  private plan(service: string): FaultPlan {
    return this.byService.get(service) ?? this.endpointWide;
  }
}

export interface CallCounts {
  total: number;
  byOperation: Record<string, number>;
  faults: { throttled: number; internalErrors: number };
}

/** Counts for the whole endpoint, and the same counts per service. Outages count as internal errors. */
export type CallSnapshot = CallCounts & { byService: Record<string, CallCounts> };

export class CallCounter {
  private counts: CallSnapshot = CallCounter.empty();

  private static emptyCounts(): CallCounts {
    return { total: 0, byOperation: {}, faults: { throttled: 0, internalErrors: 0 } };
  }

  private static empty(): CallSnapshot {
    return { ...CallCounter.emptyCounts(), byService: {} };
  }

  /** `service` is optional so callers that predate per-service counts keep working. */
  record(operation: string, fault: FaultDecision, service?: string): void {
    const targets: CallCounts[] = [this.counts];
    if (service !== undefined) targets.push((this.counts.byService[service] ??= CallCounter.emptyCounts()));
    for (const c of targets) {
      c.total++;
      c.byOperation[operation] = (c.byOperation[operation] ?? 0) + 1;
      if (fault === "throttle") c.faults.throttled++;
      if (fault === "internal" || fault === "outage") c.faults.internalErrors++;
    }
  }

  snapshot(): CallSnapshot {
    return structuredClone(this.counts);
  }

  reset(): void {
    this.counts = CallCounter.empty();
  }
}
