import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import type { Backup } from "../../src/domain/types.js";
import { cloudHsmClients } from "../../src/aws/clients.js";
import { CloudHsmBackupStore } from "../../src/aws/cloudhsm-store.js";
import { runApply } from "../../src/jobs/apply.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { loadPolicyFiles } from "../../src/policy/index.js";
import { planRetention } from "../../src/retention/plan.js";
import { runCli } from "../support/cli.js";
import { client, fleet, listAll, NOW_MS, start } from "../local/support.js";

/**
 * `apply` end to end: the real CLI, the real SDK client over HTTP, the local endpoint.
 * What apply deletes is checked against the engine's plan of the same backups, and
 * against the endpoint's own state afterwards.
 */
const POLICY = "test/fixtures/policies/apply.yml";
const REGIONS = ["us-east-1", "us-west-2"];

let endpoint: LocalEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

async function expectedDeletions(backups: Backup[]): Promise<string[]> {
  const policies = await loadPolicyFiles([POLICY]);
  const enforce = new Set(policies.filter((p) => p.mode === "enforce").map((p) => p.name));
  const plan = planRetention({ backups, policies, nowMs: NOW_MS, regions: REGIONS });
  return plan.decisions.filter((d) => d.action === "delete" && d.policy !== null && enforce.has(d.policy)).map((d) => d.backupId).sort();
}

async function pendingIds(ep: LocalEndpoint): Promise<string[]> {
  const ids: string[] = [];
  for (const region of REGIONS) ids.push(...(await listAll(client(ep, region), { Filters: { states: ["PENDING_DELETION"] } })));
  return ids.sort();
}

function applyArgs(ep: LocalEndpoint, ...extra: string[]): string[] {
  // No --now: in-process runs get the test's clock (NOW_MS) from runCli, like the endpoint's.
  return ["apply", "--policy", POLICY, ...REGIONS.flatMap((r) => ["--region", r]), "--endpoint-url", ep.url, ...extra];
}

