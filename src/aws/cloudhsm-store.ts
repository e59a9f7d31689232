import {
  DeleteBackupCommand,
  DescribeBackupsCommand,
  type DescribeBackupsCommandOutput,
} from "@aws-sdk/client-cloudhsm-v2";
import { addRetries, type BackupStore, type DeleteOutcome, type ListResult, type RetryCounts } from "../domain/ports.js";
import type { Backup } from "../domain/types.js";
import { toDomainBackup } from "../inventory/convert.js";
import type { CloudHsmClientFor } from "./clients.js";
import { DEFAULT_RETRY, type RetryOptions, type RetryResult, withRetry } from "./retry.js";

/** DescribeBackups' largest page: the fewest calls, ceil(backups / 50) per region. */
export const PAGE_SIZE = 50;

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

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/**
 * The CloudHSM V2 adapter behind the `BackupStore` port. It receives ready-made
 * clients (one per region), converts SDK shapes to domain backups once, and records an
 * outcome for every deletion instead of throwing.
 */
export class CloudHsmBackupStore implements BackupStore {
  readonly #clientFor: CloudHsmClientFor;
  readonly #retry: RetryOptions;

  constructor(options: { clientFor: CloudHsmClientFor; retry?: Partial<RetryOptions> | undefined }) {
    this.#clientFor = options.clientFor;
    // Unset fields keep their defaults: `{ maxAttempts: undefined }` must not erase one.
    const given = Object.entries(options.retry ?? {}).filter(([, v]) => v !== undefined);
    this.#retry = { ...DEFAULT_RETRY, ...Object.fromEntries(given) };
  }

  async listBackups(region: string): Promise<ListResult> {
    const client = this.#clientFor(region);
    const backups: Backup[] = [];
    const retries: RetryCounts = {};
    const seenTokens = new Set<string>();
    let calls = 0;
    let token: string | undefined;
    do {
      const page: RetryResult<DescribeBackupsCommandOutput> = await withRetry(
        () => client.send(new DescribeBackupsCommand({ MaxResults: PAGE_SIZE, NextToken: token, SortAscending: true })),
        this.#retry,
      );
      calls += page.stats.attempts;
      addRetries(retries, page.stats.retries);
      // A partial listing must never reach the planner: a backup missing from it
      // would look deletable to nobody, but a missing *newer* one would change which
      // backups the rules keep. All pages or nothing.
      if (!page.ok) throw new ListBackupsError(region, describeError(page.error), { calls, retries }, { cause: page.error });
      for (const raw of page.value.Backups ?? []) backups.push(toDomainBackup(raw, region));
      token = page.value.NextToken || undefined;
      if (token !== undefined) {
        if (seenTokens.has(token)) throw new ListBackupsError(region, "DescribeBackups returned the same NextToken twice", { calls, retries });
        seenTokens.add(token);
      }
    } while (token !== undefined);
    return { backups, calls, retries };
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
}
