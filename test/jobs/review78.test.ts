import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RestoreBackupCommand } from "@aws-sdk/client-cloudhsm-v2";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cloudHsmClients } from "../../src/aws/clients.js";
import { CloudHsmBackupStore } from "../../src/aws/cloudhsm-store.js";
import { ServiceClock } from "../../src/aws/service-clock.js";
import { alertSetup } from "../../src/cli/alerts-setup.js";
import type { Backup } from "../../src/domain/types.js";
import type { ApplyAlerts } from "../../src/jobs/apply-alerts.js";
import { SILENT } from "../../src/jobs/logger.js";
import { runRestore } from "../../src/jobs/restore.js";
import { type CloudTrailEvent, runWatch } from "../../src/jobs/watch.js";
import type { Ledger } from "../../src/ledger/port.js";
import { makeFleet } from "../../src/local/fleet.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { loadPolicyFiles } from "../../src/policy/index.js";
import { runCli } from "../support/cli.js";
import { client, DAY_MS, listAll, NOW_MS, start } from "../local/support.js";

/**
 * Review of issues 7 and 8 (branch review78). Each test quotes the promise it checks (an
 * issue requirement, a README sentence, a comment, a help text) and runs against the local
 * endpoint with the real SDK clients and the real CLI. Expected values come from those
 * words and from the endpoint's own state, never from the code under test.
 */
const FULL_POLICY = "test/fixtures/policies/apply.yml";
const SECRET = "the-test-secret-of-at-least-32-characters";
const ENV = { RESTORE_LINK_SECRET: SECRET };
const CREDS = { accessKeyId: "t", secretAccessKey: "t" };
const STATE = mkdtempSync(join(tmpdir(), "review78-state-"));

let endpoint: LocalEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

function smallFleet(): Backup[] {
  return makeFleet({ endMs: NOW_MS, days: 30, clusters: [{ region: "us-east-1", count: 2 }, { region: "us-west-2", count: 1 }], copyTo: { region: "us-west-2", everyDays: 7 }, seed: 5 });
}

async function pendingIds(ep: LocalEndpoint, region = "us-east-1"): Promise<Set<string>> {
  return new Set(await listAll(client(ep, region), { Filters: { states: ["PENDING_DELETION"] } }));
}

const cli = (ep: LocalEndpoint, policy: string, regions: string[], ...args: string[]) =>
  runCli([...args.slice(0, 1), "--policy", policy, ...regions.flatMap((r) => ["--region", r]), "--endpoint-url", ep.url, "--format", "json", ...args.slice(1)], { env: ENV });

/** The alert path exactly as the CLI builds it for the local endpoint, with the real clients. */
async function realAlerts(ep: LocalEndpoint, clock: ServiceClock, policy: string): Promise<ApplyAlerts> {
  const alerts = await alertSetup({}, { env: { ...ENV, XDG_STATE_HOME: STATE }, endpointUrl: ep.url, credentials: CREDS, clock, regions: ["us-east-1"], policyPaths: [policy], log: SILENT, warn: () => {} });
  return alerts!;
}

/** Apply by the real CLI; the backups it put into PENDING_DELETION in us-east-1. */
async function applyAndGetDeleted(ep: LocalEndpoint): Promise<string[]> {
  const already = await pendingIds(ep);
  const run = await cli(ep, FULL_POLICY, ["us-east-1"], "apply");
  expect(run.code, run.stderr).toBe(0);
  const deleted = [...(await pendingIds(ep))].filter((id) => !already.has(id));
  expect(deleted.length).toBeGreaterThan(1);
  return deleted;
}

const emails = (ep: LocalEndpoint) => ep.sns.published().map((m) => ({ subject: m.subject ?? "", email: JSON.parse(m.message).email as string }));

