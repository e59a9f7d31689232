import { hostname, userInfo } from "node:os";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { GetTopicAttributesCommand } from "@aws-sdk/client-sns";
import { renderAlert } from "../alerts/render.js";
import type { EventSink } from "../alerts/ports.js";
import { alertClients } from "../aws/clients.js";
import { DynamoDbLedger, ensureLedgerTable } from "../aws/dynamodb-ledger.js";
import { EventBridgeSink } from "../aws/eventbridge-sink.js";
import type { ServiceClock } from "../aws/service-clock.js";
import { SnsNotifier } from "../aws/sns-notifier.js";
import { SetupError } from "../errors.js";
import type { ApplyAlerts } from "../jobs/apply-alerts.js";
import type { Ledger } from "../ledger/port.js";
import type { JobLogger } from "../jobs/logger.js";
import { newRunId } from "../jobs/run-id.js";
import { linkMaker } from "../restore/links.js";
import { localLinkSecrets } from "./link-secret.js";
import { policyRevision } from "./revision.js";
import { isLocalEndpoint, LOCAL_NAMES } from "./local-resources.js";
import type { AlertFlags } from "./options.js";
import { provisionAlertResources } from "../aws/provision.js";

export type { AlertFlags };

export interface AlertContext {
  env: Readonly<Record<string, string | undefined>>;
  endpointUrl: string | undefined;
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  clock: ServiceClock;
  /** The regions swept; the first is the alert path's region when nothing else says. */
  regions: readonly string[];
  policyPaths: readonly string[];
  log: JobLogger;
  /** One line on stderr for the person running the command. */
  warn: (line: string) => void;
  /** What the run does, for the set-up error: "a run that deletes", "a reminder run". */
  purpose?: string | undefined;
}

/**
 * Where a CLI run's alerts go. Against the local endpoint everything defaults and is
 * created on first use. Against AWS, a deleting run needs the topic, the ledger and the
 * restore base URL, or an explicit --no-alerts: "never a silent deletion" is the default,
 * not an option.
 */
export async function alertSetup(flags: AlertFlags, ctx: AlertContext): Promise<ApplyAlerts | undefined> {
  if (flags.alerts === false) return undefined;
  const { env } = ctx;
  const local = ctx.endpointUrl !== undefined && (await isLocalEndpoint(ctx.endpointUrl));
  let topicArn = flags.topicArn ?? (env.ALERT_TOPIC_ARN || undefined);
  const busFlag = flags.eventBus ?? (env.EVENT_BUS_NAME || undefined);
  let table = flags.ledgerTable ?? (env.LEDGER_TABLE || undefined);
  let baseUrl = flags.restoreBaseUrl ?? (env.RESTORE_BASE_URL || undefined);
  // One alert path whatever the order of --region: the topic's region, else AWS_REGION, else
  // us-east-1. The local endpoint keeps SNS and DynamoDB per region, so there AWS_REGION (set
  // in many shells for other work) is ignored: every local run meets the same ledger.
  const region = regionOf(topicArn) ?? (local ? undefined : env.AWS_REGION || undefined) ?? "us-east-1";
  const clients = alertClients(region, { endpointUrl: ctx.endpointUrl, credentials: ctx.credentials, clock: ctx.clock });
  let bus = busFlag;
  if (local) {
    // Only the default names are created: a misspelt --ledger-table must not start an empty
    // ledger that knows no holds (the preflight below reports it instead).
    const made = await provisionAlertResources(clients, { topicArn, bus: bus === undefined ? LOCAL_NAMES.bus : undefined, table: table === undefined ? LOCAL_NAMES.table : undefined });
    for (const problem of made.problems) ctx.warn(`warning: could not create ${problem} on the local endpoint ${ctx.endpointUrl}; going on`);
    topicArn = made.topicArn;
    bus ??= LOCAL_NAMES.bus;
    table ??= LOCAL_NAMES.table;
    baseUrl ??= LOCAL_NAMES.restoreBaseUrl;
  }
  const missing = [
    topicArn ? "" : "--topic-arn (ALERT_TOPIC_ARN)",
    table ? "" : "--ledger-table (LEDGER_TABLE)",
    baseUrl ? "" : "--restore-base-url (RESTORE_BASE_URL)",
  ].filter(Boolean);
  if (missing.length > 0) {
    const purpose = ctx.purpose ?? "a run that deletes";
    throw new SetupError(
      `alerts: set ${missing.join(", ")}: ${purpose} tells people, with a restore link, and keeps the ledger ` +
        "(`npx serverless info --verbose` prints the stack's values)" +
        (ctx.purpose === undefined ? "; or pass --no-alerts to delete without telling anyone" : ""),
    );
  }
  // A mistyped topic or table must stop a run before it deletes, not after.
  await preflight(clients, topicArn!, table!, ctx.warn);
  const secrets = await localLinkSecrets(env, { local });
  const events: EventSink = bus ? new EventBridgeSink({ client: clients.events, busName: bus }) : { put: async () => ({ sent: 0, failed: [] }) };
  return {
    path: {
      ledger: new DynamoDbLedger({ client: clients.documents, tableName: table!, nowMs: () => ctx.clock.nowMs() }),
      notifier: new SnsNotifier({ client: clients.sns, topicArn: topicArn! }),
      events,
      render: (alert) => renderAlert(alert),
      accountId: accountOf(topicArn),
      clock: ctx.clock,
      runId: newRunId(ctx.clock.nowMs()),
      log: ctx.log,
      leaseMs: 10 * 60_000,
      retentionMs: retentionMs(env),
    },
    link: linkMaker(baseUrl!, secrets.current),
    revision: flags.revision ?? (env.POLICY_REVISION || undefined) ?? (await policyRevision(ctx.policyPaths)),
    actor: `cli:${safeUser()}@${hostname()}`,
  };
}

