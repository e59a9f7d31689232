import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteBackupCommand } from "@aws-sdk/client-cloudhsm-v2";
import { afterEach, describe, expect, it } from "vitest";
import { ServiceClock } from "../../src/aws/service-clock.js";
import { alertSetup } from "../../src/cli/alerts-setup.js";
import { SILENT } from "../../src/jobs/logger.js";
import { makeFleet } from "../../src/local/fleet.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { runCli } from "../support/cli.js";
import { client, NOW_MS, start } from "../local/support.js";

/**
 * Issue 11's review: "every DeleteBackup the endpoint saw is in the ledger". A person's
 * deletion that the watcher never saw (its CloudTrail event lost, or no watcher: the CLI) is
 * announced by the reminder run, which must also record it, as the watcher would have.
 */
const ENV = { RESTORE_LINK_SECRET: "outside-record-secret-of-32-characters!!" };
let endpoint: LocalEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

describe("the reminder run records a deletion outside policy that nobody recorded", () => {
  it("writes one deleted-outside action for a hand deletion it announces, at the deletion's time, and not again on the next run", async () => {
    const backups = makeFleet({ endMs: NOW_MS, days: 20, clusters: [{ region: "us-east-1", count: 1 }], seed: 4 });
    endpoint = await start(backups);
    const victim = backups.filter((b) => b.state === "READY").at(-5)!;
    await client(endpoint).send(new DeleteBackupCommand({ BackupId: victim.backupId }));
    const deletedAtMs = endpoint.clock.nowMs();
    const remind = () => runCli(["remind", "--policy", "test/fixtures/policies/apply.yml", "--region", "us-east-1", "--endpoint-url", endpoint!.url], { env: ENV });
    expect((await remind()).code).toBe(0);
    endpoint.clock.advance(15 * 60_000);
    expect((await remind()).code).toBe(0);
    const alerts = await alertSetup({}, { env: { ...ENV, XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "outside-")) }, endpointUrl: endpoint.url, credentials: { accessKeyId: "t", secretAccessKey: "t" }, clock: new ServiceClock(), regions: ["us-east-1"], policyPaths: [], log: SILENT, warn: () => {} });
    const actions = (await alerts!.path.ledger.actionsFor("us-east-1", victim.backupId)).filter((a) => a.kind === "deleted-outside");
    expect(actions).toHaveLength(1);
    expect(Math.abs(actions[0]!.atMs - deletedAtMs)).toBeLessThan(2_000);
  });
});
