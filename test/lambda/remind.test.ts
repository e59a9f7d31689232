import { DeleteBackupCommand } from "@aws-sdk/client-cloudhsm-v2";
import type { Context } from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { alertClients } from "../../src/aws/clients.js";
import { provisionAlertResources } from "../../src/aws/provision.js";
import type { Backup } from "../../src/domain/types.js";
import { makeFleet } from "../../src/local/fleet.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { runCli } from "../support/cli.js";
import { client, NOW_MS, start } from "../local/support.js";

/**
 * functions/remind.ts, invoked as its 15-minute schedule invokes it, against the local
 * endpoint (SNS, DynamoDB through dynalite, CloudHSM). Expected values are worked by hand
 * from the AWS documentation: DeleteBackup leaves a backup restorable for 7 days
 * (DeleteTimestamp = deletion + 7 d); the default stages are 72 h, 24 h and 2 h before it.
 */
const ENV_KEYS = ["RETENTION_REGIONS", "RETENTION_POLICY_PATH", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "ALERT_TOPIC_ARN", "EVENT_BUS_NAME", "LEDGER_TABLE", "RESTORE_BASE_URL", "RESTORE_LINK_SECRET"] as const;
const SECRET = "the-test-secret-of-at-least-32-characters";
const HOUR_MS = 3_600_000;
const context = { awsRequestId: "req-r", functionName: "cloudhsm-retention-dev-remind", getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
let saved: Record<string, string | undefined>;
let endpoint: LocalEndpoint;
let fleet: Backup[];
let topicArn: string;

beforeAll(() => {
  saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
});
afterAll(() => {
  for (const k of ENV_KEYS) delete process.env[k];
  for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
});
beforeEach(async () => {
  // No backup pending deletion to begin with: every pending one below was deleted by the test.
  fleet = makeFleet({ endMs: NOW_MS, days: 20, clusters: [{ region: "us-east-1", count: 1 }], seed: 3 }).filter((b) => b.state !== "PENDING_DELETION");
  endpoint = await start(fleet);
  const clients = alertClients("us-east-1", { endpointUrl: endpoint.url, credentials: { accessKeyId: "t", secretAccessKey: "t" } });
  topicArn = (await provisionAlertResources(clients, { bus: "cloudhsm-retention", table: "cloudhsm-retention-ledger" })).topicArn;
});
afterEach(async () => endpoint.close());

async function coldStart() {
  for (const k of ENV_KEYS) delete process.env[k];
  Object.assign(process.env, {
    RETENTION_REGIONS: "us-east-1",
    RETENTION_POLICY_PATH: "test/fixtures/policies/apply.yml",
    AWS_ENDPOINT_URL: endpoint.url,
    AWS_ACCESS_KEY_ID: "t",
    AWS_SECRET_ACCESS_KEY: "t",
    AWS_REGION: "us-east-1",
    ALERT_TOPIC_ARN: topicArn,
    EVENT_BUS_NAME: "cloudhsm-retention",
    LEDGER_TABLE: "cloudhsm-retention-ledger",
    RESTORE_BASE_URL: "http://127.0.0.1:8787",
    RESTORE_LINK_SECRET: SECRET,
  });
  vi.resetModules();
  return (await import("../../functions/remind.js")).handler;
}

const emails = () => endpoint.sns.published().map((m) => JSON.parse(m.message).email as string);
const subjects = () => endpoint.sns.published().map((m) => m.subject ?? "");

async function deleteByHand(): Promise<Backup> {
  const victim = fleet.filter((b) => b.state === "READY").at(-1)!;
  await client(endpoint).send(new DeleteBackupCommand({ BackupId: victim.backupId }));
  return victim;
}

describe("functions/remind.ts", () => {
  it("announces a backup deleted by hand once, then sends each reminder stage once", async () => {
    const victim = await deleteByHand();
    const handler = await coldStart();
    const first = await handler({}, context);
    expect(first).toMatchObject({ exitCode: 0, announced: 1, reminded: 0 });
    expect(emails()).toHaveLength(1);
    expect(emails()[0]).toContain(victim.backupId);
    expect(emails()[0]).toMatch(/outside/i);
    expect(emails()[0]).toContain("http://127.0.0.1:8787/restore/");

    // 15 minutes later: nothing new.
    endpoint.clock.advance(15 * 60_000);
    expect(await handler({}, context)).toMatchObject({ announced: 0, reminded: 0, messages: 0 });

    // DeleteTimestamp = now + 7 d; the 72 h stage is due from 4 d after the deletion.
    endpoint.clock.advance(4 * 24 * HOUR_MS - 15 * 60_000 + 60_000);
    expect(await handler({}, context)).toMatchObject({ announced: 0, reminded: 1 });
    endpoint.clock.advance(15 * 60_000);
    expect(await handler({}, context)).toMatchObject({ reminded: 0, messages: 0 });
    expect(subjects().filter((s) => s.includes("reminder"))).toHaveLength(1);
  });

  it("fails the invocation when SNS is down (the Errors alarm), and the next run sends the announcement once", async () => {
    const victim = await deleteByHand();
    const handler = await coldStart();
    endpoint.faults.configureService("sns", { throttleRate: 0, internalErrorRate: 1, latencyMs: 0, seed: 1 });
    await expect(handler({}, context)).rejects.toThrow(/remind finished with \d+ failures?/);
    expect(emails()).toHaveLength(0);
    endpoint.faults.clearService("sns");
    endpoint.clock.advance(15 * 60_000);
    expect(await handler({}, context)).toMatchObject({ exitCode: 0, announced: 1 });
    endpoint.clock.advance(15 * 60_000);
    await handler({}, context);
    expect(emails().filter((e) => e.includes(victim.backupId))).toHaveLength(1);
  });
});

describe("cloudhsm-retention remind --dry-run", () => {
  it("says what would be sent, sends and records nothing; the real run then sends exactly that", async () => {
    const victim = await deleteByHand();
    const args = ["remind", "--policy", "test/fixtures/policies/apply.yml", "--region", "us-east-1", "--endpoint-url", endpoint.url, "--format", "json"];
    const env = { RESTORE_LINK_SECRET: SECRET };
    const preview = await runCli([...args, "--dry-run"], { env });
    expect(preview.code).toBe(0);
    const planned = JSON.parse(preview.stdout);
    expect(planned.dryRun).toBe(true);
    expect(planned.announced.map((n: { backupId: string }) => n.backupId)).toEqual([victim.backupId]);
    expect(endpoint.sns.published()).toHaveLength(0);

    const real = JSON.parse((await runCli(args, { env })).stdout);
    expect(real.announced.map((n: { backupId: string }) => n.backupId)).toEqual([victim.backupId]);
    expect(emails()).toHaveLength(1);
  });

  it("previews a later time with --now: the 24 h stage, without sending it", async () => {
    await deleteByHand();
    const args = ["remind", "--policy", "test/fixtures/policies/apply.yml", "--region", "us-east-1", "--endpoint-url", endpoint.url, "--format", "json"];
    const env = { RESTORE_LINK_SECRET: SECRET };
    expect((await runCli(args, { env })).code).toBe(0);
    const sent = endpoint.sns.published().length;
    // DeleteTimestamp is NOW + 7 d; 23 h before it, the 24 h stage is the most urgent one due.
    const at = new Date(NOW_MS + 7 * 24 * HOUR_MS - 23 * HOUR_MS).toISOString();
    const preview = JSON.parse((await runCli([...args, "--dry-run", "--now", at], { env })).stdout);
    expect(preview.reminded).toHaveLength(1);
    expect(preview.reminded[0].stage).toBe("24h");
    expect(endpoint.sns.published().length).toBe(sent);
  });
});
