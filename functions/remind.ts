// Every 15 minutes: announce what is pending and unannounced, send each reminder stage once. Wiring only.
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { alertClients, cloudHsmClients } from "../src/aws/clients.js";
import { CloudHsmBackupStore } from "../src/aws/cloudhsm-store.js";
import { ServiceClock } from "../src/aws/service-clock.js";
import { lambdaAlerts, linkSecretsMiddleware } from "../src/lambda/alerts.js";
import { alertConfigFromEnv, sweepConfigFromEnv } from "../src/lambda/config.js";
import { createRemind } from "../src/lambda/remind.js";

const logger = new Logger({ serviceName: "cloudhsm-retention" });
const config = sweepConfigFromEnv(process.env);
const alerting = alertConfigFromEnv(process.env);
const clock = new ServiceClock();
const store = new CloudHsmBackupStore({
  clientFor: cloudHsmClients({ endpointUrl: config.endpointUrl, clock }),
  ...(config.maxAttempts === undefined ? {} : { retry: { maxAttempts: config.maxAttempts } }),
});
const clients = alertClients(alerting.region, { endpointUrl: config.endpointUrl, clock });

export const handler = middy(createRemind({ config, store, clock, alerts: (secrets) => lambdaAlerts(alerting, clients, clock, logger, secrets) }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(linkSecretsMiddleware(alerting));
