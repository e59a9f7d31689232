import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { type RestoreServer, startRestoreServer } from "../../src/cli/commands/serve.js";
import type { Backup } from "../../src/domain/types.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { runCli } from "../support/cli.js";
import { start } from "../local/support.js";

/**
 * A stage for the restore page: the local endpoint seeded with a fleet, the page served by
 * `serve`'s own code on a free port, and `apply` run by the real CLI so that backups are
 * deleted and announced with links that point at the page.
 */

export const SECRET = "restore-page-test-secret-of-at-least-32-chars";
export const POLICY = "test/fixtures/policies/apply.yml";
const STATE_DIR = mkdtempSync(join(tmpdir(), "cloudhsm-retention-page-"));
export const ENV = { RESTORE_LINK_SECRET: SECRET, XDG_STATE_HOME: STATE_DIR };

/** Every operation that changes something, in any emulated service. */
export const WRITE_OPERATIONS = [
  "RestoreBackup",
  "DeleteBackup",
  "ModifyBackupAttributes",
  "TagResource",
  "UntagResource",
  "Publish",
  "PublishBatch",
  "PutEvents",
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "BatchWriteItem",
  "TransactWriteItems",
];

export interface Stage {
  endpoint: LocalEndpoint;
  server: RestoreServer;
  /** backupId → its restore link, from the alerts `apply` sent. */
  links: Map<string, string>;
  /** What the page server wrote to stderr (its access log). */
  stderr: () => string;
  close(): Promise<void>;
}

export function testIo(env: Record<string, string> = ENV): { io: CliIo; stderr: () => string } {
  let err = "";
  return {
    io: { stdout: () => undefined, stderr: (t) => void (err += t), env: { ...env }, isTTY: false, nowMs: () => Date.now() },
    stderr: () => err,
  };
}

/** The claims text inside a token (the part before its 16-byte MAC), read independently of src/restore. */
export function backupIdOf(link: string): string {
  const raw = Buffer.from(link.slice(link.lastIndexOf("/") + 1), "base64url");
  return raw.subarray(0, raw.length - 16).toString("utf8").split("|")[2]!;
}

export function linksIn(endpoint: LocalEndpoint, base: string): Map<string, string> {
  const links = new Map<string, string>();
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  for (const m of endpoint.sns.published()) {
    const email = (JSON.parse(m.message) as { email: string }).email;
    for (const link of email.match(new RegExp(`${escaped}/restore/[A-Za-z0-9_-]+`, "g")) ?? []) links.set(backupIdOf(link), link);
  }
  return links;
}

export async function applyJson(endpoint: LocalEndpoint, regions: string[], extra: string[] = []): Promise<{ code: number; report: any; stderr: string }> {
  const run = await runCli(["apply", "--policy", POLICY, ...regions.flatMap((r) => ["--region", r]), "--endpoint-url", endpoint.url, "--format", "json", ...extra], { env: ENV });
  return { code: run.code, report: run.stdout ? JSON.parse(run.stdout) : undefined, stderr: run.stderr };
}

export async function stage(backups: Backup[], regions: string[], endpoint?: LocalEndpoint): Promise<Stage> {
  const ep = endpoint ?? (await start(backups));
  const { io, stderr } = testIo();
  const server = await startRestoreServer({ port: "0", endpointUrl: ep.url, policy: [POLICY], region: regions[0] }, io);
  const run = await applyJson(ep, regions, ["--restore-base-url", server.url]);
  expect(run.code, run.stderr).toBe(0);
  return {
    endpoint: ep,
    server,
    links: linksIn(ep, server.url),
    stderr,
    async close() {
      await server.close();
      await ep.close();
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One HTTP request with exactly the headers given (fetch adds some of its own), for the
 * origin checks. Every response is checked for the page's security headers.
 */
export function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? "GET", headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
        const out = { status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString("utf8") };
        expectSecurityHeaders(out);
        resolve(out);
      });
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** A form post as a browser sends it, from the page's own origin unless `headers` say otherwise. */
export function postForm(link: string, fields: Record<string, string>, headers: Record<string, string> = { origin: new URL(link).origin }): Promise<RawResponse> {
  const body = new URLSearchParams(fields).toString();
  return raw(link, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body });
}

export function formTokenIn(html: string): string {
  const m = /name="form_token" value="([^"]+)"/.exec(html);
  if (!m) throw new Error("no form token on the page");
  return m[1]!;
}

/** The headers every response of the page carries, errors included; the CSP allows the page's style by its hash only. */
export function expectSecurityHeaders(res: { headers: Record<string, string> | Headers; body: string }): void {
  const get = (name: string) => (res.headers instanceof Headers ? res.headers.get(name) : res.headers[name]) ?? undefined;
  const csp = get("content-security-policy") ?? "";
  const directives = new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v.join(" ")]));
  expect(directives.get("default-src")).toBe("'none'");
  expect(directives.get("frame-ancestors")).toBe("'none'");
  expect(directives.get("form-action")).toBe("'self'");
  expect(directives.get("base-uri")).toBe("'none'");
  expect(directives.has("script-src")).toBe(false);
  expect(csp).not.toContain("unsafe-inline");
  expect(directives.has("sandbox")).toBe(false);
  expect(get("referrer-policy")).toBe("no-referrer");
  expect(get("cache-control")).toBe("no-store");
  expect(get("x-content-type-options")).toBe("nosniff");
  expect(get("x-robots-tag")).toMatch(/\bnoindex\b/);
  expect(get("x-frame-options")).toBe("DENY");
  expect(get("content-type")).toBe("text/html; charset=utf-8");
  // The page has no script; its one <style> is allowed by the SHA-256 of its text, computed here.
  if (res.body !== "") {
    expect(res.body).not.toMatch(/<script|<[a-z][^>]*\son[a-z]+=/i);
    const styles = [...res.body.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect(styles).toHaveLength(1);
    expect(directives.get("style-src")).toBe(`'sha256-${createHash("sha256").update(styles[0]!, "utf8").digest("base64")}'`);
  }
}

/** The CloudHSM state of one backup as the endpoint holds it. */
export function stateOf(endpoint: LocalEndpoint, region: string, backupId: string) {
  const b = endpoint.cloudhsm.get(region, backupId, endpoint.clock.nowMs());
  return b ? { state: b.state, neverExpires: b.neverExpires } : undefined;
}

/** Which write operations the endpoint answered since the last `calls.reset()`. */
export function writesSinceReset(endpoint: LocalEndpoint): Record<string, number> {
  const ops = endpoint.calls.snapshot().byOperation;
  return Object.fromEntries(WRITE_OPERATIONS.filter((op) => ops[op]).map((op) => [op, ops[op]!]));
}
