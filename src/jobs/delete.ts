import pLimit from "p-limit";
import { addRetries, type BackupStore, type DeleteOutcome, type RetryCounts } from "../domain/ports.js";
import type { Backup, Decision, Plan } from "../domain/types.js";
import type { JobLogger } from "./logger.js";

/**
 * Carrying out a plan's deletions. Two rules make it safe:
 * - order: oldest first, and each group's oldest backup last, held back when another
 *   deletion in its group failed (see `deletePlanned`);
 * - time of check: the plan was made from a listing that may be minutes old, so the
 *   candidates are looked at again just before they are deleted, as many at a time as
 *   are deleted in parallel (one DescribeBackups call per region for each round), and a
 *   backup that changed meanwhile (pinned with NeverExpires, tagged, moved to another
 *   cluster, restored, deleted) is left for the next run to decide. What remains is the
 *   gap between that look and the DeleteBackup call: one round trip, since AWS offers no
 *   conditional delete.
 */


export interface DeleteOptions {
  concurrency: number;
  log: JobLogger;
  /** The listing the plan was made from, by backup ID. */
  listed: ReadonlyMap<string, Backup>;
  /** Once aborted, no further deletion starts; those in flight finish (Ctrl-C, SIGTERM). */
  signal?: AbortSignal | undefined;
  /** The ledger's write-ahead record and its confirmation (see src/jobs/apply-alerts.ts). */
  hooks?: DeleteHooks | undefined;
}

export interface DeleteHooks {
  /**
   * Just before DeleteBackup. Throwing keeps the backup from being deleted (status failed);
   * answering `{ hold }` keeps it for the next run (status held, with that reason).
   */
  before(d: Decision): Promise<undefined | { hold: string }>;
  /** After DeleteBackup, whatever its outcome. Must not throw. */
  after(d: Decision, outcome: DeleteOutcome): Promise<void>;
}

/** The DescribeBackups calls of the checks before deleting, and their retries. */
export interface CheckStats {
  calls: number;
  retries: RetryCounts;
}

