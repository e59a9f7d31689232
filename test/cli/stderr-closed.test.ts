import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

/**
 * A reader that goes away early (`cloudhsm-retention validate policies/ 2>&1 | head -1`,
 * a supervisor that closed its log pipe) closes the pipe under stderr. That is not a
 * crash: the command finishes and exits with its own code, as with a closed stdout.
 */
function runWithClosedStderr(argv: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/cloudhsm-retention.js", ...argv], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    // Closed before the CLI has even started: every write to stderr meets EPIPE.
    child.stderr.destroy();
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => void (stdout += c.toString()));
    child.on("close", (code, signal) => resolve({ code, signal, stdout }));
  });
}

describe("a closed stderr pipe", () => {
  it("does not crash a command that reports errors on stderr: the exit code is still 2", async () => {
    const run = await runWithClosedStderr(["validate", "test/fixtures/bad-policies"]);
    expect(run).toMatchObject({ code: 2, signal: null, stdout: "" });
  });

  it("does not stop a command that writes its results to stdout and logs to stderr", async () => {
    // `start` logs its endpoint line to stderr first, then runs a real apply.
    const run = await runWithClosedStderr(["start"]);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Apply: \d+ deleted, 0 failed of \d+ planned; no retries\.$/m);
  }, 60_000);
});
