import { randomUUID } from "node:crypto";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { DeleteBackupCommand, RestoreBackupCommand } from "@aws-sdk/client-cloudhsm-v2";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertClients } from "../../src/aws/clients.js";
import { provisionAlertResources } from "../../src/aws/provision.js";
import type { Backup } from "../../src/domain/types.js";
import { makeFleet } from "../../src/local/fleet.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { client, DAY_MS, NOW_MS, start } from "../local/support.js";
import { backupIdOf } from "../restore/support.js";
import { type RecordedCall, type Recorder, startRecorder } from "./recorder.js";
import { ACCOUNT, allows, API_ENDPOINT, functionByHandler, list, type PackagedStack, packageStack, REGION, resolver, roleOf, type Statement, statementsOf } from "./support.js";

/**
 * Least privilege, proved on what ships: each packaged function (the bundle from its zip,
 * in a plain `node` process, with the environment the template gives it) runs against the
 * local endpoint through a recorder that writes down every AWS call it makes, as IAM
 * action and resource. Every call must be allowed by the function's own role in the
 * template; and every action the role grants must have been called by that function in
 * some scenario here, or be named below with the code path that needs it. The scenarios
 * cover each function's paths: deleting, failing to tell (SNS and EventBridge down),
 * catching up, reminding, expiring, a backup restored by hand, a deletion made outside
 * the service, the restore page's GET and both buttons, and the link secret's lifecycle.
 */

const execFileP = promisify(execFile);

/** Granted but reached only on paths the scenarios here do not take, each with that path. */
const GRANTED_FOR_RARE_PATHS: Record<string, Record<string, string>> = {
  remind: { "dynamodb:GetItem": "DynamoDbLedger.claim reads a notice whose claim another run holds (two runs racing for one notice)" },
  restore: { "dynamodb:GetItem": "DynamoDbLedger.claim reads the notice when two presses of one link race (a double submit)" },
};

let stack: PackagedStack;
let resolve: (v: unknown) => unknown;
let endpoint: LocalEndpoint;
let recorder: Recorder;
let fleet: Backup[];
let stoppedCluster: string;
let responses: Server;
let responseUrl: string;
const cfnResponses: Array<Record<string, unknown>> = [];
/** Calls per function (its handler name), over every scenario. */
const callsOf = new Map<string, RecordedCall[]>();
/** What the functions printed (their logs), to look for the secret. */
let printed = "";
/** The link secret the functions used (the parameter is deleted by the last scenario). */
let secretSeen: string | undefined;

const FUNCTIONS = ["sweep", "remind", "watch", "restore", "linkSecret"] as const;
type Fn = (typeof FUNCTIONS)[number];
const HANDLERS: Record<Fn, string> = {
  sweep: "functions/sweep.handler",
  remind: "functions/remind.handler",
  watch: "functions/watch.handler",
  restore: "functions/restore.handler",
  linkSecret: "functions/link-secret.handler",
};

const DRIVER = `
import { writeFileSync } from "node:fs";
const [file, eventJson, outFile] = process.argv.slice(2);
const { handler } = await import(file);
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: "$LATEST", memoryLimitInMB: "512",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:${ACCOUNT}:function:" + process.env.AWS_LAMBDA_FUNCTION_NAME,
  awsRequestId: String(Math.random()).slice(2), logGroupName: "/aws/lambda/" + process.env.AWS_LAMBDA_FUNCTION_NAME,
  logStreamName: "test", callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 60000,
  done() {}, fail() {}, succeed() {},
};
let result;
try { result = { ok: true, value: await handler(JSON.parse(eventJson), context) }; }
catch (err) { result = { ok: false, error: String(err?.name) + ": " + String(err?.message) }; }
writeFileSync(outFile, JSON.stringify(result ?? { ok: true }));
process.exit(0);
`;

