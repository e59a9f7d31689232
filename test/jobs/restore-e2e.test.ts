import { DeleteBackupCommand } from "@aws-sdk/client-cloudhsm-v2";
import { afterEach, describe, expect, it } from "vitest";
import type { Backup } from "../../src/domain/types.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { makeFleet } from "../../src/local/fleet.js";
import { runCli } from "../support/cli.js";
import { client, DAY_MS, NOW_MS, start } from "../local/support.js";

/**
 * `cloudhsm-retention restore` against the local endpoint (the same runRestore as the
 * restore page): the backup comes back, is held or pinned, and the next run leaves it.
 */
const ENV = { RESTORE_LINK_SECRET: "the-test-secret-of-at-least-32-characters" };
const POLICY = "test/fixtures/policies/apply.yml";
let endpoint: LocalEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

function fleet(): Backup[] {
  return makeFleet({ endMs: NOW_MS, days: 120, clusters: [{ region: "us-east-1", count: 1 }], seed: 9 });
}

async function deletedOne(ep: LocalEndpoint, backups: Backup[], ageDays: number): Promise<Backup> {
  const b = backups.filter((x) => x.state === "READY").sort((a, c) => Math.abs(NOW_MS - a.createdAtMs - ageDays * DAY_MS) - Math.abs(NOW_MS - c.createdAtMs - ageDays * DAY_MS))[0]!;
  await client(ep).send(new DeleteBackupCommand({ BackupId: b.backupId }));
  return b;
}

const restore = (ep: LocalEndpoint, id: string, ...extra: string[]) =>
  runCli(["restore", id, "--region", "us-east-1", "--endpoint-url", ep.url, "--policy", POLICY, "--format", "json", ...extra], { env: ENV });
const stateOf = (ep: LocalEndpoint, id: string) => ep.cloudhsm.get("us-east-1", id, ep.clock.nowMs());

describe("cloudhsm-retention restore", () => {
  it("brings a deleted backup back, holds it 30 days, records and announces it; the next apply keeps it", async () => {
    const backups = fleet();
    endpoint = await start(backups);
    const b = await deletedOne(endpoint, backups, 40);
    const run = await restore(endpoint, b.backupId);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ status: "restored", heldUntil: new Date(NOW_MS + 30 * DAY_MS).toISOString().replace(".000Z", "Z"), pinned: false });
    expect(stateOf(endpoint, b.backupId)?.state).toBe("READY");
    const notices = endpoint.sns.published().filter((m) => (JSON.parse(m.message).email as string).includes(b.backupId));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.subject).toMatch(/restored/);
    expect(endpoint.events.entries().filter((e) => e.detailType === "Backup Restored")).toHaveLength(1);
    // The policy keeps the last 3 and a few buckets: a 40-day-old daily would go, but it is held.
    const plan = JSON.parse((await runCli(["apply", "--policy", POLICY, "--region", "us-east-1", "--endpoint-url", endpoint.url, "--format", "json"], { env: ENV })).stdout);
    expect(plan.decisions.find((d: { backupId: string }) => d.backupId === b.backupId)).toMatchObject({ action: "keep", reasons: [expect.stringMatching(/^held until .*: restored through the CLI$/)] });
    expect(stateOf(endpoint, b.backupId)?.state).toBe("READY");
  });

  it("pins with --pin (NeverExpires), and a second restore is harmless", async () => {
    const backups = fleet();
    endpoint = await start(backups);
    const b = await deletedOne(endpoint, backups, 20);
    expect((await restore(endpoint, b.backupId, "--pin")).code).toBe(0);
    expect(stateOf(endpoint, b.backupId)).toMatchObject({ state: "READY", neverExpires: true });
    const again = await restore(endpoint, b.backupId, "--pin");
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: "already-restored", pinned: true });
    expect(endpoint.sns.published().filter((m) => (JSON.parse(m.message).email as string).includes(b.backupId))).toHaveLength(1);
  });

  it("warns when the cluster's own retention (90 days here) would purge the backup before the hold ends", async () => {
    const backups = fleet();
    endpoint = await start(backups);
    const old = await deletedOne(endpoint, backups, 80); // 80 + 30 > 90
    const out = JSON.parse((await restore(endpoint, old.backupId)).stdout);
    expect(out.warning).toMatch(/own backup retention \(90 days\) would delete this backup on .*keep forever/);
    const young = await deletedOne(endpoint, backups, 10); // 10 + 30 < 90
    expect(JSON.parse((await restore(endpoint, young.backupId)).stdout).warning).toBeNull();
  });

  it("says a backup past its DeleteTimestamp is gone for good, exit 4, when the ledger saw it deleted", async () => {
    const backups = fleet();
    endpoint = await start(backups);
    const b = await deletedOne(endpoint, backups, 30);
    // The reminder run finds the hand deletion and tracks it: the ledger knows it was here.
    expect((await runCli(["remind", "--policy", POLICY, "--region", "us-east-1", "--endpoint-url", endpoint.url], { env: ENV })).code).toBe(0);
    endpoint.clock.advance(7 * DAY_MS + 60_000);
    const run = await restore(endpoint, b.backupId);
    expect(run.code).toBe(4);
    expect(JSON.parse(run.stdout).status).toBe("gone");
  });

  it("says a backup AWS does not list and the ledger never saw is not in that region (another region, or gone long ago), exit 5", async () => {
    const backups = fleet();
    endpoint = await start(backups);
    const b = await deletedOne(endpoint, backups, 30);
    endpoint.clock.advance(7 * DAY_MS + 60_000);
    const run = await restore(endpoint, b.backupId);
    expect(run.code).toBe(5);
    const out = JSON.parse(run.stdout);
    expect(out.status).toBe("not-found");
    expect(out.message).toMatch(/not in us-east-1: check the region/);
  });

  it("refuses --hold with --pin, and a hold that is not hours or days", async () => {
    endpoint = await start(fleet());
    expect((await restore(endpoint, "backup-abcdefghijk", "--pin", "--hold", "30d")).stderr).toContain("choose one");
    expect((await restore(endpoint, "backup-abcdefghijk", "--hold", "2m")).stderr).toContain("--hold: expected hours or days");
    expect((await restore(endpoint, "not-a-backup")).code).toBe(2);
  });
});
