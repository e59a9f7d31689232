// The restore page behind the alerts' links (API Gateway HTTP API, GET and POST /restore/{token}).
// Wiring only; the page is src/restore/http.ts. Links verify with the current and the previous
// secret (linkSecretsMiddleware); new ones are signed with the current.
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { linkSecretsMiddleware } from "../src/lambda/alerts.js";
import { jobLoggerFrom } from "../src/lambda/logger.js";
import { lambdaRuntime, policiesOnce } from "../src/lambda/runtime.js";
import { restorePage } from "../src/restore/http.js";

const rt = lambdaRuntime();
export const handler = restorePage({ store: rt.store, clock: rt.clock, log: jobLoggerFrom(rt.logger), alerts: (keys) => rt.alerts({ current: keys.current, previous: keys.previous }), policies: policiesOnce(rt.config.policyPaths), publicBaseUrl: rt.alerting.restoreBaseUrl })
  .use(injectLambdaContext(rt.logger, { resetKeys: true }))
  .use(linkSecretsMiddleware(rt.alerting));