/** Invokes a packaged function once, as Lambda would, and keeps the calls it made. */
async function invoke(fn: Fn, event: unknown): Promise<{ ok: boolean; value?: any; error?: string; calls: RecordedCall[] }> {
  const [, resource] = functionByHandler(stack.template, HANDLERS[fn]);
  const dir = await stack.unzip(fn);
  const file = join(dir, `${HANDLERS[fn].replace(/\.handler$/, "")}.mjs`);
  const variables = resolve(resource.Properties.Environment?.Variables ?? {}) as Record<string, string>;
  const out = join(stack.work, `result-${randomUUID()}.json`);
  const before = recorder.calls.length;
  const run = await execFileP(process.execPath, [join(stack.work, "driver.mjs"), file, JSON.stringify(event), out], {
    cwd: dir, // Lambda's working directory is the package's root: RETENTION_POLICY_PATH=policies is relative to it.
    env: {
      PATH: process.env.PATH,
      ...variables,
      AWS_LAMBDA_FUNCTION_NAME: resource.Properties.FunctionName,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_CONFIG_FILE: "/nonexistent/aws-config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      AWS_ENDPOINT_URL: recorder.url,
    },
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  printed += run.stdout + run.stderr;
  const calls = recorder.calls.slice(before);
  callsOf.set(fn, [...(callsOf.get(fn) ?? []), ...calls]);
  return { ...JSON.parse(await readFile(out, "utf8")), calls };
}

const actions = (calls: readonly RecordedCall[]) => [...new Set(calls.map((c) => c.action))].sort();

/** The links of every email published so far, backup ID → link. */
function links(): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of endpoint.sns.published()) {
    const email = (JSON.parse(m.message) as { email: string }).email;
    for (const link of email.match(/https:\/\/abc123defg\.execute-api\.us-east-1\.amazonaws\.com\/restore\/[A-Za-z0-9_-]+/g) ?? []) found.set(backupIdOf(link), link);
  }
  return found;
}

function httpEvent(method: string, link: string, form?: Record<string, string>): Record<string, unknown> {
  const url = new URL(link);
  const host = url.host;
  const body = form ? Buffer.from(new URLSearchParams(form).toString()).toString("base64") : undefined;
  return {
    version: "2.0",
    routeKey: `${method} /restore/{token}`,
    rawPath: url.pathname,
    rawQueryString: "",
    headers: { host, "x-forwarded-proto": "https", "user-agent": "Mozilla/5.0 test", ...(form ? { "content-type": "application/x-www-form-urlencoded", origin: url.origin } : {}) },
    requestContext: { accountId: ACCOUNT, apiId: "abc123defg", domainName: host, domainPrefix: "abc123defg", http: { method, path: url.pathname, protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "Mozilla/5.0 test" }, requestId: randomUUID(), routeKey: `${method} /restore/{token}`, stage: "$default", time: "28/Nov/2026:06:00:00 +0000", timeEpoch: NOW_MS },
    pathParameters: { token: url.pathname.split("/")[2] },
    ...(body ? { body, isBase64Encoded: true } : { isBase64Encoded: false }),
  };
}

function cloudTrailRecord(backup: Backup, issuerRoleArn?: string): Record<string, unknown> {
  const event = JSON.parse(readFileSync("test/fixtures/cloudtrail/delete-backup-by-user.json", "utf8").replaceAll("BACKUP_ID", backup.backupId).replaceAll("CLUSTER_ID", backup.clusterId ?? ""));
  if (issuerRoleArn) {
    const role = issuerRoleArn.split("/").at(-1);
    event.detail.userIdentity.arn = `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/session`;
    event.detail.userIdentity.sessionContext.sessionIssuer.arn = issuerRoleArn;
  }
  return event;
}

function customResourceEvent(requestType: "Create" | "Update" | "Delete", physicalId?: string): Record<string, unknown> {
  const props = resolve(stack.template.Resources.LinkSecret!.Properties) as Record<string, unknown>;
  return {
    RequestType: requestType,
    ResponseURL: `${responseUrl}/cfn-response?request=${randomUUID()}`,
    StackId: `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/cloudhsm-retention-ci/${randomUUID()}`,
    RequestId: randomUUID(),
    LogicalResourceId: "LinkSecret",
    ResourceType: "Custom::LinkSecret",
    ResourceProperties: props,
    ...(physicalId ? { PhysicalResourceId: physicalId } : {}),
    ...(requestType === "Update" ? { OldResourceProperties: props } : {}),
  };
}

const stateOf = (region: string, id: string) => endpoint.cloudhsm.get(region, id, endpoint.clock.nowMs());

