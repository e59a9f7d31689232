import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { LocalEndpoint } from "../../src/local/index.js";
import { runCli } from "../support/cli.js";
import { fleet, start } from "../local/support.js";

/**
 * `plan` without --inventory lists AWS live, like `terraform plan`: the same listing and
 * plan as `apply --dry-run`, against the local endpoint through the real SDK client.
 */
const POLICY = "test/fixtures/policies/apply.yml";

let endpoint: LocalEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

const live = (ep: LocalEndpoint, ...extra: string[]) => ["--policy", POLICY, "--region", "us-east-1", "--region", "us-west-2", "--endpoint-url", ep.url, ...extra];

describe("plan, live", () => {
  it("plans exactly what apply --dry-run plans, at the endpoint's time, and deletes nothing", async () => {
    // Prepare
    endpoint = await start(fleet());
    // Act
    const plan = await runCli(["plan", ...live(endpoint), "--format", "json"]);
    const dry = await runCli(["apply", ...live(endpoint), "--dry-run", "--format", "json"]);
    // Assess
    expect(plan.code).toBe(dry.code);
    const p = JSON.parse(plan.stdout);
    const d = JSON.parse(dry.stdout);
    // The endpoint's frozen clock (test/local/support.ts), not the test's fallback clock.
    expect(p.now).toBe("2026-11-28T06:00:00Z");
    expect(p.decisions).toEqual(d.decisions);
    expect(p.totals).toEqual(d.totals);
    expect(p.listings.map((l: { region: string; backups: number }) => [l.region, l.backups])).toEqual(d.listings.map((l: { region: string; backups: number }) => [l.region, l.backups]));
    expect(p.totals.enforcedDeletes).toBeGreaterThan(0);
    const pending = (region: string) => endpoint!.cloudhsm.sorted(region, endpoint!.clock.nowMs()).filter((b) => b.state === "PENDING_DELETION").length;
    expect(pending("us-east-1") + pending("us-west-2")).toBe(fleet().filter((b) => b.state === "PENDING_DELETION").length);
  });

  it("respects the hold of a restored backup, as apply --dry-run does (the ledger's holds)", { timeout: 120_000 }, async () => {
    // Prepare: a real run deletes, then the CLI restores one of its deletions (a 30-day hold in the ledger).
    endpoint = await start(fleet());
    const applied = await runCli(["apply", ...live(endpoint), "--format", "json"]);
    expect(applied.code, applied.stderr).toBe(0);
    const victim = (JSON.parse(applied.stdout).decisions as Array<{ backupId: string; region: string; action: string; enforced: boolean }>).find((d) => d.action === "delete" && d.enforced)!;
    const restored = await runCli(["restore", victim.backupId, "--region", victim.region, "--endpoint-url", endpoint.url]);
    expect(restored.code, restored.stderr).toBe(0);
    // Act: a day later, so that the victim would be deleted again without its hold.
    const now = new Date(endpoint.clock.nowMs() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const plan = await runCli(["plan", ...live(endpoint), "--now", now, "--format", "json"]);
    const dry = await runCli(["apply", ...live(endpoint), "--dry-run", "--now", now, "--format", "json"]);
    // Assess
    const held = (run: { stdout: string }) => (JSON.parse(run.stdout).decisions as Array<{ backupId: string }>).find((d) => d.backupId === victim.backupId);
    expect(held(dry)).toMatchObject({ action: "keep", reasons: [expect.stringMatching(/^held until /)] });
    expect(held(plan)).toEqual(held(dry));
    expect(JSON.parse(plan.stdout).decisions).toEqual(JSON.parse(dry.stdout).decisions);
  });

  it("says in the table which regions it listed, and takes --now for a preview", async () => {
    endpoint = await start(fleet());
    const run = await runCli(["plan", ...live(endpoint), "--now", "2026-12-01T00:00:00Z"]);
    expect(run.stdout).toMatch(/^Plan at 2026-12-01T00:00:00Z for \d+ backups$/m);
    expect(run.stdout).toMatch(/^Listed us-east-1: \d+ backups in \d+ DescribeBackups calls?$/m);
    expect(run.stdout).toMatch(/^Listed us-west-2: \d+ backups in \d+ DescribeBackups calls?$/m);
  });

  it("exits 3 when a region cannot be listed, and plans nothing there", async () => {
    endpoint = await start(fleet());
    endpoint.faults.configure({ throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1, outage: true });
    const run = await runCli(["plan", ...live(endpoint), "--max-attempts", "1"]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^Listing us-east-1 FAILED: .*; nothing there is planned$/m);
    expect(run.stdout).toMatch(/^Plan at .* for 0 backups$/m);
  });

  it.each([
    [["--region", "us-east-1", "--inventory", "examples/inventory.json", "--endpoint-url", "http://127.0.0.1:9"], "--endpoint-url: only for a live plan; with --inventory nothing is listed"],
    [["--inventory", "examples/inventory.json", "--max-attempts", "3"], "--max-attempts: only for a live plan; with --inventory nothing is listed"],
    [["--inventory", "examples/inventory.json", "--ledger-table", "ledger"], "--ledger-table: only for a live plan; with --inventory nothing is listed"],
    [[], "plan: give the regions to list with --region (repeatable)"],
  ])("refuses %j with one line and exit 2", async (extra, message) => {
    const run = await runCli(["plan", "--policy", POLICY, ...extra]);
    expect(run).toMatchObject({ code: 2, stdout: "", stderr: `${message}\n` });
  });
});

/**
 * The local endpoint as the CLI sees AWS: every call forwarded, but its admin API hidden, so
 * the CLI does not know it is local (it creates nothing and takes no local defaults).
 */
async function posingAsAws(ep: LocalEndpoint): Promise<{ url: string; close: () => Promise<void> }> {
  const upstream = new URL(ep.url);
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith("/_emulator")) return void res.writeHead(404).end();
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("plan, live, against AWS (an endpoint that is not the local one)", () => {
  it("reads the holds from the ledger table alone (LEDGER_TABLE), without the alert topic or restore URL; says when it has none or cannot read it", { timeout: 120_000 }, async () => {
    // Prepare: a local run deletes and the CLI restores one deletion; its hold is in the local ledger (us-east-1).
    endpoint = await start(fleet());
    const applied = await runCli(["apply", ...live(endpoint), "--format", "json"]);
    const victim = (JSON.parse(applied.stdout).decisions as Array<{ backupId: string; region: string; action: string; enforced: boolean }>).find((d) => d.action === "delete" && d.enforced)!;
    expect((await runCli(["restore", victim.backupId, "--region", victim.region, "--endpoint-url", endpoint.url])).code).toBe(0);
    const aws = await posingAsAws(endpoint);
    try {
      const now = new Date(endpoint.clock.nowMs() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
      const args = ["plan", "--policy", POLICY, "--region", "us-east-1", "--region", "us-west-2", "--endpoint-url", aws.url, "--now", now, "--format", "json"];
      const env = { AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local", AWS_REGION: "us-east-1" };
      const action = (run: { stdout: string }) => (JSON.parse(run.stdout).decisions as Array<{ backupId: string; action: string; reasons: string[] }>).find((d) => d.backupId === victim.backupId);
      // Act
      const none = await runCli(args, { env });
      const table = await runCli(args, { env: { ...env, LEDGER_TABLE: "cloudhsm-retention-ledger" } });
      const flag = await runCli([...args, "--ledger-table", "cloudhsm-retention-ledger"], { env });
      const missing = await runCli([...args, "--ledger-table", "no-such-table"], { env });
      // Assess
      expect(none.code, none.stderr).toBe(0);
      expect(none.stderr).toBe("note: no ledger configured (--ledger-table, LEDGER_TABLE): this preview cannot see the holds of restored backups\n");
      expect(action(none)).toMatchObject({ action: "delete" });
      for (const run of [table, flag]) {
        expect(run.code, run.stderr).toBe(0);
        expect(run.stderr).toBe("");
        expect(action(run)).toMatchObject({ action: "keep", reasons: [expect.stringMatching(/^held until /)] });
      }
      expect(missing.code).toBe(0);
      expect(missing.stderr).toMatch(/^note: the ledger could not be read \(.*no-such-table.*\): this preview cannot see the holds of restored backups\n$/);
      expect(action(missing)).toMatchObject({ action: "delete" });
    } finally {
      await aws.close();
    }
  });
});
