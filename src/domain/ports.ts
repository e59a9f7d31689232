import type { Backup, BackupState } from "./types.js";

/** Retries by cause, as reported to the user ("retried 12 throttled, 3 server error"). */
export type RetryCounts = Partial<Record<"throttled" | "server error" | "transient", number>>;

export interface ListResult {
  backups: Backup[];
  /** DescribeBackups calls made, retries included. */
  calls: number;
  retries: RetryCounts;
}

export type DeleteStatus =
  /** DeleteBackup succeeded: PENDING_DELETION, restorable until deleteAtMs. */
  | "deleted"
  /** DeleteBackup was refused but the backup is PENDING_DELETION anyway (an earlier attempt landed). */
  | "already-pending"
  | "failed"
  /** Not attempted: another deletion in its group failed (see runApply's ordering). */
  | "held"
  /** Not attempted: looked at again just before deleting, it had changed since the listing (pinned, tagged, state). */
  | "changed";

export interface DeleteOutcome {
  backupId: string;
  region: string;
  status: DeleteStatus;
  attempts: number;
  retries: RetryCounts;
  deleteAtMs?: number | undefined;
  /** `ErrorName: message` when status is failed; why, when held. */
  error?: string | undefined;
  /** What changed, when status is changed. */
  reason?: string | undefined;
}

export interface ListOptions {
  /** Only backups in these states, filtered by the service. */
  states?: readonly BackupState[] | undefined;
  /** Called after each page with the number of backups listed so far (for progress). */
  onPage?: ((listedSoFar: number) => void) | undefined;
}

/**
 * The narrow port the jobs use to reach CloudHSM backups. The AWS adapter owns the
 * SDK; tests of the jobs may use a fake.
 */
export interface BackupStore {
  /**
   * Every backup in the region (or only those in `states`, filtered by the service), all
   * pages, each once; throws when the listing cannot be completed.
   */
  listBackups(region: string, options?: ListOptions): Promise<ListResult>;
  /**
   * The current state of these backups (the ones that still exist), to look again just
   * before deleting them; throws when they cannot be read.
   */
  lookUpBackups(region: string, backupIds: readonly string[]): Promise<ListResult>;
  /** Never throws: every attempt ends in an outcome. */
  deleteBackup(region: string, backupId: string): Promise<DeleteOutcome>;
}

/** The run's clock: the clock of the AWS endpoint it talks to (see src/aws/service-clock.ts). */
export interface Clock {
  nowMs(): number;
}

/** Adds `b`'s retry counts into `a`. */
export function addRetries(a: RetryCounts, b: RetryCounts): void {
  for (const [k, v] of Object.entries(b) as Array<[keyof RetryCounts, number]>) a[k] = (a[k] ?? 0) + v;
}

/** What RestoreBackup did. */
export interface RestoreOutcome {
  backupId: string;
  region: string;
  /** restored: PENDING_DELETION → READY now; ready: it was READY already; gone: no such backup (any more). */
  status: "restored" | "ready" | "gone" | "failed";
  /** The backup as AWS answered, when known. */
  backup?: Backup | undefined;
  /** `ErrorName: message` when failed. */
  error?: string | undefined;
}

/**
 * The port for bringing backups back (the restore page, `cloudhsm-retention restore`):
 * RestoreBackup, the NeverExpires pin, and the cluster's own retention, to warn when it
 * would purge a restored backup before its hold ends.
 */
export interface BackupRestorer {
  restoreBackup(region: string, backupId: string): Promise<RestoreOutcome>;
  /** ModifyBackupAttributes NeverExpires; only a READY backup can be pinned. */
  setNeverExpires(region: string, backupId: string, neverExpires: boolean): Promise<{ ok: true } | { ok: false; error: string }>;
  /** The days of the cluster's BackupRetentionPolicy (DescribeClusters), undefined when it has none or is unknown. */
  clusterRetentionDays(region: string, clusterId: string): Promise<number | undefined>;
}
