import { CloudHSMV2Client, paginateDescribeBackups } from "@aws-sdk/client-cloudhsm-v2";
import type { Context, ScheduledEvent } from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Backup } from "../../src/domain/types.js";
import { makeFleet } from "../../src/local/fleet.js";
import { EmulatorClock, type LocalEndpoint, startLocalEndpoint } from "../../src/local/index.js";
import { loadPolicyFiles } from "../../src/policy/index.js";
import { planRetention } from "../../src/retention/plan.js";
import { alertClients } from "../../src/aws/clients.js";
import { provisionAlertResources } from "../../src/aws/provision.js";

/**
 * The deployed handler, end to end: functions/sweep.ts (middy + Powertools), invoked as
 * Lambda would invoke it, against the local endpoint over HTTP. The module reads its
 * configuration at cold start, so each scenario sets process.env and imports it afresh.
 */

const REGIONS = ["us-east-1", "us-west-2"];
const POLICY_PATH = "test/fixtures/policies/apply.yml";
const DAY_MS = 86_400_000;
const ENV_KEYS = [
  "RETENTION_REGIONS",
  "RETENTION_POLICY_PATH",
  "RETENTION_MAX_ATTEMPTS",
  "RETENTION_DRY_RUN",
  "AWS_ENDPOINT_URL",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "POWERTOOLS_DEV",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "ALERT_TOPIC_ARN",
  "EVENT_BUS_NAME",
  "LEDGER_TABLE",
  "RESTORE_BASE_URL",
  "RESTORE_LINK_SECRET",
] as const;

const scheduledEvent = (): ScheduledEvent => ({
  version: "0",
  id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "123456789012",
  time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
  region: "us-east-1",
  resources: ["arn:aws:events:us-east-1:123456789012:rule/cloudhsm-retention-dev-SweepEventsRuleSchedule1-1V9FQWJ0QZ4WX"],
  detail: {},
});

