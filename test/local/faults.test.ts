import { describe, expect, it } from "vitest";
import { FaultInjector } from "../../src/local/faults.js";

describe("FaultInjector rate limit (token bucket over real time)", () => {
  it("lets a second's worth through at once, then one call per 1/rate seconds", () => {
    // Prepare: a fake real-time source
    let nowMs = 1_000;
    const faults = new FaultInjector(() => nowMs);
    faults.configure({ throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1, maxRequestsPerSecond: 10 });
    // Act + Assess: the burst
    const burst = Array.from({ length: 12 }, () => faults.decide());
    expect(burst.filter((f) => f === undefined)).toHaveLength(10);
    expect(burst.slice(10)).toEqual(["throttle", "throttle"]);
    // 100 ms later: one token
    nowMs += 100;
    expect([faults.decide(), faults.decide()]).toEqual([undefined, "throttle"]);
    // A long pause refills only up to one second's worth
    nowMs += 60_000;
    expect(Array.from({ length: 11 }, () => faults.decide()).filter((f) => f === "throttle")).toHaveLength(1);
  });

  it("has no limit at 0 or when the setting is absent", () => {
    const faults = new FaultInjector(() => 0);
    faults.configure({ throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1 });
    expect(Array.from({ length: 1000 }, () => faults.decide()).every((f) => f === undefined)).toBe(true);
    faults.configure({ throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1, maxRequestsPerSecond: 0 });
    expect(faults.decide()).toBeUndefined();
  });
});