/** What changed between the listing and now that a person may have meant as "keep it"; undefined if nothing. */
export function changedSince(listed: Backup, now: Backup | undefined): string | undefined {
  if (now === undefined) return "it no longer exists";
  if (now.state !== "READY") return `its state is now ${now.state}`;
  if (now.neverExpires !== listed.neverExpires) return now.neverExpires ? "it was pinned (NeverExpires)" : "its NeverExpires changed";
  // The plan grouped it by cluster: a backup whose cluster is now unknown or another would be
  // planned differently (or, without a cluster, left alone).
  if (now.clusterId !== listed.clusterId || now.sourceClusterId !== listed.sourceClusterId || now.sourceRegion !== listed.sourceRegion) {
    return "its cluster changed";
  }
  const tags = (b: Backup) => JSON.stringify(Object.entries(b.tags).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  if (tags(now) !== tags(listed)) return "its tags changed";
  return undefined;
}

/**
 * Deletes with bounded concurrency, oldest first. The oldest backup of a group goes
 * last, after every other deletion has finished: restic's "oldest" rule looks at the
 * group's oldest backup, so removing it while newer planned deletions remain could make
 * a rerun keep one of those. With this order a run killed at any point, then rerun,
 * ends where one uninterrupted run would have.
 */
export async function deletePlanned(
  store: BackupStore,
  planned: readonly Decision[],
  plan: Plan,
  opts: DeleteOptions,
): Promise<{ outcomes: DeleteOutcome[]; checks: CheckStats }> {
  const checks: CheckStats = { calls: 0, retries: {} };
  const oldestOfGroup = new Map<string, Decision>();
  for (const d of plan.decisions) {
    if (d.state !== "READY") continue;
    const seen = oldestOfGroup.get(d.group);
    if (!seen || d.createdAtMs < seen.createdAtMs || (d.createdAtMs === seen.createdAtMs && d.backupId > seen.backupId)) oldestOfGroup.set(d.group, d);
  }
  const byAge = [...planned].sort((a, b) => a.createdAtMs - b.createdAtMs || a.backupId.localeCompare(b.backupId));
  const last = byAge.filter((d) => oldestOfGroup.get(d.group) === d);
  const first = byAge.filter((d) => oldestOfGroup.get(d.group) !== d);
  const phase1 = await deleteChecked(store, first, opts, checks);
  // If a deletion failed in a group, its oldest backup is held back too: deleting it now
  // would let the next run keep the failed one under the "oldest" rule, and the end state
  // would differ from a run without failures. A backup that changed under us is treated
  // alike: the next run plans the group again from what is there.
  const failedGroups = new Set(phase1.flatMap((o, i) => (o?.status === "failed" || o?.status === "changed" ? [first[i]?.group] : [])));
  const held = (d: Decision): DeleteOutcome => {
    opts.log.warn("delete held", { ...keys(d), status: "held" });
    return { backupId: d.backupId, region: d.region, status: "held", attempts: 0, retries: {}, error: "not attempted: another deletion in its group failed or was skipped; the next run decides again" };
  };
  const toHold = last.filter((d) => failedGroups.has(d.group));
  const phase2 = await deleteChecked(store, last.filter((d) => !failedGroups.has(d.group)), opts, checks);
  const byId = new Map([...phase2, ...toHold.map(held)].flatMap((o) => (o === undefined ? [] : [[o.backupId, o] as const])));
  // A deletion the signal kept from starting has no outcome: runApply reports it as not attempted.
  const outcomes = [...phase1, ...last.map((d) => byId.get(d.backupId))].filter((o): o is DeleteOutcome => o !== undefined);
  return { outcomes, checks };
}

function keys(d: Decision) {
  return { backupId: d.backupId, clusterId: d.clusterId ?? null, region: d.region, policy: d.policy, group: d.group };
}

/** Deletes in batches, each looked at again first; one outcome per decision, in order. */
async function deleteChecked(
  store: BackupStore,
  decisions: readonly Decision[],
  opts: DeleteOptions,
  checks: CheckStats,
): Promise<Array<DeleteOutcome | undefined>> {
  // One round at a time: look, then delete what is unchanged, all in parallel. A larger
  // batch would leave a pin made during the earlier deletions of the batch unseen.
  const round = Math.max(1, opts.concurrency);
  const limit = pLimit(round);
  const out: Array<DeleteOutcome | undefined> = [];
  for (let i = 0; i < decisions.length; i += round) {
    if (opts.signal?.aborted) break;
    const batch = decisions.slice(i, i + round);
    const current = await lookUp(store, batch, checks);
    out.push(
      ...(await Promise.all(
        batch.map((d) => {
          const now = current.get(d.region);
          if (now instanceof Error) return failedLook(d, now, opts.log);
          const listed = opts.listed.get(d.backupId);
          const reason = listed === undefined ? "it was not in the listing" : changedSince(listed, now?.get(d.backupId));
          if (reason !== undefined) return changed(d, reason, opts.log);
          // Checked as each deletion is about to start, never during one: undefined = not started.
          return limit(() => (opts.signal?.aborted ? undefined : deleteOne(store, d, opts)));
        }),
      )),
    );
  }
  return out;
}

/** Per region: the batch's backups as they are now, or the error that kept us from looking. */
async function lookUp(store: BackupStore, batch: readonly Decision[], checks: CheckStats): Promise<Map<string, Map<string, Backup> | Error>> {
  const regions = [...new Set(batch.map((d) => d.region))];
  const entries = await Promise.all(
    regions.map(async (region): Promise<[string, Map<string, Backup> | Error]> => {
      try {
        const result = await store.lookUpBackups(region, batch.filter((d) => d.region === region).map((d) => d.backupId));
        checks.calls += result.calls;
        addRetries(checks.retries, result.retries);
        return [region, new Map(result.backups.map((b) => [b.backupId, b]))];
      } catch (err) {
        // The adapter's error says how hard it tried.
        const { calls = 0, retries = {} } = err as { calls?: number; retries?: RetryCounts };
        checks.calls += calls;
        addRetries(checks.retries, retries);
        return [region, err instanceof Error ? err : new Error(String(err))];
      }
    }),
  );
  return new Map(entries);
}

function failedLook(d: Decision, err: Error, log: JobLogger): DeleteOutcome {
  const error = `not attempted: could not look at the backup again before deleting it (${err.message})`;
  log.error("delete failed", { ...keys(d), status: "failed", error });
  return { backupId: d.backupId, region: d.region, status: "failed", attempts: 0, retries: {}, error };
}

function changed(d: Decision, reason: string, log: JobLogger): DeleteOutcome {
  log.warn("delete skipped: changed since listed", { ...keys(d), status: "changed", reason });
  return { backupId: d.backupId, region: d.region, status: "changed", attempts: 0, retries: {}, reason: `not deleted: ${reason} since it was listed; the next run decides again` };
}

async function deleteOne(store: BackupStore, d: Decision, opts: DeleteOptions): Promise<DeleteOutcome | undefined> {
  const { log, hooks } = opts;
  if (hooks) {
    try {
      const verdict = await hooks.before(d);
      if (verdict !== undefined) {
        log.warn("delete held", { ...keys(d), status: "held", reason: verdict.hold });
        return { backupId: d.backupId, region: d.region, status: "held", attempts: 0, retries: {}, error: `not attempted: ${verdict.hold}` };
      }
    } catch (err) {
      // No record, no deletion: a backup this service deletes is always in the ledger first.
      const error = `not attempted: ${(err as Error).message}`;
      log.error("delete failed", { ...keys(d), status: "failed", error });
      return { backupId: d.backupId, region: d.region, status: "failed", attempts: 0, retries: {}, error };
    }
  }
  // Interrupted while its ledger entry was being written: DeleteBackup is not sent, the entry
  // and the day's reservation are undone, and it is reported as not attempted, as the
  // interruption's message ("none will be started") says.
  if (opts.signal?.aborted) {
    await hooks?.after(d, { backupId: d.backupId, region: d.region, status: "failed", attempts: 0, retries: {}, error: "not attempted: interrupted" });
    return undefined;
  }
  const outcome = await store.deleteBackup(d.region, d.backupId);
  await hooks?.after(d, outcome);
  const attrs = { ...keys(d), status: outcome.status, attempts: outcome.attempts, reason: d.reasons.join("; ") };
  if (outcome.status === "failed") log.error("delete failed", { ...attrs, error: outcome.error });
  else log.info("backup deleted", { ...attrs, deleteAtMs: outcome.deleteAtMs });
  return outcome;
}
