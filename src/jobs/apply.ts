import pLimit from "p-limit";
import { addRetries, type BackupStore, type DeleteOutcome, type RetryCounts } from "../domain/ports.js";
import type { Backup, Decision, Plan, RetentionPolicy } from "../domain/types.js";
import { planRetention } from "../retention/plan.js";
import type { JobLogger } from "./logger.js";
import { SILENT } from "./logger.js";

/** Parallel DeleteBackup calls by default: well past 4x a sequential run, well below throttling. */
export const DEFAULT_CONCURRENCY = 8;

export interface ApplyInput {
  policies: RetentionPolicy[];
  regions: string[];
  store: BackupStore;
  nowMs: number;
  dryRun?: boolean | undefined;
  concurrency?: number | undefined;
  log?: JobLogger | undefined;
  /**
   * Once aborted, no further deletion is started; those in flight finish and are reported
   * (an HTTP call already sent may land anyway, so it is never cut off).
   */
  signal?: AbortSignal | undefined;
}

export interface RegionListing {
  region: string;
  backups: number;
  calls: number;
  retries: RetryCounts;
  /** Set when the listing failed: nothing in this region was planned or deleted. */
  error?: string | undefined;
}

export interface ApplyCounts {
  /** Deletions the plan asks for in enforce-mode policies. */
  planned: number;
  deleted: number;
  alreadyPending: number;
  failed: number;
  /** Planned but not attempted this run: a group's oldest backup whose group had a failed deletion. */
  held: number;
  /** Region listings that failed. */
  listFailures: number;
  /** Deletions shown for report-mode policies, never carried out. */
  reportOnly: number;
  deferred: number;
  /** Guard halts in enforce-mode policies. */
  halts: number;
  /** Planned but not attempted because the run was interrupted (see `signal`). */
  notAttempted: number;
}

export interface ApplyReport {
  plan: Plan;
  dryRun: boolean;
  listings: RegionListing[];
  outcomes: DeleteOutcome[];
  counts: ApplyCounts;
  retries: RetryCounts;
  /** The signal was aborted: `notAttempted` lists the planned deletions not started. */
  interrupted: boolean;
  notAttempted: Array<{ backupId: string; region: string }>;
  /** 0 every planned deletion done; 3 something failed; 4 a guard halted a policy. */
  exitCode: 0 | 3 | 4;
}

/**
 * The one code path behind `apply`, the sweep Lambda and `npm start`: list every
 * region, plan, delete what enforce-mode policies plan to delete, report.
 */
export async function runApply(input: ApplyInput): Promise<ApplyReport> {
  const log = input.log ?? SILENT;
  const regions = [...new Set(input.regions)];
  const listings = await Promise.all(regions.map((region) => listRegion(input.store, region, log)));
  const backups = listings.flatMap((l) => l.backups);
  const listedRegions = listings.filter((l) => l.listing.error === undefined).map((l) => l.listing.region);
  const plan = planRetention({ backups, policies: input.policies, nowMs: input.nowMs, regions: listedRegions });

  const enforced = new Set(input.policies.filter((p) => p.mode === "enforce").map((p) => p.name));
  const deletions = plan.decisions.filter((d) => d.action === "delete");
  const planned = deletions.filter((d) => d.policy !== null && enforced.has(d.policy));
  const outcomes = input.dryRun ? [] : await deleteAll(input.store, planned, plan, input.concurrency ?? DEFAULT_CONCURRENCY, log, input.signal);
  const interrupted = input.signal?.aborted === true;
  const reached = new Set(outcomes.map((o) => `${o.region}/${o.backupId}`));
  const notAttempted = input.dryRun ? [] : planned.filter((d) => !reached.has(`${d.region}/${d.backupId}`)).map((d) => ({ backupId: d.backupId, region: d.region }));

  const counts: ApplyCounts = {
    planned: planned.length,
    deleted: outcomes.filter((o) => o.status === "deleted").length,
    alreadyPending: outcomes.filter((o) => o.status === "already-pending").length,
    failed: outcomes.filter((o) => o.status === "failed").length,
    held: outcomes.filter((o) => o.status === "held").length,
    listFailures: listings.filter((l) => l.listing.error !== undefined).length,
    reportOnly: deletions.length - planned.length,
    deferred: plan.policies.reduce((n, p) => n + p.deferred, 0),
    // A halt in a report-mode policy changes nothing that would have happened: it is
    // shown in the plan but does not make the run exit 4.
    halts: plan.halts.filter((h) => enforced.has(h.policy)).length,
    notAttempted: notAttempted.length,
  };
  const retries: RetryCounts = {};
  for (const r of [...listings.map((l) => l.listing.retries), ...outcomes.map((o) => o.retries)]) addRetries(retries, r);
  const exitCode = counts.failed + counts.listFailures > 0 ? 3 : counts.halts > 0 ? 4 : 0;
  for (const halt of plan.halts) log.warn("policy halted by a guard", { policy: halt.policy, group: halt.group, guard: halt.guard, reason: halt.message });
  if (interrupted) log.warn("apply interrupted; planned deletions not attempted", { notAttempted: notAttempted.length });
  log.info("apply finished", { ...counts, retries, dryRun: input.dryRun === true, interrupted, exitCode });
  return { plan, dryRun: input.dryRun === true, listings: listings.map((l) => l.listing), outcomes, counts, retries, interrupted, notAttempted, exitCode };
}

