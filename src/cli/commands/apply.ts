import { runApply } from "../../jobs/apply.js";
import { jsonLinesLogger, SILENT } from "../../jobs/logger.js";
import { CONCURRENCY_RANGE, wholeNumberSetting } from "../../domain/settings.js";
import { loadPolicyFiles } from "../../policy/index.js";
import { SetupError } from "../../errors.js";
import { alertSetup } from "../alerts-setup.js";
import { parseFormat, parseNow } from "../args.js";
import { type CliIo, useColor } from "../io.js";
import { connect, ledgerUnreadNote, type LiveFlags, liveSettings, previewLedger } from "../live.js";
import type { AlertFlags } from "../options.js";
import { progressLine, reportingStore } from "../progress.js";
import { applyToJson, renderApplyTable } from "../render/apply.js";
import { COLOR, PLAIN, renderPlanTable } from "../render/table.js";
import { interruptible, SIGNAL_EXIT_CODES } from "../signals.js";
import { plural } from "../render/words.js";
import type { RetentionPolicy } from "../../domain/types.js";

export interface ApplyOptions extends AlertFlags, LiveFlags {
  policy: string[];
  region: string[];
  now?: string | undefined;
  dryRun?: boolean | undefined;
  format: string;
  concurrency?: string | undefined;
  log?: boolean | undefined;
  verbose?: boolean | undefined;
}

/**
 * `apply`: list, plan, delete what enforce-mode policies plan to delete, report.
 * Exit 0 all planned deletions done; 2 invalid input or set-up, nothing changed; 3 some
 * deletions (or listings) failed, the rest done; 4 a guard halted a policy; 130/143
 * stopped by SIGINT/SIGTERM after the deletions in flight finished (report printed).
 */
export async function applyCommand(opts: ApplyOptions, io: CliIo): Promise<number> {
  const format = parseFormat(opts.format);
  // Without --now the run's time is the service's (the Date header of its responses); a
  // deleting run's --now must agree with it within five minutes (checked by runApply).
  const nowMs = opts.now === undefined ? undefined : parseNow(opts.now, io.nowMs);
  const settings = liveSettings(opts, io, "apply");
  const concurrency = wholeNumberSetting("--concurrency", opts.concurrency, CONCURRENCY_RANGE);
  const policies = await loadPolicyFiles(opts.policy);
  const { clock, store: awsStore } = await connect(settings, io);
  const { regions, endpointUrl } = settings;
  const log = opts.log ? jsonLinesLogger(io.stderr, () => clock.nowMs()) : SILENT;
  const setup = { env: io.env, endpointUrl, credentials: opts.credentials, clock, regions, policyPaths: opts.policy, log, warn: (line: string) => io.stderr(`${line}\n`) };
  const alerts = opts.dryRun ? undefined : opts.alerts === false ? await silentAlerts(opts, setup, policies, io) : await alertSetup(opts, setup);
  // A dry run reads the holds of restored backups (and the deletions of the last 24 hours)
  // when a ledger is configured (or local), so that it previews what a real run would do.
  const ledger = opts.dryRun ? await previewLedger(opts, setup, io) : undefined;
  // Progress would interleave with the JSON log lines: only one of them on stderr.
  const progress = progressLine(opts.log ? { ...io, stderrIsTTY: false } : io);
  const { store, inFlight, expectDeletions } = reportingStore(awsStore, progress);
  // Ctrl-C: a DeleteBackup already sent may land whatever we do, so the first signal only
  // stops new ones, waits for those in flight and reports; a second exits at once.
  const interruption = interruptible((signal) => {
    progress.done();
    const n = inFlight();
    const again = signal === "SIGINT" ? "press Ctrl-C again" : `send ${signal} again`;
    io.stderr(
      n > 0
        ? `stopping (${signal}): waiting for ${plural(n, "deletion")} in flight; ${again} to exit now, without the report\n`
        : `stopping (${signal}): no deletion in flight, none will be started; ${again} to exit now, without the report\n`,
    );
  });
  const style = useColor(io) ? COLOR : PLAIN;
  const enforced = new Set(policies.filter((p) => p.mode === "enforce").map((p) => p.name));
  let report: Awaited<ReturnType<typeof runApply>>;
  try {
    report = await runApply({
      policies,
      regions,
      store,
      nowMs,
      clock,
      alerts,
      ledger,
      dryRun: opts.dryRun,
      concurrency,
      log,
      signal: interruption.signal,
      // The plan first, before anything is deleted: a long run is not silent, and what it is
      // about to do is on screen if it is cut short.
      onPlan: (plan) => {
        expectDeletions(plan.decisions.filter((d) => d.action === "delete" && d.policy !== null && enforced.has(d.policy)).length);
        if (format === "table") io.stdout(`${renderPlanTable(plan, style, { verbose: opts.verbose })}\n`);
      },
    });
  } finally {
    progress.done();
    interruption.dispose();
  }
  io.stdout(format === "json" ? `${JSON.stringify(applyToJson(report), null, 2)}\n` : renderApplyTable(report, style, { withPlan: false }));
  if (report.dryRun && report.ledgerError !== undefined) io.stderr(ledgerUnreadNote(report.ledgerError));
  const signal = interruption.received();
  return signal === "SIGINT" || signal === "SIGTERM" || signal === "SIGHUP" ? SIGNAL_EXIT_CODES[signal] : report.exitCode;
}

/**
 * `--no-alerts`: nothing is sent, but the ledger is kept when one is configured (or local),
 * so that the daily cap, the holds of restored backups and the reminder run's announcements
 * still hold. Without a ledger the daily cap would count this run only: a policy that sets
 * maxDeletionsPerDay is refused (fail closed); otherwise the run goes on with a warning.
 */
async function silentAlerts(opts: ApplyOptions, setup: Parameters<typeof alertSetup>[1], policies: readonly RetentionPolicy[], io: CliIo) {
  try {
    const alerts = await alertSetup({ ...opts, alerts: undefined }, setup);
    return alerts && { ...alerts, silent: true };
  } catch (err) {
    if (!(err instanceof SetupError)) throw err;
    const capped = policies.filter((p) => p.mode === "enforce" && p.guards.maxDeletionsPerDay !== undefined).map((p) => p.name);
    if (capped.length > 0) {
      throw new SetupError(
        `--no-alerts without a ledger: ${capped.length === 1 ? "policy" : "policies"} ${capped.join(", ")} set guards.maxDeletionsPerDay, ` +
          `which is counted in the ledger; without one the cap could not hold (${err.message})`,
      );
    }
    io.stderr("warning: --no-alerts and no ledger (--ledger-table, LEDGER_TABLE): the daily cap counts this run only, and the holds of restored backups are not seen\n");
    return undefined;
  }
}
