import { runApply } from "../../jobs/apply.js";
import { jsonLinesLogger, SILENT } from "../../jobs/logger.js";
import { CONCURRENCY_RANGE, wholeNumberSetting } from "../../domain/settings.js";
import { loadPolicyFiles } from "../../policy/index.js";
import { alertSetup } from "../alerts-setup.js";
import { parseFormat, parseNow } from "../args.js";
import { type CliIo, useColor } from "../io.js";
import { connect, type LiveFlags, liveSettings } from "../live.js";
import type { AlertFlags } from "../options.js";
import { progressLine, reportingStore } from "../progress.js";
import { applyToJson, renderApplyTable } from "../render/apply.js";
import { COLOR, PLAIN, renderPlanTable } from "../render/table.js";
import { interruptible, SIGNAL_EXIT_CODES } from "../signals.js";
import { plural } from "../render/words.js";

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
  const alerts = opts.dryRun
    ? undefined
    : await alertSetup(opts, { env: io.env, endpointUrl, credentials: opts.credentials, clock, regions, policyPaths: opts.policy, log, warn: (line) => io.stderr(`${line}\n`) });
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
  const signal = interruption.received();
  return signal === "SIGINT" || signal === "SIGTERM" || signal === "SIGHUP" ? SIGNAL_EXIT_CODES[signal] : report.exitCode;
}
