import { CloudHSMV2Client, type CloudHSMV2ClientConfig } from "@aws-sdk/client-cloudhsm-v2";
import { observeDates, type ServiceClock } from "./service-clock.js";

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

export function endpointFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return env.AWS_ENDPOINT_URL_CLOUDHSM_V2 || env.AWS_ENDPOINT_URL || undefined;
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