describe("review78: restores that stick (issue 8 §3)", () => {
  it("a backup restored from the console or the AWS CLI is not deleted again by the next apply ('restored by anyone through any path ... gets the same default hold')", async () => {
    endpoint = await start(smallFleet());
    const restored = (await applyAndGetDeleted(endpoint))[0]!;
    // A person brings it back with the AWS console / CLI, not through the link.
    await client(endpoint).send(new RestoreBackupCommand({ BackupId: restored }));
    endpoint.clock.advance(60_000);
    // The next apply (the daily sweep, or an engineer's CLI run) comes before any reminder
    // run happened to look: in AWS the sweep (06:15) and the 15-minute remind schedule fire
    // at the same minute; a CLI user runs remind by hand, if at all.
    const again = await cli(endpoint, FULL_POLICY, ["us-east-1"], "apply");
    expect(again.code, again.stderr).toBe(0);
    expect(await pendingIds(endpoint)).not.toContain(restored);
  });

  it("a hold of 366 days asked for with `restore --hold 366d` is not cut to the default 30 days by a reminder run", async () => {
    endpoint = await start(smallFleet());
    const ep = endpoint;
    const restored = (await applyAndGetDeleted(ep))[0]!;
    const clock = new ServiceClock();
    const alerts = await realAlerts(ep, clock, FULL_POLICY);
    // The restore's last ledger step (untracking the pending entry) meets a DynamoDB error
    // (throttled after the SDK's retries), or a reminder run (every 15 minutes) runs while the
    // restore is between RestoreBackup and that step: both leave the tracked entry behind.
    const ledger = alerts.path.ledger;
    alerts.path.ledger = new Proxy(ledger, {
      get(target, prop, receiver) {
        if (prop === "untrack") return async () => { throw new Error("injected: DeleteItem throttled"); };
        const value = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    }) as Ledger;
    const store = new CloudHsmBackupStore({ clientFor: cloudHsmClients({ endpointUrl: ep.url, credentials: CREDS, clock }) });
    const result = await runRestore({ region: "us-east-1", backupId: restored, mode: "hold", holdMs: 366 * DAY_MS, via: "through the CLI", actor: "cli:test" }, { store, alerts, policies: await loadPolicyFiles([FULL_POLICY]) });
    expect(result.status).toBe("restored");
    const heldUntilMs = result.heldUntilMs!;
    expect(heldUntilMs).toBeGreaterThan(ep.clock.nowMs() + 365 * DAY_MS);
    // The next reminder run.
    ep.clock.advance(15 * 60_000);
    await cli(ep, FULL_POLICY, ["us-east-1"], "remind");
    // 40 days later the person's 366-day hold still stands: apply keeps the backup.
    ep.clock.advance(40 * DAY_MS);
    const later = await cli(ep, FULL_POLICY, ["us-east-1"], "apply", "--dry-run");
    const decision = JSON.parse(later.stdout).decisions.find((d: { backupId: string }) => d.backupId === restored);
    expect(decision).toMatchObject({ action: "keep" });
  });
});

describe("review78: 'gives the claim back if SNS refused the message, so the next run tries again' (README 'Exactly once')", () => {
  it("the notice that a backup was restored outside the link, refused by SNS, is sent by the next reminder run", async () => {
    endpoint = await start(smallFleet());
    const ep = endpoint;
    const restored = (await applyAndGetDeleted(ep))[0]!;
    await client(ep).send(new RestoreBackupCommand({ BackupId: restored }));
    ep.faults.configureService("sns", { throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1, outage: true });
    ep.clock.advance(15 * 60_000);
    // SNS is down: the run says so (exit 3).
    expect((await cli(ep, FULL_POLICY, ["us-east-1"], "remind")).code).toBe(3);
    ep.faults.clearService("sns");
    ep.clock.advance(15 * 60_000);
    expect((await cli(ep, FULL_POLICY, ["us-east-1"], "remind")).code).toBe(0);
    const told = emails(ep).filter((m) => /restored/i.test(m.subject) && m.email.includes(restored));
    expect(told).toHaveLength(1);
  });
});

describe("review78: 'Restore and keep forever' when the pin cannot be set", () => {
  it("a backup restored whose NeverExpires could not be set is still kept from the next apply (issue 8 §3: restores that stick)", async () => {
    endpoint = await start(smallFleet());
    const ep = endpoint;
    const restored = (await applyAndGetDeleted(ep))[0]!;
    const clock = new ServiceClock();
    const alerts = await realAlerts(ep, clock, FULL_POLICY);
    const inner = new CloudHsmBackupStore({ clientFor: cloudHsmClients({ endpointUrl: ep.url, credentials: CREDS, clock }) });
    // ModifyBackupAttributes refused (AccessDenied: the restore role lacks it, or throttled).
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === "setNeverExpires") return async () => ({ ok: false as const, error: "AccessDeniedException: not authorized to perform cloudhsm:ModifyBackupAttributes" });
        const value = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const result = await runRestore({ region: "us-east-1", backupId: restored, mode: "pin", via: "through the restore link", actor: "test" }, { store, alerts, policies: await loadPolicyFiles([FULL_POLICY]) });
    // RestoreBackup was made: the backup is READY again, by a person's wish.
    expect(ep.cloudhsm.get("us-east-1", restored, ep.clock.nowMs())?.state).toBe("READY");
    expect(result.message).toMatch(/restored but could not be pinned/);
    ep.clock.advance(60_000);
    expect((await cli(ep, FULL_POLICY, ["us-east-1"], "apply")).code).toBe(0);
    expect(await pendingIds(ep)).not.toContain(restored);
  });
});

