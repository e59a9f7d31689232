import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runBin, runCli } from "../support/cli.js";

const inventory = "examples/inventory.json";
const policy = "policies/example.yml";
const now = "2026-11-28T06:00:00Z";
const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$/m;

describe("cloudhsm-retention validate", () => {
  it("accepts the example policies and names each one", async () => {
    const run = await runCli(["validate", policy]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok {2}production /m);
    expect(run.stdout).toMatch(/\d+ polic(y|ies) valid\.\n$/);
  });

  it("reports a bad policy as file:line:col with exit 2 and no stack trace", async () => {
    const run = await runCli(["validate", "test/fixtures/bad-policies"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    for (const line of run.stderr.trim().split("\n")) expect(line).toMatch(/^test\/fixtures\/bad-policies\/[\w./-]+\.yml:\d+:\d+: .+/);
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it("says so when a path does not exist", async () => {
    const run = await runCli(["validate", "no/such/dir"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no/such/dir");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("cloudhsm-retention plan", () => {
  it("prints every input backup exactly once in JSON, each with a reason", async () => {
    // Prepare
    const input = JSON.parse(readFileSync(inventory, "utf8")).Backups as Array<{ BackupId: string }>;
    // Act
    const run = await runCli(["plan", "--policy", policy, "--inventory", inventory, "--now", now, "--format", "json"]);
    // Assess
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.now).toBe(now);
    const ids = out.decisions.map((d: { backupId: string }) => d.backupId);
    expect(ids.sort()).toEqual(input.map((b) => b.BackupId).sort());
    for (const d of out.decisions) {
      expect(Object.keys(d)).toEqual(expect.arrayContaining(["backupId", "clusterId", "region", "policy", "action", "reasons"]));
      expect(["keep", "delete", "skip"]).toContain(d.action);
      expect(d.reasons.length).toBeGreaterThan(0);
    }
    expect(out.decisions.filter((d: { action: string }) => d.action === "delete").length).toBeGreaterThan(0);
  });

  it("groups the table by cluster, shows UTC times and ends with the counts, without colour off a TTY", async () => {
    const run = await runCli(["plan", "--policy", policy, "--inventory", inventory, "--now", now]);
    expect(run.code).toBe(0); // the one halt is in a report-mode policy
    expect(run.stdout).toMatch(/^Policy production /m);
    expect(run.stdout).toMatch(/^ {2}us-east-1\/cluster-[a-z2-7]{11} {2}\d+ to delete, \d+ to keep, (\d+ deferred, )?\d+ skipped$/m);
    expect(run.stdout).toMatch(/ \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z /);
    expect(run.stdout.trimEnd().split("\n").at(-1)).toMatch(/^Plan: \d+ to delete, \d+ to keep, \d+ skipped/);
    expect(run.stdout).not.toContain("\x1b[");
  });

  it("says in the totals how many deletions belong to report-mode policies", async () => {
    const args = ["plan", "--policy", "test/fixtures/policies/report-only.yml", "--inventory", inventory, "--now", now];
    const json = JSON.parse((await runCli([...args, "--format", "json"])).stdout);
    const deletes = json.decisions.filter((d: { action: string }) => d.action === "delete").length;
    expect(deletes).toBeGreaterThan(0);
    const table = (await runCli(args)).stdout.trimEnd().split("\n").at(-1);
    const skips = json.decisions.filter((d: { action: string }) => d.action === "skip").length;
    const keeps = json.decisions.length - deletes - skips;
    expect(table).toBe(`Plan: ${deletes} to delete, ${keeps} to keep, ${skips} skipped (${deletes} of the deletions are in report-mode policies and will not be carried out).`);
  });

  it("uses colour on a TTY unless NO_COLOR is set", async () => {
    const args = ["plan", "--policy", policy, "--inventory", inventory, "--now", now];
    expect((await runCli(args, { isTTY: true })).stdout).toContain("\x1b[31m");
    expect((await runCli(args, { isTTY: true, env: { NO_COLOR: "1" } })).stdout).not.toContain("\x1b[");
  });

  it("plans the same regardless of the order of the inventory", async () => {
    const a = await runCli(["plan", "--policy", policy, "--inventory", inventory, "--now", now, "--format", "json"]);
    const reversed = JSON.parse(readFileSync(inventory, "utf8"));
    reversed.Backups.reverse();
    const file = `${process.env.TMPDIR ?? "/tmp"}/reversed-inventory-${process.pid}.json`;
    (await import("node:fs")).writeFileSync(file, JSON.stringify(reversed));
    const b = await runCli(["plan", "--policy", policy, "--inventory", file, "--now", now, "--format", "json"]);
    expect(b.stdout).toBe(a.stdout);
  });

  it.each([
    [["--now", "yesterday"], "--now: \"yesterday\" is not an ISO-8601 time with a zone"],
    [["--now", "2026-11-28T06:00:00"], "is not an ISO-8601 time with a zone"],
    [["--now", "2026-02-30T06:00:00Z"], "is not an ISO-8601 time with a zone"],
    [["--region", "mars-1"], '--region: "mars-1" is not an AWS region name'],
    [["--format", "xml"], "xml"],
  ])("rejects %j with exit 2", async (extra, message) => {
    const run = await runCli(["plan", "--policy", policy, "--inventory", inventory, ...extra]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it("rejects a bad inventory with its position and exit 2", async () => {
    const bad = "test/fixtures/bad-inventories/unknown-state.json";
    const run = await runCli(["plan", "--policy", policy, "--inventory", bad, "--region", "us-east-1"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^test\/fixtures\/bad-inventories\/unknown-state\.json:3:\d+: Backups\[0\]\.BackupState/);
  });

  it("rejects a missing inventory file with one line and exit 2", async () => {
    const run = await runCli(["plan", "--policy", policy, "--inventory", "missing.json"]);
    expect(run).toMatchObject({ code: 2, stderr: "cannot read inventory missing.json: no such file\n" });
  });

  it.each([
    [["--concurrency", "0"], '--concurrency: expected a whole number from 1 to 64, got "0"'],
    [["--max-attempts", "51"], '--max-attempts: expected a whole number from 1 to 50, got "51"'],
  ])("apply refuses %j with exit 2 before any AWS call", async (extra, message) => {
    const run = await runCli(["apply", "--policy", policy, "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9", ...extra]);
    expect(run).toMatchObject({ code: 2, stdout: "", stderr: `${message}\n` });
  });

  it("rejects unknown options and missing required ones with exit 2", async () => {
    expect((await runCli(["plan", "--inventory", inventory])).code).toBe(2);
    expect((await runCli(["plan", "--policy", policy, "--inventory", inventory, "--bogus"])).code).toBe(2);
    expect((await runCli(["frobnicate"])).code).toBe(2);
  });
});

describe("the installed command", () => {
  it("runs through npx from the repository root, with the package's version", async () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    const run = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn("npx", ["--no-install", "cloudhsm-retention", "--version"], { env: { ...process.env, NO_COLOR: "1" } });
      let stdout = "";
      child.stdout.on("data", (c: Buffer) => void (stdout += c.toString()));
      child.on("exit", (code) => resolve({ code, stdout }));
    });
    expect(run).toEqual({ code: 0, stdout: `${pkg.version}\n` });
  });

  it("runs as a child process, exits 2 without a stack trace on a bad policy", async () => {
    const run = await runBin(["validate", "test/fixtures/bad-policies"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\.yml:\d+:\d+: /);
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it("is what npm start runs: a real apply on the embedded local endpoint, exit 0", async () => {
    const run = await runBin(["start"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^Local AWS endpoint at http:\/\/127\.0\.0\.1:\d+ with \d+ backups/);
    expect(run.stdout).toMatch(/^Policy production {2}mode: enforce {2}time zone: Europe\/Berlin$/m);
    expect(run.stdout).toMatch(/^Plan: \d+ to delete/m);
    const applied = /^Apply: (\d+) deleted, 0 failed of (\d+) planned; no retries\.$/m.exec(run.stdout);
    expect(applied).not.toBeNull();
    expect(Number(applied?.[1])).toBeGreaterThan(0);
    expect(applied?.[1]).toBe(applied?.[2]);
    // It reads on a screen or two: what changes and a summary per cluster, not every backup.
    expect(`${run.stderr}${run.stdout}`.trimEnd().split("\n").length).toBeLessThanOrEqual(100);
    expect(run.stdout).toMatch(/^ {4}KEEP {4}\d+ backups \S+ … \S+, by /m);
    expect(run.stdout).toMatch(/^ {4}DELETE {2}\d+ backups \S+ … \S+: no keep rule matched$/m);
  });

  it("keeps the endpoint up with --serve, prints how to reach it, and stops cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, ["bin/cloudhsm-retention.js", "start", "--serve"], { env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => void (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    while (!/Ctrl-C to stop/.test(stdout)) await new Promise((r) => setTimeout(r, 20));
    const url = /stays up at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    expect(stdout).toContain(`aws cloudhsmv2 describe-backups --endpoint-url ${url} --region us-east-1`);
    const health = await fetch(`${url}/_emulator/health`);
    expect(health.status).toBe(200);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
