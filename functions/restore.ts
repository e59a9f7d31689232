// The restore page behind the alerts' links (API Gateway HTTP API, GET and POST /restore/{token}).
// Wiring only; the page is src/restore/http.ts.
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { alertClients, cloudHsmClients } from "../src/aws/clients.js";
import { CloudHsmBackupStore } from "../src/aws/cloudhsm-store.js";
import { ServiceClock } from "../src/aws/service-clock.js";
import { lambdaAlerts, linkSecretsMiddleware } from "../src/lambda/alerts.js";
import { alertConfigFromEnv, sweepConfigFromEnv } from "../src/lambda/config.js";
import { jobLoggerFrom } from "../src/lambda/logger.js";
import { policiesOnce } from "../src/lambda/policies.js";
import { restorePage } from "../src/restore/http.js";

const logger = new Logger({ serviceName: "cloudhsm-retention" });
const config = sweepConfigFromEnv(process.env);
const alerting = alertConfigFromEnv(process.env);
const clock = new ServiceClock();
const store = new CloudHsmBackupStore({
  clientFor: cloudHsmClients({ endpointUrl: config.endpointUrl, clock }),
  ...(config.maxAttempts === undefined ? {} : { retry: { maxAttempts: config.maxAttempts } }),
});
const clients = alertClients(alerting.region, { endpointUrl: config.endpointUrl, clock });

export const handler = restorePage({
  store,
  clock,
  log: jobLoggerFrom(logger),
  // Links verify with the current and the previous secret (linkSecretsMiddleware); new ones are signed with the current.
  alerts: (keys) => lambdaAlerts(alerting, clients, clock, logger, { current: keys.current, previous: keys.previous }),
  policies: policiesOnce(config.policyPaths),
  publicBaseUrl: alerting.restoreBaseUrl,
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(linkSecretsMiddleware(alerting));
