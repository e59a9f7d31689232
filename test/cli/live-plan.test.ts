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
    [[], "plan: give the regions to list with --region (repeatable)"],
  ])("refuses %j with one line and exit 2", async (extra, message) => {
    const run = await runCli(["plan", "--policy", POLICY, ...extra]);
    expect(run).toMatchObject({ code: 2, stdout: "", stderr: `${message}\n` });
  });
});
