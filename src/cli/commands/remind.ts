import { CloudHsmBackupStore } from "../../aws/cloudhsm-store.js";
import { cloudHsmClients, endpointFromEnv, requireCredentials } from "../../aws/clients.js";
import { ServiceClock } from "../../aws/service-clock.js";
import { endpointUrlSetting, MAX_ATTEMPTS_RANGE, wholeNumberSetting } from "../../domain/settings.js";
import { SetupError, UsageError } from "../../errors.js";
import { jsonLinesLogger, SILENT } from "../../jobs/logger.js";
import { runRemind } from "../../jobs/remind.js";
import { loadPolicyFiles } from "../../policy/index.js";
import { type AlertFlags, alertSetup } from "../alerts-setup.js";
import { parseFormat, parseNow, parseRegion } from "../args.js";
import { type CliIo, useColor } from "../io.js";
import { remindToJson, renderRemindTable } from "../render/remind.js";
import { COLOR, PLAIN } from "../render/table.js";
import { DEFAULT_ALERT_SETTINGS } from "../../policy/defaults.js";

export interface RemindOptions extends AlertFlags {
  policy: string[];
  region: string[];
  endpointUrl?: string | undefined;
  now?: string | undefined;
  dryRun?: boolean | undefined;
  maxAttempts?: string | undefined;
  log?: boolean | undefined;
  format: string;
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

/**
 * `remind`: announce what is pending deletion and unannounced, and send each reminder
 * stage once (the remind Lambda's code path). Exit 0 all told; 2 set-up; 3 something
 * could not be listed, read, sent or recorded.
 */
export async function remindCommand(opts: RemindOptions, io: CliIo): Promise<number> {
  const format = parseFormat(opts.format);
  const nowMs = opts.now === undefined ? undefined : parseNow(opts.now, io.nowMs);
  const regions = [...new Set(opts.region.map(parseRegion))];
  const maxAttempts = wholeNumberSetting("--max-attempts", opts.maxAttempts, MAX_ATTEMPTS_RANGE);
  const endpointUrl = opts.endpointUrl !== undefined ? endpointUrlSetting("--endpoint-url", opts.endpointUrl) : endpointFromEnv(io.env);
  const policies = await loadPolicyFiles(opts.policy);
  const clock = new ServiceClock();
  const clientFor = cloudHsmClients({ endpointUrl, credentials: opts.credentials, clock });
  await requireCredentials(clientFor(regions[0]!), io.env.AWS_PROFILE || undefined);
  const log = opts.log ? jsonLinesLogger(io.stderr, () => clock.nowMs()) : SILENT;
  const alerts = await alertSetup(opts, { env: io.env, endpointUrl, credentials: opts.credentials, clock, regions, policyPaths: opts.policy, log, warn: (line) => io.stderr(`${line}\n`), purpose: "a reminder run" });
  if (!alerts) throw new SetupError("remind: the alert path is not configured");
  const store = new CloudHsmBackupStore({ clientFor, retry: maxAttempts === undefined ? undefined : { maxAttempts } });
  // A reminder run sends as of the service's time, like the Lambda; --now only previews.
  if (nowMs !== undefined && !opts.dryRun) {
    throw new UsageError("--now: a reminder run sends as of the service's time; use --now with --dry-run to preview another time");
  }
  const runClock = nowMs === undefined ? clock : { nowMs: () => nowMs };
  const report = await runRemind({
    policies,
    regions,
    store,
    path: { ...alerts.path, clock: runClock },
    link: alerts.link,
    alerts: { ...alerts, path: { ...alerts.path, clock: runClock } },
    defaults: DEFAULT_ALERT_SETTINGS,
    dryRun: opts.dryRun,
  });
  io.stdout(format === "json" ? `${JSON.stringify(remindToJson(report), null, 2)}\n` : renderRemindTable(report, useColor(io) ? COLOR : PLAIN));
  return report.exitCode;
}
