import type { Logger } from "@aws-lambda-powertools/logger";
import middy from "@middy/core";
import ssm from "@middy/ssm";
import { renderAlert } from "../alerts/render.js";
import type { EventSink } from "../alerts/ports.js";
import type { AlertClients } from "../aws/clients.js";
import { DynamoDbLedger } from "../aws/dynamodb-ledger.js";
import { EventBridgeSink } from "../aws/eventbridge-sink.js";
import type { ServiceClock } from "../aws/service-clock.js";
import { SnsNotifier } from "../aws/sns-notifier.js";
import { UserInputError } from "../errors.js";
import type { ApplyAlerts } from "../jobs/apply-alerts.js";
import { newRunId } from "../jobs/run-id.js";
import { linkMaker } from "../restore/links.js";
import { MIN_SECRET_BYTES } from "../restore/token.js";
import type { AlertConfig } from "./config.js";
import { jobLoggerFrom } from "./logger.js";

/** The link secrets of one invocation: `current`, and `previous` during a rotation. */
export interface LinkSecrets {
  current: Uint8Array;
  previous: Uint8Array | undefined;
}

/**
 * The parameter's value is the current secret, or `current` and `previous` on two lines
 * while a rotation is under way (links already sent keep working for their 7 days).
 */
export function parseLinkSecrets(value: string, where: string): LinkSecrets {
  const [current, previous] = value.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  const bytes = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, "utf8"));
  if (!current || Buffer.byteLength(current) < MIN_SECRET_BYTES || (previous !== undefined && Buffer.byteLength(previous) < MIN_SECRET_BYTES)) {
    throw new UserInputError(`${where}: expected a secret of at least ${MIN_SECRET_BYTES} characters (and optionally the previous one on a second line)`);
  }
  return { current: bytes(current)!, previous: bytes(previous) };
}

/**
 * The middleware that puts the link secrets on the context as `linkSecrets`: from the SSM
 * SecureString through @middy/ssm (fetched at cold start, cached 15 minutes, so a rotation
 * reaches every container within that), or from RESTORE_LINK_SECRET where there is no SSM.
 */
export function linkSecretsMiddleware(config: AlertConfig, ssmClientOptions: Record<string, unknown> = {}): middy.MiddlewareObj {
  if (config.linkSecretParameter) {
    // No prefetch at cold start: a failed fetch there is an unhandled rejection that kills the
    // container; fetched on the first invocation, a failure fails that invocation, which is retried.
    const fetch = ssm({ fetchData: { linkSecretsText: config.linkSecretParameter }, setToContext: true, cacheExpiry: 15 * 60_000, disablePrefetch: true, awsClientOptions: ssmClientOptions });
    return {
      before: async (request) => {
        await fetch.before?.(request as never);
        const ctx = request.context as unknown as { linkSecretsText: string; linkSecrets: LinkSecrets };
        ctx.linkSecrets = parseLinkSecrets(ctx.linkSecretsText, config.linkSecretParameter!);
      },
    };
  }
  const secrets = parseLinkSecrets(config.linkSecret ?? "", "RESTORE_LINK_SECRET");
  return {
    before: async (request) => {
      (request.context as unknown as { linkSecrets: LinkSecrets }).linkSecrets = secrets;
    },
  };
}

/** The alert path of one invocation (a fresh run ID each time). */
export function lambdaAlerts(config: AlertConfig, clients: AlertClients, clock: ServiceClock, logger: Logger, secrets: LinkSecrets): ApplyAlerts {
  const events: EventSink = config.eventBus
    ? new EventBridgeSink({ client: clients.events, busName: config.eventBus })
    : { put: async () => ({ sent: 0, failed: [] }) };
  return {
    path: {
      ledger: new DynamoDbLedger({ client: clients.documents, tableName: config.ledgerTable, nowMs: () => clock.nowMs() }),
      notifier: new SnsNotifier({ client: clients.sns, topicArn: config.topicArn }),
      events,
      render: (alert) => renderAlert(alert),
      accountId: config.topicArn.split(":")[4],
      clock,
      runId: newRunId(clock.nowMs()),
      log: jobLoggerFrom(logger),
      leaseMs: 10 * 60_000,
      retentionMs: config.retentionMs,
    },
    link: linkMaker(config.restoreBaseUrl, secrets.current),
    revision: config.revision,
    actor: `lambda:${process.env.AWS_LAMBDA_FUNCTION_NAME ?? "unknown"}`,
  };
}
