// The simulated world: the local endpoint on a frozen clock, the stack's alert resources,
// the four Lambda handlers loaded from functions/ exactly as Lambda loads them (module
// scope = cold start, reading the environment the stack sets), and a person's SDK client.
import { CloudHSMV2Client } from "@aws-sdk/client-cloudhsm-v2";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { alertClients } from "../../src/aws/clients.js";
import { provisionAlertResources } from "../../src/aws/provision.js";
import type { Backup } from "../../src/domain/types.js";
import { makeFleet } from "../../src/local/fleet.js";
import { EmulatorClock, type LocalEndpoint, startLocalEndpoint } from "../../src/local/index.js";

export const REGION = "us-east-1";
export const ACCOUNT = "111122223333";
export const POLICY_PATH = "bench/sim/policy.yml";
export const RESTORE_BASE_URL = "https://simapi1234.execute-api.us-east-1.amazonaws.com";
export const LINK_SECRET = "the-simulation-link-secret-of-32-characters";
export const TABLE = "cloudhsm-retention-ledger";
export const BUS = "cloudhsm-retention";
/** The functions' access key (their execution role, as CloudTrail names it) and the person's. */
export const LAMBDA_KEY = "ASIASIMLAMBDA";
export const PERSON_KEY = "AKIASIMALICE";
export const LAMBDA_ROLE = "cloudhsm-retention-sim-lambdaRole";
export const LAMBDA_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${LAMBDA_ROLE}`;

export type Handler<E = unknown, R = unknown> = (event: E, context: Context) => Promise<R>;

export interface Handlers {
  sweep: Handler;
  remind: Handler;
  watch: Handler;
  restore: Handler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;
}

export interface World {
  endpoint: LocalEndpoint;
  clock: EmulatorClock;
  clusters: string[];
  person: CloudHSMV2Client;
  handlers: Handlers;
  /** The environment the functions were started with (for a killed run's own process). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export function lambdaContext(fn: string, requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `cloudhsm-retention-sim-${fn}`,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:cloudhsm-retention-sim-${fn}`,
    memoryLimitInMB: "512",
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/cloudhsm-retention-sim-${fn}`,
    logStreamName: "sim",
    getRemainingTimeInMillis: () => 900_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export async function startWorld(opts: { startMs: number; clusters: number; seed: number }): Promise<World> {
  // Frozen underneath: emulated time moves only when the simulation moves it.
  const clock = new EmulatorClock({ realNowMs: () => opts.startMs, startMs: opts.startMs });
  const fleet: Backup[] = makeFleet({ endMs: opts.startMs, days: 12, clusters: [{ region: REGION, count: opts.clusters }], seed: opts.seed });
  const endpoint = await startLocalEndpoint({ port: 0, clock, seeds: [{ backups: fleet }] });
  const clusters = [...new Set(fleet.map((b) => b.clusterId!))];
  // CloudHSM's own work: a daily backup per cluster, and its BackupRetentionPolicy (90 days by default).
  endpoint.schedules.set({ region: REGION });
  endpoint.retention.enable();
  endpoint.cloudtrail.setIdentity(LAMBDA_KEY, { role: LAMBDA_ROLE, session: "cloudhsm-retention-sim" });
  endpoint.cloudtrail.setIdentity(PERSON_KEY, { user: "alice" });

  const setup = alertClients(REGION, { endpointUrl: endpoint.url, credentials: { accessKeyId: "setup", secretAccessKey: "setup" } });
  const { topicArn } = await provisionAlertResources(setup, { bus: BUS, table: TABLE });
  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: LAMBDA_KEY,
    AWS_SECRET_ACCESS_KEY: "sim",
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL: endpoint.url,
    AWS_LAMBDA_FUNCTION_NAME: "cloudhsm-retention-sim",
    RETENTION_REGIONS: REGION,
    RETENTION_POLICY_PATH: POLICY_PATH,
    ALERT_TOPIC_ARN: topicArn,
    EVENT_BUS_NAME: BUS,
    LEDGER_TABLE: TABLE,
    RESTORE_BASE_URL,
    RESTORE_LINK_SECRET: LINK_SECRET,
    RETENTION_ROLE_ARNS: LAMBDA_ROLE_ARN,
    POWERTOOLS_LOG_LEVEL: "SILENT",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  // One warm container per function for the whole run, as Lambda keeps them.
  const handlers: Handlers = {
    sweep: (await import("../../functions/sweep.js")).handler as unknown as Handler,
    remind: (await import("../../functions/remind.js")).handler as unknown as Handler,
    watch: (await import("../../functions/watch.js")).handler as unknown as Handler,
    restore: (await import("../../functions/restore.js")).handler as unknown as Handlers["restore"],
  };
  const person = new CloudHSMV2Client({ region: REGION, endpoint: endpoint.url, credentials: { accessKeyId: PERSON_KEY, secretAccessKey: "alice" }, maxAttempts: 3 });
  return {
    endpoint,
    clock,
    clusters,
    person,
    handlers,
    env,
    async close() {
      person.destroy();
      for (const c of Object.values(setup)) (c as { destroy?: () => void }).destroy?.();
      await endpoint.close();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