beforeAll(async () => {
  stack = await packageStack();
  resolve = resolver(stack.template);
  await writeFile(join(stack.work, "driver.mjs"), DRIVER);
  fleet = makeFleet({ endMs: NOW_MS, days: 60, clusters: [{ region: "us-east-1", count: 2 }, { region: "us-west-2", count: 1 }], copyTo: { region: "us-west-2", everyDays: 2 }, seed: 21 });
  // The second us-east-1 cluster stopped making backups three days ago: a guard halt and a backups-stopped episode.
  stoppedCluster = [...new Set(fleet.filter((b) => b.region === "us-east-1").map((b) => b.clusterId))][1]!;
  fleet = fleet.filter((b) => b.clusterId !== stoppedCluster || b.createdAtMs < NOW_MS - 3 * DAY_MS);
  endpoint = await start(fleet);
  // The stack's topic, bus and table, under the template's names (the template creates them in AWS).
  const props = (id: string) => stack.template.Resources[id]!.Properties;
  const clients = alertClients(REGION, { endpointUrl: endpoint.url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const made = await provisionAlertResources(clients, { topicName: props("AlertTopic").TopicName, bus: props("EventBus").Name, table: props("LedgerTable").TableName });
  expect(made.problems).toEqual([]);
  expect(made.topicArn).toBe(resolve({ Ref: "AlertTopic" }));
  recorder = await startRecorder(endpoint.url);
  responses = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      cfnResponses.push({ method: req.method, contentType: req.headers["content-type"], ...JSON.parse(body) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => responses.listen(0, "127.0.0.1", r));
  responseUrl = `http://127.0.0.1:${(responses.address() as AddressInfo).port}`;
}, 240_000);

afterAll(async () => {
  await recorder?.close();
  await new Promise((r) => (responses ? responses.close(r) : r(undefined)));
  await endpoint?.close();
  await stack?.close();
});

describe("the packaged functions against the local endpoint, every call recorded", () => {
  it("linkSecret: Create writes a fresh SecureString once; Update keeps it; Create over an existing one fails and its rollback deletes nothing", async () => {
    const name = resolve({ "Fn::GetAtt": ["LinkSecret", "ParameterName"] }) as string;
    const created = await invoke("linkSecret", customResourceEvent("Create"));
    expect(created.ok).toBe(true);
    const secret = recorder.parameters.get(name)!;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    expect(cfnResponses.at(-1)).toMatchObject({ method: "PUT", contentType: "", Status: "SUCCESS", PhysicalResourceId: name, Data: { ParameterName: name } });
    const updated = await invoke("linkSecret", customResourceEvent("Update", name));
    expect(updated.calls).toEqual([]);
    expect(recorder.parameters.get(name)).toBe(secret);
    // The same stage deployed twice (or a parameter a person made): refused, and left alone.
    const again = await invoke("linkSecret", customResourceEvent("Create"));
    expect(cfnResponses.at(-1)).toMatchObject({ Status: "FAILED", Reason: expect.stringContaining(`${name} already exists`) });
    const rollback = await invoke("linkSecret", customResourceEvent("Delete", cfnResponses.at(-1)!.PhysicalResourceId as string));
    expect([again.ok, rollback.ok]).toEqual([true, true]);
    expect(rollback.calls).toEqual([]);
    expect(recorder.parameters.get(name)).toBe(secret);
    expect(JSON.stringify(cfnResponses)).not.toContain(secret);
  });

  it("sweep: deletes and tells, halts the group whose backups stopped and opens its episode", async () => {
    const first = await invoke("sweep", {});
    expect(first).toMatchObject({ ok: true, value: { exitCode: 4 } }); // the stopped cluster's group halted
    expect(first.value.counts.deleted).toBeGreaterThan(20);
    expect(links().size).toBeGreaterThan(20);
  }, 240_000);

  it("restore: shows a link, restores with a hold (pressed twice), restores and pins", async () => {
    const live = [...links()].filter(([id]) => stateOf("us-east-1", id)?.state === "PENDING_DELETION");
    const [[holdId, holdLink], [pinId, pinLink]] = live as [[string, string], [string, string]];
    for (const [link, keep, presses] of [[holdLink, "hold", 2], [pinLink, "pin", 1]] as const) {
      const page = await invoke("restore", httpEvent("GET", link));
      expect(page.value.statusCode).toBe(200);
      const formToken = /name="form_token" value="([^"]+)"/.exec(page.value.body)![1]!;
      for (let i = 0; i < presses; i++) {
        const done = await invoke("restore", httpEvent("POST", link, { form_token: formToken, keep }));
        expect(done.value.statusCode, done.value.body).toBe(200);
      }
    }
    expect(stateOf("us-east-1", holdId)?.state).toBe("READY");
    expect(stateOf("us-east-1", pinId)).toMatchObject({ state: "READY", neverExpires: true });
  }, 240_000);

  it("watch: announces a deletion by a person (again after SNS was down: Lambda's retry), not one remind told first, and ignores the sweep's own", async () => {
    const ready = fleet.filter((b) => b.region === "us-east-1" && stateOf("us-east-1", b.backupId)?.state === "READY" && !b.neverExpires);
    const [late, failed] = [ready.at(-5)!, ready.at(-6)!];
    // Told by the reminder run before CloudTrail's record arrived: the watcher finds it sent.
    await client(endpoint).send(new DeleteBackupCommand({ BackupId: late.backupId }));
    expect((await invoke("remind", {})).ok).toBe(true);
    const told = endpoint.sns.published().length;
    expect(await invoke("watch", cloudTrailRecord(late))).toMatchObject({ ok: true, value: { outcome: "announced" } });
    expect(endpoint.sns.published().length).toBe(told);
    // SNS down: the invocation fails and gives its claim back; Lambda's retry tells.
    await client(endpoint).send(new DeleteBackupCommand({ BackupId: failed.backupId }));
    endpoint.faults.configureService("sns", { throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1, outage: true });
    expect((await invoke("watch", cloudTrailRecord(failed))).ok).toBe(false);
    endpoint.faults.clearService("sns");
    expect(await invoke("watch", cloudTrailRecord(failed))).toMatchObject({ ok: true, value: { outcome: "announced" } });
    expect(endpoint.sns.published().length).toBe(told + 1);
    const own = resolve({ "Fn::GetAtt": ["SweepRole", "Arn"] }) as string;
    const ignored = await invoke("watch", cloudTrailRecord(failed, own));
    expect(ignored).toMatchObject({ ok: true, value: { outcome: "ignored" }, calls: [{ action: "ssm:GetParameters" }] });
  }, 120_000);

  it("sweep: with SNS and EventBridge down it gives claims back and keeps the events; the next run puts them, and says backups resumed", async () => {
    // A day later: the alert path is down while the sweep deletes what was deferred.
    endpoint.clock.advance(DAY_MS + 3_600_000);
    endpoint.faults.configureService("sns", { throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1, outage: true });
    endpoint.faults.configureService("events", { throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1, outage: true });
    const down = await invoke("sweep", {});
    expect(down.ok).toBe(false); // failures are counted and fail the invocation
    endpoint.faults.clearService("sns");
    endpoint.faults.clearService("events");
    // The stopped cluster makes a backup again.
    const nowMs = endpoint.clock.nowMs();
    const template = fleet.find((b) => b.clusterId === stoppedCluster)!;
    endpoint.cloudhsm.upsert([{ ...template, backupId: "backup-resumed0001", createdAtMs: nowMs - 3_600_000, state: "READY", tags: {}, neverExpires: false }], nowMs);
    const after = await invoke("sweep", {});
    expect(after.ok, after.error).toBe(true);
    expect(actions(after.calls)).toContain("events:PutEvents");
    expect(endpoint.events.entries().some((e) => e.detailType === "Backups Resumed")).toBe(true);
  }, 240_000);

  it("remind: reminds, holds a backup restored by hand, forgets an expired one", async () => {
    // A pending backup restored from the console meanwhile.
    const pending = [...links().keys()].find((id) => stateOf("us-east-1", id)?.state === "PENDING_DELETION")!;
    await client(endpoint).send(new RestoreBackupCommand({ BackupId: pending }));
    const now = await invoke("remind", {});
    expect(now.ok, now.error).toBe(true);
    expect(now.value.back).toBeGreaterThan(0);
    // Days later: reminder stages, then DeleteTimestamps pass.
    endpoint.clock.advance(4 * DAY_MS);
    expect((await invoke("remind", {})).value.reminded).toBeGreaterThan(0);
    endpoint.clock.advance(3 * DAY_MS);
    expect((await invoke("remind", {})).value.expired).toBeGreaterThan(0);
  }, 240_000);

  it("linkSecret: Delete (the stack removed) deletes the parameter", async () => {
    const name = resolve({ "Fn::GetAtt": ["LinkSecret", "ParameterName"] }) as string;
    secretSeen = recorder.parameters.get(name);
    const removed = await invoke("linkSecret", customResourceEvent("Delete", name));
    expect(removed.ok).toBe(true);
    expect(cfnResponses.at(-1)).toMatchObject({ Status: "SUCCESS", PhysicalResourceId: name });
    expect(recorder.parameters.has(name)).toBe(false);
  });

  it("ledger: every item the functions wrote carries the template's TTL attribute, in epoch seconds (DynamoDB ignores milliseconds)", async () => {
    const table = stack.template.Resources.LedgerTable!.Properties;
    const ttl = table.TimeToLiveSpecification.AttributeName as string;
    const clients = alertClients(REGION, { endpointUrl: endpoint.url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const items = (await clients.dynamodb.send(new ScanCommand({ TableName: table.TableName }))).Items ?? [];
    expect(items.length).toBeGreaterThan(10);
    const nowSeconds = endpoint.clock.nowMs() / 1000;
    // Every item expires some day (no ledger item is kept forever), within the ledger's retention of years, not in milliseconds.
    const wrong = items.filter((i) => !(i[ttl]?.N && Number(i[ttl].N) > nowSeconds - 30 * 86_400 && Number(i[ttl].N) < nowSeconds + 3 * 365 * 86_400));
    expect(wrong.map((i) => `${i.pk?.S} ${i.sk?.S}`)).toEqual([]);
  });

  it("never prints the link secret", () => {
    const secret = secretSeen;
    expect(secret).toBeDefined();
    expect(printed.length).toBeGreaterThan(1000);
    expect(printed).not.toContain(secret);
  });
});

describe("each function's role in the packaged template", () => {
  const roleStatements = (fn: Fn): Statement[] => resolve(statementsOf(stack.template, roleOf(functionByHandler(stack.template, HANDLERS[fn])[1]))) as Statement[];

  it.each(FUNCTIONS)("%s: allows every call the function made, on the resource it made it on", (fn) => {
    const calls = callsOf.get(fn) ?? [];
    expect(calls.length).toBeGreaterThan(0);
    const statements = roleStatements(fn);
    const denied = calls.flatMap((c) => c.resources.filter((r) => !allows(statements, c.action, r)).map((r) => `${c.action} on ${r}`));
    expect([...new Set(denied)]).toEqual([]);
  });

  it.each(FUNCTIONS)("%s: grants nothing the function did not call (or a rare path names)", (fn) => {
    const called = new Set((callsOf.get(fn) ?? []).map((c) => c.action.toLowerCase()));
    const rare = GRANTED_FOR_RARE_PATHS[fn] ?? {};
    const granted = roleStatements(fn)
      .flatMap((s) => list(s.Action).map(String))
      .filter((a) => !a.startsWith("logs:"));
    const unused = granted.filter((a) => !called.has(a.toLowerCase()) && !(a in rare));
    expect(unused).toEqual([]);
    // The list stays true: what it names is granted, and was not seen called here.
    for (const a of Object.keys(rare)) expect([a, granted.includes(a), called.has(a.toLowerCase())]).toEqual([a, true, false]);
  });

  it("the sweep's role alone can delete backups, and no role can both delete and restore", () => {
    const canDelete = FUNCTIONS.filter((fn) => roleStatements(fn).some((s) => list(s.Action).some((a) => /^cloudhsm:(DeleteBackup|\*)$/i.test(String(a)))));
    expect(canDelete).toEqual(["sweep"]);
    expect(roleStatements("sweep").some((s) => list(s.Action).some((a) => /RestoreBackup/i.test(String(a))))).toBe(false);
  });
});
