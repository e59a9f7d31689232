import { DeleteBackupCommand } from "@aws-sdk/client-cloudhsm-v2";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ServiceClock } from "../../src/aws/service-clock.js";
import { alertSetup } from "../../src/cli/alerts-setup.js";
import { SILENT } from "../../src/jobs/logger.js";
import { makeFleet } from "../../src/local/fleet.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { runCli } from "../support/cli.js";
import { client, DAY_MS, NOW_MS, start } from "../local/support.js";

/**
 * Found by the 90-day simulation (bench/sim): a sweep killed after its DeleteBackup landed
 * and before it recorded the deletion (Lambda's timeout, an out-of-memory kill) left the
 * ledger's write-ahead entry only. The reminder run announced the deletion from that entry
 * and then confirmed it, but never wrote the `delete` action, so once the backup was gone
 * the ledger held no record that this service had deleted it (src/ledger/port.ts: "Audit.
 * Every action (delete, ...)"). The state below is exactly what the killed run leaves: the
 * entry written before the call (`confirmed: false`), and the call made.
 */
const POLICY = "test/fixtures/policies/apply.yml";
const SECRET = "the-test-secret-of-at-least-32-characters";
const STATE = mkdtempSync(join(tmpdir(), "killed-run-state-"));
const ENV = { RESTORE_LINK_SECRET: SECRET, XDG_STATE_HOME: STATE };

let endpoint: LocalEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

describe("a sweep killed between DeleteBackup and its ledger record", () => {
  it("gets its delete action recorded by the next reminder run, once", async () => {
    const fleet = makeFleet({ endMs: NOW_MS, days: 20, clusters: [{ region: "us-east-1", count: 1 }], seed: 4 }).filter((b) => b.state !== "PENDING_DELETION");
    endpoint = await start(fleet);
    const clock = new ServiceClock();
    const alerts = (await alertSetup({}, { env: ENV, endpointUrl: endpoint.url, credentials: { accessKeyId: "t", secretAccessKey: "t" }, clock, regions: ["us-east-1"], policyPaths: [POLICY], log: SILENT, warn: () => {} }))!;
    const ledger = alerts.path.ledger;
    const victim = fleet.filter((b) => b.state === "READY")[2]!;
    // Step 1 of the deleting run (src/jobs/apply-alerts.ts): the write-ahead entry, DeleteTimestamp estimated.
    await ledger.track(
      { region: "us-east-1", backupId: victim.backupId, deleteAtMs: NOW_MS + 7 * DAY_MS, group: `us-east-1/${victim.clusterId}`, clusterId: victim.clusterId, createdAtMs: victim.createdAtMs, policy: "production", ours: true, confirmed: false, reason: "not kept by any rule", runId: "run-killed" },
      NOW_MS + 400 * DAY_MS,
    );
    // Step 2: the call lands; then the process dies.
    await client(endpoint).send(new DeleteBackupCommand({ BackupId: victim.backupId }));

    const remind = () => runCli(["remind", "--policy", POLICY, "--region", "us-east-1", "--endpoint-url", endpoint!.url, "--format", "json"], { env: ENV });
    // Announced at once (from the entry); recorded once no run can still be under way (an hour on).
    expect((await remind()).code).toBe(0);
    for (let i = 0; i < 5; i++) {
      endpoint.clock.advance(15 * 60_000);
      expect((await remind()).code).toBe(0);
    }

    const deletes = (await ledger.actionsFor("us-east-1", victim.backupId)).filter((a) => a.kind === "delete");
    expect(deletes).toHaveLength(1);
    // The deletion as it happened: by the killed run, at the time of the call (DeleteTimestamp - 7 days), for its reason.
    expect(deletes[0]).toMatchObject({ runId: "run-killed", policy: "production", reason: "not kept by any rule", atMs: NOW_MS, deleteAtMs: NOW_MS + 7 * DAY_MS });
  });
});
