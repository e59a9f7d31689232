import { describe, expect, it } from "vitest";
import { EmulatorClock } from "../../src/local/clock.js";
import { CloudHsmError } from "../../src/local/cloudhsm/errors.js";
import { decodeToken, encodeToken, pageOf } from "../../src/local/cloudhsm/paging.js";
import { FaultInjector } from "../../src/local/faults.js";

describe("EmulatorClock", () => {
  it("runs with real time plus an offset that set and advance move", () => {
    let real = 1_000;
    const clock = new EmulatorClock({ realNowMs: () => real });
    expect(clock.nowMs()).toBe(1_000);
    clock.set(Date.parse("2026-11-28T06:00:00Z"));
    real += 500;
    expect(clock.toISOString()).toBe("2026-11-28T06:00:00.500Z");
    clock.advance(86_400_000);
    expect(clock.toISOString()).toBe("2026-11-29T06:00:00.500Z");
  });

  it("starts at startMs when given, and rejects non-finite times", () => {
    const clock = new EmulatorClock({ realNowMs: () => 5, startMs: 42 });
    expect(clock.nowMs()).toBe(42);
    expect(() => clock.set(Number.NaN)).toThrow(RangeError);
    expect(() => clock.advance(Infinity)).toThrow(RangeError);
  });
});

describe("NextToken paging", () => {
  const items = Array.from({ length: 10 }, (_, i) => ({ t: i * 10, id: `b${i}` }));
  const key = (x: { t: number; id: string }) => [x.t, x.id];

  it("continues after the last returned key, even when that item is gone", () => {
    const first = pageOf(items, key, { op: "Op", asc: true, token: undefined, maxResults: 3 });
    expect(first.items.map((x) => x.id)).toEqual(["b0", "b1", "b2"]);
    const withoutB2AndB3 = items.filter((x) => x.id !== "b2" && x.id !== "b3");
    const second = pageOf(withoutB2AndB3, key, { op: "Op", asc: true, token: first.nextToken, maxResults: 3 });
    expect(second.items.map((x) => x.id)).toEqual(["b4", "b5", "b6"]);
  });

  it("walks descending order too and omits the token on the last page", () => {
    const desc = [...items].reverse();
    let token: string | undefined;
    const seen: string[] = [];
    do {
      const page = pageOf(desc, key, { op: "Op", asc: false, token, maxResults: 4 });
      seen.push(...page.items.map((x) => x.id));
      token = page.nextToken;
    } while (token);
    expect(seen).toEqual(desc.map((x) => x.id));
  });

  it.each(["", "x", "e30", Buffer.from('{"v":1,"op":"Other","asc":true,"k":[1]}').toString("base64url"), "a".repeat(300), 42])(
    "rejects the token %j as CloudHsmInvalidRequestException",
    (token) => {
      expect(() => decodeToken(token, "Op", true)).toThrow(CloudHsmError);
    },
  );

  it("round-trips a key and stays well under the 256-character limit", () => {
    const token = encodeToken("DescribeBackups", false, [1795845000123, "backup-abcdefghijklmnop"]);
    expect(token.length).toBeLessThan(256);
    expect(decodeToken(token, "DescribeBackups", false)).toEqual([1795845000123, "backup-abcdefghijklmnop"]);
  });
});

describe("FaultInjector", () => {
  it("draws the same sequence for the same seed and none with zero rates", () => {
    const a = new FaultInjector();
    const b = new FaultInjector();
    a.configure({ throttleRate: 0.5, internalErrorRate: 0.5, latencyMs: 0, seed: 7 });
    b.configure({ throttleRate: 0.5, internalErrorRate: 0.5, latencyMs: 0, seed: 7 });
    const seqA = Array.from({ length: 50 }, () => a.decide());
    expect(Array.from({ length: 50 }, () => b.decide())).toEqual(seqA);
    const none = new FaultInjector();
    expect(Array.from({ length: 50 }, () => none.decide()).every((f) => f === undefined)).toBe(true);
  });
});
