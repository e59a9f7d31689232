import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, readlinkSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * A fresh checkout, as a new user gets it: the files git would give them (tracked, and
 * new ones not ignored: so no dist/ and no node_modules/), then `npm ci`. npm runs the
 * package's `prepare`, which builds dist/; `npm start` and `npx cloudhsm-retention` then
 * work with no other step, and the bin runs dist/ until a source file changes.
 * Slow (an `npm ci` from npm's cache): about a minute.
 */
const CLONE = mkdtempSync(join(tmpdir(), "cloudhsm-retention-clone-"));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd: CLONE, env: { ...process.env, NO_COLOR: "1", ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

let install: Run;
beforeAll(async () => {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { encoding: "utf8" }).split("\0").filter(Boolean);
  for (const file of files) {
    if (!existsSync(file) && !isLink(file)) continue; // deleted in the work tree
    mkdirSync(join(CLONE, dirname(file)), { recursive: true });
    if (isLink(file)) symlinkSync(readlinkSync(file), join(CLONE, file));
    else copyFileSync(file, join(CLONE, file));
  }
  // npm's own variables from an `npm test` run would point npm at this repository.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("npm_")));
  install = await new Promise((done) =>
    execFile("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: CLONE, env: clean as Record<string, string>, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    ),
  );
}, 400_000);

afterAll(() => rmSync(CLONE, { recursive: true, force: true }));

function isLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

describe("a fresh checkout", () => {
  it("is built by npm ci (prepare) and runs dist/", async () => {
    expect(install.code, install.stderr).toBe(0);
    expect(existsSync(join(CLONE, "dist/cli.js"))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(CLONE, "package.json"), "utf8")) as { version: string };
    const version = await run(process.execPath, ["bin/cloudhsm-retention.js", "--version"], { CLOUDHSM_RETENTION_DEBUG: "loader" });
    expect(version).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "cloudhsm-retention: running dist/\n" });
    const npx = await run("npx", ["--no-install", "cloudhsm-retention", "--version"]);
    expect(npx).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it("runs npm start to the end", async () => {
    const start = await run("npm", ["start", "--silent"]);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/^Apply: \d+ deleted, 0 failed of \d+ planned; no retries\.$/m);
  }, 120_000);

  it("runs the sources when one changed since the build, with the same answer", async () => {
    // Edited now, after the build of npm ci.
    const now = new Date();
    utimesSync(join(CLONE, "src/cli/main.ts"), now, now);
    const run1 = await run(process.execPath, ["bin/cloudhsm-retention.js", "validate", "policies/"], { CLOUDHSM_RETENTION_DEBUG: "loader" });
    expect(run1.code).toBe(0);
    expect(run1.stderr).toBe("cloudhsm-retention: running the sources through tsx: src/cli/main.ts changed since the build (npm run build)\n");
    expect(run1.stdout).toMatch(/^3 policies valid\.$/m);
    // npm run build makes dist/ current again.
    expect((await run("npm", ["run", "build", "--silent"])).code).toBe(0);
    const run2 = await run(process.execPath, ["bin/cloudhsm-retention.js", "--version"], { CLOUDHSM_RETENTION_DEBUG: "loader" });
    expect(run2.stderr).toBe("cloudhsm-retention: running dist/\n");
  }, 60_000);
});