function lambdaContext(awsRequestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "cloudhsm-retention-dev-sweep",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:cloudhsm-retention-dev-sweep",
    memoryLimitInMB: "512",
    awsRequestId,
    logGroupName: "/aws/lambda/cloudhsm-retention-dev-sweep",
    logStreamName: "2026/11/28/[$LATEST]4b5c1f2e9a8d4e7f8a6b5c4d3e2f1a0b",
    getRemainingTimeInMillis: () => 900_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** Cold start: a fresh module graph, so `functions/sweep.ts` reads `env` again. */
async function coldStart(env: Partial<Record<(typeof ENV_KEYS)[number], string>>) {
  for (const key of ENV_KEYS) delete process.env[key];
  // Set by the Lambda runtime; Powertools reports cold_start only for on-demand functions.
  Object.assign(process.env, { AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand" }, env);
  vi.resetModules();
  const { handler } = await import("../../functions/sweep.js");
  // The handler's own copy of the class, from the same fresh module graph.
  const { SweepFailedError } = await import("../../src/lambda/sweep.js");
  return { handler, SweepFailedError };
}

/** What the function prints: Powertools writes INFO to stdout and WARN/ERROR to stderr. */
function captureOutput() {
  const chunks = { stdout: [] as string[], stderr: [] as string[] };
  const spy = (stream: "stdout" | "stderr") =>
    vi.spyOn(process[stream], "write").mockImplementation((chunk: string | Uint8Array) => {
      chunks[stream].push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    });
  const spies = [spy("stdout"), spy("stderr")];
  const lines = (stream: "stdout" | "stderr") => chunks[stream].join("").split("\n").filter((l) => l !== "");
  return {
    lines,
    /** Every line of both streams, parsed: throws on any line that is not JSON. */
    records: (): Array<Record<string, unknown>> => [...lines("stdout"), ...lines("stderr")].map((l) => JSON.parse(l) as Record<string, unknown>),
    restore: () => spies.forEach((s) => s.mockRestore()),
  };
}

function sdkClient(endpoint: LocalEndpoint, region: string): CloudHSMV2Client {
  return new CloudHSMV2Client({ endpoint: endpoint.url, region, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
}

/** Every backup the endpoint reports, by ID, as the real SDK sees it. */
async function endpointBackups(endpoint: LocalEndpoint): Promise<Map<string, { region: string; state: string; deleteAtMs: number | undefined }>> {
  const out = new Map<string, { region: string; state: string; deleteAtMs: number | undefined }>();
  for (const region of REGIONS) {
    for await (const page of paginateDescribeBackups({ client: sdkClient(endpoint, region) }, {})) {
      for (const b of page.Backups ?? []) {
        out.set(b.BackupId as string, { region, state: b.BackupState as string, deleteAtMs: b.DeleteTimestamp?.getTime() });
      }
    }
  }
  return out;
}

const pendingIds = (state: Map<string, { state: string }>) =>
  [...state].filter(([, b]) => b.state === "PENDING_DELETION").map(([id]) => id).sort();

let savedEnv: Record<string, string | undefined>;
let output: ReturnType<typeof captureOutput>;
let endpoint: LocalEndpoint;
let fleet: Backup[];
let clockMs: number;
let topicArn: string;

beforeAll(() => {
  savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
});
afterAll(() => {
  for (const key of ENV_KEYS) delete process.env[key];
  for (const [k, v] of Object.entries(savedEnv)) if (v !== undefined) process.env[k] = v;
});

/** The environment a deployed sweep gets, pointed at this test's endpoint. */
function sweepEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    RETENTION_REGIONS: REGIONS.join(","),
    RETENTION_POLICY_PATH: POLICY_PATH,
    AWS_ENDPOINT_URL: endpoint.url,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    ALERT_TOPIC_ARN: topicArn,
    EVENT_BUS_NAME: "cloudhsm-retention",
    LEDGER_TABLE: "ledger",
    RESTORE_BASE_URL: "https://restore.example.com",
    RESTORE_LINK_SECRET: "a-test-secret-of-at-least-32-characters",
    ...extra,
  };
}

beforeEach(async () => {
  // The handler plans with the real Date.now: a fleet taken up to now, and an endpoint
  // clock frozen at now, so DeleteTimestamp can be checked exactly.
  clockMs = Date.now();
  fleet = makeFleet({
    endMs: clockMs,
    days: 45,
    clusters: [
      { region: "us-east-1", count: 2 },
      { region: "us-west-2", count: 1 },
    ],
    copyTo: { region: "us-west-2", everyDays: 7 },
    seed: 11,
  });
  endpoint = await startLocalEndpoint({ port: 0, clock: new EmulatorClock({ realNowMs: () => clockMs }), seeds: [{ backups: fleet }] });
  // What the stack creates in AWS: the topic, the bus, the ledger table.
  const clients = alertClients("us-east-1", { endpointUrl: endpoint.url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  topicArn = (await provisionAlertResources(clients, { bus: "cloudhsm-retention", table: "ledger" })).topicArn;
  output = captureOutput();
});
afterEach(async () => {
  output.restore();
  await endpoint.close();
});

describe("functions/sweep.ts handler", () => {
  it("deletes what the enforce-mode policies plan, on the endpoint, and returns the counts", async () => {
    // Prepare
    const { handler } = await coldStart(sweepEnv());
    const plan = planRetention({ backups: fleet, policies: await loadPolicyFiles([POLICY_PATH]), nowMs: Date.now(), regions: REGIONS });
    const deletes = plan.decisions.filter((d) => d.action === "delete");
    const enforced = deletes.filter((d) => d.policy === "production" || d.policy === "dr-copies").map((d) => d.backupId);
    const alreadyPending = fleet.filter((b) => b.state === "PENDING_DELETION").map((b) => b.backupId);
    // Act
    const summary = await handler(scheduledEvent(), lambdaContext("req-1"));
    // Assess
    expect(enforced.length).toBeGreaterThan(50);
    expect(summary).toEqual({
      counts: {
        planned: enforced.length,
        deleted: enforced.length,
        alreadyPending: 0,
        failed: 0,
        held: 0,
        changed: 0,
        listFailures: 0,
        reportOnly: deletes.length - enforced.length,
        deferred: 0,
        halts: 0,
        notAttempted: 0,
      },
      retries: {},
      exitCode: 0,
      dryRun: false,
      halts: [],
      alerts: { messages: expect.any(Number), notices: enforced.length, failedMessages: 0, failedEvents: 0, ledgerFailures: 0 },
    });
    expect(summary.counts.reportOnly).toBeGreaterThan(0);
    const after = await endpointBackups(endpoint);
    expect(pendingIds(after)).toEqual([...enforced, ...alreadyPending].sort());
    for (const id of enforced) expect(after.get(id)?.deleteAtMs).toBe(clockMs + 7 * DAY_MS);
    // Every deletion announced once, with a restore link, in digests per cluster.
    const emails = endpoint.sns.published().map((m) => JSON.parse(m.message).email as string);
    expect(emails).toHaveLength(summary.alerts!.messages);
    for (const id of enforced) {
      expect(emails.join("\n").split(id).length - 1).toBeGreaterThanOrEqual(1);
      expect(emails.filter((e) => e.includes(id))).toHaveLength(1);
    }
    expect(emails.join("\n").match(/^https:\/\/restore\.example\.com\/restore\/[A-Za-z0-9_-]+$/gm)).toHaveLength(enforced.length);
  });

  it("deletes nothing on a second invocation", async () => {
    // Prepare
    const { handler } = await coldStart(sweepEnv());
    const first = await handler(scheduledEvent(), lambdaContext("req-1"));
    const pendingAfterFirst = pendingIds(await endpointBackups(endpoint));
    endpoint.calls.reset();
    // Act
    const second = await handler(scheduledEvent(), lambdaContext("req-2"));
    // Assess
    expect(first.counts.deleted).toBeGreaterThan(0);
    expect(second.counts).toMatchObject({ planned: 0, deleted: 0, failed: 0, reportOnly: first.counts.reportOnly });
    expect(second.exitCode).toBe(0);
    expect(endpoint.calls.snapshot().byOperation.DeleteBackup).toBeUndefined();
    expect(pendingIds(await endpointBackups(endpoint))).toEqual(pendingAfterFirst);
  });

  it("prints one JSON object per line with Powertools' keys and ours", async () => {
    // Prepare
    const { handler } = await coldStart(sweepEnv());
    // Act
    const first = await handler(scheduledEvent(), lambdaContext("req-1"));
    await handler(scheduledEvent(), lambdaContext("req-2"));
    // Assess
    const records = output.records();
    expect(records.length).toBeGreaterThan(first.counts.deleted);
    for (const r of records) {
      expect(r).toMatchObject({ level: expect.any(String), message: expect.any(String), timestamp: expect.any(String), service: "cloudhsm-retention" });
      expect(r).toMatchObject({ function_name: "cloudhsm-retention-dev-sweep", function_memory_size: "512" });
    }
    const deleted = records.filter((r) => r.message === "backup deleted");
    expect(deleted).toHaveLength(first.counts.deleted);
    for (const r of deleted) {
      expect(r).toMatchObject({ level: "INFO", function_request_id: "req-1", cold_start: true, status: "deleted", attempts: 1 });
      expect(r.backupId).toMatch(/^backup-[2-7a-z]{11}$/);
      expect(Object.keys(r)).toEqual(expect.arrayContaining(["region", "policy", "group", "reason", "deleteAtMs"]));
      // A cross-region copy has no cluster of its own (AWS omits it); its group names the source.
      if (!String(r.group).includes("/copy:")) expect(r.clusterId).toMatch(/^cluster-/);
    }
    expect(new Set(deleted.map((r) => r.policy))).toEqual(new Set(["production", "dr-copies"]));
    const finished = records.filter((r) => r.message === "apply finished");
    expect(finished.map((r) => [r.function_request_id, r.cold_start, r.deleted, r.exitCode])).toEqual([
      ["req-1", true, first.counts.deleted, 0],
      ["req-2", false, 0, 0],
    ]);
    // Attributes are per line: nothing from the first invocation leaks into the second's lines.
    expect(records.filter((r) => r.function_request_id === "req-2" && "backupId" in r)).toEqual([]);
  });

  it("fails the invocation with SweepFailedError when every call to the endpoint fails", async () => {
    // Prepare: two attempts per call keep the backoff short (the default is 10, up to 20 s apart)
    const { handler, SweepFailedError } = await coldStart(sweepEnv({ RETENTION_MAX_ATTEMPTS: "2" }));
    endpoint.faults.configureService("cloudhsm", { throttleRate: 0, internalErrorRate: 1, latencyMs: 0, seed: 1 });
    // Act
    const error = await handler(scheduledEvent(), lambdaContext("req-1")).then(
      () => undefined,
      (err: unknown) => err,
    );
    // Assess
    expect(error).toBeInstanceOf(SweepFailedError);
    const failure = error as InstanceType<typeof SweepFailedError>;
    expect(failure.message).toBe("sweep finished with 0 failed deletions, 2 failed listings and 0 failures on the alert path");
    expect(failure.summary).toMatchObject({ exitCode: 3, counts: { listFailures: 2, planned: 0, deleted: 0, failed: 0 } });
    expect(endpoint.calls.snapshot().byService.cloudhsm).toMatchObject({ total: 4, byOperation: { DescribeBackups: 4 }, faults: { internalErrors: 4 } });
    const errors = output.records().filter((r) => r.level === "ERROR");
    expect(errors.map((r) => r.region).sort()).toEqual(REGIONS);
    for (const r of errors) {
      expect(r).toMatchObject({ message: "listing failed; nothing in this region is planned or deleted", function_request_id: "req-1" });
      expect(r.error).toMatch(/^listing backups in us-(east-1|west-2) failed: CloudHsmInternalFailureException: /);
    }
    endpoint.faults.clearService("cloudhsm");
    expect(pendingIds(await endpointBackups(endpoint))).toEqual(fleet.filter((b) => b.state === "PENDING_DELETION").map((b) => b.backupId).sort());
  });

  it("makes no DeleteBackup call when RETENTION_DRY_RUN is true", async () => {
    // Prepare
    const { handler } = await coldStart(sweepEnv({ RETENTION_DRY_RUN: "true" }));
    // Act
    const summary = await handler(scheduledEvent(), lambdaContext("req-1"));
    // Assess
    expect(summary).toMatchObject({ dryRun: true, exitCode: 0, counts: { deleted: 0 } });
    expect(summary.counts.planned).toBeGreaterThan(0);
    // The provisioning above made its own calls; the run itself only listed.
    const calls = endpoint.calls.snapshot().byService;
    expect(Object.keys(calls.cloudhsm?.byOperation ?? {})).toEqual(["DescribeBackups"]);
    expect(calls.sns?.byOperation.Publish).toBeUndefined();
    expect(endpoint.sns.published()).toEqual([]);
  });
});
