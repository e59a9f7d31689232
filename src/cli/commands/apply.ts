import { CloudHsmBackupStore } from "../../aws/cloudhsm-store.js";
import { cloudHsmClients, endpointFromEnv, requireCredentials } from "../../aws/clients.js";
import { runApply } from "../../jobs/apply.js";
import { jsonLinesLogger, SILENT } from "../../jobs/logger.js";
import { CONCURRENCY_RANGE, endpointUrlSetting, MAX_ATTEMPTS_RANGE, wholeNumberSetting } from "../../domain/settings.js";
import { loadPolicyFiles } from "../../policy/index.js";
import { UsageError } from "../../errors.js";
import { parseFormat, parseNow, parseRegion } from "../args.js";
import { type CliIo, useColor } from "../io.js";
import { applyToJson, renderApplyTable } from "../render/apply.js";
import { COLOR, PLAIN } from "../render/table.js";
import { interruptible, SIGNAL_EXIT_CODES } from "../signals.js";
import type { BackupStore } from "../../domain/ports.js";

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
 * Exit 0 all planned deletions done; 2 invalid input or set-up, nothing changed; 3 some
 * deletions (or listings) failed, the rest done; 4 a guard halted a policy; 130/143
 * stopped by SIGINT/SIGTERM after the deletions in flight finished (report printed).
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
  const endpointUrl = opts.endpointUrl !== undefined ? endpointUrlSetting("--endpoint-url", opts.endpointUrl) : endpointFromEnv(io.env);
  const policies = await loadPolicyFiles(opts.policy);
  const clientFor = cloudHsmClients({ endpointUrl, credentials: opts.credentials });
  await requireCredentials(clientFor(regions[0]!), io.env.AWS_PROFILE || undefined);
  const { store, inFlight } = countingInFlight(
    new CloudHsmBackupStore({ clientFor, retry: maxAttempts === undefined ? undefined : { maxAttempts } }),
  );
  // Ctrl-C: a DeleteBackup already sent may land whatever we do, so the first signal only
  // stops new ones, waits for those in flight and reports; a second exits at once.
  const interruption = interruptible(() => {
    const n = inFlight();
    io.stderr(
      n > 0
        ? `stopping: waiting for ${n} deletions in flight; press Ctrl-C again to exit now\n`
        : "stopping: no deletion in flight, none will be started; press Ctrl-C again to exit now\n",
    );
  });
  let report: Awaited<ReturnType<typeof runApply>>;
  try {
    report = await runApply({
      policies,
      regions,
      store,
      nowMs,
      dryRun: opts.dryRun,
      concurrency,
      log: opts.log ? jsonLinesLogger(io.stderr, io.nowMs) : SILENT,
      signal: interruption.signal,
    });
  } finally {
    interruption.dispose();
  }
  io.stdout(format === "json" ? `${JSON.stringify(applyToJson(report), null, 2)}\n` : renderApplyTable(report, useColor(io) ? COLOR : PLAIN));
  const signal = interruption.received();
  return signal === "SIGINT" || signal === "SIGTERM" ? SIGNAL_EXIT_CODES[signal] : report.exitCode;
}

/** The store, counting the DeleteBackup calls under way (for the Ctrl-C message). */
function countingInFlight(inner: BackupStore): { store: BackupStore; inFlight: () => number } {
  let n = 0;
  const store: BackupStore = {
    listBackups: (region) => inner.listBackups(region),
    lookUpBackups: (region, backupIds) => inner.lookUpBackups(region, backupIds),
    async deleteBackup(region, backupId) {
      n++;
      try {
        return await inner.deleteBackup(region, backupId);
      } finally {
        n--;
      }
    },
  };
  return { store, inFlight: () => n };
}
