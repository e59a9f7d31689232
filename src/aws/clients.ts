import { CloudHSMV2Client, type CloudHSMV2ClientConfig } from "@aws-sdk/client-cloudhsm-v2";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { observeDates, type ServiceClock } from "./service-clock.js";
import { endpointUrlSetting } from "../domain/settings.js";
import { SetupError } from "../errors.js";

/**
 * The one place AWS clients are built. Credentials come from the SDK's default chain.
 * `endpointUrl` routes every client to one endpoint (the local endpoint, LocalStack,
 * a VPC endpoint). client-cloudhsm-v2 3.332.0 ignores AWS_ENDPOINT_URL, so the caller
 * resolves it (see `endpointFromEnv`) and it is passed explicitly here.
 */
export interface ClientOptions {
  endpointUrl?: string | undefined;
  /** Fixed credentials (the local endpoint); by default the SDK's credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Reads the Date header of every response: the run's clock is the service's. */
  clock?: ServiceClock | undefined;
}

const ONE_ATTEMPT = {
  mode: "standard",
  retry: <T>(next: (args: T) => Promise<unknown>, args: T) => next(args),
} as unknown as CloudHSMV2ClientConfig["retryStrategy"];

export type CloudHsmClientFor = (region: string) => CloudHSMV2Client;

/**
 * The endpoint from the environment, service-specific variable first (the SDK's own
 * precedence), checked and blamed on the variable it came from. Empty counts as unset.
 */
export function endpointFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.AWS_ENDPOINT_URL_CLOUDHSM_V2) return endpointUrlSetting("AWS_ENDPOINT_URL_CLOUDHSM_V2", env.AWS_ENDPOINT_URL_CLOUDHSM_V2);
  if (env.AWS_ENDPOINT_URL) return endpointUrlSetting("AWS_ENDPOINT_URL", env.AWS_ENDPOINT_URL);
  return undefined;
}

/**
 * Resolves credentials once, before anything is listed, so that a machine without them
 * gets one line saying how to provide them (exit 2) rather than a failed listing per
 * region (exit 3). Only the SDK's "no provider could load credentials" is turned into a
 * set-up error; anything else (a network fault while fetching SSO or IMDS credentials)
 * is left to the listing, which retries and reports it. `profile` is AWS_PROFILE, named
 * in the message because the SDK's own says only "from any providers".
 */
export async function requireCredentials(client: CloudHSMV2Client, profile?: string): Promise<void> {
  try {
    await client.config.credentials();
  } catch (err) {
    if ((err as Error).name !== "CredentialsProviderError") throw err;
    const sdk = (err as Error).message;
    const why = /from any providers/.test(sdk) ? "" : ` (${sdk})`;
    const local = "for a local endpoint (--endpoint-url) any values will do, e.g. AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local";
    const message = profile
      ? `AWS credentials: profile "${profile}" (AWS_PROFILE) gave none${why}; check that it is in ~/.aws/config or ~/.aws/credentials ` +
        `(aws configure --profile ${profile}), or unset AWS_PROFILE and set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; ${local}`
      : `AWS credentials: none found${why}; set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run \`aws configure\`; ${local}`;
    throw new SetupError(message, { cause: err });
  }
}
/** One client per region, built on first use and reused (connection reuse matters for a sweep). */
export function cloudHsmClients(options: ClientOptions = {}): CloudHsmClientFor {
  const clients = new Map<string, CloudHSMV2Client>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = new CloudHSMV2Client({
        region,
        // src/aws/retry.ts owns retries, so that each one is counted and reported. With
        // 3.332.0, maxAttempts: 1 alone still retries throttling once; this strategy
        // makes exactly one attempt per send().
        maxAttempts: 1,
        retryStrategy: ONE_ATTEMPT,
        ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      });
      if (options.clock) observeDates(client, options.clock);
      clients.set(region, client);
    }
    return client;
  };
}

/** The clients of the alert path, in the deployment's region: the topic, the bus and the ledger live there. */
export interface AlertClients {
  sns: SNSClient;
  events: EventBridgeClient;
  dynamodb: DynamoDBClient;
  /** DynamoDB with plain JavaScript values (lib-dynamodb). */
  documents: DynamoDBDocumentClient;
}

export function alertClients(region: string, options: ClientOptions = {}): AlertClients {
  const config = {
    region,
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const sns = new SNSClient(config);
  const events = new EventBridgeClient(config);
  const dynamodb = new DynamoDBClient(config);
  if (options.clock) for (const c of [sns, events, dynamodb]) observeDates(c, options.clock);
  return { sns, events, dynamodb, documents: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }) };
}
