import type { BackupStore, DeleteOutcome, ListResult, RetryCounts } from "../../src/domain/ports.js";
import type { Backup, BackupState } from "../../src/domain/types.js";

/** AWS keeps a deleted backup restorable for 7 days (PENDING_DELETION). */
const RESTORE_WINDOW_MS = 7 * 86_400_000;

/** One step of a delete call, in the order the fake saw them. */
export interface DeleteEvent {
  kind: "start" | "end";
  backupId: string;
}

export interface FakeStoreOptions {
  /** The fake's clock, for DeleteTimestamp. */
  nowMs?: number | undefined;
  /** How long each DeleteBackup takes; by default one `setImmediate`, so calls still overlap. */
  deleteLatencyMs?: ((backupId: string) => number) | undefined;
}

/**
 * An in-memory `BackupStore` for unit tests of the jobs (the Powertools habit: a
 * hand-written fake for our own port, `aws-sdk-client-mock` only in adapter tests).
 * It holds backups per region, turns READY into PENDING_DELETION on delete, can be told
 * to fail chosen deletes or listings, and records every delete call, the start/end
 * order of deletes and the largest number of deletes in flight at once.
 */
export class FakeBackupStore implements BackupStore {
  /** `region/backupId` → backup; replaced (never mutated) on delete, so listings are snapshots. */
  readonly #backups = new Map<string, Backup>();
  readonly #nowMs: number;
  readonly #latencyMs: ((backupId: string) => number) | undefined;
  readonly #failingDeletes = new Map<string, string>();
  readonly #failingListings = new Map<string, Error>();
  readonly #failingLookUps = new Map<string, Error>();
  #afterListing: ((store: this) => void) | undefined;
  readonly #listRetries = new Map<string, RetryCounts>();
  readonly #deleteRetries = new Map<string, RetryCounts>();
  #inFlight = 0;

  /** Every `deleteBackup` call, in call order. */
  readonly deleteCalls: Array<{ region: string; backupId: string }> = [];
  /** Start and end of every delete, interleaved as they happened. */
  readonly events: DeleteEvent[] = [];
  maxInFlight = 0;
  listCalls = 0;

  constructor(backups: readonly Backup[], options: FakeStoreOptions = {}) {
    for (const b of backups) this.#backups.set(`${b.region}/${b.backupId}`, { ...b });
    this.#nowMs = options.nowMs ?? Date.parse("2026-11-28T06:00:00Z");
    this.#latencyMs = options.deleteLatencyMs;
  }

  /** Every later delete of this backup fails with `error` (`ErrorName: message`). */
  failDelete(backupId: string, error = "CloudHsmInternalFailureException: injected"): this {
    this.#failingDeletes.set(backupId, error);
    return this;
  }

  /** Every later listing of this region throws `error`. */
  failListing(region: string, error: Error = new Error(`listing backups in ${region} failed: injected`)): this {
    this.#failingListings.set(region, error);
    return this;
  }

  /** Every later look-up (the check just before deleting) in this region throws `error`. */
  failLookUp(region: string, error: Error = new Error(`looking up backups in ${region} failed: injected`)): this {
    this.#failingLookUps.set(region, error);
    return this;
  }

  /** Runs once, right after the next listing returns: someone changing backups meanwhile. */
  afterNextListing(change: (store: this) => void): this {
    this.#afterListing = change;
    return this;
  }

  /** Changes a backup as someone else would (ModifyBackupAttributes, tagging, a manual delete). */
  update(region: string, backupId: string, patch: Partial<Backup>): this {
    const key = `${region}/${backupId}`;
    const b = this.#backups.get(key);
    if (b === undefined) throw new Error(`fake store: no backup ${key}`);
    this.#backups.set(key, { ...b, ...patch });
    return this;
  }

  /** The listing of `region` reports these retries (as the AWS adapter would). */
  reportListRetries(region: string, retries: RetryCounts): this {
    this.#listRetries.set(region, retries);
    return this;
  }

  /** The delete of `backupId` reports these retries, one extra attempt each. */
  reportDeleteRetries(backupId: string, retries: RetryCounts): this {
    this.#deleteRetries.set(backupId, retries);
    return this;
  }

  /** The current state of every backup, all regions. */
  all(): Backup[] {
    return [...this.#backups.values()].map((b) => ({ ...b }));
  }

  /** IDs of the backups now PENDING_DELETION, sorted. */
  pendingIds(): string[] {
    return this.all()
      .filter((b) => b.state === "PENDING_DELETION")
      .map((b) => b.backupId)
      .sort();
  }

  async listBackups(region: string, options: { states?: readonly BackupState[] } = {}): Promise<ListResult> {
    this.listCalls++;
    await Promise.resolve();
    const failure = this.#failingListings.get(region);
    if (failure) throw failure;
    const backups = this.all().filter((b) => b.region === region && (options.states === undefined || options.states.includes(b.state)));
    const retries = { ...this.#listRetries.get(region) };
    const change = this.#afterListing;
    this.#afterListing = undefined;
    change?.(this);
    return { backups, calls: 1 + sumOf(retries), retries };
  }

  /** Every look-up, in call order. */
  readonly lookUpCalls: Array<{ region: string; backupIds: string[] }> = [];

  async lookUpBackups(region: string, backupIds: readonly string[]): Promise<ListResult> {
    this.lookUpCalls.push({ region, backupIds: [...backupIds] });
    await Promise.resolve();
    const failure = this.#failingLookUps.get(region);
    if (failure) throw failure;
    const wanted = new Set(backupIds);
    return { backups: this.all().filter((b) => b.region === region && wanted.has(b.backupId)), calls: 1, retries: {} };
  }

  async deleteBackup(region: string, backupId: string): Promise<DeleteOutcome> {
    this.deleteCalls.push({ region, backupId });
    this.events.push({ kind: "start", backupId });
    this.#inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.#inFlight);
    try {
      const latencyMs = this.#latencyMs?.(backupId);
      await new Promise((resolve) => (latencyMs === undefined ? setImmediate(resolve) : setTimeout(resolve, latencyMs)));
      const retries = { ...this.#deleteRetries.get(backupId) };
      const base = { backupId, region, attempts: 1 + sumOf(retries), retries };
      const error = this.#failingDeletes.get(backupId);
      if (error !== undefined) return { ...base, status: "failed", error };
      const key = `${region}/${backupId}`;
      const b = this.#backups.get(key);
      if (b === undefined) return { ...base, status: "failed", error: `CloudHsmResourceNotFoundException: no backup ${backupId} in ${region}` };
      if (b.state === "PENDING_DELETION") return { ...base, status: "already-pending", deleteAtMs: b.deleteAtMs };
      if (b.state !== "READY") return { ...base, status: "failed", error: `CloudHsmInvalidRequestException: backup ${backupId} is ${b.state}` };
      const deleteAtMs = this.#nowMs + RESTORE_WINDOW_MS;
      this.#backups.set(key, { ...b, state: "PENDING_DELETION", deleteAtMs });
      return { ...base, status: "deleted", deleteAtMs };
    } finally {
      this.#inFlight--;
      this.events.push({ kind: "end", backupId });
    }
  }
}

function sumOf(retries: RetryCounts): number {
  return Object.values(retries).reduce((n, v) => n + (v ?? 0), 0);
}
