import {
  DeleteBackupCommand,
  DescribeBackupsCommand,
  DescribeClustersCommand,
  ModifyBackupAttributesCommand,
  RestoreBackupCommand,
  type DescribeBackupsCommandOutput,
  type DescribeBackupsRequest,
} from "@aws-sdk/client-cloudhsm-v2";
import { addRetries, type BackupRestorer, type BackupStore, type DeleteOutcome, type ListOptions, type ListResult, type RestoreOutcome, type RetryCounts } from "../domain/ports.js";
import { MAX_TIMESTAMP_MS, timestampRangeProblem } from "../domain/time.js";
import type { Backup } from "../domain/types.js";
import { toDomainBackup } from "../inventory/convert.js";
import type { CloudHsmClientFor } from "./clients.js";
import { describeError } from "./describe-error.js";
import { DEFAULT_RETRY, type RetryOptions, type RetryResult, withRetry } from "./retry.js";

/** DescribeBackups' largest page: the fewest calls, ceil(backups / 50) per region. */
export const PAGE_SIZE = 50;
/**
 * IDs per `backupIds` filter when looking backups up again. AWS documents no limit on a
 * filter's values; 50 matches the page size, so a batch is normally one call.
 */
export const LOOKUP_BATCH = 50;
/** Refuses a backup whose timestamps no real backup can have: planning with it would be guessing. */
function checked(b: Backup, region: string, stats: { calls: number; retries: RetryCounts }): Backup {
  for (const [name, ms] of [["CreateTimestamp", b.createdAtMs], ["DeleteTimestamp", b.deleteAtMs], ["CopyTimestamp", b.copiedAtMs]] as const) {
    const problem = ms === undefined ? undefined : timestampRangeProblem(ms);
    if (problem === undefined) continue;
    const hint = ms !== undefined && ms > MAX_TIMESTAMP_MS ? " (epoch milliseconds read as seconds?)" : "";
    throw new ListBackupsError(region, `backup ${b.backupId} has a ${name} that ${problem}${hint}; nothing in this region is planned`, stats);
  }
  return b;
}

/** Two listings of one backup agree on everything the plan reads. */
function sameBackup(a: Backup, b: Backup): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(b: Backup): unknown[] {
  const tags = Object.entries(b.tags).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return [b.backupId, b.clusterId, b.region, b.state, b.createdAtMs, b.deleteAtMs, b.copiedAtMs, b.neverExpires, b.sourceRegion, b.sourceBackupId, b.sourceClusterId, tags];
}

export class ListBackupsError extends Error {
  readonly region: string;
  /** DescribeBackups calls made before giving up, retries included. */
  readonly calls: number;
  readonly retries: RetryCounts;
  constructor(region: string, message: string, stats: { calls: number; retries: RetryCounts }, options?: ErrorOptions) {
    super(`listing backups in ${region} failed: ${message}`, options);
    this.name = "ListBackupsError";
    this.region = region;
    this.calls = stats.calls;
    this.retries = stats.retries;
  }
}


/**
 * The CloudHSM V2 adapter behind the `BackupStore` port. It receives ready-made
 * clients (one per region), converts SDK shapes to domain backups once, and records an
 * outcome for every deletion instead of throwing.
 */
export class CloudHsmBackupStore implements BackupStore, BackupRestorer {
  readonly #clientFor: CloudHsmClientFor;
  readonly #retry: RetryOptions;

  constructor(options: { clientFor: CloudHsmClientFor; retry?: Partial<RetryOptions> | undefined }) {
    this.#clientFor = options.clientFor;
    // Unset fields keep their defaults: `{ maxAttempts: undefined }` must not erase one.
    const given = Object.entries(options.retry ?? {}).filter(([, v]) => v !== undefined);
    this.#retry = { ...DEFAULT_RETRY, ...Object.fromEntries(given) };
  }

  async listBackups(region: string, options: ListOptions = {}): Promise<ListResult> {
    const stats = { calls: 0, retries: {} as RetryCounts };
    const byId = new Map<string, Backup>();
    const input = options.states === undefined ? {} : { Filters: { states: [...options.states] } };
    const afterPage = options.onPage && (() => options.onPage!(byId.size));
    for await (const raw of this.#describe(region, input, stats, afterPage)) {
      const b = checked(toDomainBackup(raw, region), region, stats);
      const seen = byId.get(b.backupId);
      // Overlapping pages, or a copy landing mid-listing, can repeat a backup: the same
      // backup twice is merged; two different ones under one ID mean the listing cannot
      // be trusted, and a plan from it could delete a kept backup's twin.
      if (seen !== undefined && !sameBackup(seen, b)) {
        throw new ListBackupsError(region, `backup ${b.backupId} was listed twice with different contents`, stats);
      }
      byId.set(b.backupId, b);
    }
    return { backups: [...byId.values()], ...stats };
  }

