import { UserInputError } from "../errors.js";

/** What a scheduled Lambda reads from its environment, checked once at cold start. */
export interface SweepConfig {
  /** Policy files or directories bundled with the function. */
  policyPaths: string[];
  regions: string[];
  endpointUrl?: string | undefined;
  concurrency?: number | undefined;
  /** Attempts per AWS call, first try included; undefined = the adapter's default (10). */
  maxAttempts?: number | undefined;
  dryRun: boolean;
}

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/**
 * true/false in any case (and 1/0); anything else is refused, never read as false:
 * a mistyped RETENTION_DRY_RUN must not turn a dry run into a deleting one.
 */
function parseBoolean(env: Readonly<Record<string, string | undefined>>, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new UserInputError(`${name}: expected true or false, got "${env[name]}"`);
}

export function sweepConfigFromEnv(env: Readonly<Record<string, string | undefined>>): SweepConfig {
  const regions = (env.RETENTION_REGIONS ?? env.AWS_REGION ?? "").split(",").map((r) => r.trim()).filter(Boolean);
  const bad = regions.filter((r) => !REGION.test(r));
  if (regions.length === 0 || bad.length > 0) {
    throw new UserInputError(`RETENTION_REGIONS: expected a comma-separated list of AWS regions, got "${env.RETENTION_REGIONS ?? ""}"`);
  }
  const concurrency = env.RETENTION_CONCURRENCY ? Number(env.RETENTION_CONCURRENCY) : undefined;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 64)) {
    throw new UserInputError(`RETENTION_CONCURRENCY: expected a whole number from 1 to 64, got "${env.RETENTION_CONCURRENCY}"`);
  }
  const maxAttempts = env.RETENTION_MAX_ATTEMPTS ? Number(env.RETENTION_MAX_ATTEMPTS) : undefined;
  if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && maxAttempts >= 1 && maxAttempts <= 50)) {
    throw new UserInputError(`RETENTION_MAX_ATTEMPTS: expected a whole number from 1 to 50, got "${env.RETENTION_MAX_ATTEMPTS}"`);
  }
  return {
    policyPaths: (env.RETENTION_POLICY_PATH ?? "policies").split(",").map((p) => p.trim()).filter(Boolean),
    regions,
    endpointUrl: env.AWS_ENDPOINT_URL_CLOUDHSM_V2 || env.AWS_ENDPOINT_URL || undefined,
    concurrency,
    maxAttempts,
    dryRun: parseBoolean(env, "RETENTION_DRY_RUN", false),
  };
}
