import { addRetries, type BackupStore, type Clock, type DeleteOutcome, type RetryCounts } from "../domain/ports.js";
import { isoSeconds } from "../domain/time.js";
import { UsageError } from "../errors.js";
import type { Ledger } from "../ledger/port.js";
import { type ApplyAlerts, deletionHooks, type HookFailures, tellRun } from "./apply-alerts.js";
import { deliveryFailed, type DeliveryStats, emptyStats } from "./deliver.js";
import type { Plan, RetentionPolicy } from "../domain/types.js";
import { type CheckStats, deletePlanned } from "./delete.js";
import { listAndPlan, type RegionListing } from "./list.js";
import type { JobLogger } from "./logger.js";
import { SILENT } from "./logger.js";

/** Parallel DeleteBackup calls by default: well past 4x a sequential run, well below throttling. */
export const DEFAULT_CONCURRENCY = 8;

export interface ApplyInput {
  policies: RetentionPolicy[];
  regions: string[];
  store: BackupStore;
  /** The run's time as given (--now); must agree with `clock` unless dryRun. */
  nowMs?: number | undefined;
  /** The service's clock (src/aws/service-clock.ts): the run's time when `nowMs` is not given. */
  clock?: Clock | undefined;
  /** Tell people and keep the ledger (not on a dry run). Without it, nothing is announced. */
  alerts?: ApplyAlerts | undefined;
  /**
   * Where restored backups' holds are read, also on a dry run (without alerts, the alert
   * path's ledger is used; without either, no holds are known and a dry run says so).
   */
  ledger?: Ledger | undefined;
  /** Called with the plan before any deletion starts (the CLI shows it, as terraform shows its plan before applying). */
  onPlan?: ((plan: Plan) => void) | undefined;
  dryRun?: boolean | undefined;
  concurrency?: number | undefined;
  log?: JobLogger | undefined;
  /**
   * Once aborted, no further deletion is started; those in flight finish and are reported
   * (an HTTP call already sent may land anyway, so it is never cut off).
   */
  signal?: AbortSignal | undefined;
}

export type { RegionListing };

export interface ApplyCounts {
  /** Deletions the plan asks for in enforce-mode policies. */
  planned: number;
  deleted: number;
  alreadyPending: number;
  failed: number;
  /** Planned but not attempted this run: a group's oldest backup whose group had a failed deletion. */
  held: number;
  /** Planned but not deleted: it had changed when looked at again just before deleting. */
  changed: number;
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
  /** The looks taken at candidates just before deleting them (DescribeBackups calls). */
  checks: CheckStats;
  counts: ApplyCounts;
  retries: RetryCounts;
  /** The signal was aborted: `notAttempted` lists the planned deletions not started. */
  interrupted: boolean;
  notAttempted: Array<{ backupId: string; region: string }>;
  /**
   * What the alert path did (undefined without alerts, and on a dry run); `blocked` when the
   * ledger kept every deletion from happening; `silent` with --no-alerts (ledger kept, nothing sent).
   */
  alerts: { delivery: DeliveryStats; blocked: string | undefined; silent: boolean } | undefined;
  /** Set when the ledger could not be read (a dry run's plan then cannot see holds; a real run deletes nothing). */
  ledgerError?: string | undefined;
  /** 0 every planned deletion done; 3 something failed; 4 a guard halted a policy. */
  exitCode: 0 | 3 | 4;
}

/** How far a deleting run's --now may be from the service's clock. */
export const MAX_NOW_SKEW_MS = 5 * 60_000;

/**
 * The one code path behind `apply`, the sweep Lambda and `npm start`: list every
 * region, plan, delete what enforce-mode policies plan to delete, tell (alerts), report.
 */