describe("cloudhsm-retention apply against the local endpoint", () => {
  it("deletes exactly what the plan says, reports it, and a second run deletes nothing", async () => {
    // Prepare
    const backups = fleet();
    endpoint = await start(backups);
    const alreadyPending = backups.filter((b) => b.state === "PENDING_DELETION").map((b) => b.backupId);
    const expected = await expectedDeletions(backups);
    expect(expected.length).toBeGreaterThan(100);
    // Act
    const first = await runCli(applyArgs(endpoint, "--format", "json"));
    // Assess
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.counts).toMatchObject({ planned: expected.length, deleted: expected.length, failed: 0, alreadyPending: 0 });
    expect(report.counts.reportOnly).toBeGreaterThan(0);
    expect(report.outcomes.map((o: { backupId: string }) => o.backupId).sort()).toEqual(expected);
    // Restorable for exactly 7 days from the (emulated) time of the delete.
    expect(new Set(report.outcomes.map((o: { deleteAt: string }) => Date.parse(o.deleteAt)))).toEqual(new Set([NOW_MS + 7 * 86_400_000]));
    expect(await pendingIds(endpoint)).toEqual([...expected, ...alreadyPending].sort());

    // Act: right after, nothing is left to delete.
    endpoint.calls.reset();
    const second = await runCli(applyArgs(endpoint, "--format", "json"));
    // Assess
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).counts).toMatchObject({ planned: 0, deleted: 0 });
    expect(endpoint.calls.snapshot().byOperation.DeleteBackup ?? 0).toBe(0);
  });

  it("lists each region in the fewest DescribeBackups calls: ceil(backups / 50)", async () => {
    const backups = fleet();
    endpoint = await start(backups);
    const run = await runCli(applyArgs(endpoint, "--dry-run", "--format", "json"));
    expect(run.code).toBe(0);
    const listings = JSON.parse(run.stdout).listings as Array<{ region: string; backups: number; calls: number }>;
    for (const l of listings) {
      expect(l.backups).toBe(backups.filter((b) => b.region === l.region).length);
      expect(l.calls).toBe(Math.ceil(l.backups / 50));
    }
    expect(endpoint.calls.snapshot().byOperation.DescribeBackups).toBe(listings.reduce((n, l) => n + l.calls, 0));
  });

  it("routes every call through AWS_ENDPOINT_URL when --endpoint-url is not given", async () => {
    endpoint = await start();
    const args = applyArgs(endpoint, "--dry-run").filter((a, i, all) => a !== "--endpoint-url" && all[i - 1] !== "--endpoint-url");
    const run = await runCli(args, { env: { AWS_ENDPOINT_URL: endpoint.url } });
    expect(run.code).toBe(0);
    expect(endpoint.calls.snapshot().byOperation.DescribeBackups).toBeGreaterThan(0);
  });

  it("changes nothing in a dry run, and says so", async () => {
    endpoint = await start();
    const run = await runCli(applyArgs(endpoint, "--dry-run"));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Dry run: \d+ deletions planned in enforce-mode policies, none carried out\.$/m);
    expect(endpoint.calls.snapshot().byOperation.DeleteBackup ?? 0).toBe(0);
  });

  it("deletes exactly the planned backups under 30% throttling and 10% internal errors, and says what it retried", async () => {
    // Prepare: the real SDK store over HTTP, as the CLI builds it, but with millisecond
    // back-off: this test is about what gets deleted, not about waiting. 25 attempts make
    // giving up (0.37^25) practically impossible, so the test is not flaky.
    const backups = fleet();
    endpoint = await start(backups);
    const expected = await expectedDeletions(backups);
    const alreadyPending = backups.filter((b) => b.state === "PENDING_DELETION").map((b) => b.backupId);
    endpoint.faults.configure({ throttleRate: 0.3, internalErrorRate: 0.1, latencyMs: 0, seed: 42 });
    const store = new CloudHsmBackupStore({
      clientFor: cloudHsmClients({ endpointUrl: endpoint.url }),
      retry: { maxAttempts: 25, baseDelayMs: 1, maxDelayMs: 20 },
    });
    // Act
    const report = await runApply({ policies: await loadPolicyFiles([POLICY]), regions: REGIONS, store, nowMs: NOW_MS });
    // Assess
    expect(report.exitCode).toBe(0);
    expect(report.counts).toMatchObject({ planned: expected.length, failed: 0, listFailures: 0, held: 0 });
    expect(report.counts.deleted + report.counts.alreadyPending).toBe(expected.length);
    expect(report.retries.throttled).toBeGreaterThan(0);
    expect(report.retries["server error"]).toBeGreaterThan(0);
    const faults = endpoint.calls.snapshot().faults;
    expect((report.retries.throttled ?? 0) + (report.retries["server error"] ?? 0)).toBe(faults.throttled + faults.internalErrors);
    endpoint.faults.configure({ throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1 });
    expect(await pendingIds(endpoint)).toEqual([...expected, ...alreadyPending].sort());
  });

  it("prints the retries in the table (the CLI, with its real back-off)", async () => {
    endpoint = await start();
    endpoint.faults.configureService("cloudhsm", { throttleRate: 0.1, internalErrorRate: 0.05, latencyMs: 0, seed: 7 });
    const run = await runCli(applyArgs(endpoint, "--max-attempts", "25"));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Apply: \d+ deleted, 0 failed of \d+ planned; retried \d+ throttled calls?, \d+ server errors?\.$/m);
  }, 120_000);

  it("halts a policy whose run would delete too much: exit 4, nothing deleted", async () => {
    endpoint = await start();
    const run = await runCli(["apply", "--policy", "test/fixtures/policies/halting.yml", "--region", "us-east-1", "--endpoint-url", endpoint.url]);
    expect(run.code).toBe(4);
    expect(run.stdout).toMatch(/^! production: maxDeletePercent 10/m);
    expect(endpoint.calls.snapshot().byOperation.DeleteBackup ?? 0).toBe(0);
  });

  it.each([
    ["a future --now (it would age every backup past minAge)", 86_400_000],
    ["a past --now (stopped backups would look recent to requireBackupWithin)", -9 * 86_400_000],
  ])("refuses to delete as of %s, but previews it", async (_, offsetMs) => {
    endpoint = await start();
    const other = new Date(NOW_MS + offsetMs).toISOString().replace(".000Z", "Z");
    const args = ["apply", "--policy", POLICY, "--region", "us-east-1", "--endpoint-url", endpoint.url, "--now", other];
    const run = await runCli(args);
    expect(run).toMatchObject({ code: 2, stdout: "" });
    // Compared with the endpoint's clock (its Date header), not this machine's.
    expect(run.stderr).toBe(
      `--now: ${other} is not the service's time (2026-11-28T06:00:00Z, from the endpoint's Date header); a run that deletes plans as of now (use --dry-run to preview another time)\n`,
    );
    expect(endpoint.calls.snapshot().byOperation.DeleteBackup ?? 0).toBe(0);
    expect((await runCli([...args, "--dry-run"])).code).toBe(0);
  });

  it("accepts a --now within five minutes of the clock", async () => {
    endpoint = await start();
    const run = await runCli([...applyArgs(endpoint, "--dry-run"), "--now", new Date(NOW_MS + 60_000).toISOString()]);
    expect(run.code).toBe(0);
    expect((await runCli(applyArgs(endpoint, "--now", new Date(NOW_MS - 60_000).toISOString()))).code).toBe(0);
  });

  it("refuses a bad policy with exit 2 before calling AWS at all", async () => {
    endpoint = await start();
    const run = await runCli(["apply", "--policy", "test/fixtures/bad-policies/negative-count.yml", "--region", "us-east-1", "--endpoint-url", endpoint.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/negative-count\.yml:\d+:\d+: /);
    expect(endpoint.calls.snapshot().total).toBe(0);
  });

  it("exits 3 and lists the region when a listing fails for good; nothing is deleted there", async () => {
    endpoint = await start();
    endpoint.faults.configureService("cloudhsm", { throttleRate: 0, internalErrorRate: 1, latencyMs: 0, seed: 1 });
    const run = await runCli(applyArgs(endpoint, "--max-attempts", "2"));
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^Listed us-east-1: FAILED: listing backups in us-east-1 failed: CloudHsmInternalFailureException/m);
    expect(endpoint.calls.snapshot().byOperation.DeleteBackup ?? 0).toBe(0);
  });

  it("converges when killed half-way and run again: the same end state as one uninterrupted run", async () => {
    // Prepare: the reference end state, from one uninterrupted run on an identical fleet.
    const reference = await start(fleet());
    expect((await runCli(applyArgs(reference))).code).toBe(0);
    const want = await pendingIds(reference);
    await reference.close();

    endpoint = await start(fleet());
    endpoint.faults.configure({ throttleRate: 0, internalErrorRate: 0, latencyMs: 20, seed: 1 });
    const planned = (await expectedDeletions(fleet())).length;
    // Act: a real process, killed with SIGKILL once about a third of the deletions landed.
    const child = spawn(process.execPath, ["bin/cloudhsm-retention.js", ...applyArgs(endpoint, "--concurrency", "4")], { stdio: "ignore" });
    let done = false;
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => ((done = true), resolve(code))));
    try {
      while (!done && (endpoint.calls.snapshot().byOperation.DeleteBackup ?? 0) < planned / 3) await new Promise((r) => setTimeout(r, 5));
    } finally {
      // Never leave the process behind: it would go on deleting through a port the next test may reuse.
      child.kill("SIGKILL");
    }
    expect(await exited).toBeNull();
    const partial = endpoint.calls.snapshot().byOperation.DeleteBackup ?? 0;
    expect(partial).toBeLessThan(planned);
    endpoint.faults.configure({ throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1 });
    const rerun = await runCli(applyArgs(endpoint, "--format", "json"));
    // Assess
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout).counts.deleted).toBeGreaterThan(0);
    expect(await pendingIds(endpoint)).toEqual(want);
  }, 90_000);
});

