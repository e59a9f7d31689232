import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/io.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const STATE_DIR = mkdtempSync(join(tmpdir(), "cloudhsm-retention-state-"));

/** Runs the real CLI in-process with captured output and a fixed clock. */
export async function runCli(
  argv: string[],
  opts: { isTTY?: boolean; env?: Record<string, string>; nowMs?: number } = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    // Local runs keep a generated restore-link secret under XDG_STATE_HOME: a temp dir, not the real home.
    env: { XDG_STATE_HOME: STATE_DIR, ...opts.env },
    isTTY: opts.isTTY ?? false,
    nowMs: () => opts.nowMs ?? Date.parse("2026-11-28T06:00:00Z"),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** Runs the installed bin as a user would (`npx cloudhsm-retention ...`), in a child process. */
export function runBin(argv: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["bin/cloudhsm-retention.js", ...argv],
      { env: { ...process.env, NO_COLOR: "1", XDG_STATE_HOME: STATE_DIR, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