async function listRegion(store: BackupStore, region: string, log: JobLogger): Promise<{ listing: RegionListing; backups: Backup[] }> {
  try {
    const result = await store.listBackups(region);
    log.info("listed backups", { region, backups: result.backups.length, calls: result.calls, retries: result.retries });
    return { listing: { region, backups: result.backups.length, calls: result.calls, retries: result.retries }, backups: result.backups };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    // The adapter's error says how hard it tried; a plain error says nothing.
    const { calls = 0, retries = {} } = err as { calls?: number; retries?: RetryCounts };
    log.error("listing failed; nothing in this region is planned or deleted", { region, error, calls, retries });
    return { listing: { region, backups: 0, calls, retries, error }, backups: [] };
  }
}

/**
 * Deletes with bounded concurrency, oldest first. The oldest backup of a group goes
 * last, after every other deletion has finished: restic's "oldest" rule looks at the
 * group's oldest backup, so removing it while newer planned deletions remain could make
 * a rerun keep one of those. With this order a run killed at any point, then rerun,
 * ends where one uninterrupted run would have.
 */
async function deleteAll(store: BackupStore, planned: Decision[], plan: Plan, concurrency: number, log: JobLogger, signal?: AbortSignal): Promise<DeleteOutcome[]> {
  const oldestOfGroup = new Map<string, Decision>();
  for (const d of plan.decisions) {
    if (d.state !== "READY") continue;
    const seen = oldestOfGroup.get(d.group);
    if (!seen || d.createdAtMs < seen.createdAtMs || (d.createdAtMs === seen.createdAtMs && d.backupId > seen.backupId)) oldestOfGroup.set(d.group, d);
  }
  const byAge = [...planned].sort((a, b) => a.createdAtMs - b.createdAtMs || a.backupId.localeCompare(b.backupId));
  const last = byAge.filter((d) => oldestOfGroup.get(d.group) === d);
  const first = byAge.filter((d) => oldestOfGroup.get(d.group) !== d);
  const limit = pLimit(Math.max(1, concurrency));
  // Checked as each deletion is about to start, never during one: undefined = not started.
  const one = async (d: Decision): Promise<DeleteOutcome | undefined> => {
    if (signal?.aborted) return undefined;
    const outcome = await store.deleteBackup(d.region, d.backupId);
    const attrs = { backupId: d.backupId, clusterId: d.clusterId ?? null, region: d.region, policy: d.policy, group: d.group, status: outcome.status, attempts: outcome.attempts, reason: d.reasons.join("; ") };
    if (outcome.status === "failed") log.error("delete failed", { ...attrs, error: outcome.error });
    else log.info("backup deleted", { ...attrs, deleteAtMs: outcome.deleteAtMs });
    return outcome;
  };
  const phase1 = await Promise.all(first.map((d) => limit(() => one(d))));
  // If a deletion failed in a group, its oldest backup is held back too: deleting it now
  // would let the next run keep the failed one under the "oldest" rule, and the end state
  // would differ from a run without failures.
  const failedGroups = new Set(phase1.flatMap((o, i) => (o?.status === "failed" ? [first[i]?.group] : [])));
  const held = (d: Decision): DeleteOutcome => {
    log.warn("delete held", { backupId: d.backupId, clusterId: d.clusterId ?? null, region: d.region, policy: d.policy, group: d.group, status: "held" });
    return { backupId: d.backupId, region: d.region, status: "held", attempts: 0, retries: {}, error: "not attempted: another deletion in its group failed; the next run decides again" };
  };
  const phase2 = await Promise.all(last.map((d) => (failedGroups.has(d.group) ? held(d) : limit(() => one(d)))));
  return [...phase1, ...phase2].filter((o): o is DeleteOutcome => o !== undefined);
}