describe("time of check, against the local endpoint with the real SDK", () => {
  it("leaves a backup pinned with ModifyBackupAttributes between the listing and its deletion", async () => {
    // Prepare: the real adapter, and a person who pins the oldest planned deletion right
    // after the listing, through the real SDK.
    const backups = fleet();
    endpoint = await start(backups);
    const ep = endpoint;
    const expected = await expectedDeletions(backups);
    const victim = backups.filter((b) => expected.includes(b.backupId)).sort((a, b) => a.createdAtMs - b.createdAtMs)[0]!;
    const adapter = new CloudHsmBackupStore({ clientFor: cloudHsmClients({ endpointUrl: ep.url, credentials: { accessKeyId: "t", secretAccessKey: "t" } }) });
    let pinned = false;
    const store = {
      listBackups: async (region: string) => {
        const result = await adapter.listBackups(region);
        if (!pinned && region === victim.region) {
          pinned = true;
          const { ModifyBackupAttributesCommand } = await import("@aws-sdk/client-cloudhsm-v2");
          await client(ep, victim.region).send(new ModifyBackupAttributesCommand({ BackupId: victim.backupId, NeverExpires: true }));
        }
        return result;
      },
      lookUpBackups: (region: string, ids: readonly string[]) => adapter.lookUpBackups(region, ids),
      deleteBackup: (region: string, id: string) => adapter.deleteBackup(region, id),
    };
    // Act
    const report = await runApply({ policies: await loadPolicyFiles([POLICY]), regions: REGIONS, store, nowMs: NOW_MS });
    // Assess
    expect(pinned).toBe(true);
    expect(report.outcomes.find((o) => o.backupId === victim.backupId)).toMatchObject({ status: "changed" });
    const pending = await pendingIds(ep);
    expect(pending).not.toContain(victim.backupId);
    expect(endpoint.calls.snapshot().byOperation.DeleteBackup).toBe(report.counts.deleted);
  });
});
