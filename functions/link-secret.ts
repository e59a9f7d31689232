// CloudFormation custom resource: creates the restore-link secret as an SSM SecureString
// (CloudFormation cannot). Wiring only; the logic is src/lambda/link-secret-resource.ts.
import { Logger } from "@aws-lambda-powertools/logger";
import { ssmParameterClient, SsmSecretParameter } from "../src/aws/ssm-parameter.js";
import { createLinkSecretResource, respondToCloudFormation } from "../src/lambda/link-secret-resource.js";
import { jobLoggerFrom } from "../src/lambda/logger.js";

const logger = new Logger({ serviceName: "cloudhsm-retention" });
export const handler = createLinkSecretResource({
  parameter: new SsmSecretParameter({ client: ssmParameterClient() }),
  respond: respondToCloudFormation,
  log: jobLoggerFrom(logger),
});
