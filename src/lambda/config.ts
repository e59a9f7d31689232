import { endpointFromEnv } from "../aws/clients.js";
import { CONCURRENCY_RANGE, MAX_ATTEMPTS_RANGE, REGION_PATTERN, wholeNumberSetting } from "../domain/settings.js";
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
  const bad = regions.filter((r) => !REGION_PATTERN.test(r));
  if (regions.length === 0 || bad.length > 0) {
    throw new UserInputError(`RETENTION_REGIONS: expected a comma-separated list of AWS regions, got "${env.RETENTION_REGIONS ?? ""}"`);
  }
  // An empty variable counts as unset, as the Lambda console leaves them.
  const concurrency = wholeNumberSetting("RETENTION_CONCURRENCY", env.RETENTION_CONCURRENCY || undefined, CONCURRENCY_RANGE);
  const maxAttempts = wholeNumberSetting("RETENTION_MAX_ATTEMPTS", env.RETENTION_MAX_ATTEMPTS || undefined, MAX_ATTEMPTS_RANGE);
  return {
    policyPaths: (env.RETENTION_POLICY_PATH ?? "policies").split(",").map((p) => p.trim()).filter(Boolean),
    regions,
    endpointUrl: endpointFromEnv(env),
    concurrency,
    maxAttempts,
    dryRun: parseBoolean(env, "RETENTION_DRY_RUN", false),
  };
}