/**
 * The ledger alone, read-only, for a preview (`apply --dry-run`, the live `plan`) against
 * AWS: a preview reads the holds of restored backups and the day's deletions, so it needs
 * neither the topic nor the restore base URL (a read-only CI role plans with LEDGER_TABLE
 * and dynamodb:Query alone). The table's region is the alert path's: the topic's region,
 * else AWS_REGION, else us-east-1. Undefined when no table is configured.
 */
export function previewLedgerOnly(flags: AlertFlags, ctx: AlertContext): Ledger | undefined {
  const table = flags.ledgerTable ?? (ctx.env.LEDGER_TABLE || undefined);
  if (table === undefined) return undefined;
  const topicArn = flags.topicArn ?? (ctx.env.ALERT_TOPIC_ARN || undefined);
  const region = regionOf(topicArn) ?? (ctx.env.AWS_REGION || undefined) ?? "us-east-1";
  const clients = alertClients(region, { endpointUrl: ctx.endpointUrl, credentials: ctx.credentials, clock: ctx.clock });
  return new DynamoDbLedger({ client: clients.documents, tableName: table, nowMs: () => ctx.clock.nowMs() });
}

/** How long the ledger keeps a record after the backup is gone: LEDGER_RETENTION_DAYS, default 400 (a year and change, for audits). */
export function retentionMs(env: Readonly<Record<string, string | undefined>>): number {
  const days = env.LEDGER_RETENTION_DAYS ? Number(env.LEDGER_RETENTION_DAYS) : 400;
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new SetupError(`LEDGER_RETENTION_DAYS: expected a whole number of days from 1 to 3650, got "${env.LEDGER_RETENTION_DAYS}"`);
  return days * 86_400_000;
}

/** Errors that say the setting is wrong, not that the service is having a bad minute. */
const WRONG_SETTING = /NotFound|AuthorizationError|AccessDenied|InvalidParameter|ValidationException|UnrecognizedClient|InvalidClientTokenId/;

/**
 * A topic or table that does not exist (or cannot be used) is a set-up error, found before
 * anything is deleted. A service that is merely down does not stop the run: what it could
 * not tell is told by the next reminder run, and the run says so (exit 3).
 */
async function preflight(clients: ReturnType<typeof alertClients>, topicArn: string, table: string, warn: (line: string) => void): Promise<void> {
  const problem = (what: string) => (err: unknown) => {
    const e = err as Error;
    if (!WRONG_SETTING.test(e.name)) {
      warn(`warning: ${what} (${e.name}); going on: what cannot be told now is told by the next reminder run`);
      return;
    }
    throw new SetupError(`alerts: ${what}: ${e.name}: ${e.message}; check the setting, or the credentials' access to it`, { cause: err });
  };
  await clients.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn })).catch(problem(`the topic ${topicArn} cannot be read`));
  await clients.dynamodb.send(new DescribeTableCommand({ TableName: table })).catch(problem(`the ledger table ${table} cannot be read`));
}

function regionOf(arn: string | undefined): string | undefined {
  return arn?.split(":")[3] || undefined;
}

function accountOf(arn: string | undefined): string | undefined {
  const account = arn?.split(":")[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

