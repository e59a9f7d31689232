// The fault schedule of a --faults run, drawn from the seeded PRNG before the run starts:
// episodes of throttling and internal errors from CloudHSM, outages of SNS, EventBridge
// and DynamoDB, and sweeps killed part-way. Faults stop `quietDays` before the end, so
// the last days show what the service does once everything works again.
import type { FaultConfig } from "../../src/local/index.js";

export type FaultService = "cloudhsm" | "sns" | "events" | "dynamodb";

export interface FaultEpisode {
  service: FaultService;
  kind: "throttle" | "internal" | "outage";
  fromMs: number;
  toMs: number;
}

export interface FaultPlan {
  episodes: FaultEpisode[];
  /** Sweeps (by their scheduled time) killed after this many DeleteBackup calls landed. */
  kills: Map<number, number>;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function drawFaults(rand: () => number, startMs: number, days: number, sweepAt: (day: number) => number, quietDays: number): FaultPlan {
  const episodes: FaultEpisode[] = [];
  const kills = new Map<number, number>();
  const lastFaultDay = Math.max(0, days - quietDays);
  const kinds: Array<{ service: FaultService; kind: FaultEpisode["kind"]; p: number; maxHours: number }> = [
    { service: "cloudhsm", kind: "throttle", p: 0.25, maxHours: 6 },
    { service: "cloudhsm", kind: "internal", p: 0.15, maxHours: 3 },
    { service: "sns", kind: "outage", p: 0.12, maxHours: 8 },
    { service: "events", kind: "outage", p: 0.12, maxHours: 8 },
    { service: "dynamodb", kind: "outage", p: 0.1, maxHours: 4 },
  ];
  for (let day = 0; day < lastFaultDay; day++) {
    for (const k of kinds) {
      if (rand() >= k.p) continue;
      // Starts on a quarter hour; one in three episodes spans the day's sweep.
      const fromMs = startMs + day * DAY_MS + (rand() < 0.33 ? sweepAt(day) - startMs - day * DAY_MS - HOUR_MS : Math.floor(rand() * 96) * 15 * 60_000);
      const hours = 1 + Math.floor(rand() * k.maxHours);
      episodes.push({ service: k.service, kind: k.kind, fromMs, toMs: Math.min(fromMs + hours * HOUR_MS, startMs + lastFaultDay * DAY_MS) });
    }
    if (rand() < 0.15) kills.set(sweepAt(day), Math.floor(rand() * 3));
  }
  return { episodes, kills };
}

/** The endpoint's fault configuration of one service at `nowMs`. */
export function configAt(plan: FaultPlan, service: FaultService, nowMs: number, seed: number): FaultConfig | undefined {
  const active = plan.episodes.filter((e) => e.service === service && e.fromMs <= nowMs && nowMs < e.toMs);
  if (active.length === 0) return undefined;
  const config: FaultConfig = { throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed };
  for (const e of active) {
    if (e.kind === "outage") config.outage = true;
    if (e.kind === "throttle") config.throttleRate = 0.3;
    if (e.kind === "internal") config.internalErrorRate = 0.2;
  }
  return config;
}

/** Whether any episode touches the alert path (CloudHSM listings, SNS, the ledger) at `nowMs`. */
export function alertPathDown(plan: FaultPlan, nowMs: number): boolean {
  return plan.episodes.some((e) => e.service !== "events" && e.fromMs <= nowMs && nowMs < e.toMs);
}
