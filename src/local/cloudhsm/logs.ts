import type { LifecycleAction, LifecycleEvent } from "./lifecycle.js";

/**
 * Two logs for checking a long simulated run against invariants ("every DeleteBackup
 * the endpoint saw is in the ledger", "no backup gone for good without an
 * announcement"): the mutating calls callers made, and what the service did on its own.
 * Plain arrays of small objects: 90 days of a few clusters is a few thousand entries.
 */
export const MUTATING_OPERATIONS = ["DeleteBackup", "RestoreBackup", "ModifyBackupAttributes", "ModifyCluster"] as const;

/** One mutating CloudHSM call, whatever became of it. */
export interface CallLogEntry {
  /** Emulated time of the call, and the same as ISO-8601. */
  atMs: number;
  time: string;
  region: string;
  operation: string;
  /** From the request; null when it named none or could not be read. */
  backupId: string | null;
  clusterId: string | null;
  /** ModifyBackupAttributes' requested NeverExpires; null for other operations. */
  neverExpires: boolean | null;
  /** The SigV4 access key ID; null when unsigned. */
  accessKeyId: string | null;
  requestId: string;
  outcome: "ok" | "error";
  /** The error's `__type` (e.g. CloudHsmInvalidRequestException, ThrottlingException); null when ok. */
  errorCode: string | null;
  /** Set when the edge injected the failure (the call never reached the service, nothing changed). */
  fault: "throttle" | "internal" | "outage" | null;
}

export class CallLog {
  private entries: CallLogEntry[] = [];

  add(entry: CallLogEntry): void {
    this.entries.push(entry);
  }

  /** Every entry, in the order the calls were answered (a copy). */
  list(): CallLogEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  clear(): number {
    const n = this.entries.length;
    this.entries = [];
    return n;
  }
}

/** A lifecycle step as listed: `LifecycleEvent` plus its time in ISO-8601. */
export interface LifecycleEntry {
  atMs: number;
  time: string;
  region: string;
  clusterId: string | null;
  backupId: string;
  action: LifecycleAction;
  /** For `retention-delete`: the DeleteTimestamp it set. */
  deleteAtMs: number | null;
}

export class LifecycleLog {
  private entries: LifecycleEntry[] = [];

  add(e: LifecycleEvent): void {
    this.entries.push({
      atMs: e.atMs,
      time: new Date(e.atMs).toISOString(),
      region: e.region,
      clusterId: e.clusterId ?? null,
      backupId: e.backupId,
      action: e.action,
      deleteAtMs: e.deleteAtMs ?? null,
    });
  }

  /**
   * Every step, in time order (a copy). Sorted here (stable, so steps of one instant keep
   * the order taken) because one region's removals are taken in a batch that can run
   * past another region's next step.
   */
  list(): LifecycleEntry[] {
    return this.entries.map((e) => ({ ...e })).sort((a, b) => a.atMs - b.atMs);
  }

  clear(): number {
    const n = this.entries.length;
    this.entries = [];
    return n;
  }
}
