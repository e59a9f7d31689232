import { CloudHSMV2Client, paginateDescribeBackups, type DescribeBackupsRequest } from "@aws-sdk/client-cloudhsm-v2";
import { execFile } from "node:child_process";
import { afterAll, beforeAll } from "vitest";
import type { Backup } from "../../src/domain/types.js";
import { makeFleet } from "../../src/local/fleet.js";
import { EmulatorClock, type LocalEndpoint, startLocalEndpoint } from "../../src/local/index.js";

/** The emulated "now" of every test: the example fleet's capture time. */
export const NOW_MS = Date.parse("2026-11-28T06:00:00Z");
export const DAY_MS = 86_400_000;

/**
 * A realistic fleet: three clusters in us-east-1 (~360 backups, one pinned, one held,
 * one PENDING_DELETION, one CREATE_IN_PROGRESS), one in us-west-2, plus weekly DR
 * copies into us-west-2.
 */
export function fleet(): Backup[] {
  return makeFleet({
    endMs: NOW_MS,
    days: 120,
    clusters: [
      { region: "us-east-1", count: 3 },
      { region: "us-west-2", count: 1 },
    ],
    copyTo: { region: "us-west-2", everyDays: 7 },
    seed: 7,
  });
}

/** A clock whose underlying time is frozen, so DeleteTimestamp can be checked exactly. */
export function frozenClock(atMs = NOW_MS): EmulatorClock {
  return new EmulatorClock({ realNowMs: () => atMs });
}

export function start(backups: Backup[] = fleet(), clock = frozenClock()): Promise<LocalEndpoint> {
  return startLocalEndpoint({ port: 0, clock, seeds: [{ backups }] });
}

/**
 * A real SDK client pointed at the endpoint, with fake keys. 3.332.0's standard retry
 * strategy still retries once with `maxAttempts: 1` (its retry count starts at 0), so
 * error tests also swap in a strategy that makes exactly one attempt.
 */
export function client(endpoint: LocalEndpoint, region = "us-east-1", opts: { retries?: boolean } = {}): CloudHSMV2Client {
  const oneAttempt = { mode: "standard", retry: (next: (args: unknown) => Promise<unknown>, args: unknown) => next(args) };
  return new CloudHSMV2Client({
    endpoint: endpoint.url,
    region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: opts.retries ? 3 : 1,
    ...(opts.retries ? {} : { retryStrategy: oneAttempt as never }),
  });
}

/**
 * Settings for the current SDK clients (SNS, EventBridge, DynamoDB) against the endpoint:
 * fake keys, and one attempt unless `retries` is set, so error tests see the first error.
 */
export function sdkConfig(endpoint: LocalEndpoint, region = "us-east-1", opts: { retries?: boolean } = {}) {
  return { endpoint: endpoint.url, region, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: opts.retries ? 3 : 1 };
}

/** Every backup the paginator yields, page by page flattened. */
export async function listAll(c: CloudHSMV2Client, input: DescribeBackupsRequest = {}, pageSize?: number): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of paginateDescribeBackups({ client: c, ...(pageSize ? { pageSize } : {}) }, { ...input })) {
    for (const b of page.Backups ?? []) ids.push(b.BackupId as string);
  }
  return ids;
}

/** Expected DescribeBackups order: by (CreateTimestamp, BackupId), newest first unless ascending. */
export function expectedOrder(backups: Backup[], region: string, asc = false, keep: (b: Backup) => boolean = () => true): string[] {
  const sorted = backups
    .filter((b) => b.region === region && keep(b))
    .sort((a, b) => a.createdAtMs - b.createdAtMs || (a.backupId < b.backupId ? -1 : 1))
    .map((b) => b.backupId);
  return asc ? sorted : sorted.reverse();
}

/** Calls an SDK command and returns the error it throws (fails the test if it doesn't). */
export async function errorOf(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail");
}

/** A raw JSON 1.1 call, unsigned unless a region is given, for what the SDK cannot send. */
export async function rawCall(endpoint: LocalEndpoint, target: string, body: string, region?: string): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/x-amz-json-1.1", "x-amz-target": target };
  if (region) headers.authorization = `AWS4-HMAC-SHA256 Credential=test/20261128/${region}/cloudhsm/aws4_request, SignedHeaders=host, Signature=0`;
  return fetch(`${endpoint.url}/`, { method: "POST", headers, body });
}

export async function admin(endpoint: LocalEndpoint, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${endpoint.url}/_emulator/${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

/**
 * Starts an endpoint with `backups` and a one-attempt SDK client before the tests of the
 * enclosing file or describe block, hands both to `bind`, and closes them afterwards.
 */
export function withEndpoint(backups: Backup[], bind: (endpoint: LocalEndpoint, hsm: CloudHSMV2Client) => void): void {
  let endpoint: LocalEndpoint | undefined;
  let hsm: CloudHSMV2Client | undefined;
  beforeAll(async () => {
    endpoint = await start(backups);
    hsm = client(endpoint);
    bind(endpoint, hsm);
  });
  afterAll(async () => {
    hsm?.destroy();
    await endpoint?.close();
  });
}

/**
 * The real AWS CLI v2 from Debian, by full path because another `aws` (v1) may come
 * first on PATH. Tests that use it skip when it is absent.
 */
export const AWS_CLI = "/usr/bin/aws";

export interface AwsRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `aws <args> --endpoint-url <endpoint> --region <region> --output json` with fake keys and no config. */
export function runAws(endpoint: LocalEndpoint, home: string, args: string[], region = "us-east-1"): Promise<AwsRun> {
  return new Promise((resolve) => {
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_DEFAULT_REGION: region,
      AWS_PAGER: "",
    };
    const argv = [...args, "--endpoint-url", endpoint.url, "--region", region, "--output", "json"];
    execFile(AWS_CLI, argv, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}
