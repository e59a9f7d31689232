import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * `plan --compare`: the same backups planned under old and new policies, the old ones
 * read from a file or from git (`rev:path`), picked as the loader picks files on disk.
 * Each case runs the real CLI in a throwaway git repository.
 */
const BIN = resolve("bin/cloudhsm-retention.js");
const DAY_MS = 86_400_000;
const NOW = "2026-11-28T00:00:00Z";

/** Ten daily backups at 03:00Z of one cluster, b-0 on 11-27 (newest) to b-9 on 11-18. */
const INVENTORY = JSON.stringify({
  Backups: Array.from({ length: 10 }, (_, i) => ({
    BackupId: `backup-b${i}`,
    ClusterId: "cluster-abcdefghijk",
    BackupState: "READY",
    CreateTimestamp: new Date(Date.parse("2026-11-27T03:00:00Z") - i * DAY_MS).toISOString(),
  })),
});
const policy = (name: string, daily: number, mode = "enforce") =>
  `version: 1\npolicies:\n  - name: ${name}\n    mode: ${mode}\n    select: {clusters: ["cluster-abcdefghijk"]}\n    keep: {daily: ${daily}}\n    guards: {maxDeletePercent: 100}\n`;

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "compare-"));
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main", ...args], { cwd: dir });
  git("init", "-q");
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  writeFileSync(join(dir, "inventory.json"), INVENTORY);
  git("add", "-A");
  git("commit", "-qm", "policies");
  return dir;
}