export async function runApply(input: ApplyInput): Promise<ApplyReport> {
  const log = input.log ?? SILENT;
  const startedAtMs = input.clock?.nowMs() ?? input.nowMs ?? 0;
  const regions = [...new Set(input.regions)];
  const alerts = input.dryRun ? undefined : input.alerts;
  // A dry run reads the ledger too, so that it previews what a real run would do.
  const ledger = alerts?.path.ledger ?? input.ledger;
  const { listings, backups, listedRegions, nowMs, facts, plan } = await listAndPlan({ policies: input.policies, regions, store: input.store, nowMs: () => runNow(input), ledger, log });
  let blocked: string | undefined;
  if (facts.error !== undefined) {
    // Without the ledger a deletion could be neither counted, nor checked against the holds
    // of restored backups, nor recorded: none is made.
    if (!input.dryRun) blocked = `nothing deleted: ${facts.error}`;
    log.error(input.dryRun ? "ledger unavailable; the plan cannot see holds" : "ledger unavailable; nothing is deleted", { error: facts.error });
  }
  input.onPlan?.(plan);

  const enforced = new Set(input.policies.filter((p) => p.mode === "enforce").map((p) => p.name));
  const deletions = plan.decisions.filter((d) => d.action === "delete");
  const planned = deletions.filter((d) => d.policy !== null && enforced.has(d.policy));
  const listed = new Map(backups.map((b) => [b.backupId, b]));
  const concurrency = input.concurrency ?? DEFAULT_CONCURRENCY;
  const hookFailures: HookFailures = { errors: [] };
  const hooks = alerts ? deletionHooks(alerts, input.policies, listed, nowMs, hookFailures) : undefined;
  const done =
    input.dryRun || blocked !== undefined
      ? { outcomes: [], checks: { calls: 0, retries: {} } }
      : await deletePlanned(input.store, planned, plan, { concurrency, log, listed, signal: input.signal, hooks });
  const { outcomes, checks } = done;
  const interrupted = input.signal?.aborted === true;
  const reached = new Set(outcomes.map((o) => `${o.region}/${o.backupId}`));
  const notAttempted = input.dryRun ? [] : planned.filter((d) => !reached.has(`${d.region}/${d.backupId}`)).map((d) => ({ backupId: d.backupId, region: d.region }));

  const counts: ApplyCounts = {
    planned: planned.length,
    deleted: outcomes.filter((o) => o.status === "deleted").length,
    alreadyPending: outcomes.filter((o) => o.status === "already-pending").length,
    failed: outcomes.filter((o) => o.status === "failed").length,
    held: outcomes.filter((o) => o.status === "held").length,
    changed: outcomes.filter((o) => o.status === "changed").length,
    listFailures: listings.filter((l) => l.error !== undefined).length,
    reportOnly: deletions.length - planned.length,
    deferred: plan.policies.reduce((n, p) => n + p.deferred, 0),
    // A halt in a report-mode policy changes nothing that would have happened: it is
    // shown in the plan but does not make the run exit 4.
    halts: plan.halts.filter((h) => enforced.has(h.policy)).length,
    notAttempted: notAttempted.length,
  };
  const retries: RetryCounts = {};
  for (const r of [...listings.map((l) => l.retries), ...outcomes.map((o) => o.retries), checks.retries]) addRetries(retries, r);
  let exitCode: 0 | 3 | 4 = counts.failed + counts.listFailures > 0 || blocked !== undefined ? 3 : counts.halts > 0 ? 4 : 0;
  for (const halt of plan.halts) log.warn("policy halted by a guard", { policy: halt.policy, group: halt.group, guard: halt.guard, reason: halt.message });
  if (interrupted) log.warn("apply interrupted; planned deletions not attempted", { notAttempted: notAttempted.length });

  let delivery: DeliveryStats | undefined;
  if (alerts?.silent) {
    delivery = emptyStats();
    delivery.ledgerFailures += hookFailures.errors.length;
    delivery.errors.unshift(...hookFailures.errors);
    if (deliveryFailed(delivery)) exitCode = 3;
  } else if (alerts) {
    const summary = { runId: alerts.path.runId, startedAtMs, finishedAtMs: alerts.path.clock.nowMs(), dryRun: false, exitCode, regions, policies: input.policies.map((p) => p.name), counts: { backups: backups.length, ...counts } };
    try {
      delivery = await tellRun({ alerts, plan, policies: input.policies, listed, outcomes, listedRegions, summary });
    } catch (err) {
      // Whatever broke, the deletions are made and the report must be printed: the next
      // reminder run announces what this one could not (its tracked entries say why).
      delivery = { ...emptyStats(), failedMessages: 1, errors: [`alert path failed: ${(err as Error).message}`] };
      log.error("alert path failed", { error: (err as Error).message });
    }
    // A run that could not tell what it did failed: loudly (exit 3, a failed invocation).
    delivery.ledgerFailures += hookFailures.errors.length;
    delivery.errors.unshift(...hookFailures.errors);
    if (deliveryFailed(delivery)) exitCode = 3;
  }
  log.info("apply finished", { ...counts, retries, dryRun: input.dryRun === true, interrupted, exitCode, ...(delivery ? { messages: delivery.messages, alertFailures: delivery.failedMessages + delivery.failedEvents + delivery.ledgerFailures } : {}) });
  return {
    plan,
    dryRun: input.dryRun === true,
    listings,
    outcomes,
    checks,
    counts,
    retries,
    interrupted,
    notAttempted,
    alerts: alerts ? { delivery: delivery ?? emptyStats(), blocked, silent: alerts.silent === true } : undefined,
    ledgerError: facts.error,
    exitCode,
  };
}

/**
 * The run's "now": the service's clock (the Date header of the listing's responses), or
 * `nowMs` as given. A deleting run's given time must agree with the service's within
 * five minutes: a future time would age every backup past minAge, a past one would make
 * backups that stopped look recent to requireBackupWithin.
 */
function runNow(input: ApplyInput): number {
  const serviceMs = input.clock?.nowMs();
  if (input.nowMs === undefined) {
    if (serviceMs === undefined) throw new Error("bug: runApply needs nowMs or a clock");
    return serviceMs;
  }
  if (serviceMs !== undefined && !input.dryRun && Math.abs(input.nowMs - serviceMs) > MAX_NOW_SKEW_MS) {
    throw new UsageError(
      `--now: ${isoSeconds(input.nowMs)} is not the service's time (${isoSeconds(serviceMs)}, from the endpoint's Date header); a run that deletes plans as of now (use --dry-run to preview another time)`,
    );
  }
  return input.nowMs;
}
