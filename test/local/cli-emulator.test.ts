import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { CloudHSMV2Client, DescribeBackupsCommand, paginateDescribeBackups } from "@aws-sdk/client-cloudhsm-v2";
import { afterAll, describe, expect, it } from "vitest";
import { emulatorCommand } from "../../src/cli/commands/emulator.js";
import type { CliIo } from "../../src/cli/io.js";
import { startLocalEndpoint } from "../../src/local/index.js";
import { runCli } from "../support/cli.js";

const inventory = JSON.parse(readFileSync("examples/inventory.json", "utf8")).Backups as Array<{ BackupArn: string }>;
const eastCount = inventory.filter((b) => b.BackupArn.includes(":us-east-1:")).length;

/** Resolves with the first stdout line matching `pattern`. */
function lineMatching(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = pattern.exec(out);
      if (m) resolve(m);
    });
    child.stderr?.on("data", (chunk: Buffer) => void (err += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`exited ${code} before printing ${pattern}: ${out}${err}`)));
  });
}

describe("cloudhsm-retention emulator (child process)", () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
  });

  it("prints the real port for --port 0, serves the seeded fleet, and exits 0 on SIGTERM", async () => {
    child = spawn(
      process.execPath,
      ["bin/cloudhsm-retention.js", "emulator", "--port", "0", "--seed", "examples/inventory.json", "--region", "us-east-1", "--now", "2026-11-28T06:00:00Z"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const [, url, port] = await lineMatching(child, /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/m);
    expect(Number(port)).toBeGreaterThan(0);

    const hsm = new CloudHSMV2Client({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    let count = 0;
    let token: string | undefined;
    do {
      const page = await hsm.send(new DescribeBackupsCommand({ NextToken: token }));
      count += page.Backups?.length ?? 0;
      token = page.NextToken;
    } while (token);
    hsm.destroy();
    expect(count).toBe(eastCount);
    const clock = (await (await fetch(`${url}/_emulator/clock`)).json()) as { now: string };
    expect(Date.parse(clock.now) - Date.parse("2026-11-28T06:00:00Z")).toBeLessThan(60_000);

    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});

describe("cloudhsm-retention emulator (in process)", () => {
  it.each([
    [["--port", "http"], /^--port: "http" is not a TCP port/],
    [["--port", "70000"], /^--port: "70000" is not a TCP port/],
    [["--port", "0", "--region", "mars-1"], /^--region: "mars-1" is not an AWS region name/],
    [["--port", "0", "--now", "tomorrow"], /^--now: "tomorrow" is not an ISO-8601 time/],
    [["--port", "0", "--seed", "no/such.json"], /^cannot read seed inventory no\/such\.json: no such file/],
    [["--port", "0", "--seed", "test/fixtures/bad-inventories/unknown-state.json"], /^test\/fixtures\/bad-inventories\/unknown-state\.json:\d+:\d+: /],
  ])("exits 2 with one clear line for %j", async (args, message) => {
    const run = await runCli(["emulator", ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stdout).toBe("");
  });

  it("exits 2 when the port is taken", async () => {
    const taken = await startLocalEndpoint({ port: 0 });
    const run = await runCli(["emulator", "--port", String(taken.port)]);
    await taken.close();
    expect(run).toMatchObject({ code: 2, stderr: `--port ${taken.port}: address already in use\n` });
  });

  it("--seed example seeds the example fleet as of the emulator's clock, so apply never finds it stale", async () => {
    // Prepare: a date far from when examples/inventory.json was captured.
    const now = "2027-06-01T06:00:00Z";
    let out = "";
    const io: CliIo = { stdout: (t) => void (out += t), stderr: () => {}, env: {}, isTTY: false, nowMs: () => Date.parse(now) };
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const running = emulatorCommand({ port: "0", region: "us-east-1", seed: ["example"], now }, io, stopped);
    await expect.poll(() => out).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    const url = out.trim().split(" ").at(-1) as string;
    // Act: the README's walk-through, as of the emulator's clock.
    const regions = ["us-east-1", "eu-central-1", "us-west-2"].flatMap((r) => ["--region", r]);
    const run = await runCli(["apply", "--policy", "policies/example.yml", ...regions, "--endpoint-url", url, "--dry-run", "--now", now, "--format", "json"], { nowMs: Date.parse(now) });
    stop();
    await running;
    // Assess: no enforce-mode guard halts (requireBackupWithin would, on a stale fleet).
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.counts.halts).toBe(0);
    expect(report.counts.planned).toBeGreaterThan(0);
  });

  it("--seed example makes a backup per cluster per day as the clock moves, as CloudHSM does (trial78: advancing gave none)", async () => {
    const now = "2027-06-01T06:00:00Z";
    let out = "";
    const io: CliIo = { stdout: (t) => void (out += t), stderr: () => {}, env: {}, isTTY: false, nowMs: () => Date.parse(now) };
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const running = emulatorCommand({ port: "0", region: "us-east-1", seed: ["example"], now }, io, stopped);
    await expect.poll(() => out).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    const url = out.trim().split(" ").at(-1) as string;
    const admin = async (method: string, path: string, body?: unknown) => (await fetch(`${url}/_emulator/${path}`, { method, ...(body ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}) })).json();
    const clusters = (await admin("GET", "schedule")) as Array<{ region: string; clusterId: string; state: string }>;
    const count = async () => {
      let n = 0;
      for (const region of new Set(clusters.map((c) => c.region))) {
        const hsm = new CloudHSMV2Client({ endpoint: url, region, credentials: { accessKeyId: "t", secretAccessKey: "t" } });
        for await (const page of paginateDescribeBackups({ client: hsm }, {})) n += page.Backups?.length ?? 0;
      }
      return n;
    };
    const before = await count();
    await admin("POST", "clock", { advance: "48h" });
    const after = await count();
    stop();
    await running;
    // Two days, one backup a day for each cluster that has a schedule.
    expect(clusters.length).toBeGreaterThan(0);
    expect(clusters.every((c) => c.state === "running")).toBe(true);
    expect(after - before).toBe(2 * clusters.length);
  });

  it("serves until stopped, then closes the port and returns 0", async () => {
    let out = "";
    const io: CliIo = { stdout: (t) => void (out += t), stderr: () => {}, env: {}, isTTY: false, nowMs: () => 0 };
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const running = emulatorCommand({ port: "0", region: "eu-west-1", seed: ["examples/inventory.json"] }, io, stopped);
    await expect.poll(() => out).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    const url = out.trim().split(" ").at(-1) as string;
    expect((await fetch(`${url}/_emulator/health`)).status).toBe(200);
    stop();
    expect(await running).toBe(0);
    await expect(fetch(`${url}/_emulator/health`)).rejects.toThrow();
  });
});
