import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import type { LocalEndpoint } from "../src/local/index.js";
import { runCli } from "./support/cli.js";
import { fleet, start } from "./local/support.js";

/**
 * Trial 910: issues 9 (deploy stack) and 10 (plans for pull requests) tried as a new user
 * would. Each test states what a user expects; they fail on main as of the trial.
 */

type Step = { name?: string; run?: string; env?: Record<string, string> };
type Job = { steps: Step[]; env?: Record<string, string> };
const workflow = parse(readFileSync("examples/policy-repo/.github/workflows/retention.yml", "utf8")) as {
  env: Record<string, string>;
  jobs: Record<string, Job>;
};
const deployStep = workflow.jobs.deploy!.steps.find((s) => s.run?.includes("serverless deploy"))!;
const deployCommand = deployStep.run!.split("\n").find((l) => l.includes("serverless deploy"))!;

describe("trial910: the policy repository's deploy on merge", () => {
  it("passes the merged commit to the stack as the policyRevision parameter (serverless.yml reads ${param:policyRevision}, not the POLICY_REVISION variable)", () => {
    // serverless.yml: POLICY_REVISION: ${param:policyRevision}, default "" (the functions then record
    // no revision). README "The git workflow for policies": deploy with --param="policyRevision=$GITHUB_SHA",
    // "so every action in the ledger names the commit of the policies it followed".
    expect(readFileSync("serverless.yml", "utf8")).toMatch(/POLICY_REVISION: \$\{param:policyRevision\}/);
    expect(deployCommand).toMatch(/--param[= ]"?policyRevision=/);
  });

  it("keeps the alert email subscription a first deploy from the README made (every merge redeploys with the parameters' defaults)", () => {
    // README "Deploy": the first deploy passes --param="alertEmail=oncall@example.com"; serverless.yml's
    // AlertEmailSubscription exists only when alertEmail is not empty, so a deploy without it removes
    // the subscription and on-call stops getting alerts, silently.
    expect(readFileSync("serverless.yml", "utf8")).toMatch(/AlertEmailSubscription:\s+Type: AWS::SNS::Subscription\s+Condition: HasAlertEmail/);
    expect(deployCommand).toMatch(/alertEmail=/);
  });

  it("deploys into the workflow's AWS_REGION (the region the plan reads the ledger from), not serverless.yml's fallback us-east-1", () => {
    // serverless.yml: region: ${opt:region, 'us-east-1'}; AWS_REGION is not read by it.
    expect(readFileSync("serverless.yml", "utf8")).toMatch(/region: \$\{opt:region, 'us-east-1'\}/);
    expect(deployCommand).toMatch(/--region[= ]"?\$\{?AWS_REGION\}?/);
  });
});

describe("trial910: the fast built CLI in a policy repository", () => {
  it("ships dist/ in the package npm installs (a git dependency is packed by .gitignore's rules, which leave dist/ out)", () => {
    // examples/policy-repo/package.json installs cloudhsm-retention from git; npm runs `prepare` in
    // a clone and then packs it. Without dist/ in the pack, bin/ falls back to tsx on every start
    // (measured in the trial: --version 1.3-2.1 s instead of ~0.2 s).
    expect(existsSync("dist/cli.js"), "npm ci builds dist/").toBe(true);
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toContain("bin/cloudhsm-retention.js");
    expect(files).toContain("dist/cli.js");
    expect(files).toContain("dist/manifest.json");
  }, 60_000);
});

describe("trial910: README's plan role", () => {
  it("the main README's git workflow grants the plan role what the live plan reads (dynamodb:Query on the ledger), as examples/policy-repo/README.md does", () => {
    const readme = readFileSync("README.md", "utf8");
    const section = readme.slice(readme.indexOf("### The git workflow for policies"), readme.indexOf("### Bundles and cold start"));
    expect(section).toContain("plan on pull requests");
    expect(readFileSync("examples/policy-repo/README.md", "utf8")).toMatch(/`dynamodb:Query` on the ledger table/);
    expect(section).not.toMatch(/`cloudhsm:DescribeBackups` only/);
    expect(section).toMatch(/dynamodb:Query/);
  });
});

let endpoint: LocalEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

describe("trial910: a plan that cannot read the ledger says so where the reviewer reads it", () => {
  it("the markdown comment says it cannot see holds, when a restored and held backup is listed for deletion", { timeout: 120_000 }, async () => {
    // Prepare: a run deletes, the CLI restores one of its deletions (held 30 days in the ledger).
    endpoint = await start(fleet());
    const live = ["--policy", "test/fixtures/policies/apply.yml", "--region", "us-east-1", "--region", "us-west-2", "--endpoint-url", endpoint.url];
    const applied = await runCli(["apply", ...live, "--format", "json"]);
    expect(applied.code, applied.stderr).toBe(0);
    const victim = (JSON.parse(applied.stdout).decisions as Array<{ backupId: string; region: string; action: string; enforced: boolean }>).find((d) => d.action === "delete" && d.enforced)!;
    const restored = await runCli(["restore", victim.backupId, "--region", victim.region, "--endpoint-url", endpoint.url]);
    expect(restored.code, restored.stderr).toBe(0);
    const now = new Date(endpoint.clock.nowMs() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    // Act: the plan role cannot read the ledger (a wrong LEDGER_TABLE, a missing dynamodb:Query grant).
    const md = await runCli(["plan", ...live, "--now", now, "--ledger-table", "no-such-table", "--format", "markdown"]);
    // Assess: stderr says it (the job log), and the comment lists the held backup as a deletion...
    expect(md.stderr).toMatch(/cannot see the holds of restored backups/);
    expect(md.stdout).toContain(victim.backupId);
    // ...so the comment itself must say that holds (and the daily cap) were not seen.
    expect(md.stdout).toMatch(/cannot see the holds|holds? .*not (be )?(seen|read)|ledger/i);
  });
});

describe("trial910: Ctrl-C during apply says truthfully what still happens", () => {
  it("does not say 'no deletion in flight, none will be started' and then delete backups", { timeout: 120_000 }, async () => {
    // Prepare: a slow ledger (as DynamoDB under load can be), so that the write-ahead entry
    // before each DeleteBackup takes a while. The CLI counts only DeleteBackup calls as "in flight".
    endpoint = await start(fleet());
    endpoint.faults.configureService("dynamodb", { throttleRate: 0, internalErrorRate: 0, latencyMs: 300, seed: 1 });
    const { main } = await import("../src/cli/main.js");
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    let stdout = "";
    let stderr = "";
    const io = {
      stdout: (t: string) => void (stdout += t),
      stderr: (t: string) => void (stderr += t),
      env: { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "trial910-")) },
      isTTY: false,
      nowMs: () => Date.parse("2026-11-28T06:00:00Z"),
    };
    const args = ["apply", "--policy", "test/fixtures/policies/apply.yml", "--region", "us-east-1", "--region", "us-west-2", "--endpoint-url", endpoint.url];
    const op = (name: string) => endpoint!.calls.snapshot().byOperation[name] ?? 0;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // Act: the plan is on screen; the first batch is looked at again (DescribeBackups with its IDs);
    // its write-ahead entries are being written, no DeleteBackup sent yet: Ctrl-C.
    const running = main(args, io);
    for (let i = 0; i < 6000 && !stdout.includes("Plan: "); i++) await sleep(5);
    const listedCalls = op("DescribeBackups");
    for (let i = 0; i < 6000 && op("DescribeBackups") === listedCalls; i++) await sleep(2);
    await sleep(100);
    expect(op("DeleteBackup"), "the signal comes before the first DeleteBackup").toBe(0);
    process.emit("SIGINT", "SIGINT");
    const code = await running;
    // Assess
    expect(code).toBe(130);
    const promise = /stopping \(SIGINT\): (no deletion in flight, none will be started|waiting for (\d+) deletions? in flight)/.exec(stderr);
    expect(promise, stderr).not.toBeNull();
    const promised = promise![2] === undefined ? 0 : Number(promise![2]);
    const deleted = Number(/Apply: (\d+) deleted/.exec(stdout)?.[1]);
    // What the message promised is what happened: no more deletions than it said were in flight.
    expect({ deleted, message: promise![0] }).toEqual({ deleted: promised, message: promise![0] });
  });
});

describe("trial910: --compare with a git revision from a subfolder of the repository", () => {
  // README: "the path is from the repository's top, or from the current folder when it starts
  // with `./`". policies/example.yml is committed, so HEAD has it.
  it.each([
    ["HEAD:policies/example.yml (from the top)", "policies/example.yml"],
    ["HEAD:./example.yml (from the current folder)", "./example.yml"],
  ])("reads %s when run inside policies/", async (_name, path) => {
    const { loadPoliciesAtRevision } = await import("../src/policy/git.js");
    expect(execFileSync("git", ["cat-file", "-t", "HEAD:policies/example.yml"], { encoding: "utf8" }).trim()).toBe("blob");
    const policies = await loadPoliciesAtRevision("HEAD", path, `${process.cwd()}/policies`);
    expect(policies.map((p) => p.name)).toEqual(["production", "dr-copies", "eu-clusters"]);
  });
});
