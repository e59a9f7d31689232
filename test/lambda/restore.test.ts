import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { alertClients } from "../../src/aws/clients.js";
import { provisionAlertResources } from "../../src/aws/provision.js";
import { LOCAL_NAMES } from "../../src/cli/local-resources.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { makeFleet } from "../../src/local/fleet.js";
import { signToken } from "../../src/restore/token.js";
import { runCli } from "../support/cli.js";
import { NOW_MS, start } from "../local/support.js";
import { backupIdOf, expectSecurityHeaders, linksIn, POLICY, stateOf } from "../restore/support.js";

/**
 * functions/restore.ts as API Gateway would invoke it (HTTP API, payload 2.0), against the
 * local endpoint: links sent by a CLI `apply` signed with the previous secret, while the
 * function's secret holds `current\nprevious`, as during a rotation. Events are written
 * here by hand, not by the CLI's adapter, so that the two are checked against each other.
 */

const REGION = "us-east-1";
const API = "abc123defg.execute-api.us-east-1.amazonaws.com";
const BASE_URL = `https://${API}`;
const OLD = "the-previous-link-secret-of-32-characters";
const NEW = "the-current-link-secret-of-at-least-32-chars";
const ENV_KEYS = ["RETENTION_REGIONS", "RETENTION_POLICY_PATH", "AWS_ENDPOINT_URL", "ALERT_TOPIC_ARN", "EVENT_BUS_NAME", "LEDGER_TABLE", "RESTORE_BASE_URL", "RESTORE_LINK_SECRET", "RESTORE_LINK_SECRET_PARAMETER", "AWS_LAMBDA_INITIALIZATION_TYPE"] as const;

let endpoint: LocalEndpoint;
let links: Map<string, string>;
let saved: Record<string, string | undefined>;
let handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
let out: string[];

function event(method: string, path: string, opts: { headers?: Record<string, string>; form?: Record<string, string> } = {}): APIGatewayProxyEventV2 {
  const body = opts.form ? Buffer.from(new URLSearchParams(opts.form).toString()).toString("base64") : undefined;
  return {
    version: "2.0",
    routeKey: `${method} /restore/{token}`,
    rawPath: path,
    rawQueryString: "",
    headers: { host: API, "x-forwarded-proto": "https", "x-forwarded-port": "443", "user-agent": "Mozilla/5.0 test", ...(opts.form ? { "content-type": "application/x-www-form-urlencoded" } : {}), ...opts.headers },
    requestContext: {
      accountId: "123456789012",
      apiId: "abc123defg",
      domainName: API,
      domainPrefix: "abc123defg",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "Mozilla/5.0 test" },
      requestId: `req-${Math.random()}`,
      routeKey: `${method} /restore/{token}`,
      stage: "$default",
      time: "28/Nov/2026:06:00:00 +0000",
      timeEpoch: NOW_MS,
    },
    pathParameters: { token: path.split("/")[2] ?? "" },
    ...(body ? { body, isBase64Encoded: true } : { isBase64Encoded: false }),
  };
}

