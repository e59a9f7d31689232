import { RestoreBackupCommand } from "@aws-sdk/client-cloudhsm-v2";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cloudHsmClients } from "../../src/aws/clients.js";
import { CloudHsmBackupStore } from "../../src/aws/cloudhsm-store.js";
import { ServiceClock } from "../../src/aws/service-clock.js";
import { alertSetup } from "../../src/cli/alerts-setup.js";
import type { BackupStore } from "../../src/domain/ports.js";
import type { Backup } from "../../src/domain/types.js";
import { runApply } from "../../src/jobs/apply.js";
import type { ApplyAlerts } from "../../src/jobs/apply-alerts.js";
import { SILENT } from "../../src/jobs/logger.js";
import type { Ledger } from "../../src/ledger/port.js";
import { makeFleet } from "../../src/local/fleet.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { loadPolicyFiles } from "../../src/policy/index.js";
import { runCli } from "../support/cli.js";
import { client, DAY_MS, listAll, NOW_MS, start } from "../local/support.js";

/**
 * Review of issue 7 ("Never a silent deletion"). Each test states what the README or the
 * issue promises and checks it against the local endpoint with the real SDK clients.
 * Expected values come from the README's words, not from the code's output.
 */
const CAP_POLICY = "test/fixtures/policies/daily-cap.yml";
const FULL_POLICY = "test/fixtures/policies/apply.yml";
const SECRET = "the-test-secret-of-at-least-32-characters";
const ENV = { RESTORE_LINK_SECRET: SECRET };
const CREDS = { accessKeyId: "t", secretAccessKey: "t" };
const STATE = mkdtempSync(join(tmpdir(), "review7-state-"));

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
async function realAlerts(ep: LocalEndpoint, clock: ServiceClock, regions: string[], policy: string): Promise<ApplyAlerts> {
  const alerts = await alertSetup({}, { env: { ...ENV, XDG_STATE_HOME: STATE }, endpointUrl: ep.url, credentials: CREDS, clock, regions, policyPaths: [policy], log: SILENT, warn: () => {} });
  return alerts!;
}

