import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DETAIL_TYPES, EVENT_SOURCE } from "../../src/alerts/events.js";
import {
  ACCOUNT, functionByHandler, list, ofType, type PackagedStack, packageStack, REGION, REGIONS, resolver, type Resource, ROOT, roleOf, run, STAGE,
  type Statement, statementsOf, type Template,
} from "./support.js";

/**
 * The deployable artefact as `npx serverless package --stage ci` builds it (osls), offline
 * and without AWS credentials (support.ts): the CloudFormation template read as
 * CloudFormation would, and each function's zip. What the functions do with their roles
 * is proved in iam.test.ts; here, what the template says.
 */

/** Strings only the local endpoint (src/local) contains: none may reach a Lambda bundle. */
const LOCAL_ONLY_MARKERS = ["/_emulator/", "UnknownOperationException", "No emulated service handles", "Injected internal failure", "emulator outage switch"];

/** A policy in a subdirectory, as teams organise them: the CLI reads it, so the functions must ship it. */
const NESTED_POLICY = "policies/teams/payments.yml";

/**
 * Files the CLI's loader reads (any case of .yml/.yaml, at any depth) and files it skips
 * (hidden entries, other extensions): the functions must enforce exactly what CI validated.
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
const policyText = (name: string) => `version: 1\npolicies:\n  - name: ${name}\n    select:\n      regions: [${REGION_OF[name]}]\n    keep:\n      daily: 7\n`;

/** The functions that read policies/ (everything but the deploy-time custom resource). */
const POLICY_READERS = ["sweep", "remind", "watch", "restore"];

let stack: PackagedStack;
let template: Template;
let resolve: (v: unknown) => unknown;
let config: { params: { default: Record<string, unknown> } };
/** serverless.yml function key → handler file stem, from the handlers that exist in functions/. */
let handlers: Map<string, string>;

const fnId = (key: string) => functionByHandler(template, `functions/${handlers.get(key)}.handler`)[0];
const fnOf = (key: string) => functionByHandler(template, `functions/${handlers.get(key)}.handler`)[1];
const statements = (key: string) => resolve(statementsOf(template, roleOf(fnOf(key)))) as Statement[];
const targetsOf = (rule: Resource) => (rule.Properties.Targets as Array<{ Arn: unknown }>).map((t) => t.Arn);

