import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { MARKDOWN_MARKER } from "../../src/cli/render/markdown.js";
import { loadPolicyFiles } from "../../src/policy/index.js";
import { runCli } from "../support/cli.js";

/**
 * examples/policy-repo cannot run here (it needs GitHub and AWS): this reads its workflow
 * and checks what the set-up in its README relies on, and that every CLI call in it is one
 * the CLI accepts.
 */
const DIR = "examples/policy-repo";
type Step = { name?: string; uses?: string; run?: string; with?: Record<string, unknown>; if?: string; env?: Record<string, string> };
type Job = { if?: string; needs?: string | string[]; permissions?: Record<string, string>; environment?: string; steps: Step[]; concurrency?: { group: string; "cancel-in-progress": boolean } };
const workflow = parse(readFileSync(`${DIR}/.github/workflows/retention.yml`, "utf8")) as {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};
const uses = (job: Job, action: string) => job.steps.filter((s) => s.uses?.startsWith(`${action}@`));

describe("examples/policy-repo workflow", () => {
  it("runs on every push and on pull requests, with no permission by default", () => {
    expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push"]);
    expect(workflow.permissions).toEqual({});
    expect(Object.keys(workflow.jobs)).toEqual(["validate", "plan", "deploy"]);
  });

  it("validates on every push", () => {
    const job = workflow.jobs.validate!;
    expect(job.if).toBeUndefined();
    expect(job.permissions).toEqual({ contents: "read" });
    expect(job.steps.some((s) => s.run === "npx cloudhsm-retention validate policies/")).toBe(true);
  });

  it("plans pull requests through the OIDC role, and may write only the comment", () => {
    const job = workflow.jobs.plan!;
    expect(job.if).toContain("github.event_name == 'pull_request'");
    expect(job.needs).toBe("validate");
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    expect(uses(job, "actions/checkout")[0]!.with).toMatchObject({ "fetch-depth": 0 });
    const aws = uses(job, "aws-actions/configure-aws-credentials");
    expect(aws).toHaveLength(1);
    expect(aws[0]!.with).toEqual({ "role-to-assume": "${{ vars.PLAN_ROLE_ARN }}", "aws-region": "${{ env.AWS_REGION }}" });
    // The credentials come before the plan that uses them.
    const order = job.steps.map((s) => s.uses?.split("@")[0] ?? s.name);
    expect(order.indexOf("aws-actions/configure-aws-credentials")).toBeLessThan(order.indexOf("Plan, compared with the base branch"));
  });

  it("updates one comment, found by the marker the CLI writes first", () => {
    const script = String(uses(workflow.jobs.plan!, "actions/github-script")[0]!.with!.script);
    expect(script).toContain(`const marker = "${MARKDOWN_MARKER}"`);
    expect(script).toContain("github.paginate(github.rest.issues.listComments");
    expect(script).toContain("github.rest.issues.updateComment");
    expect(script).toContain("github.rest.issues.createComment");
    expect(script.indexOf("updateComment")).toBeLessThan(script.indexOf("createComment"));
  });

  it("deploys on a push to main only, in a protected environment, never two at once", () => {
    const job = workflow.jobs.deploy!;
    expect(job.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(job.environment).toBe("production");
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(job.concurrency).toEqual({ group: "retention-deploy", "cancel-in-progress": false });
    expect(uses(job, "aws-actions/configure-aws-credentials")[0]!.with!["role-to-assume"]).toBe("${{ vars.DEPLOY_ROLE_ARN }}");
  });

  it("pins every action to a version", () => {
    for (const job of Object.values(workflow.jobs)) for (const s of job.steps) if (s.uses) expect(s.uses).toMatch(/^[\w-]+\/[\w-]+@(v\d+|[0-9a-f]{40})$/);
  });

  it("calls the CLI only with options it has", async () => {
    const calls = Object.values(workflow.jobs)
      .flatMap((j) => j.steps.flatMap((s) => s.run?.split("\n") ?? []))
      .flatMap((line) => [...line.matchAll(/npx cloudhsm-retention (\S+)(.*)$/g)].map((m) => ({ command: m[1]!.replace(/"\$\{args\[@\]\}"/, "plan"), rest: m[2]! })));
    expect(calls.length).toBeGreaterThanOrEqual(5);
    const scripts = Object.values(workflow.jobs).flatMap((j) => j.steps.map((s) => s.run ?? "")).join("\n");
    const flags = new Set([...scripts.matchAll(/(?<![\w-])--[a-z][a-z-]+/g)].map((m) => m[0]).filter((f) => !["--param", "--stage"].includes(f)));
    const help = (await runCli(["plan", "--help"])).stdout + (await runCli(["validate", "--help"])).stdout;
    for (const flag of flags) expect(help, flag).toContain(`${flag} `);
  });

  it("ships a valid example policy", async () => {
    const policies = await loadPolicyFiles([`${DIR}/policies`]);
    expect(policies.map((p) => [p.name, p.mode])).toEqual([["production", "report"]]);
  });
});
