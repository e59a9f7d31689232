import type { BackupStore } from "../domain/ports.js";
import { RetentionError } from "../errors.js";
import type { ApplyAlerts } from "../jobs/apply-alerts.js";
import { type CloudTrailEvent, runWatch, type WatchReport } from "../jobs/watch.js";
import type { LinkSecrets } from "./alerts.js";
import { policiesOnce } from "./runtime.js";

export interface WatchDeps {
  policyPaths: string[];
  store: BackupStore;
  ownRoleArns: readonly string[];
  alerts: (secrets: LinkSecrets) => ApplyAlerts;
}

/**
 * On each CloudTrail DeleteBackup record: announce a deletion made outside this service.
 * A failure to tell fails the invocation, and EventBridge's asynchronous invocation
 * retries it (the claim in the ledger keeps the retries from telling twice).
 */
export function createWatch(deps: WatchDeps): (event: CloudTrailEvent, context?: object) => Promise<Omit<WatchReport, "delivery">> {
  // Policies ship inside the bundle: read them on the first invocation only.
  const loadPolicies = policiesOnce(deps.policyPaths);
  return async function watch(event, context) {
    const secrets = (context as { linkSecrets?: LinkSecrets } | undefined)?.linkSecrets;
    if (!secrets) throw new RetentionError("watch: no link secrets on the context; the link secret middleware did not run");
    const report = await runWatch({ event, policies: await loadPolicies(), store: deps.store, alerts: deps.alerts(secrets), ownRoleArns: deps.ownRoleArns });
    if (report.exitCode === 3) throw new RetentionError(`watch: could not tell about ${report.backupId}: ${report.delivery.errors.join("; ")}`);
    const { delivery: _delivery, ...rest } = report;
    return rest;
  };
}
