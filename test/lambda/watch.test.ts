import { readFileSync } from "node:fs";
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
 * functions/watch.ts, invoked as EventBridge invokes it on a CloudTrail record of a
 * DeleteBackup call, against the local endpoint. The record follows CloudTrail's
 * documented shape (test/fixtures/cloudtrail), with the backup ID filled in.
 */
const ENV_KEYS = ["RETENTION_REGIONS", "RETENTION_POLICY_PATH", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "ALERT_TOPIC_ARN", "EVENT_BUS_NAME", "LEDGER_TABLE", "RESTORE_BASE_URL", "RESTORE_LINK_SECRET", "RETENTION_ROLE_ARNS"] as const;
const SECRET = "the-test-secret-of-at-least-32-characters";
const context = { awsRequestId: "req-w", functionName: "cloudhsm-retention-dev-watch", getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
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
  fleet = makeFleet({ endMs: NOW_MS, days: 20, clusters: [{ region: "us-east-1", count: 1 }], seed: 3 });
  endpoint = await start(fleet);
  const clients = alertClients("us-east-1", { endpointUrl: endpoint.url, credentials: { accessKeyId: "t", secretAccessKey: "t" } });
  topicArn = (await provisionAlertResources(clients, { bus: "cloudhsm-retention", table: "cloudhsm-retention-ledger" })).topicArn;
});
afterEach(async () => endpoint.close());

async function coldStart(extra: Record<string, string> = {}) {
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
    ...extra,
  });
  vi.resetModules();
  return (await import("../../functions/watch.js")).handler;
}

/** The recorded event, about `backup`, made by `roleArn`'s session when given. */
function recorded(backup: Backup, roleArn?: string): Record<string, unknown> {
  const text = readFileSync("test/fixtures/cloudtrail/delete-backup-by-user.json", "utf8").replaceAll("BACKUP_ID", backup.backupId).replaceAll("CLUSTER_ID", backup.clusterId ?? "");
  const event = JSON.parse(text);
  if (roleArn) {
    const role = roleArn.split("/").at(-1);
    event.detail.userIdentity.arn = `arn:aws:sts::111122223333:assumed-role/${role}/1732773600000`;
    event.detail.userIdentity.sessionContext.sessionIssuer.arn = roleArn;
  }
  return event;
}

const announcements = (id: string) => endpoint.sns.published().filter((m) => (JSON.parse(m.message).email as string).includes(id));

describe("functions/watch.ts", () => {
  it("announces at once a backup deleted by a person, naming who, with its restore link; remind does not repeat it", async () => {
    const victim = fleet.find((b) => b.state === "READY")!;
    await client(endpoint).send(new DeleteBackupCommand({ BackupId: victim.backupId }));
    const handler = await coldStart();
    const result = await handler(recorded(victim) as never, context);
    expect(result).toMatchObject({ outcome: "announced", backupId: victim.backupId, actor: "arn:aws:iam::111122223333:role/OpsAdmin" });
    const told = announcements(victim.backupId);
    expect(told).toHaveLength(1);
    const email = JSON.parse(told[0]!.message).email as string;
    expect(email).toContain("outside policy");
    expect(email).toContain("arn:aws:iam::111122223333:role/OpsAdmin");
    expect(email).toMatch(/^http:\/\/127\.0\.0\.1:8787\/restore\/[A-Za-z0-9_-]+$/m);
    // The reminder run finds it already told.
    const remind = await runCli(["remind", "--policy", "test/fixtures/policies/apply.yml", "--region", "us-east-1", "--endpoint-url", endpoint.url], { env: { RESTORE_LINK_SECRET: SECRET } });
    expect(remind.code).toBe(0);
    expect(announcements(victim.backupId)).toHaveLength(1);
    // A retried invocation (EventBridge retries failed ones) tells nothing more.
    await handler(recorded(victim) as never, context);
    expect(announcements(victim.backupId)).toHaveLength(1);
  });

  it("leaves this service's own deletions to the run that made them", async () => {
    const victim = fleet.find((b) => b.state === "READY")!;
    await client(endpoint).send(new DeleteBackupCommand({ BackupId: victim.backupId }));
    const own = "arn:aws:iam::111122223333:role/cloudhsm-retention-dev-sweep";
    const handler = await coldStart({ RETENTION_ROLE_ARNS: own });
    expect(await handler(recorded(victim, own) as never, context)).toMatchObject({ outcome: "ignored" });
    expect(announcements(victim.backupId)).toHaveLength(0);
  });

  it("ignores a failed call and a backup that is no longer pending", async () => {
    const victim = fleet.find((b) => b.state === "READY")!;
    const handler = await coldStart();
    const failed = recorded(victim);
    (failed.detail as Record<string, unknown>).errorCode = "CloudHsmAccessDeniedException";
    expect(await handler(failed as never, context)).toMatchObject({ outcome: "ignored", why: "the call failed (CloudHsmAccessDeniedException)" });
    expect(await handler(recorded(victim) as never, context)).toMatchObject({ outcome: "ignored", why: "the backup is no longer pending deletion (READY)" });
    expect(endpoint.sns.published()).toEqual([]);
  });
});
