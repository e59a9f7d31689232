import { DescribeBackupsCommand } from "@aws-sdk/client-cloudhsm-v2";
import { afterEach, describe, expect, it } from "vitest";
import { cloudHsmClients } from "../../src/aws/clients.js";
import { observeDates, ServiceClock } from "../../src/aws/service-clock.js";
import { EmulatorClock, type LocalEndpoint, startLocalEndpoint } from "../../src/local/index.js";

describe("ServiceClock", () => {
  it("is the last Date header plus the time elapsed since, to the millisecond", () => {
    let mono = 1_000;
    const clock = new ServiceClock({ monotonicMs: () => mono, fallbackMs: () => 0 });
    clock.observe("Sat, 28 Nov 2026 06:00:00 GMT");
    mono += 2_500;
    expect(clock.nowMs()).toBe(Date.parse("2026-11-28T06:00:02.500Z"));
  });

  it("answers the fallback until it has seen a response, and ignores an unreadable header", () => {
    const clock = new ServiceClock({ fallbackMs: () => 42 });
    clock.observe("not a date");
    expect(clock.observed).toBe(false);
    expect(clock.nowMs()).toBe(42);
  });
});

describe("ServiceClock against the local endpoint", () => {
  let endpoint: LocalEndpoint | undefined;
  afterEach(async () => endpoint?.close());

  it("follows the endpoint's emulated clock, a week ahead of this machine's, within a second", async () => {
    const emulated = new EmulatorClock();
    emulated.advance(7 * 86_400_000);
    endpoint = await startLocalEndpoint({ port: 0, clock: emulated });
    const clock = new ServiceClock();
    const clientFor = cloudHsmClients({ endpointUrl: endpoint.url, credentials: { accessKeyId: "t", secretAccessKey: "t" }, clock });
    await clientFor("us-east-1").send(new DescribeBackupsCommand({}));
    expect(clock.observed).toBe(true);
    expect(Math.abs(clock.nowMs() - emulated.nowMs())).toBeLessThan(1_000);
  });

  it("can be fed by any SDK v3 client", async () => {
    endpoint = await startLocalEndpoint({ port: 0, clock: new EmulatorClock({ startMs: Date.parse("2030-01-01T00:00:00Z") }) });
    const { SNSClient, ListTopicsCommand } = await import("@aws-sdk/client-sns");
    const sns = new SNSClient({ endpoint: endpoint.url, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } });
    const clock = new ServiceClock();
    observeDates(sns, clock);
    await sns.send(new ListTopicsCommand({}));
    expect(Math.abs(clock.nowMs() - Date.parse("2030-01-01T00:00:00Z"))).toBeLessThan(5_000);
  });
});
