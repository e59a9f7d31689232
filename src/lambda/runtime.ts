import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { alertClients, cloudHsmClients } from "../aws/clients.js";
import { CloudHsmBackupStore } from "../aws/cloudhsm-store.js";
import { ServiceClock } from "../aws/service-clock.js";
import type { RetentionPolicy } from "../domain/types.js";
import type { ApplyAlerts } from "../jobs/apply-alerts.js";
import { loadPolicyFiles } from "../policy/index.js";
import { type LinkSecrets, lambdaAlerts, linkSecretsMiddleware } from "./alerts.js";
import { type AlertConfig, alertConfigFromEnv, type SweepConfig, sweepConfigFromEnv } from "./config.js";

/**
 * What every function of the stack builds at cold start, once: its configuration (checked,
 * so a missing setting fails the cold start), the service's clock, the CloudHSM adapter,
 * the alert path's clients, and the middy chain (Powertools context, link secrets).
 */
export interface LambdaRuntime {
  logger: Logger;
  config: SweepConfig;
  alerting: AlertConfig;
  clock: ServiceClock;
  store: CloudHsmBackupStore;
  /** The alert path of one invocation, given its link secrets. */
  alerts: (secrets: LinkSecrets) => ApplyAlerts;
  /** `handler` with the Powertools logger's context and the link secrets on `context.linkSecrets`. */
  wrap<E, R>(handler: (event: E, context: object) => Promise<R>): middy.MiddyfiedHandler<E, R>;
}

export function lambdaRuntime(env: Readonly<Record<string, string | undefined>> = process.env): LambdaRuntime {
  const logger = new Logger({ serviceName: "cloudhsm-retention" });
  const config = sweepConfigFromEnv(env);
  const alerting = alertConfigFromEnv(env);
  const clock = new ServiceClock();
  const store = new CloudHsmBackupStore({
    clientFor: cloudHsmClients({ endpointUrl: config.endpointUrl, clock }),
    // Only when set: `retry: { maxAttempts: undefined }` would override the default.
    ...(config.maxAttempts === undefined ? {} : { retry: { maxAttempts: config.maxAttempts } }),
  });
  const clients = alertClients(alerting.region, { endpointUrl: config.endpointUrl, clock });
  return {
    logger,
    config,
    alerting,
    clock,
    store,
    alerts: (secrets) => lambdaAlerts(alerting, clients, clock, logger, secrets),
    wrap: (handler) =>
      middy(handler as never)
        .use(injectLambdaContext(logger, { resetKeys: true }))
        .use(linkSecretsMiddleware(alerting)) as never,
  };
}

/**
 * The bundled policies, read on the first invocation only (they cannot change while the
 * container lives). A failed read is not kept, so the next invocation tries again.
 */
export function policiesOnce(paths: readonly string[]): () => Promise<RetentionPolicy[]> {
  let loaded: Promise<RetentionPolicy[]> | undefined;
  return () => {
    loaded ??= loadPolicyFiles(paths).catch((err: unknown) => {
      loaded = undefined;
      throw err;
    });
    return loaded;
  };
}