  /**
   * The current state of the given backups (those that still exist), read with
   * DescribeBackups' `backupIds` filter in batches of LOOKUP_BATCH IDs. Throws
   * ListBackupsError when a batch cannot be read.
   */
  async lookUpBackups(region: string, backupIds: readonly string[]): Promise<ListResult> {
    const stats = { calls: 0, retries: {} as RetryCounts };
    const backups: Backup[] = [];
    for (let i = 0; i < backupIds.length; i += LOOKUP_BATCH) {
      const Filters = { backupIds: backupIds.slice(i, i + LOOKUP_BATCH) };
      for await (const raw of this.#describe(region, { Filters }, stats)) backups.push(checked(toDomainBackup(raw, region), region, stats));
    }
    return { backups, ...stats };
  }

  /**
   * Every backup DescribeBackups returns for `input`, all pages or nothing: a partial
   * listing must never reach the planner, since a missing *newer* backup would change
   * which backups the rules keep.
   */
  async *#describe(region: string, input: DescribeBackupsRequest, stats: { calls: number; retries: RetryCounts }, afterPage?: () => void) {
    const client = this.#clientFor(region);
    const seenTokens = new Set<string>();
    let token: string | undefined;
    do {
      const page: RetryResult<DescribeBackupsCommandOutput> = await withRetry(
        () => client.send(new DescribeBackupsCommand({ ...input, MaxResults: PAGE_SIZE, NextToken: token, SortAscending: true })),
        this.#retry,
      );
      stats.calls += page.stats.attempts;
      addRetries(stats.retries, page.stats.retries);
      if (!page.ok) throw new ListBackupsError(region, describeError(page.error), stats, { cause: page.error });
      yield* page.value.Backups ?? [];
      // The consumer has taken every backup of the page by now.
      afterPage?.();
      token = page.value.NextToken || undefined;
      if (token !== undefined) {
        if (seenTokens.has(token)) throw new ListBackupsError(region, "DescribeBackups returned the same NextToken twice", stats);
        seenTokens.add(token);
      }
    } while (token !== undefined);
  }

  async deleteBackup(region: string, backupId: string): Promise<DeleteOutcome> {
    const client = this.#clientFor(region);
    const result = await withRetry(() => client.send(new DeleteBackupCommand({ BackupId: backupId })), this.#retry);
    const base = { backupId, region, attempts: result.stats.attempts, retries: result.stats.retries };
    if (result.ok) {
      const deleteAt = result.value.Backup?.DeleteTimestamp;
      return { ...base, status: "deleted", deleteAtMs: deleteAt ? deleteAt.getTime() : undefined };
    }
    // A refused delete may mean an earlier attempt landed and only its answer was lost,
    // or someone deleted the backup since we listed it. Look before calling it a failure.
    if ((result.error as Error)?.name === "CloudHsmInvalidRequestException") {
      const look = await withRetry(
        () => client.send(new DescribeBackupsCommand({ Filters: { backupIds: [backupId] } })),
        this.#retry,
      );
      // The second look's retries are part of this deletion's story: count them too.
      const retries = { ...base.retries };
      addRetries(retries, look.stats.retries);
      const raw = look.ok ? look.value.Backups?.[0] : undefined;
      const now = raw ? toDomainBackup(raw, region) : undefined;
      if (now?.state === "PENDING_DELETION") return { ...base, retries, status: "already-pending", deleteAtMs: now.deleteAtMs };
      return { ...base, retries, status: "failed", error: describeError(result.error) };
    }
    return { ...base, status: "failed", error: describeError(result.error) };
  }

  async restoreBackup(region: string, backupId: string): Promise<RestoreOutcome> {
    const client = this.#clientFor(region);
    const result = await withRetry(() => client.send(new RestoreBackupCommand({ BackupId: backupId })), this.#retry);
    if (result.ok) {
      const raw = result.value.Backup;
      return { backupId, region, status: "restored", backup: raw ? toDomainBackup(raw, region) : undefined };
    }
    const name = (result.error as Error)?.name;
    if (name === "CloudHsmResourceNotFoundException") return { backupId, region, status: "gone" };
    // Refused: perhaps it is READY already (restored by an earlier click, or by someone else).
    if (name === "CloudHsmInvalidRequestException") {
      const now = (await this.lookUpBackups(region, [backupId]).catch(() => undefined))?.backups[0];
      if (now?.state === "READY") return { backupId, region, status: "ready", backup: now };
      if (now === undefined) return { backupId, region, status: "gone" };
    }
    return { backupId, region, status: "failed", error: describeError(result.error) };
  }

  async setNeverExpires(region: string, backupId: string, neverExpires: boolean): Promise<{ ok: true } | { ok: false; error: string }> {
    const client = this.#clientFor(region);
    const result = await withRetry(() => client.send(new ModifyBackupAttributesCommand({ BackupId: backupId, NeverExpires: neverExpires })), this.#retry);
    return result.ok ? { ok: true } : { ok: false, error: describeError(result.error) };
  }

  async clusterRetentionDays(region: string, clusterId: string): Promise<number | undefined> {
    const client = this.#clientFor(region);
    const result = await withRetry(() => client.send(new DescribeClustersCommand({ Filters: { clusterIds: [clusterId] } })), this.#retry);
    if (!result.ok) return undefined;
    const policy = result.value.Clusters?.[0]?.BackupRetentionPolicy;
    // The model types Value as a string ("90"); the CLI's examples show a number.
    const days = policy?.Type === "DAYS" ? Number(policy.Value) : Number.NaN;
    return Number.isInteger(days) && days > 0 ? days : undefined;
  }
}
