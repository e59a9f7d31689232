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

/** The alert path of a deployed function: the stack's topic, bus, table and restore link settings. */
export interface AlertConfig {
  /** Where the topic, bus and table live: the topic's region. */
  region: string;
  topicArn: string;
  eventBus: string | undefined;
  ledgerTable: string;
  restoreBaseUrl: string;
  /** The SSM SecureString holding the link secret (`current`, or `current\nprevious` during a rotation). */
  linkSecretParameter: string | undefined;
  /** The secret itself, for runs without SSM (local tests); the parameter wins when both are set. */
  linkSecret: string | undefined;
  revision: string | null;
  retentionMs: number;
  /** This service's own role ARNs (the watcher ignores their DeleteBackup calls). */
  ownRoleArns: string[];
}

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):[A-Za-z0-9_-]{1,256}$/;

/**
 * ALERT_TOPIC_ARN, EVENT_BUS_NAME, LEDGER_TABLE, RESTORE_BASE_URL, and the link secret
 * (RESTORE_LINK_SECRET_PARAMETER in AWS). Missing settings fail the cold start: a
 * deployed sweep never deletes silently.
 */
export function alertConfigFromEnv(env: Readonly<Record<string, string | undefined>>): AlertConfig {
  const missing = ["ALERT_TOPIC_ARN", "LEDGER_TABLE", "RESTORE_BASE_URL"].filter((k) => !env[k]);
  if (!env.RESTORE_LINK_SECRET_PARAMETER && !env.RESTORE_LINK_SECRET) missing.push("RESTORE_LINK_SECRET_PARAMETER");
  if (missing.length > 0) throw new UserInputError(`alerts: ${missing.join(", ")} not set; the stack sets them (serverless.yml)`);
  const topic = TOPIC_ARN.exec(env.ALERT_TOPIC_ARN!);
  if (!topic) throw new UserInputError(`ALERT_TOPIC_ARN: expected an SNS topic ARN, got "${env.ALERT_TOPIC_ARN}"`);
  const days = env.LEDGER_RETENTION_DAYS ? Number(env.LEDGER_RETENTION_DAYS) : 400;
  if (!/^\d+$/.test(env.LEDGER_RETENTION_DAYS ?? "400") || days < 1 || days > 3650) {
    throw new UserInputError(`LEDGER_RETENTION_DAYS: expected a whole number of days from 1 to 3650, got "${env.LEDGER_RETENTION_DAYS}"`);
  }
  return {
    region: topic[1]!,
    topicArn: env.ALERT_TOPIC_ARN!,
    eventBus: env.EVENT_BUS_NAME || undefined,
    ledgerTable: env.LEDGER_TABLE!,
    restoreBaseUrl: env.RESTORE_BASE_URL!,
    linkSecretParameter: env.RESTORE_LINK_SECRET_PARAMETER || undefined,
    linkSecret: env.RESTORE_LINK_SECRET || undefined,
    revision: env.POLICY_REVISION || null,
    retentionMs: days * 86_400_000,
    ownRoleArns: (env.RETENTION_ROLE_ARNS ?? "").split(",").map((s) => s.trim()).filter(Boolean),
  };
}
