// Scheduled sweep: list, plan, delete, report. Wiring only; the logic is src/lambda/sweep.ts.
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { cloudHsmClients } from "../src/aws/clients.js";
import { CloudHsmBackupStore } from "../src/aws/cloudhsm-store.js";
import { sweepConfigFromEnv } from "../src/lambda/config.js";
import { jobLoggerFrom } from "../src/lambda/logger.js";
import { createSweep } from "../src/lambda/sweep.js";

const logger = new Logger({ serviceName: "cloudhsm-retention" });
const config = sweepConfigFromEnv(process.env);
const store = new CloudHsmBackupStore({
  clientFor: cloudHsmClients({ endpointUrl: config.endpointUrl }),
  // Only when set: `retry: { maxAttempts: undefined }` would override the default.
  ...(config.maxAttempts === undefined ? {} : { retry: { maxAttempts: config.maxAttempts } }),
});

export const handler = middy(createSweep({ config, store, log: jobLoggerFrom(logger), nowMs: Date.now })).use(
  injectLambdaContext(logger, { resetKeys: true }),
);
