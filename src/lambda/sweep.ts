import type { Clock } from "../domain/ports.js";
import type { BackupStore } from "../domain/ports.js";
import { RetentionError } from "../errors.js";
import type { ApplyAlerts } from "../jobs/apply-alerts.js";
import { type ApplyReport, runApply } from "../jobs/apply.js";
import type { JobLogger } from "../jobs/logger.js";
import type { LinkSecrets } from "./alerts.js";
import { policiesOnce } from "./runtime.js";
import type { SweepConfig } from "./config.js";

export class SweepFailedError extends RetentionError {
  readonly summary: SweepSummary;
  constructor(summary: SweepSummary) {
    const alertFailures = summary.alerts ? summary.alerts.failedMessages + summary.alerts.failedEvents + summary.alerts.ledgerFailures : 0;
    super(
      `sweep finished with ${summary.counts.failed} failed deletions, ${summary.counts.listFailures} failed listings and ${alertFailures} failures on the alert path` +
        (summary.blocked ? ` (${summary.blocked})` : ""),
    );
    this.name = "SweepFailedError";
    this.summary = summary;
  }
}

export type SweepSummary = Pick<ApplyReport, "counts" | "retries" | "exitCode" | "dryRun"> & {
  halts: ApplyReport["plan"]["halts"];
  alerts?: { messages: number; notices: number; failedMessages: number; failedEvents: number; ledgerFailures: number } | undefined;
  blocked?: string | undefined;
};

export interface SweepDeps {
  config: SweepConfig;
  store: BackupStore;
  log: JobLogger;
  /** The service's clock: the run's time comes from the endpoint's Date header. */
  clock: Clock;
  /** The alert path of one invocation, given its link secrets (absent only in tests of the deleting core). */
  alerts?: ((secrets: LinkSecrets) => ApplyAlerts) | undefined;
}

/**
 * The scheduled sweep: the same `runApply` as the CLI. It finishes every deletion it
 * can, then fails the invocation when anything failed (a deletion, a listing, a message,
 * the ledger), so that Lambda's Errors metric and the alarm on it see the failure. A
 * guard halt is not a failure of the run: it is logged at WARN and announced.
 */
export function createSweep(deps: SweepDeps): (event?: unknown, context?: object) => Promise<SweepSummary> {
  // Policies ship inside the bundle: read them on the first invocation only.
  const loadPolicies = policiesOnce(deps.config.policyPaths);
  return async function sweep(_event, context) {
    const policies = await loadPolicies();
    const secrets = (context as { linkSecrets?: LinkSecrets } | undefined)?.linkSecrets;
    const alerts = deps.alerts && secrets ? deps.alerts(secrets) : undefined;
    if (deps.alerts && !alerts) throw new RetentionError("sweep: no link secrets on the context; the link secret middleware did not run");
    const report = await runApply({
      policies,
      regions: deps.config.regions,
      store: deps.store,
      clock: deps.clock,
      alerts,
      dryRun: deps.config.dryRun,
      concurrency: deps.config.concurrency,
      log: deps.log,
    });
    const d = report.alerts?.delivery;
    const summary: SweepSummary = {
      counts: report.counts,
      retries: report.retries,
      exitCode: report.exitCode,
      dryRun: report.dryRun,
      halts: report.plan.halts,
      ...(d ? { alerts: { messages: d.messages, notices: d.notices, failedMessages: d.failedMessages, failedEvents: d.failedEvents, ledgerFailures: d.ledgerFailures } } : {}),
      ...(report.alerts?.blocked ? { blocked: report.alerts.blocked } : {}),
    };
    if (report.exitCode === 3) throw new SweepFailedError(summary);
    return summary;
  };
}