describe("review78: the watcher (issue 7 §8) and deletions this service made", () => {
  function cloudTrail(backupId: string, clusterId: string): CloudTrailEvent {
    // The recorded event: an engineer's assumed role, as when they run `cloudhsm-retention apply` from a laptop.
    return JSON.parse(readFileSync("test/fixtures/cloudtrail/delete-backup-by-user.json", "utf8").replaceAll("BACKUP_ID", backupId).replaceAll("CLUSTER_ID", clusterId));
  }

  it("the ledger's record that a deletion was by policy (README: 'the next remind run ... announces it in the same words') survives the watcher seeing its CloudTrail record", async () => {
    endpoint = await start(smallFleet());
    const ep = endpoint;
    // README 'Where alerts go': against AWS, `apply` from the CLI is supported with the stack's values.
    const deleted = await applyAndGetDeleted(ep);
    const victim = deleted[0]!;
    const clusterId = ep.cloudhsm.get("us-east-1", victim, ep.clock.nowMs())!.clusterId!;
    const clock = new ServiceClock();
    const alerts = await realAlerts(ep, clock, FULL_POLICY);
    const store = new CloudHsmBackupStore({ clientFor: cloudHsmClients({ endpointUrl: ep.url, credentials: CREDS, clock }) });
    // A few minutes later CloudTrail's record of that DeleteBackup reaches the watcher. The
    // caller is the engineer's role, not the sweep's (RETENTION_ROLE_ARNS).
    ep.clock.advance(5 * 60_000);
    await runWatch({ event: cloudTrail(victim, clusterId), policies: await loadPolicyFiles([FULL_POLICY]), store, alerts, ownRoleArns: ["arn:aws:iam::111122223333:role/cloudhsm-retention-sweep"] });
    // The 72-hour reminder: it must still say the policy deleted it, as the apply run recorded.
    ep.clock.advance(4 * DAY_MS);
    expect((await cli(ep, FULL_POLICY, ["us-east-1"], "remind")).code).toBe(0);
    const reminder = emails(ep).find((m) => /reminder/.test(m.subject) && m.email.includes(victim));
    expect(reminder).toBeDefined();
    const block = reminder!.email.slice(reminder!.email.indexOf(victim));
    expect(block.match(/^Deleted: .*$/m)?.[0]).toBe("Deleted:       by policy production");
  });
});

describe("review78: the deployable stack (issue 7 §3, §8; issue 8 §2; README 'The scheduled sweep')", () => {
  const stack = parse(readFileSync("serverless.yml", "utf8")) as { functions: Record<string, { environment?: Record<string, unknown>; events?: unknown[] }>; provider: { environment?: Record<string, unknown> } };
  const envOf = (fn: string) => ({ ...(stack.provider.environment ?? {}), ...(stack.functions[fn]?.environment ?? {}) });

  it("deploys the remind (every 15 minutes), watch and restore functions next to the sweep", () => {
    expect(Object.keys(stack.functions).sort()).toEqual(expect.arrayContaining(["remind", "restore", "sweep", "watch"]));
  });

  it("gives the sweep the alert settings its cold start requires ('Missing alert settings fail the cold start')", () => {
    const env = envOf("sweep");
    for (const key of ["ALERT_TOPIC_ARN", "LEDGER_TABLE", "RESTORE_BASE_URL", "RESTORE_LINK_SECRET_PARAMETER"]) expect(env, key).toHaveProperty(key);
  });
});
