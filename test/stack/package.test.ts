import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * The deployable artefact as `npx serverless package` builds it (osls, offline): the
 * CloudFormation template and the function's zip. Packaged once, into a temp dir, with
 * the regions parameter a deploy would pass.
 */

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..");
const REGIONS = "us-east-1,us-west-2";

/** Strings only the local endpoint (src/local) contains: none may reach the Lambda bundle. */
const LOCAL_ONLY_MARKERS = ["/_emulator/", "UnknownOperationException", "No emulated service handles", "Injected internal failure", "emulator outage switch"];

interface Resource {
  Type: string;
  Properties: Record<string, any>;
}
interface Statement {
  Effect: string;
  Action: string[];
  Resource: unknown;
}

let work: string;
let resources: Record<string, Resource>;
let zipEntries: string[];
let bundleText: string;

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/** A policy in a subdirectory, as teams organise them: the CLI reads it, so the sweep must ship it. */
const NESTED_POLICY = "policies/teams/payments.yml";

/**
 * Files the CLI's loader reads (any case of .yml/.yaml, at any depth) and files it skips
 * (hidden entries, other extensions): the sweep must enforce exactly what CI validated.
 */
const EXTRA_POLICY_FILES: Record<string, string | null> = {
  "policies/teams/CARDS.YML": "cards",
  "policies/teams/ledger.Yaml": "ledger",
  "policies/regions/eu/a/deep.yaml": "deep",
  "policies/.hidden.yml": null,
  "policies/.drafts/draft.yml": null,
  "policies/notes.txt": null,
};
/** Each policy selects a region of its own: two policies that can select one cluster are refused. */
const REGION_OF: Record<string, string> = { payments: "ap-southeast-2", cards: "ap-southeast-1", ledger: "ap-northeast-1", deep: "ap-northeast-2", shared: "ap-south-1" };
const policyText = (name: string) =>
  `version: 1\npolicies:\n  - name: ${name}\n    select:\n      regions: [${REGION_OF[name]}]\n    keep:\n      daily: 7\n`;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cloudhsm-retention-package-"));
  // Packaged from a copy of the project, so the test can add a nested policy and osls'
  // .serverless/ stays out of the working tree; node_modules is linked, not copied.
  const project = join(work, "project");
  for (const entry of ["serverless.yml", "package.json", "tsconfig.json", "functions", "src", "policies"]) {
    await cp(join(ROOT, entry), join(project, entry), { recursive: true });
  }
  await symlink(join(ROOT, "node_modules"), join(project, "node_modules"), "dir");
  await mkdir(join(project, "policies", "teams"), { recursive: true });
  await writeFile(join(project, NESTED_POLICY), policyText("payments"));
  for (const [file, name] of Object.entries(EXTRA_POLICY_FILES)) {
    await mkdir(dirname(join(project, file)), { recursive: true });
    // Skipped files hold a duplicate policy name: if one were read, loading would fail.
    await writeFile(join(project, file), policyText(name ?? "payments"));
  }
  // A folder shared from elsewhere (a monorepo), linked in: serverless follows the link, so the CLI must too.
  await mkdir(join(work, "shared-policies"));
  await writeFile(join(work, "shared-policies", "shared.yml"), policyText("shared"));
  await symlink(join(work, "shared-policies"), join(project, "policies", "shared"), "dir");
  await run("npx", ["serverless", "package", "--package", join(work, "package"), "--param", `regions=${REGIONS}`], {
    cwd: project,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off" },
    timeout: 170_000,
  });
  const template = JSON.parse(await readFile(join(work, "package", "cloudformation-template-update-stack.json"), "utf8"));
  resources = template.Resources;
  const zip = join(work, "package", "sweep.zip");
  zipEntries = (await run("unzip", ["-Z1", zip])).stdout.split("\n").filter(Boolean);
  await run("unzip", ["-q", zip, "-d", join(work, "bundle")]);
  bundleText = await readFile(join(work, "bundle", "functions", "sweep.mjs"), "utf8");
}, 180_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("serverless package: the CloudFormation template", () => {
  it("schedules the sweep function with one EventBridge rule, at serverless.yml's schedule", async () => {
    // Prepare
    const config = parse(await readFile(join(ROOT, "serverless.yml"), "utf8"));
    const [functionId] = ofType("AWS::Lambda::Function").find(([, r]) => r.Properties.Handler === "functions/sweep.handler") ?? [];
    // Act
    const rules = ofType("AWS::Events::Rule");
    // Assess
    expect(config.params.default.sweepSchedule).toMatch(/^cron\(/);
    expect(functionId).toBeDefined();
    expect(rules).toHaveLength(1);
    const rule = rules[0]![1].Properties;
    expect(rule).toMatchObject({ ScheduleExpression: config.params.default.sweepSchedule, State: "ENABLED" });
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: { "Fn::GetAtt": [functionId, "Arn"] } })]);
  });

  it("runs the function on nodejs22.x with the regions a deploy passes", () => {
    // Act
    const functions = ofType("AWS::Lambda::Function");
    // Assess
    expect(functions).toHaveLength(1);
    const fn = functions[0]![1].Properties;
    expect(fn).toMatchObject({ Runtime: "nodejs22.x", Handler: "functions/sweep.handler", Timeout: 900 });
    expect(fn.Environment.Variables).toMatchObject({ RETENTION_REGIONS: REGIONS, RETENTION_POLICY_PATH: "policies", RETENTION_DRY_RUN: "false" });
  });

  it("grants DescribeBackups on * and DeleteBackup on backup ARNs only, and no other CloudHSM action", () => {
    // Prepare
    const statements: Statement[] = ofType("AWS::IAM::Role").flatMap(([, r]) =>
      (r.Properties.Policies ?? []).flatMap((p: { PolicyDocument: { Statement: Statement[] } }) => p.PolicyDocument.Statement),
    );
    // Act
    const cloudhsm = statements.filter((s) => s.Action.some((a) => a.startsWith("cloudhsm:") || a === "*"));
    // Assess
    expect(cloudhsm).toHaveLength(2);
    expect(cloudhsm[0]).toEqual({ Effect: "Allow", Action: ["cloudhsm:DescribeBackups"], Resource: "*" });
    expect(cloudhsm[1]).toMatchObject({ Effect: "Allow", Action: ["cloudhsm:DeleteBackup"] });
    const deleteResources = cloudhsm[1]!.Resource as unknown[];
    expect(deleteResources).toHaveLength(1);
    expect(deleteResources[0]).toEqual({
      "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":cloudhsm:*:", { Ref: "AWS::AccountId" }, ":backup/*"]],
    });
    for (const s of statements) expect(s.Action.filter((a) => a.includes("*"))).toEqual([]);
  });
});

describe("serverless package: one sweep at a time, never retried", () => {
  // A failed sweep retried by Lambda's async invocation (twice by default), or a second
  // sweep overlapping the first, would each delete another maxDeletionsPerRun.
  it("sets the sweep's asynchronous retries to 0", () => {
    const [functionId] = ofType("AWS::Lambda::Function")[0]!;
    const configs = ofType("AWS::Lambda::EventInvokeConfig");
    expect(configs).toHaveLength(1);
    expect(configs[0]![1].Properties).toMatchObject({ FunctionName: { Ref: functionId }, MaximumRetryAttempts: 0 });
  });

  it("reserves a concurrency of 1 for the sweep", () => {
    expect(ofType("AWS::Lambda::Function")[0]![1].Properties.ReservedConcurrentExecutions).toBe(1);
  });
});

describe("serverless package: the function's zip", () => {
  it("ships exactly the policies the CLI reads from the same folder", async () => {
    // Prepare
    const { loadPolicyFiles } = await import("../../src/policy/index.js");
    const read = async (root: string) =>
      (await loadPolicyFiles([join(root, "policies")])).map((p) => ({ name: p.name, file: relative(root, (p.source ?? "").replace(/:\d+:\d+$/, "")) }));
    // Act
    const fromSource = await read(join(work, "project"));
    const fromBundle = await read(join(work, "bundle"));
    // Assess
    const files = [...new Set(fromSource.map((p) => p.file))].sort();
    expect(files).toEqual(["example.yml", "regions/eu/a/deep.yaml", "shared/shared.yml", "teams/CARDS.YML", "teams/ledger.Yaml", "teams/payments.yml"].map((f) => `policies/${f}`));
    expect(fromBundle).toEqual(fromSource);
  });

  it("holds the bundled handler and the example policy, and no sources", () => {
    expect(zipEntries).toContain("functions/sweep.mjs");
    expect(zipEntries).toContain("policies/example.yml");
    expect(zipEntries).toContain(NESTED_POLICY);
    expect(zipEntries.filter((e) => /^(src|test|node_modules)\//.test(e) || e.endsWith(".ts"))).toEqual([]);
  });

  it("does not contain the local endpoint", async () => {
    // Prepare: every marker really is in src/local, and the bundle really holds our code
    const localFiles = await readdir(join(ROOT, "src", "local"), { recursive: true });
    const localText = (
      await Promise.all(localFiles.filter((f) => f.endsWith(".ts")).map((f) => readFile(join(ROOT, "src", "local", f), "utf8")))
    ).join("\n");
    for (const marker of LOCAL_ONLY_MARKERS) expect(localText, marker).toContain(marker);
    expect(bundleText).toContain("listing backups in ");
    // Act
    const found = LOCAL_ONLY_MARKERS.filter((marker) => bundleText.includes(marker));
    // Assess
    expect(found).toEqual([]);
  });

  it("imports cleanly in plain Node, exporting the handler", async () => {
    // Prepare
    const url = pathToFileURL(join(work, "bundle", "functions", "sweep.mjs")).href;
    const probe = "const m = await import(process.argv[1]); console.log(JSON.stringify({ handler: typeof m.handler }));";
    // Act
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", probe, url], {
      cwd: join(work, "bundle"),
      env: {
        PATH: process.env.PATH,
        RETENTION_REGIONS: REGIONS,
        ALERT_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:cloudhsm-retention-alerts",
        LEDGER_TABLE: "cloudhsm-retention-ledger",
        RESTORE_BASE_URL: "https://x.execute-api.us-east-1.amazonaws.com",
        RESTORE_LINK_SECRET_PARAMETER: "/cloudhsm-retention/ci/restore-link-secret",
        // Set by the Lambda runtime; the SSM middleware fetches the link secret there.
        AWS_REGION: "us-east-1",
      },
    });
    // Assess
    expect(JSON.parse(stdout)).toEqual({ handler: "function" });
  });

  it("refuses to start without RETENTION_REGIONS, naming the variable", async () => {
    // Prepare
    const url = pathToFileURL(join(work, "bundle", "functions", "sweep.mjs")).href;
    // Act
    const failure = await run(process.execPath, ["--input-type=module", "-e", "await import(process.argv[1]);", url], {
      cwd: join(work, "bundle"),
      env: { PATH: process.env.PATH },
    }).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    // Assess
    expect(failure?.code).not.toBe(0);
    expect(failure?.stderr).toContain('UserInputError: RETENTION_REGIONS: expected a comma-separated list of AWS regions, got ""');
  });
});
