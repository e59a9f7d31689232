import { SetupError, UsageError } from "../../errors.js";
import { jsonLinesLogger, SILENT } from "../../jobs/logger.js";
import { runRemind } from "../../jobs/remind.js";
import { loadPolicyFiles } from "../../policy/index.js";
import { alertSetup } from "../alerts-setup.js";
import { parseFormat, parseNow } from "../args.js";
import { type CliIo, useColor } from "../io.js";
import { connect, type LiveFlags, liveSettings } from "../live.js";
import type { AlertFlags } from "../options.js";
import { remindToJson, renderRemindTable } from "../render/remind.js";
import { COLOR, PLAIN } from "../render/table.js";
import { DEFAULT_ALERT_SETTINGS } from "../../policy/defaults.js";

export interface RemindOptions extends AlertFlags, LiveFlags {
  policy: string[];
  region: string[];
  now?: string | undefined;
  dryRun?: boolean | undefined;
  log?: boolean | undefined;
  format: string;
}

/**
 * `remind`: announce what is pending deletion and unannounced, and send each reminder
 * stage once (the remind Lambda's code path). Exit 0 all told; 2 set-up; 3 something
 * could not be listed, read, sent or recorded.
 */
export async function remindCommand(opts: RemindOptions, io: CliIo): Promise<number> {
  const format = parseFormat(opts.format);
  const nowMs = opts.now === undefined ? undefined : parseNow(opts.now, io.nowMs);
  const settings = liveSettings(opts, io, "remind");
  const { regions, endpointUrl } = settings;
  const policies = await loadPolicyFiles(opts.policy);
  const { clock, store } = await connect(settings, io);
  const log = opts.log ? jsonLinesLogger(io.stderr, () => clock.nowMs()) : SILENT;
  const alerts = await alertSetup(opts, { env: io.env, endpointUrl, credentials: opts.credentials, clock, regions, policyPaths: opts.policy, log, warn: (line) => io.stderr(`${line}\n`), purpose: "a reminder run" });
  if (!alerts) throw new SetupError("remind: the alert path is not configured");
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
