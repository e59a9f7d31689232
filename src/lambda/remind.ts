import type { BackupStore, Clock } from "../domain/ports.js";
import { RetentionError } from "../errors.js";
import type { ApplyAlerts } from "../jobs/apply-alerts.js";
import { type RemindReport, runRemind } from "../jobs/remind.js";
import { DEFAULT_ALERT_SETTINGS } from "../policy/defaults.js";
import type { LinkSecrets } from "./alerts.js";
import { policiesOnce } from "./runtime.js";
import type { SweepConfig } from "./config.js";

export type RemindSummary = Pick<RemindReport, "exitCode" | "expired" | "back"> & { announced: number; reminded: number; messages: number; failures: number };

export class RemindFailedError extends RetentionError {
  readonly summary: RemindSummary;
  constructor(summary: RemindSummary, errors: string[]) {
    super(`remind finished with ${summary.failures} failures: ${errors.slice(0, 3).join("; ")}`);
    this.name = "RemindFailedError";
    this.summary = summary;
  }
}

export interface RemindDeps {
  config: SweepConfig;
  store: BackupStore;
  clock: Clock;
  alerts: (secrets: LinkSecrets) => ApplyAlerts;
}

/** Every 15 minutes: the same `runRemind` as `cloudhsm-retention remind`; fails the invocation on any failure. */
export function createRemind(deps: RemindDeps): (event?: unknown, context?: object) => Promise<RemindSummary> {
  // Policies ship inside the bundle: read them on the first invocation only.
  const loadPolicies = policiesOnce(deps.config.policyPaths);
  return async function remind(_event, context) {
    const policies = await loadPolicies();
    const secrets = (context as { linkSecrets?: LinkSecrets } | undefined)?.linkSecrets;
    if (!secrets) throw new RetentionError("remind: no link secrets on the context; the link secret middleware did not run");
    const alerts = deps.alerts(secrets);
    const report = await runRemind({
      policies,
      regions: deps.config.regions,
      store: deps.store,
      path: { ...alerts.path, clock: deps.clock },
      link: alerts.link,
      alerts: { ...alerts, path: { ...alerts.path, clock: deps.clock } },
      defaults: DEFAULT_ALERT_SETTINGS,
    });
    const d = report.delivery;
    const summary: RemindSummary = {
      exitCode: report.exitCode,
      expired: report.expired,
      back: report.back,
      announced: report.announced.length,
      reminded: report.reminded.length,
      messages: d.messages,
      failures: d.failedMessages + d.failedEvents + d.ledgerFailures + report.regions.filter((r) => r.error).length,
    };
    if (report.exitCode === 3) throw new RemindFailedError(summary, [...report.regions.flatMap((r) => (r.error ? [r.error] : [])), ...d.errors]);
    return summary;
  };
}
