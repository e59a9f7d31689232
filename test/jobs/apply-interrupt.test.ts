import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import type { Backup } from "../../src/domain/types.js";
import { makeFleet } from "../../src/local/fleet.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { frozenClock, start } from "../local/support.js";

/**
 * Ctrl-C during `apply`, in a real child process against the local endpoint (slowed
 * down through its latency setting, so deletions are in flight when the signal comes).
 * The first SIGINT stops starting deletions, waits for those in flight, prints the
 * partial report and exits 130; a second one exits at once.
 */
const POLICY = "test/fixtures/policies/apply.yml";
const LATENCY_MS = 400;

let endpoint: LocalEndpoint | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  child?.kill("SIGKILL");
  child = undefined;
  await endpoint?.close();
  endpoint = undefined;
});

/** A fleet ending now, on an endpoint whose clock is now: the child plans as of its own clock. */
async function slowEndpoint(): Promise<{ ep: LocalEndpoint; backups: Backup[] }> {
  const nowMs = Date.now();
  const backups = makeFleet({ endMs: nowMs, days: 120, clusters: [{ region: "us-east-1", count: 2 }], seed: 11 });
  const ep = await start(backups, frozenClock(nowMs));
  ep.faults.configure({ throttleRate: 0, internalErrorRate: 0, latencyMs: LATENCY_MS, seed: 1 });
  return { ep, backups };
}

interface Running {
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function applyProcess(ep: LocalEndpoint): Running {
  const args = ["bin/cloudhsm-retention.js", "apply", "--policy", POLICY, "--region", "us-east-1", "--endpoint-url", ep.url, "--concurrency", "4", "--format", "json"];
  const proc = spawn(process.execPath, args, { env: { ...process.env, NO_COLOR: "1", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" } });
  child = proc;
  let out = "";
  let err = "";
  proc.stdout.on("data", (c: Buffer) => void (out += c.toString()));
  proc.stderr.on("data", (c: Buffer) => void (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on("close", (code, signal) => resolve({ code, signal })));
  return { stdout: () => out, stderr: () => err, exited };
}

const deleteCalls = (ep: LocalEndpoint) => ep.calls.snapshot().byOperation.DeleteBackup ?? 0;

async function until(what: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!what()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Backups that are PENDING_DELETION in the endpoint's own state now, and were not before. */
function newlyPending(ep: LocalEndpoint, before: Backup[]): string[] {
  const wasPending = new Set(before.filter((b) => b.state === "PENDING_DELETION").map((b) => b.backupId));
  return ep.cloudhsm
    .sorted("us-east-1", ep.clock.nowMs())
    .filter((b) => b.state === "PENDING_DELETION" && !wasPending.has(b.backupId))
    .map((b) => b.backupId)
    .sort();
}

describe("apply interrupted by a signal", () => {
  it("on the first SIGINT, finishes the deletions in flight, starts none, prints the partial report and exits 130", async () => {
    // Prepare
    const { ep, backups } = await slowEndpoint();
    endpoint = ep;
    const run = applyProcess(ep);
    await until(() => deleteCalls(ep) >= 8);
    // Act
    child!.kill("SIGINT");
    await until(() => /^stopping \(SIG[A-Z]+\): /m.test(run.stderr()));
    const callsWhenStopping = deleteCalls(ep);
    const inFlight = Number(/^stopping \(SIGINT\): waiting for (\d+) deletions? in flight; press Ctrl-C again to exit now, without the report$/m.exec(run.stderr())?.[1]);
    const { code, signal } = await run.exited;
    // Assess
    expect({ code, signal }).toEqual({ code: 130, signal: null });
    expect(inFlight).toBeGreaterThanOrEqual(1);
    expect(inFlight).toBeLessThanOrEqual(4);
    const report = JSON.parse(run.stdout());
    expect(report.interrupted).toBe(true);
    const deleted = report.outcomes.filter((o: { status: string }) => o.status === "deleted").map((o: { backupId: string }) => o.backupId).sort();
    // Every deletion the endpoint received completed and is in the report...
    expect(report.outcomes).toHaveLength(deleteCalls(ep));
    expect(newlyPending(ep, backups)).toEqual(deleted);
    // ...and none started after the signal: only those already in flight arrived later.
    expect(deleteCalls(ep) - callsWhenStopping).toBeLessThanOrEqual(inFlight);
    // What was planned and not attempted is named, and still READY.
    expect(report.counts.notAttempted).toBe(report.counts.planned - report.outcomes.length);
    expect(report.counts.notAttempted).toBeGreaterThan(0);
    expect(report.notAttempted).toHaveLength(report.counts.notAttempted);
    const ready = new Set(ep.cloudhsm.sorted("us-east-1", ep.clock.nowMs()).filter((b) => b.state === "READY").map((b) => b.backupId));
    for (const b of report.notAttempted) expect(ready.has(b.backupId)).toBe(true);
  }, 90_000);

  it("on SIGTERM (a supervisor stopping it) does the same, says so in the table, and exits 143 (128 + 15)", async () => {
    const { ep } = await slowEndpoint();
    endpoint = ep;
    const args = ["bin/cloudhsm-retention.js", "apply", "--policy", POLICY, "--region", "us-east-1", "--endpoint-url", ep.url, "--concurrency", "4"];
    const proc = spawn(process.execPath, args, { env: { ...process.env, NO_COLOR: "1", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" } });
    child = proc;
    let out = "";
    proc.stdout.on("data", (c: Buffer) => void (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on("close", (c) => resolve(c)));
    await until(() => deleteCalls(ep) >= 4);
    proc.kill("SIGTERM");
    expect(await exited).toBe(143);
    expect(out).toMatch(/^Interrupted: \d+ deleted, \d+ planned deletions not attempted \(run apply again to finish\):$/m);
    expect(out).toMatch(/^ {2}us-east-1 backup-[a-z2-7]{11}$/m);
  }, 90_000);

  it("on a second SIGINT, exits 130 at once without a report; deletions already sent still land", async () => {
    // Prepare
    const { ep, backups } = await slowEndpoint();
    endpoint = ep;
    const run = applyProcess(ep);
    await until(() => deleteCalls(ep) >= 8);
    // Act
    child!.kill("SIGINT");
    await until(() => /^stopping \(SIG[A-Z]+\): /m.test(run.stderr()));
    const callsWhenStopping = deleteCalls(ep);
    const inFlight = Number(/waiting for (\d+) deletions/.exec(run.stderr())?.[1]);
    child!.kill("SIGINT");
    const { code, signal } = await run.exited;
    // Assess
    expect({ code, signal }).toEqual({ code: 130, signal: null });
    expect(run.stdout()).toBe("");
    // The endpoint finishes what it received (as AWS would): give it its latency.
    await new Promise((r) => setTimeout(r, LATENCY_MS * 2));
    expect(deleteCalls(ep) - callsWhenStopping).toBeLessThanOrEqual(inFlight);
    expect(newlyPending(ep, backups)).toHaveLength(deleteCalls(ep));
  }, 90_000);
});
