import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Set-up mistakes met before any backup is touched: no credentials, a bad endpoint URL.
 * Exit 2 with one line that names the real cause and the fix, not "listing failed" (3).
 * The CLI runs as a child process in an empty environment: no credentials, a HOME with
 * no ~/.aws, and no instance metadata service to wait for.
 */
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;
const APPLY = ["apply", "--policy", "policies/example.yml", "--region", "us-east-1", "--dry-run", "--max-attempts", "1"];

function runClean(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), "cloudhsm-retention-home-"));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["bin/cloudhsm-retention.js", ...argv],
      { env: { HOME: home, AWS_EC2_METADATA_DISABLED: "true", NO_COLOR: "1", ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe("set-up errors exit 2 with one line naming the cause and the fix", () => {
  it("no AWS credentials: names AWS_PROFILE, AWS_ACCESS_KEY_ID, aws configure and --endpoint-url", async () => {
    const run = await runClean(APPLY);
    expect(run).toMatchObject({ code: 2, stdout: "" });
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^AWS credentials: /);
    for (const hint of ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "aws configure", "--endpoint-url"]) expect(lines[0]).toContain(hint);
    expect(run.stderr).not.toMatch(STACK_LINE);
  }, 60_000);

  it("a profile that does not exist: says so", async () => {
    const run = await runClean(APPLY, { AWS_PROFILE: "nosuchprofile" });
    expect(run).toMatchObject({ code: 2, stdout: "" });
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^AWS credentials: .*nosuchprofile/);
  }, 60_000);

  it.each([
    ["--endpoint-url", "garbage"],
    ["--endpoint-url", "ftp://127.0.0.1:4566"],
    ["--endpoint-url", "http://127.0.0.1:99999"],
    ["--endpoint-url", "http://exa mple.com"],
    ["AWS_ENDPOINT_URL", "garbage"],
    ["AWS_ENDPOINT_URL", "http://[::1"],
    ["AWS_ENDPOINT_URL_CLOUDHSM_V2", "localhost:4566"],
  ])("a malformed endpoint from %s (%j) is blamed on where it came from", async (source, value) => {
    const credentials = { AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" };
    const run = source === "--endpoint-url" ? await runClean([...APPLY, "--endpoint-url", value], credentials) : await runClean(APPLY, { ...credentials, [source]: value });
    expect(run).toMatchObject({ code: 2, stdout: "" });
    expect(run.stderr).toBe(`${source}: "${value}" is not an http(s) URL with a host, e.g. http://127.0.0.1:4566\n`);
  }, 60_000);
});