function cli(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

const plan = (...extra: string[]) => ["plan", "--policy", "policies", "--inventory", "inventory.json", "--region", "us-east-1", "--now", NOW, ...extra];

describe("plan --compare", () => {
  it("shows, backup by backup, what a smaller daily count deletes, reading the old policy from git", async () => {
    // Prepare: HEAD keeps 7 daily backups (deletes b7..b9); the working tree keeps 5.
    const dir = repo({ "policies/prod.yml": policy("prod", 7) });
    writeFileSync(join(dir, "policies/prod.yml"), policy("prod", 5));
    // Act
    const run = await cli(dir, plan("--compare", "HEAD:policies/"));
    // Assess: b5 (11-22) and b6 (11-21) go as well.
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Compared with HEAD:policies/: the same 10 backups at 2026-11-28T00:00:00Z");
    expect(run.stdout).toContain("The change deletes 2 more backups in 1 cluster.");
    expect(run.stdout).toContain("policy prod: keep: keep 7 daily backups → keep 5 daily backups");
    expect(run.stdout).toMatch(/^ {4}backup-b5 +2026-11-22T03:00:00Z {2}KEEP → DELETE {2}was: daily 2026-11-22; now: no keep rule matched$/m);
    expect(run.stdout).toMatch(/^ {4}backup-b6 +2026-11-21T03:00:00Z {2}KEEP → DELETE /m);
    expect(run.stdout.match(/→/g)).toHaveLength(3); // two backups and the policy line

    const json = JSON.parse((await cli(dir, plan("--compare", "HEAD:policies/", "--format", "json"))).stdout);
    expect(json.compare).toMatchObject({ base: "HEAD:policies/", deletesMore: 2, keepsMore: 0, clustersDeletingMore: 1 });
    expect(json.compare.changes.map((c: { backupId: string }) => c.backupId)).toEqual(["backup-b5", "backup-b6"]);
    expect(json.compare.before.totals.delete).toBe(3);
    expect(json.totals.delete).toBe(5);

    const md = (await cli(dir, plan("--compare", "HEAD:policies/", "--format", "markdown"))).stdout;
    expect(md.split("\n")[0]).toBe("<!-- cloudhsm-retention:plan -->");
    expect(md).toContain("**The change deletes 2 more backups in 1 cluster.**");
    expect(md).toContain("| `backup-b5` | 2026-11-22T03:00:00Z | KEEP → DELETE | was: daily 2026-11-22; now: no keep rule matched |");
  });

  it("reads the same files from git as from disk: any case, recursively, links followed, hidden ones skipped", async () => {
    const dir = repo({
      "policies/a.yml": policy("a", 7),
      "policies/B.YAML": policy("b", 7).replace("cluster-abcdefghijk", "cluster-bbbbbbbbbbb"),
      "policies/.draft.yml": "not: [valid",
      "policies/notes.txt": "not a policy",
      "shared/c.yml": policy("c", 7).replace("cluster-abcdefghijk", "cluster-ccccccccccc"),
    });
    symlinkSync("../shared", join(dir, "policies/linked"));
    execFileSync("git", ["add", "policies/linked"], { cwd: dir });
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "link"], { cwd: dir });
    const run = await cli(dir, plan("--compare", "HEAD:policies", "--format", "json"));
    expect(run.stderr).toBe("");
    const json = JSON.parse(run.stdout);
    // By file name, byte order: B.YAML, a.yml, linked/c.yml (.draft.yml and notes.txt skipped).
    expect(json.policies.map((p: { name: string }) => p.name)).toEqual(["b", "a", "c"]);
    // Git and disk picked the same three policies: nothing added, removed or changed.
    expect(json.compare.policies).toEqual({ added: [], removed: [], changed: [] });
    expect(json.compare.changes).toEqual([]);
  });

  it("says so when the old policies are not valid, naming them as rev:path:line:col", async () => {
    const dir = repo({ "policies/prod.yml": policy("prod", 7).replace("mode: enforce", "mode: enforse") });
    writeFileSync(join(dir, "policies/prod.yml"), policy("prod", 7));
    const run = await cli(dir, plan("--compare", "HEAD:policies/"));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe("--compare HEAD:policies/: the policies to compare with are not valid, so the change cannot be shown:");
    expect(lines[1]).toBe('HEAD:policies/prod.yml:4:11: policies[0].mode: expected "enforce" or "report", got "enforse" (did you mean "enforce"?)');
  });

  it("says so when the new policies are not valid", async () => {
    const dir = repo({ "policies/prod.yml": policy("prod", 7) });
    writeFileSync(join(dir, "policies/prod.yml"), policy("prod", 7).replace("daily: 7", "dayly: 7"));
    const run = await cli(dir, plan("--compare", "HEAD:policies/"));
    expect(run.code).toBe(2);
    expect(run.stderr.split("\n")[0]).toBe("--policy policies: the policies are not valid, so the change cannot be shown:");
    expect(run.stderr.split("\n")[1]).toMatch(/^policies\/prod\.yml:6:\d+: policies\[0\]\.keep: unknown key "dayly" \(did you mean "daily"\?\)$/);
  });

  it.each([
    ["nosuchrev:policies/", '--compare nosuchrev:policies/: "nosuchrev" is not a commit in the git repository at'],
    ["HEAD:nowhere/", "--compare HEAD:nowhere/: nowhere does not exist at HEAD"],
    ["nowhere.yml", "--compare nowhere.yml: no such file or folder, and not a git revision and path such as main:policies/"],
  ])("refuses %s with one line and exit 2", async (spec, message) => {
    const dir = repo({ "policies/prod.yml": policy("prod", 7) });
    const run = await cli(dir, plan("--compare", spec));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("refuses a link that leaves the repository", async () => {
    const dir = repo({ "policies/prod.yml": policy("prod", 7) });
    symlinkSync("/etc", join(dir, "policies/outside"));
    execFileSync("git", ["add", "policies/outside"], { cwd: dir });
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "link"], { cwd: dir });
    const run = await cli(dir, plan("--compare", "HEAD:policies/"));
    expect(run).toMatchObject({ code: 2, stderr: "--compare HEAD:policies/: policies/outside links to /etc, outside the repository; git cannot read it at HEAD\n" });
  });

  it("compares with a policy file on disk too", async () => {
    const dir = repo({ "policies/prod.yml": policy("prod", 5), "old/prod.yml": policy("prod", 7, "report") });
    const run = await cli(dir, plan("--compare", "old/prod.yml"));
    expect(run.code).toBe(0);
    // Old: report mode (3 deletions shown, none carried out); new: enforce, 5 carried out.
    expect(run.stdout).toContain("The change deletes 5 more backups in 1 cluster.");
    expect(run.stdout).toContain("policy prod: keep: keep 7 daily backups → keep 5 daily backups; mode: report → enforce");
  });
});
