import { CloudHsmBackupStore } from "../../aws/cloudhsm-store.js";
import { cloudHsmClients, endpointFromEnv } from "../../aws/clients.js";
import { runApply } from "../../jobs/apply.js";
import { jsonLinesLogger, SILENT } from "../../jobs/logger.js";
import { CONCURRENCY_RANGE, MAX_ATTEMPTS_RANGE, wholeNumberSetting } from "../../domain/settings.js";
import { loadPolicyFiles } from "../../policy/index.js";
import { UsageError } from "../../errors.js";
import { parseFormat, parseNow, parseRegion } from "../args.js";
import { type CliIo, useColor } from "../io.js";
import { applyToJson, renderApplyTable } from "../render/apply.js";
import { COLOR, PLAIN } from "../render/table.js";

/** Clock skew tolerated between --now and this machine's clock when deleting. */
const MAX_NOW_SKEW_MS = 5 * 60_000;

export interface ApplyOptions {
  policy: string[];
  region: string[];
  endpointUrl?: string | undefined;
  now?: string | undefined;
  dryRun?: boolean | undefined;
  format: string;
  concurrency?: string | undefined;
  maxAttempts?: string | undefined;
  log?: boolean | undefined;
  /** Only for the embedded local endpoint (`npm start`); otherwise the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

/**
 * `apply`: list, plan, delete what enforce-mode policies plan to delete, report.
 * Exit 0 all planned deletions done; 2 invalid input, nothing changed; 3 some
 * deletions (or listings) failed, the rest done; 4 a guard halted a policy.
 */
export async function applyCommand(opts: ApplyOptions, io: CliIo): Promise<number> {
  const format = parseFormat(opts.format);
  const nowMs = parseNow(opts.now, io.nowMs);
  // A deleting run plans as of now. A future --now would age every backup past minAge;
  // a past one would make backups that stopped look recent to requireBackupWithin.
  // Any other time is for previews (--dry-run), and for the local endpoint's own clock.
  if (!opts.dryRun && Math.abs(nowMs - io.nowMs()) > MAX_NOW_SKEW_MS) {
    throw new UsageError(
      `--now: ${opts.now} is not the current time; a run that deletes plans as of now (use --dry-run to preview another time)`,
    );
  }
  const regions = [...new Set(opts.region.map(parseRegion))];
  const concurrency = wholeNumberSetting("--concurrency", opts.concurrency, CONCURRENCY_RANGE);
  const maxAttempts = wholeNumberSetting("--max-attempts", opts.maxAttempts, MAX_ATTEMPTS_RANGE);
  const endpointUrl = opts.endpointUrl ?? endpointFromEnv(io.env);
  if (endpointUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(endpointUrl)) {
    throw new UsageError(`--endpoint-url: "${endpointUrl}" is not an http(s) URL`);
  }
  const policies = await loadPolicyFiles(opts.policy);
  const store = new CloudHsmBackupStore({
    clientFor: cloudHsmClients({ endpointUrl, credentials: opts.credentials }),
    retry: maxAttempts === undefined ? undefined : { maxAttempts },
  });
  const report = await runApply({
    policies,
    regions,
    store,
    nowMs,
    dryRun: opts.dryRun,
    concurrency,
    log: opts.log ? jsonLinesLogger(io.stderr, io.nowMs) : SILENT,
  });
  io.stdout(format === "json" ? `${JSON.stringify(applyToJson(report), null, 2)}\n` : renderApplyTable(report, useColor(io) ? COLOR : PLAIN));
  return report.exitCode;
}
