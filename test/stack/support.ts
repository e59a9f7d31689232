import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * The deployable artefact as `npx serverless package --stage ci` builds it (osls), offline
 * and with no AWS credentials: every AWS_* variable is removed and the SDK's files and
 * instance metadata are pointed nowhere, so packaging that needed an account would fail.
 */

export const run = promisify(execFile);
export const ROOT = join(import.meta.dirname, "..", "..");
export const STAGE = "ci";
export const REGIONS = "us-east-1,us-west-2";

export interface Resource {
  Type: string;
  Properties: Record<string, any>;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
export interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown; Description?: string }>;
  Conditions: Record<string, unknown>;
}
export interface Statement {
  Effect: string;
  Action: string[] | string;
  Resource: unknown;
  NotAction?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

export interface PackagedStack {
  /** The temp directory: `project/` (the copy packaged), `package/` (osls' output). */
  work: string;
  project: string;
  template: Template;
  /** Unzips a function's package (once) and returns its directory. */
  unzip(fn: string): Promise<string>;
  zipEntries(fn: string): Promise<string[]>;
  close(): Promise<void>;
}

/** The environment osls runs in: no AWS credentials or configuration at all. */
export function offlineEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
  return {
    ...env,
    AWS_CONFIG_FILE: "/nonexistent/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
    AWS_EC2_METADATA_DISABLED: "true",
    SLS_TELEMETRY_DISABLED: "1",
    SLS_NOTIFICATIONS_MODE: "off",
  };
}

/**
 * Packages a copy of the project (so a test can add files, and osls' .serverless/ stays
 * out of the working tree; node_modules is linked), with the regions a deploy would pass.
 */
export async function packageStack(
  opts: { prepare?: (project: string, work: string) => Promise<void>; params?: Record<string, string>; args?: string[] } = {},
): Promise<PackagedStack> {
  const work = await mkdtemp(join(tmpdir(), "cloudhsm-retention-package-"));
  const project = join(work, "project");
  for (const entry of ["serverless.yml", "esbuild-plugins.cjs", "package.json", "tsconfig.json", "functions", "src", "policies"]) {
    await cp(join(ROOT, entry), join(project, entry), { recursive: true });
  }
  await symlink(join(ROOT, "node_modules"), join(project, "node_modules"), "dir");
  await opts.prepare?.(project, work);
  const params = { regions: REGIONS, ...opts.params };
  await run("npx", ["serverless", "package", "--stage", STAGE, "--package", join(work, "package"), ...Object.entries(params).flatMap(([k, v]) => ["--param", `${k}=${v}`]), ...(opts.args ?? [])], {
    cwd: project,
    env: offlineEnv(),
    timeout: 170_000,
  });
  const template = JSON.parse(await readFile(join(work, "package", "cloudformation-template-update-stack.json"), "utf8")) as Template;
  const unzipped = new Map<string, Promise<string>>();
  return {
    work,
    project,
    template,
    unzip: (fn) => {
      let dir = unzipped.get(fn);
      if (!dir) {
        const target = join(work, "unzipped", fn);
        dir = mkdir(target, { recursive: true })
          .then(() => run("unzip", ["-q", join(work, "package", `${fn}.zip`), "-d", target]))
          .then(() => target);
        unzipped.set(fn, dir);
      }
      return dir;
    },
    zipEntries: async (fn) => (await run("unzip", ["-Z1", join(work, "package", `${fn}.zip`)])).stdout.split("\n").filter(Boolean),
    close: () => rm(work, { recursive: true, force: true }),
  };
}

export const ofType = (template: Template, type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

/** The function resource whose handler is `functions/<file>.handler`. */
export function functionByHandler(template: Template, handler: string): [string, Resource] {
  const found = ofType(template, "AWS::Lambda::Function").find(([, r]) => r.Properties.Handler === handler);
  if (!found) throw new Error(`no function with handler ${handler}`);
  return found;
}

/** The role logical ID a function runs with (`Role: {Fn::GetAtt: [X, Arn]}`). */
export function roleOf(fn: Resource): string {
  const role = fn.Properties.Role as { "Fn::GetAtt"?: [string, string] };
  if (!role?.["Fn::GetAtt"] || role["Fn::GetAtt"][1] !== "Arn") throw new Error(`unexpected Role ${JSON.stringify(fn.Properties.Role)}`);
  return role["Fn::GetAtt"][0];
}

export function statementsOf(template: Template, roleId: string): Statement[] {
  const role = template.Resources[roleId];
  if (role?.Type !== "AWS::IAM::Role") throw new Error(`${roleId} is not a role`);
  return (role.Properties.Policies ?? []).flatMap((p: { PolicyDocument: { Statement: Statement[] } }) => p.PolicyDocument.Statement);
}

export const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : [x]);