/** The real DynamoDB ledger, with `record` of delete actions failing (a throttled or refused PutItem). */
function failingDeleteRecords(ledger: Ledger): Ledger {
  return new Proxy(ledger, {
    get(target, prop, receiver) {
      if (prop === "record") {
        return async (action: Parameters<Ledger["record"]>[0], expiresAtMs: number) => {
          if (action.kind === "delete") throw new Error("injected: PutItem failed");
          return target.record(action, expiresAtMs);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function applyWith(ep: LocalEndpoint, policy: string, regions: string[], opts: { ledger?: (l: Ledger) => Ledger; store?: (s: BackupStore) => BackupStore; concurrency?: number } = {}) {
  const clock = new ServiceClock();
  const clientFor = cloudHsmClients({ endpointUrl: ep.url, credentials: CREDS, clock });
  const alerts = await realAlerts(ep, clock, regions, policy);
  if (opts.ledger) alerts.path.ledger = opts.ledger(alerts.path.ledger);
  const inner = new CloudHsmBackupStore({ clientFor });
  const store = opts.store ? opts.store(inner) : inner;
  return runApply({ policies: await loadPolicyFiles([policy]), regions, store, clock, alerts, concurrency: opts.concurrency });
}

describe("review 7: guards.maxDeletionsPerDay ('a rolling 24-hour cap over all runs')", () => {
  it("a deletion whose ledger record failed is still counted: the next run deletes nothing more", async () => {
    endpoint = await start(smallFleet());
    const before = (await pendingIds(endpoint)).size;
    await applyWith(endpoint, CAP_POLICY, ["us-east-1"], { ledger: failingDeleteRecords });
    const second = await cli(endpoint, CAP_POLICY, ["us-east-1"], "apply");
    // Two runs within minutes, a cap of 2 per 24 hours.
    expect((await pendingIds(endpoint)).size - before).toBeLessThanOrEqual(2);
    expect(JSON.parse(second.stdout).counts.deleted).toBe(0);
  });

  it("holds for two runs of one policy that overlap (say one CI job per region)", async () => {
    endpoint = await start(smallFleet());
    const ep = endpoint;
    const policy = "test/fixtures/policies/daily-cap-two-regions.yml";
    const before = (await pendingIds(ep, "us-east-1")).size + (await pendingIds(ep, "us-west-2")).size;
    // One alert path for both (AWS_REGION): see the next describe block for what happens without it.
    const run = (region: string) =>
      runCli(["apply", "--policy", policy, "--region", region, "--endpoint-url", ep.url, "--format", "json"], { env: { ...ENV, AWS_REGION: "us-east-1" } });
    await Promise.all([run("us-east-1"), run("us-west-2")]);
    const after = (await pendingIds(ep, "us-east-1")).size + (await pendingIds(ep, "us-west-2")).size;
    expect(after - before).toBeLessThanOrEqual(2);
  });

  it("a run whose ledger could not record its deletions says so (README: '(3) ... fail ... exit 3')", async () => {
    endpoint = await start(smallFleet());
    const report = await applyWith(endpoint, CAP_POLICY, ["us-east-1"], { ledger: failingDeleteRecords });
    expect(report.counts.deleted).toBe(2);
    expect(report.exitCode).toBe(3);
  });

  it("holds across runs made with --no-alerts (the ledger is still kept)", async () => {
    endpoint = await start(smallFleet());
    const before = await pendingIds(endpoint);
    expect((await cli(endpoint, CAP_POLICY, ["us-east-1"], "apply", "--no-alerts")).code).toBe(0);
    await cli(endpoint, CAP_POLICY, ["us-east-1"], "apply", "--no-alerts");
    const ours = [...(await pendingIds(endpoint))].filter((id) => !before.has(id));
    expect(ours).toHaveLength(2);
    // Nothing was sent by either run; the reminder run then announces the two deletions.
    expect(endpoint.sns.published()).toHaveLength(0);
    expect((await cli(endpoint, CAP_POLICY, ["us-east-1"], "remind")).code).toBe(0);
    const told = endpoint.sns.published().map((m) => JSON.parse(m.message).email as string).join("\n");
    for (const id of ours) expect(told).toContain(id);
  });

  it("without a ledger, --no-alerts is refused (exit 2) for a policy that sets maxDeletionsPerDay", async () => {
    // Nothing listens on port 9: not the local endpoint, so no ledger is provisioned.
    const run = await runCli(["apply", "--policy", "test/fixtures/policies/explicit-daily-cap.yml", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9", "--no-alerts"], {
      env: { ...ENV, AWS_ACCESS_KEY_ID: "t", AWS_SECRET_ACCESS_KEY: "t" },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--no-alerts without a ledger: policy production set guards\.maxDeletionsPerDay/);
  });

  it("a --no-alerts run honours the holds of restored backups (it reads the ledger)", async () => {
    endpoint = await start(smallFleet());
    expect((await cli(endpoint, FULL_POLICY, ["us-east-1"], "apply")).code).toBe(0);
    const deleted = [...(await pendingIds(endpoint))][0]!;
    expect((await cli(endpoint, FULL_POLICY, ["us-east-1"], "restore", deleted)).code).toBe(0);
    expect(await pendingIds(endpoint)).not.toContain(deleted);
    expect((await cli(endpoint, FULL_POLICY, ["us-east-1"], "apply", "--no-alerts")).code).toBe(0);
    expect(await pendingIds(endpoint)).not.toContain(deleted);
  });

  it("apply --dry-run previews what apply would then do (the daily cap included)", async () => {
    endpoint = await start(smallFleet());
    expect((await cli(endpoint, CAP_POLICY, ["us-east-1"], "apply")).code).toBe(0);
    const preview = JSON.parse((await cli(endpoint, CAP_POLICY, ["us-east-1"], "apply", "--dry-run")).stdout);
    const real = await applyWith(endpoint, CAP_POLICY, ["us-east-1"]);
    expect(real.counts.deleted).toBe(0);
    // counts.planned: the deletions the plan asks for in enforce-mode policies.
    expect(preview.counts.planned).toBe(real.counts.deleted);
  });
});

describe("review 7: the local endpoint's one topic and one ledger ('created on first use')", () => {
  it("remind does not announce again what apply announced, whatever order the --region flags come in", async () => {
    endpoint = await start(smallFleet());
    const ep = endpoint;
    const already = new Set([...(await pendingIds(ep, "us-east-1")), ...(await pendingIds(ep, "us-west-2"))]);
    // The same two regions; only the order of the flags differs.
    expect((await cli(ep, FULL_POLICY, ["us-west-2", "us-east-1"], "apply")).code).toBe(0);
    const announced = ep.sns.published().length;
    expect(announced).toBeGreaterThan(0);
    expect((await cli(ep, FULL_POLICY, ["us-east-1", "us-west-2"], "remind")).code).toBe(0);
    const again = ep.sns.published().slice(announced).map((m) => JSON.parse(m.message).email as string);
    const deletedByApply = [...(await pendingIds(ep, "us-east-1")), ...(await pendingIds(ep, "us-west-2"))].filter((id) => !already.has(id));
    expect(deletedByApply.filter((id) => again.some((e) => e.includes(id)))).toEqual([]);
  });
});

describe("review 7: the alert path's promises", () => {
  it("a backup restored (outside the link) and later past its old DeleteTimestamp gets no 'Backup Expired' (gone for good) event", async () => {
    endpoint = await start(smallFleet());
    const already = await pendingIds(endpoint);
    expect((await cli(endpoint, FULL_POLICY, ["us-east-1"], "apply")).code).toBe(0);
    const deleted = [...(await pendingIds(endpoint))].filter((id) => !already.has(id));
    const restored = deleted[0]!;
    await client(endpoint).send(new RestoreBackupCommand({ BackupId: restored }));
    // The reminder run was not run for a week (CLI users run it by hand; or the Lambda was down).
    endpoint.clock.advance(NOW_MS + 7 * DAY_MS + 3_600_000 - endpoint.clock.nowMs());
    expect(endpoint.cloudhsm.get("us-east-1", restored, endpoint.clock.nowMs())?.state).toBe("READY");
    await cli(endpoint, FULL_POLICY, ["us-east-1"], "remind");
    const expired = endpoint.events.entries().filter((e) => e.detailType === "Backup Expired").map((e) => JSON.parse(e.detail).backupId);
    expect(expired).not.toContain(restored);
  });

  it("a deletion whose run was cut short after DeleteBackup is announced 'in the same words' even if a remind run overlapped the deletion", async () => {
    endpoint = await start(smallFleet());
    const ep = endpoint;
    const already = await pendingIds(ep);
    ep.faults.configureService("sns", { throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1, outage: true });
    let first: string | undefined;
    // A remind run (every 15 minutes in AWS) happens while the first deletion is under way:
    // after the write-ahead entry is written, before DeleteBackup lands.
    const overlapped = (s: BackupStore): BackupStore => ({
      listBackups: (r, o) => s.listBackups(r, o),
      lookUpBackups: (r, ids) => s.lookUpBackups(r, ids),
      async deleteBackup(region, backupId) {
        if (first === undefined) {
          first = backupId;
          await cli(ep, FULL_POLICY, ["us-east-1"], "remind");
        }
        return s.deleteBackup(region, backupId);
      },
    });
    // Step (3) fails (or the run is killed after DeleteBackup), and SNS is down: step (4) fails too.
    const report = await applyWith(ep, FULL_POLICY, ["us-east-1"], { ledger: failingDeleteRecords, store: overlapped, concurrency: 1 });
    expect(report.counts.deleted).toBeGreaterThan(1);
    ep.faults.clearService("sns");
    expect((await cli(ep, FULL_POLICY, ["us-east-1"], "remind")).code).toBe(0);
    const emails = ep.sns.published().map((m) => JSON.parse(m.message).email as string);
    const deletedLine = (id: string) => {
      const email = emails.find((e) => e.includes(id))!;
      const block = email.slice(email.indexOf(id), email.indexOf("Restore link", email.indexOf(id)));
      return block.match(/^Deleted: .*$/m)?.[0];
    };
    expect(already.has(first!)).toBe(false);
    // Control: a deletion of the same run that no remind run overlapped is said as what it was.
    const other = report.outcomes.find((o) => o.status === "deleted" && o.backupId !== first)!.backupId;
    expect(deletedLine(other)).toBe("Deleted:       by policy production");
    // The one the remind run overlapped: its write-ahead entry was taken for a restore and dropped.
    expect(deletedLine(first!)).toBe("Deleted:       by policy production");
  });

  it("every deletion gets its 'Backup Deletion Scheduled' event, even when EventBridge was down during the run", async () => {
    endpoint = await start(smallFleet());
    const already = await pendingIds(endpoint);
    endpoint.faults.configureService("events", { throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1, outage: true });
    expect((await cli(endpoint, FULL_POLICY, ["us-east-1"], "apply")).code).toBe(3);
    endpoint.faults.clearService("events");
    // Later runs, as the README says the alert path recovers ("the next remind run ...").
    expect((await cli(endpoint, FULL_POLICY, ["us-east-1"], "remind")).code).toBe(0);
    await cli(endpoint, FULL_POLICY, ["us-east-1"], "apply");
    const deleted = [...(await pendingIds(endpoint))].filter((id) => !already.has(id));
    const scheduled = new Set(endpoint.events.entries().filter((e) => e.detailType === "Backup Deletion Scheduled").map((e) => JSON.parse(e.detail).backupId));
    expect(deleted.filter((id) => !scheduled.has(id))).toEqual([]);
  });

  it("a mistyped --topic-arn is refused before anything is deleted (bad input loses nothing)", async () => {
    endpoint = await start(smallFleet());
    const before = (await pendingIds(endpoint)).size;
    const run = await cli(endpoint, FULL_POLICY, ["us-east-1"], "apply", "--topic-arn", "arn:aws:sns:us-east-1:111122223333:cloudhsm-retention-alertz");
    expect({ code: run.code, deleted: (await pendingIds(endpoint)).size - before }).toEqual({ code: 2, deleted: 0 });
  });
});
