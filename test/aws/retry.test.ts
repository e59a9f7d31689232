import { describe, expect, it } from "vitest";
import { retryReason, withRetry } from "../../src/aws/retry.js";

function awsError(name: string, status: number, fault: "client" | "server" = status >= 500 ? "server" : "client") {
  return Object.assign(new Error(`${name} happened`), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}

const noWait = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000, random: () => 1 };

describe("retryReason", () => {
  it.each([
    [awsError("ThrottlingException", 400), "throttled"],
    [awsError("CloudHsmInternalFailureException", 500), "server error"],
    [awsError("ServiceUnavailable", 503), "server error"],
    [Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "transient"],
    [awsError("CloudHsmInvalidRequestException", 400), undefined],
    [awsError("CloudHsmResourceNotFoundException", 400), undefined],
    [awsError("CloudHsmAccessDeniedException", 400), undefined],
  ])("classifies %s as %s", (err, reason) => {
    expect(retryReason(err)).toBe(reason);
  });
});

describe("withRetry", () => {
  it("retries throttling and server errors with growing, capped, jittered delays, counting each", async () => {
    // Prepare
    const failures = [awsError("ThrottlingException", 400), awsError("CloudHsmInternalFailureException", 500), awsError("ThrottlingException", 400)];
    const delays: number[] = [];
    let calls = 0;
    // Act
    const result = await withRetry(
      async () => {
        calls++;
        const f = failures.shift();
        if (f) throw f;
        return "done";
      },
      { ...noWait, sleep: async (ms) => void delays.push(ms) },
    );
    // Assess
    expect(result).toEqual({ ok: true, value: "done", stats: { attempts: 4, retries: { throttled: 2, "server error": 1 } } });
    expect(calls).toBe(4);
    expect(delays).toEqual([100, 200, 400]);
  });

  it("never retries a client error other than throttling", async () => {
    let calls = 0;
    const result = await withRetry(async () => {
      calls++;
      throw awsError("CloudHsmInvalidRequestException", 400);
    }, { ...noWait, sleep: async () => {} });
    expect(calls).toBe(1);
    expect(result).toMatchObject({ ok: false, exhausted: false, stats: { attempts: 1, retries: {} } });
  });

  it("gives up after maxAttempts and says the error was retryable", async () => {
    let calls = 0;
    const delays: number[] = [];
    const result = await withRetry(async () => {
      calls++;
      throw awsError("ThrottlingException", 400);
    }, { ...noWait, sleep: async (ms) => void delays.push(ms) });
    expect(calls).toBe(5);
    expect(result).toMatchObject({ ok: false, exhausted: true, stats: { attempts: 5, retries: { throttled: 4 } } });
    expect(delays).toEqual([100, 200, 400, 800]);
  });

  it("caps the delay and applies full jitter", async () => {
    const delays: number[] = [];
    let n = 0;
    await withRetry(async () => {
      if (n++ < 6) throw awsError("ThrottlingException", 400);
    }, { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.5, sleep: async (ms) => void delays.push(ms) });
    expect(delays).toEqual([50, 100, 200, 400, 500, 500]);
  });
});
