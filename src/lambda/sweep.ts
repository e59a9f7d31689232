import type { BackupStore } from "../domain/ports.js";
import type { RetentionPolicy } from "../domain/types.js";
import { RetentionError } from "../errors.js";
import { type ApplyReport, runApply } from "../jobs/apply.js";
import type { JobLogger } from "../jobs/logger.js";
import { loadPolicyFiles } from "../policy/index.js";
import type { SweepConfig } from "./config.js";

export class SweepFailedError extends RetentionError {
  readonly summary: SweepSummary;
  constructor(summary: SweepSummary) {
    super(`sweep finished with ${summary.counts.failed} failed deletions and ${summary.counts.listFailures} failed listings`);
    this.name = "SweepFailedError";
    this.summary = summary;
  }
}

export type SweepSummary = Pick<ApplyReport, "counts" | "retries" | "exitCode" | "dryRun"> & { halts: ApplyReport["plan"]["halts"] };

export interface SweepDeps {
  config: SweepConfig;
  store: BackupStore;
  log: JobLogger;
  nowMs: () => number;
}

/**
 * The scheduled sweep: the same `runApply` as the CLI. It finishes every deletion it
 * can, then fails the invocation when anything failed, so that Lambda's Errors metric
 * and any alarm on it see the failure. A guard halt is not a failure of the run: it is
 * logged at WARN with the policy and the reason.
 */
export function createSweep(deps: SweepDeps): () => Promise<SweepSummary> {
  // Policies ship inside the bundle and cannot change while the container lives: read
  // them on the first invocation only. A failed read is not kept, so the next one retries.
  let loaded: Promise<RetentionPolicy[]> | undefined;
  return async function sweep() {
    loaded ??= loadPolicyFiles(deps.config.policyPaths).catch((err: unknown) => {
      loaded = undefined;
      throw err;
    });
    const policies = await loaded;
    const report = await runApply({
      policies,
      regions: deps.config.regions,
      store: deps.store,
      nowMs: deps.nowMs(),
      dryRun: deps.config.dryRun,
      concurrency: deps.config.concurrency,
      log: deps.log,
    });
    const summary: SweepSummary = { counts: report.counts, retries: report.retries, exitCode: report.exitCode, dryRun: report.dryRun, halts: report.plan.halts };
    if (report.exitCode === 3) throw new SweepFailedError(summary);
    return summary;
  };
}