// ---- CloudFormation intrinsics, resolved against a stand-in deployment -----------------

/** The account and region the stand-in deployment (and the local endpoint's ARNs) use. */
export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
export const API_ENDPOINT = "https://abc123defg.execute-api.us-east-1.amazonaws.com";

/**
 * Resolves Ref, Fn::GetAtt, Fn::Join, Fn::If (with the template's conditions), Fn::Not
 * and Fn::Equals as CloudFormation would for a deployment in ACCOUNT/REGION: physical
 * names from the resources' own properties, ARNs in AWS's documented formats.
 */
export function resolver(template: Template): (value: unknown) => unknown {
  const props = (id: string) => {
    const r = template.Resources[id];
    if (!r) throw new Error(`no resource ${id}`);
    return r.Properties;
  };
  const ref = (id: string): string => {
    switch (id) {
      case "AWS::Partition":
        return "aws";
      case "AWS::AccountId":
        return ACCOUNT;
      case "AWS::Region":
        return REGION;
      case "AWS::URLSuffix":
        return "amazonaws.com";
    }
    const r = template.Resources[id];
    switch (r?.Type) {
      case "AWS::SNS::Topic":
        return `arn:aws:sns:${REGION}:${ACCOUNT}:${props(id).TopicName}`;
      case "AWS::Events::EventBus":
        return props(id).Name;
      case "AWS::DynamoDB::Table":
        return props(id).TableName;
      case "AWS::Logs::LogGroup":
        return props(id).LogGroupName;
      case "AWS::Lambda::Function":
        return props(id).FunctionName;
      case "AWS::ApiGatewayV2::Api":
        return "abc123defg";
      default:
        throw new Error(`Ref ${id} (${r?.Type}) is not resolved here`);
    }
  };
  const getAtt = (id: string, attribute: string): unknown => {
    const r = template.Resources[id];
    const key = `${r?.Type}.${attribute}`;
    switch (key) {
      case "AWS::DynamoDB::Table.Arn":
        return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${props(id).TableName}`;
      case "AWS::Events::EventBus.Arn":
        return `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${props(id).Name}`;
      case "AWS::Logs::LogGroup.Arn":
        return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${props(id).LogGroupName}:*`;
      case "AWS::IAM::Role.Arn":
        return `arn:aws:iam::${ACCOUNT}:role/${id}`;
      case "AWS::Lambda::Function.Arn":
        return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${props(id).FunctionName}`;
      case "AWS::ApiGatewayV2::Api.ApiEndpoint":
        return API_ENDPOINT;
      case "Custom::LinkSecret.ParameterName":
        return resolve(props(id).ParameterName);
      default:
        throw new Error(`Fn::GetAtt ${id}.${attribute} is not resolved here`);
    }
  };
  const condition = (name: string): boolean => {
    const c = template.Conditions[name];
    if (c === undefined) throw new Error(`no condition ${name}`);
    return Boolean(resolve(c));
  };
  function resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== "object") return value;
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [fn, arg] = entries[0]! as [string, any];
      switch (fn) {
        case "Ref":
          return ref(arg);
        case "Fn::GetAtt":
          return getAtt(arg[0], arg[1]);
        case "Fn::Join":
          return (resolve(arg[1]) as unknown[]).join(arg[0]);
        case "Fn::If":
          return condition(arg[0]) ? resolve(arg[1]) : resolve(arg[2]);
        case "Fn::Not":
          return !resolve(arg[0]);
        case "Fn::Equals":
          return resolve(arg[0]) === resolve(arg[1]);
      }
      if (fn.startsWith("Fn::")) throw new Error(`${fn} is not resolved here`);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
  }
  return resolve;
}

// ---- IAM: does a role's identity policy allow an action on a resource? ------------------

/** IAM's wildcard match: `*` any run of characters, `?` one. */
function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, ignoreCase ? "i" : "");
  return re.test(value);
}

/** Allowed by some Allow statement (actions case-insensitive, resources case-sensitive, as IAM compares them). */
export function allows(statements: readonly Statement[], action: string, resource: string): boolean {
  return statements.some(
    (s) =>
      s.Effect === "Allow" &&
      s.Condition === undefined &&
      list(s.Action).some((a) => globMatch(String(a), action, true)) &&
      list(s.Resource).some((r) => globMatch(String(r), resource, false)),
  );
}