function context(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "cloudhsm-retention-dev-restore",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:cloudhsm-retention-dev-restore",
    memoryLimitInMB: "512",
    awsRequestId: `req-${Math.random()}`,
    logGroupName: "/aws/lambda/cloudhsm-retention-dev-restore",
    logStreamName: "2026/11/28/[$LATEST]0",
    getRemainingTimeInMillis: () => 29_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

beforeAll(async () => {
  saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  endpoint = await start(makeFleet({ endMs: NOW_MS, days: 40, clusters: [{ region: REGION, count: 1 }], seed: 9 }));
  // Links as a CLI run sent them, signed with what is now the previous secret.
  const run = await runCli(["apply", "--policy", POLICY, "--region", REGION, "--endpoint-url", endpoint.url, "--restore-base-url", BASE_URL, "--format", "json"], { env: { RESTORE_LINK_SECRET: OLD } });
  expect(run.code, run.stderr).toBe(0);
  links = linksIn(endpoint, BASE_URL);
  expect(links.size).toBeGreaterThan(5);
  const clients = alertClients(REGION, { endpointUrl: endpoint.url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const { topicArn } = await provisionAlertResources(clients, { bus: LOCAL_NAMES.bus, table: LOCAL_NAMES.table });
  for (const key of ENV_KEYS) delete process.env[key];
  Object.assign(process.env, {
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    RETENTION_REGIONS: REGION,
    RETENTION_POLICY_PATH: POLICY,
    AWS_ENDPOINT_URL: endpoint.url,
    ALERT_TOPIC_ARN: topicArn,
    EVENT_BUS_NAME: LOCAL_NAMES.bus,
    LEDGER_TABLE: LOCAL_NAMES.table,
    RESTORE_BASE_URL: BASE_URL,
    // What the SSM parameter holds during a rotation: the current secret, then the previous.
    RESTORE_LINK_SECRET: `${NEW}\n${OLD}`,
  });
  vi.resetModules();
  ({ handler } = (await import("../../functions/restore.js")) as unknown as { handler: typeof handler });
});
afterAll(async () => {
  for (const key of ENV_KEYS) delete process.env[key];
  for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
  await endpoint?.close();
});

let spies: Array<{ mockRestore(): void }> = [];
function capture(): void {
  out = [];
  spies = (["stdout", "stderr"] as const).map((s) =>
    vi.spyOn(process[s], "write").mockImplementation((chunk: string | Uint8Array) => {
      out.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    }),
  );
}
beforeEach(capture);
afterEach(() => spies.forEach((s) => s.mockRestore()));

const invoke = async (e: APIGatewayProxyEventV2) => {
  const res = await handler(e, context());
  const headers = Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  expectSecurityHeaders({ headers, body: res.body ?? "" });
  return { status: res.statusCode, body: res.body ?? "", headers };
};

describe("functions/restore.ts", () => {
  it("opens links signed with the previous secret and with the current one; not with a third", async () => {
    const [link] = [...links.values()];
    const backupId = backupIdOf(link!);
    const token = link!.slice(link!.lastIndexOf("/") + 1);
    const old = await invoke(event("GET", `/restore/${token}`));
    expect(old.status).toBe(200);
    expect(old.body).toContain(backupId);
    const deleteAtMs = endpoint.cloudhsm.get(REGION, backupId, endpoint.clock.nowMs())!.deleteAtMs!;
    const sign = (secret: string) => signToken({ action: "restore", region: REGION, backupId, expiresAtMs: deleteAtMs }, Buffer.from(secret));
    expect((await invoke(event("GET", `/restore/${sign(NEW)}`))).status).toBe(200);
    expect((await invoke(event("GET", `/restore/${sign("a-third-secret-nobody-configured-32-chars")}`))).status).toBe(404);
    // JSON log lines with stable keys; the token, which opens the page, is never logged.
    const records = out.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.filter((r) => r.message === "restore page").map((r) => r.outcome)).toEqual(["shown", "shown", "invalid-link-forged"]);
    expect(records[0]).toMatchObject({ level: "INFO", service: "cloudhsm-retention", function_name: "cloudhsm-retention-dev-restore", backupId, region: REGION, statusCode: 200, sourceIp: "203.0.113.7" });
    expect(out.join("")).not.toContain(token.slice(0, 24));
  });

  it("restores on a POST from the page (Origin: the API's own), base64 form body as HTTP APIs send it", async () => {
    const [, link] = [...links.values()];
    const backupId = backupIdOf(link!);
    const path = new URL(link!).pathname;
    const page = await invoke(event("GET", path));
    const formToken = /name="form_token" value="([^"]+)"/.exec(page.body)![1]!;
    const refused = await invoke(event("POST", path, { form: { form_token: formToken, keep: "hold" }, headers: { origin: "https://evil.example" } }));
    expect(refused.status).toBe(403);
    expect(stateOf(endpoint, REGION, backupId)?.state).toBe("PENDING_DELETION");
    const res = await invoke(event("POST", path, { form: { form_token: formToken, keep: "hold" }, headers: { origin: BASE_URL } }));
    expect(res.status).toBe(200);
    expect(res.body).toContain(`${backupId} is restored and held until`);
    expect(stateOf(endpoint, REGION, backupId)?.state).toBe("READY");
    // Recorded in the stack's ledger: an apply right after keeps it.
    const again = await runCli(["apply", "--policy", POLICY, "--region", REGION, "--endpoint-url", endpoint.url, "--format", "json"], { env: { RESTORE_LINK_SECRET: NEW } });
    const decision = JSON.parse(again.stdout).decisions.find((d: { backupId: string }) => d.backupId === backupId);
    expect(decision.reasons).toEqual([expect.stringMatching(/^held until .*: restored through the restore link$/)]);
  });

  it("answers unknown paths 404 and other methods 405, with the same headers", async () => {
    const [link] = [...links.values()];
    const path = new URL(link!).pathname;
    const unknown = await invoke({ ...event("GET", "/"), pathParameters: undefined });
    expect(unknown.status).toBe(404);
    const del = await invoke(event("DELETE", path));
    expect(del.status).toBe(405);
    expect(del.headers.allow).toBe("GET, HEAD, POST");
  });
});
