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

describe("a pin whose ledger record failed", () => {
  it("says so, and pressing again records the pin (the 90-day simulation found the pin missing from the ledger)", async () => {
    const { runRestore } = await import("../../src/jobs/restore.js");
    const { CloudHsmBackupStore } = await import("../../src/aws/cloudhsm-store.js");
    const { cloudHsmClients } = await import("../../src/aws/clients.js");
    const { loadPolicyFiles } = await import("../../src/policy/index.js");
    const backups = makeFleet({ endMs: NOW_MS, days: 20, clusters: [{ region: "us-east-1", count: 1 }], seed: 4 });
    endpoint = await start(backups);
    const policy = "test/fixtures/policies/apply.yml";
    const applied = await runCli(["apply", "--policy", policy, "--region", "us-east-1", "--endpoint-url", endpoint.url, "--format", "json"], { env: ENV });
    const victim = (JSON.parse(applied.stdout).decisions as Array<{ backupId: string; action: string; enforced: boolean }>).find((d) => d.action === "delete" && d.enforced)!.backupId;
    const clock = new ServiceClock();
    const creds = { accessKeyId: "t", secretAccessKey: "t" };
    const alerts = (await alertSetup({}, { env: { ...ENV, XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "pin-")) }, endpointUrl: endpoint.url, credentials: creds, clock, regions: ["us-east-1"], policyPaths: [policy], log: SILENT, warn: () => {} }))!;
    const ledger = alerts.path.ledger;
    const store = new CloudHsmBackupStore({ clientFor: cloudHsmClients({ endpointUrl: endpoint.url, credentials: creds, clock }) });
    const policies = await loadPolicyFiles([policy]);
    // DynamoDB refuses writes during the first press.
    alerts.path.ledger = new Proxy(ledger, {
      get(target, prop, receiver) {
        if (prop === "record") return async () => { throw new Error("injected: PutItem failed"); };
        const value = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const first = await runRestore({ region: "us-east-1", backupId: victim, mode: "pin", via: "through the restore link", actor: "test" }, { store, alerts, policies });
    expect(first.message).toMatch(/could not record it/);
    alerts.path.ledger = ledger;
    const again = await runRestore({ region: "us-east-1", backupId: victim, mode: "pin", via: "through the restore link", actor: "test" }, { store, alerts, policies });
    expect(again.pinned).toBe(true);
    expect((await ledger.actionsFor("us-east-1", victim)).filter((a) => a.kind === "pin")).toHaveLength(1);
  });
});