const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:cloudhsm-retention-${STAGE}-alerts`;
const BACKUPS_ARN = `arn:aws:cloudhsm:*:${ACCOUNT}:backup/*`;
const PARAMETER = `/cloudhsm-retention/${STAGE}/restore-link-secret`;

beforeAll(async () => {
  stack = await packageStack({
    prepare: async (project, work) => {
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
    },
  });
  template = stack.template;
  resolve = resolver(template);
  config = parse(await readFile(join(ROOT, "serverless.yml"), "utf8"));
  const declared = parse(await readFile(join(ROOT, "serverless.yml"), "utf8")).functions as Record<string, { handler: string }>;
  handlers = new Map(Object.entries(declared).map(([key, fn]) => [key, fn.handler.replace(/^functions\//, "").replace(/\.handler$/, "")]));
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

describe("serverless package: the functions", () => {
  it("wires every handler in functions/ as a function of its own, on nodejs22.x arm64, named by stage, each with a role of its own", async () => {
    // Prepare: the handlers that exist, from the folder itself
    const files = (await readdir(join(ROOT, "functions"))).filter((f) => f.endsWith(".ts")).map((f) => `functions/${f.replace(/\.ts$/, "")}.handler`);
    // Act
    const functions = ofType(template, "AWS::Lambda::Function");
    // Assess
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(functions.map(([, r]) => r.Properties.Handler).sort()).toEqual(files.sort());
    for (const [id, fn] of functions) {
      expect(fn.Properties, id).toMatchObject({ Runtime: "nodejs22.x", Architectures: ["arm64"] });
      expect(fn.Properties.FunctionName, id).toMatch(new RegExp(`^cloudhsm-retention-${STAGE}-`));
    }
    const roles = functions.map(([, fn]) => roleOf(fn));
    expect(new Set(roles).size).toBe(functions.length);
    expect(ofType(template, "AWS::IAM::Role").map(([id]) => id).sort()).toEqual([...roles].sort());
  });

  it("schedules the sweep at serverless.yml's sweepSchedule and the reminders every 15 minutes, and nothing else", () => {
    // Act
    const schedules = ofType(template, "AWS::Events::Rule").filter(([, r]) => r.Properties.ScheduleExpression !== undefined);
    // Assess
    expect(config.params.default.sweepSchedule).toMatch(/^cron\(/);
    const byTarget = schedules.map(([, r]) => [targetsOf(r), r.Properties.ScheduleExpression, r.Properties.State]);
    expect(byTarget).toEqual(
      expect.arrayContaining([
        [[{ "Fn::GetAtt": [fnId("sweep"), "Arn"] }], config.params.default.sweepSchedule, "ENABLED"],
        [[{ "Fn::GetAtt": [fnId("remind"), "Arn"] }], "rate(15 minutes)", "ENABLED"],
      ]),
    );
    expect(schedules).toHaveLength(2);
  });

  it("gives the sweep and the reminders no asynchronous retries (the next run goes on), and the watcher Lambda's own", () => {
    // A failed sweep retried by Lambda (twice by default) would delete another maxDeletionsPerRun.
    const configs = ofType(template, "AWS::Lambda::EventInvokeConfig").map(([, r]) => [r.Properties.FunctionName, r.Properties.MaximumRetryAttempts]);
    expect(configs).toEqual(expect.arrayContaining([[{ Ref: fnId("sweep") }, 0], [{ Ref: fnId("remind") }, 0]]));
    expect(configs).toHaveLength(2);
  });

  it("runs one sweep at a time (reserved concurrency 1), and one reminder run", () => {
    expect(fnOf("sweep").Properties.ReservedConcurrentExecutions).toBe(1);
    expect(fnOf("remind").Properties.ReservedConcurrentExecutions).toBe(1);
  });

  it("routes GET and POST /restore/{token} to the restore function, throttled, answering within API Gateway's 29 s, with a modest reserved concurrency", () => {
    // Prepare
    const integrations = ofType(template, "AWS::ApiGatewayV2::Integration");
    const restoreIntegration = integrations.find(([, r]) => JSON.stringify(r.Properties.IntegrationUri) === JSON.stringify({ "Fn::GetAtt": [fnId("restore"), "Arn"] }));
    // Act
    const routes = ofType(template, "AWS::ApiGatewayV2::Route").map(([, r]) => [r.Properties.RouteKey, r.Properties.Target]);
    const [, stage] = ofType(template, "AWS::ApiGatewayV2::Stage")[0]!;
    // Assess
    expect(restoreIntegration).toBeDefined();
    const target = { "Fn::Join": ["/", ["integrations", { Ref: restoreIntegration![0] }]] };
    expect(routes).toEqual(expect.arrayContaining([["GET /restore/{token}", target], ["POST /restore/{token}", target]]));
    // Every route of the API leads to the page (its own 404/405), none elsewhere.
    for (const [, t] of routes) expect(t).toEqual(target);
    const { ThrottlingBurstLimit: burst, ThrottlingRateLimit: rate } = stage.Properties.DefaultRouteSettings;
    expect([burst > 0, rate > 0, burst <= 100, rate <= 50]).toEqual([true, true, true, true]);
    const post = stage.Properties.RouteSettings["POST /restore/{token}"];
    expect(post.ThrottlingRateLimit).toBeLessThanOrEqual(rate);
    expect(fnOf("restore").Properties.Timeout).toBeLessThanOrEqual(29);
    expect(fnOf("restore").Properties.ReservedConcurrentExecutions).toBeGreaterThanOrEqual(1);
    expect(fnOf("restore").Properties.ReservedConcurrentExecutions).toBeLessThanOrEqual(10);
  });

  it("invokes the watcher on CloudTrail's DeleteBackup records on the default bus, under both names CloudHSM's records may carry", () => {
    // Act
    const rules = ofType(template, "AWS::Events::Rule").filter(([, r]) => targetsOf(r).some((a) => JSON.stringify(a) === JSON.stringify({ "Fn::GetAtt": [fnId("watch"), "Arn"] })));
    // Assess: the documented record says cloudhsm.amazonaws.com, the API model cloudhsmv2.amazonaws.com
    expect(rules).toHaveLength(1);
    const rule = rules[0]![1].Properties;
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.State).toBe("ENABLED");
    expect(rule.EventPattern).toEqual({
      source: ["aws.cloudhsm"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: { eventSource: expect.arrayContaining(["cloudhsm.amazonaws.com", "cloudhsmv2.amazonaws.com"]), eventName: ["DeleteBackup"] },
    });
    // The sweep's own deletions are told by the sweep: the watcher knows its role.
    expect(fnOf("watch").Properties.Environment.Variables.RETENTION_ROLE_ARNS).toEqual({ "Fn::GetAtt": [roleOf(fnOf("sweep")), "Arn"] });
  });

  it("gives the functions that read policies the stage's resources and the regions a deploy passes", () => {
    for (const key of POLICY_READERS) {
      const env = resolve(fnOf(key).Properties.Environment.Variables) as Record<string, string>;
      expect(env, key).toMatchObject({
        RETENTION_REGIONS: REGIONS,
        RETENTION_POLICY_PATH: "policies",
        RETENTION_DRY_RUN: "false",
        ALERT_TOPIC_ARN: TOPIC_ARN,
        EVENT_BUS_NAME: `cloudhsm-retention-${STAGE}`,
        LEDGER_TABLE: `cloudhsm-retention-${STAGE}-ledger`,
        RESTORE_LINK_SECRET_PARAMETER: PARAMETER,
        RESTORE_BASE_URL: expect.stringMatching(/^https:\/\//),
      });
      // The secret itself never sits in the template.
      expect(env.RESTORE_LINK_SECRET, key).toBeUndefined();
    }
  });
});

describe("serverless package: each role grants least privilege", () => {
  const roles = () => ofType(template, "AWS::IAM::Role");

  it("no wildcard action, no Resource * beyond the Describe/List calls, no NotAction/NotResource, no managed policies", () => {
    for (const [id, role] of roles()) {
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement, id).toEqual([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
      for (const s of resolve(statementsOf(template, id)) as Statement[]) {
        expect([id, s.Effect, s.NotAction, s.NotResource]).toEqual([id, "Allow", undefined, undefined]);
        expect(list(s.Action).filter((a) => String(a).includes("*")), id).toEqual([]);
        if (list(s.Resource).some((r) => r === "*")) expect(list(s.Action).filter((a) => !/^cloudhsm:(Describe|List)[A-Za-z]+$/.test(String(a))), id).toEqual([]);
      }
    }
  });

  it("writes logs only to the function's own log group", () => {
    for (const key of handlers.keys()) {
      const logs = statements(key).filter((s) => list(s.Action).some((a) => String(a).startsWith("logs:")));
      expect(logs, key).toEqual([
        { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${fnOf(key).Properties.FunctionName}:*` },
      ]);
    }
  });

  it("lets the sweep alone delete backups, on backup ARNs only; the restore page restore and pin them, and no role do both", () => {
    const granting = (action: string) => [...handlers.keys()].filter((key) => statements(key).some((s) => list(s.Action).includes(action)));
    expect(granting("cloudhsm:DeleteBackup")).toEqual(["sweep"]);
    expect(granting("cloudhsm:RestoreBackup")).toEqual(["restore"]);
    expect(granting("cloudhsm:ModifyBackupAttributes")).toEqual(["restore"]);
    expect(statements("sweep").filter((s) => list(s.Action).includes("cloudhsm:DeleteBackup"))).toEqual([{ Effect: "Allow", Action: ["cloudhsm:DeleteBackup"], Resource: BACKUPS_ARN }]);
    expect(statements("restore").filter((s) => list(s.Action).includes("cloudhsm:RestoreBackup"))).toEqual([
      { Effect: "Allow", Action: ["cloudhsm:RestoreBackup", "cloudhsm:ModifyBackupAttributes"], Resource: BACKUPS_ARN },
    ]);
  });

  it("grants the alert path on this stage's topic, bus, table and parameter only (GetParameters, as @middy/ssm calls it; aws/ssm decrypts for any principal of the account)", () => {
    const resourcesOf = (key: string, prefix: string) => [...new Set(statements(key).filter((s) => list(s.Action).some((a) => String(a).startsWith(prefix))).flatMap((s) => list(s.Resource)))];
    for (const key of POLICY_READERS) {
      expect(resourcesOf(key, "sns:"), key).toEqual([TOPIC_ARN]);
      expect(resourcesOf(key, "events:"), key).toEqual([`arn:aws:events:${REGION}:${ACCOUNT}:event-bus/cloudhsm-retention-${STAGE}`]);
      expect(resourcesOf(key, "dynamodb:"), key).toEqual([`arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/cloudhsm-retention-${STAGE}-ledger`]);
      expect(statements(key).filter((s) => list(s.Action).some((a) => String(a).startsWith("ssm:"))), key).toEqual([
        { Effect: "Allow", Action: ["ssm:GetParameters"], Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${PARAMETER}` },
      ]);
      expect(resourcesOf(key, "kms:"), key).toEqual([]);
    }
    // The custom resource writes and deletes the parameter, and reads nothing.
    expect(statements("linkSecret").filter((s) => !list(s.Action).some((a) => String(a).startsWith("logs:")))).toEqual([
      { Effect: "Allow", Action: ["ssm:PutParameter", "ssm:DeleteParameter"], Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${PARAMETER}` },
    ]);
  });
});

describe("serverless package: the resources", () => {
  const only = (type: string): Resource => {
    const found = ofType(template, type);
    expect(found.map(([id]) => id), type).toHaveLength(1);
    return found[0]![1];
  };

  it("a standard SNS topic (email and HTTPS endpoints such as AWS Chatbot need one), with no email subscription unless one is passed", () => {
    const topic = only("AWS::SNS::Topic");
    expect(topic.Properties.FifoTopic).toBeUndefined();
    expect(resolve({ Ref: ofType(template, "AWS::SNS::Topic")[0]![0] })).toBe(TOPIC_ARN);
    const subscription = only("AWS::SNS::Subscription");
    expect(resolve(template.Conditions[subscription.Condition!])).toBe(false);
  });

  it("the ledger: on demand, TTL on expiresAt (epoch seconds, written by src/aws/dynamodb-ledger.ts), point-in-time recovery, kept when the stack goes", () => {
    const table = only("AWS::DynamoDB::Table");
    expect(table.Properties).toMatchObject({
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect(table.Properties.ProvisionedThroughput).toBeUndefined();
    expect([table.DeletionPolicy, table.UpdateReplacePolicy]).toEqual(["Retain", "Retain"]);
  });

  it("the custom event bus with an archive of every event, kept forever by default", () => {
    const [busId] = ofType(template, "AWS::Events::EventBus")[0]!;
    const archive = only("AWS::Events::Archive");
    expect(archive.Properties.SourceArn).toEqual({ "Fn::GetAtt": [busId, "Arn"] });
    expect(archive.Properties.EventPattern).toBeUndefined();
    expect(archive.Properties.RetentionDays).toBe(Number(config.params.default.archiveRetentionDays));
    expect(config.params.default.archiveRetentionDays).toBe(0);
  });

  it("the link secret: a SecureString made by the stack's custom resource, under the stage's name, which the functions are given", () => {
    const [id, secret] = ofType(template, "Custom::LinkSecret")[0]!;
    expect(secret.Properties).toEqual({ ServiceToken: { "Fn::GetAtt": [fnId("linkSecret"), "Arn"] }, ParameterName: PARAMETER });
    // No AWS::SSM::Parameter: CloudFormation can make String and StringList parameters only.
    expect(ofType(template, "AWS::SSM::Parameter")).toEqual([]);
    for (const key of POLICY_READERS) expect(fnOf(key).Properties.Environment.Variables.RESTORE_LINK_SECRET_PARAMETER).toEqual({ "Fn::GetAtt": [id, "ParameterName"] });
  });

  it("an alarm on each scheduled or serving function's errors, notifying the topic", () => {
    const alarms = ofType(template, "AWS::CloudWatch::Alarm").map(([, r]) => r.Properties);
    for (const key of POLICY_READERS) {
      const found = alarms.filter((a) => a.Namespace === "AWS/Lambda" && a.MetricName === "Errors" && JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: "FunctionName", Value: { Ref: fnId(key) } }]));
      expect(found, key).toHaveLength(1);
      expect(found[0]).toMatchObject({ ComparisonOperator: "GreaterThanOrEqualToThreshold", Threshold: 1, TreatMissingData: "notBreaching" });
      expect(resolve(found[0]!.AlarmActions), key).toEqual([TOPIC_ARN]);
    }
  });

  it.each([["runHalted", "Retention Run Halted"], ["backupsStopped", "Backups Stopped"]] as const)(
    "an alarm on every %s event (%s) put on the bus, notifying the topic",
    (key, detailType) => {
      // The code emits this detail-type (src/alerts/events.ts), from this source.
      expect(DETAIL_TYPES[key]).toBe(detailType);
      const [busId] = ofType(template, "AWS::Events::EventBus")[0]!;
      const rules = ofType(template, "AWS::Events::Rule").filter(([, r]) => JSON.stringify(r.Properties.EventPattern?.["detail-type"]) === JSON.stringify([detailType]));
      expect(rules).toHaveLength(1);
      const rule = rules[0]![1].Properties;
      expect(rule).toMatchObject({ EventBusName: { Ref: busId }, State: "ENABLED", EventPattern: { source: [EVENT_SOURCE] } });
      // The rule writes each event to a log group; the alarm counts what arrives there.
      const logGroup = String(resolve(targetsOf(rules[0]![1])[0])).replace(/^arn:aws:logs:[^:]+:\d+:log-group:/, "");
      const alarms = ofType(template, "AWS::CloudWatch::Alarm").map(([, r]) => resolve(r.Properties) as Record<string, any>).filter((a) => a.Namespace === "AWS/Logs" && a.Dimensions?.[0]?.Value === logGroup);
      expect(alarms).toHaveLength(1);
      expect(alarms[0]).toMatchObject({ MetricName: "IncomingLogEvents", Dimensions: [{ Name: "LogGroupName", Value: logGroup }], Threshold: 1, AlarmActions: [TOPIC_ARN] });
      // EventBridge may write there: the log groups' resource policy names both.
      const [, policy] = ofType(template, "AWS::Logs::ResourcePolicy")[0]!;
      const document = JSON.parse(String(resolve(policy.Properties.PolicyDocument)));
      expect(document.Statement[0].Principal.Service).toContain("events.amazonaws.com");
      expect(document.Statement[0].Resource).toContain(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logGroup}:*`);
    },
  );
});

describe("serverless package: the parameters a deploy passes", () => {
  let custom: PackagedStack;
  beforeAll(async () => {
    custom = await packageStack({ params: { sweepSchedule: "cron(0 3 * * ? *)", alertEmail: "oncall@example.com", archiveRetentionDays: "365", dryRun: "true" } });
  }, 180_000);
  afterAll(async () => {
    await custom?.close();
  });

  it("sets the sweep's schedule, the email subscription, the archive's retention and dry-run", () => {
    const t = custom.template;
    const r = resolver(t);
    const [, sweep] = functionByHandler(t, "functions/sweep.handler");
    expect(ofType(t, "AWS::Events::Rule").map(([, x]) => x.Properties.ScheduleExpression)).toContain("cron(0 3 * * ? *)");
    const [, subscription] = ofType(t, "AWS::SNS::Subscription")[0]!;
    expect(r(t.Conditions[subscription.Condition!])).toBe(true);
    expect(r(subscription.Properties)).toEqual({ TopicArn: TOPIC_ARN, Protocol: "email", Endpoint: "oncall@example.com" });
    // --param values arrive as strings; CloudFormation reads "365" as the integer, as it does a Number parameter's Ref.
    expect(ofType(t, "AWS::Events::Archive")[0]![1].Properties.RetentionDays).toBe("365");
    expect(sweep.Properties.Environment.Variables.RETENTION_DRY_RUN).toBe("true");
  });
});

describe("serverless package: the functions' zips", () => {
  it("ship exactly the policies the CLI reads from the same folder, in every function that reads them", async () => {
    // Prepare
    const { loadPolicyFiles } = await import("../../src/policy/index.js");
    const read = async (root: string) =>
      (await loadPolicyFiles([join(root, "policies")])).map((p) => ({ name: p.name, file: relative(root, (p.source ?? "").replace(/:\d+:\d+$/, "")) }));
    const fromSource = await read(stack.project);
    // Assess
    const files = [...new Set(fromSource.map((p) => p.file))].sort();
    expect(files).toEqual(["example.yml", "regions/eu/a/deep.yaml", "shared/shared.yml", "teams/CARDS.YML", "teams/ledger.Yaml", "teams/payments.yml"].map((f) => `policies/${f}`));
    for (const key of POLICY_READERS) expect(await read(await stack.unzip(key)), key).toEqual(fromSource);
    expect((await stack.zipEntries("linkSecret")).filter((e) => e.startsWith("policies/"))).toEqual([]);
  });

  it("hold one bundled handler each, and no sources", async () => {
    for (const key of handlers.keys()) {
      const entries = await stack.zipEntries(key);
      expect(entries, key).toContain(`functions/${handlers.get(key)}.mjs`);
      expect(entries.filter((e) => /^(src|test|node_modules)\//.test(e) || e.endsWith(".ts")), key).toEqual([]);
      expect(entries.filter((e) => e.startsWith("functions/") && e.endsWith(".mjs")), key).toEqual([`functions/${handlers.get(key)}.mjs`]);
    }
  });

  it("do not contain the local endpoint", async () => {
    // Prepare: every marker really is in src/local, and the bundles really hold our code
    const localFiles = await readdir(join(ROOT, "src", "local"), { recursive: true });
    const localText = (await Promise.all(localFiles.filter((f) => f.endsWith(".ts")).map((f) => readFile(join(ROOT, "src", "local", f), "utf8")))).join("\n");
    for (const marker of LOCAL_ONLY_MARKERS) expect(localText, marker).toContain(marker);
    const bundles = new Map<string, string>();
    for (const key of handlers.keys()) bundles.set(key, await readFile(join(await stack.unzip(key), "functions", `${handlers.get(key)}.mjs`), "utf8"));
    expect(bundles.get("sweep")).toContain("listing backups in ");
    // Act
    const found = [...bundles].flatMap(([key, text]) => LOCAL_ONLY_MARKERS.filter((m) => text.includes(m)).map((m) => `${key}: ${m}`));
    // Assess
    expect(found).toEqual([]);
  });

  it("import cleanly in plain Node with the environment the template gives them, exporting the handler", async () => {
    const probe = "const m = await import(process.argv[1]); console.log(JSON.stringify({ handler: typeof m.handler }));";
    for (const key of handlers.keys()) {
      const dir = await stack.unzip(key);
      const variables = resolve(fnOf(key).Properties.Environment?.Variables ?? {}) as Record<string, string>;
      const { stdout } = await run(process.execPath, ["--input-type=module", "-e", probe, pathToFileURL(join(dir, "functions", `${handlers.get(key)}.mjs`)).href], {
        cwd: dir,
        // AWS_REGION is set by the Lambda runtime; the SSM middleware fetches the link secret there.
        env: { PATH: process.env.PATH, ...variables, AWS_REGION: REGION, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      });
      expect(JSON.parse(stdout), key).toEqual({ handler: "function" });
    }
  });

  it("refuse to start without RETENTION_REGIONS, naming the variable", async () => {
    // Prepare
    const dir = await stack.unzip("sweep");
    // Act
    const failure = await run(process.execPath, ["--input-type=module", "-e", "await import(process.argv[1]);", pathToFileURL(join(dir, "functions", "sweep.mjs")).href], {
      cwd: dir,
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
