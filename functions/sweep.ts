// Scheduled sweep: list, plan, delete, tell, report. Wiring only; the logic is src/lambda/sweep.ts.
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { alertClients, cloudHsmClients } from "../src/aws/clients.js";
import { CloudHsmBackupStore } from "../src/aws/cloudhsm-store.js";
import { ServiceClock } from "../src/aws/service-clock.js";
import { lambdaAlerts, linkSecretsMiddleware } from "../src/lambda/alerts.js";
import { alertConfigFromEnv, sweepConfigFromEnv } from "../src/lambda/config.js";
import { jobLoggerFrom } from "../src/lambda/logger.js";
import { createSweep } from "../src/lambda/sweep.js";

const logger = new Logger({ serviceName: "cloudhsm-retention" });
const config = sweepConfigFromEnv(process.env);
const alerting = alertConfigFromEnv(process.env);
const clock = new ServiceClock();
const store = new CloudHsmBackupStore({
  clientFor: cloudHsmClients({ endpointUrl: config.endpointUrl, clock }),
  // Only when set: `retry: { maxAttempts: undefined }` would override the default.
  ...(config.maxAttempts === undefined ? {} : { retry: { maxAttempts: config.maxAttempts } }),
});
const clients = alertClients(alerting.region, { endpointUrl: config.endpointUrl, clock });

export const handler = middy(
  createSweep({ config, store, clock, log: jobLoggerFrom(logger), alerts: (secrets) => lambdaAlerts(alerting, clients, clock, logger, secrets) }),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(linkSecretsMiddleware(alerting));
