import type { Backup } from "../../domain/types.js";

/** How long a deleted backup stays restorable (DeleteBackup docs: 7 days). */
export const RESTORE_WINDOW_MS = 7 * 86_400_000;

/** A cluster the emulator knows because seeded backups named it. */
export interface ClusterRecord {
  clusterId: string;
  region: string;
  createdAtMs: number;
  hsmType: string;
  mode: string;
}

interface RegionState {
  backups: Map<string, Backup>;
  clusters: Map<string, ClusterRecord>;
  /** Ascending by (createdAtMs, backupId); dropped whenever membership changes. */
  sorted: Backup[] | undefined;
  /** Earliest DeleteTimestamp among PENDING_DELETION backups, to make purging cheap. */
  nextPurgeMs: number;
}

/**
 * Backups and clusters per region, exactly as the emulated account would see them.
 *
 * Permanent deletion (a choice: AWS does not document what DescribeBackups shows after
 * the window): once the clock reaches a backup's DeleteTimestamp the backup is removed
 * for good, so it is no longer listed and every call naming it gets
 * CloudHsmResourceNotFoundException. The purge runs lazily, whenever a region is read.
 */
export class BackupStore {
  private readonly regions = new Map<string, RegionState>();

  /** Inserts or replaces backups by BackupId; `region` overrides each backup's own. */
  upsert(backups: readonly Backup[], nowMs: number, region?: string): number {
    for (const b of backups) {
      const r = region ?? b.region;
      const state = this.stateOf(r);
      const copy = normalise({ ...b, region: r, tags: { ...b.tags } }, nowMs);
      state.backups.set(copy.backupId, copy);
      if (copy.deleteAtMs !== undefined) state.nextPurgeMs = Math.min(state.nextPurgeMs, copy.deleteAtMs);
      if (copy.clusterId !== undefined) registerCluster(state, copy);
      state.sorted = undefined;
    }
    return backups.length;
  }

  /** Every live backup of a region, ascending by (CreateTimestamp, BackupId). */
  sorted(region: string, nowMs: number): readonly Backup[] {
    const state = this.live(region, nowMs);
    state.sorted ??= [...state.backups.values()].sort(
      (a, b) => a.createdAtMs - b.createdAtMs || (a.backupId < b.backupId ? -1 : a.backupId > b.backupId ? 1 : 0),
    );
    return state.sorted;
  }

  get(region: string, backupId: string, nowMs: number): Readonly<Backup> | undefined {
    return this.live(region, nowMs).backups.get(backupId);
  }

  /** Changes a backup in place (never its sort key), so a cached order stays valid. */
  update(region: string, backupId: string, patch: Partial<Pick<Backup, "state" | "deleteAtMs" | "neverExpires">>): Readonly<Backup> {
    const state = this.stateOf(region);
    const b = state.backups.get(backupId);
    if (!b) throw new Error(`no backup ${backupId} in ${region}`);
    Object.assign(b, patch);
    if (b.deleteAtMs === undefined) delete b.deleteAtMs;
    if (b.deleteAtMs !== undefined) state.nextPurgeMs = Math.min(state.nextPurgeMs, b.deleteAtMs);
    return b;
  }

  clusters(region: string, nowMs: number): ClusterRecord[] {
    return [...this.live(region, nowMs).clusters.values()];
  }

  regionNames(): string[] {
    return [...this.regions.keys()];
  }

  private stateOf(region: string): RegionState {
    let state = this.regions.get(region);
    if (!state) {
      state = { backups: new Map(), clusters: new Map(), sorted: undefined, nextPurgeMs: Infinity };
      this.regions.set(region, state);
    }
    return state;
  }

  /** The region's state after purging backups whose DeleteTimestamp has come. */
  private live(region: string, nowMs: number): RegionState {
    const state = this.stateOf(region);
    if (nowMs < state.nextPurgeMs) return state;
    let next = Infinity;
    for (const [id, b] of state.backups) {
      if (b.state !== "PENDING_DELETION" || b.deleteAtMs === undefined) continue;
      if (b.deleteAtMs <= nowMs) {
        state.backups.delete(id);
        state.sorted = undefined;
      } else next = Math.min(next, b.deleteAtMs);
    }
    state.nextPurgeMs = next;
    return state;
  }
}

/**
 * Keeps seeded data consistent with the documented contract: only a PENDING_DELETION
 * backup has a DeleteTimestamp, and it always has one (now + 7 days when the seed
 * omits it).
 */
function normalise(b: Backup, nowMs: number): Backup {
  if (b.state === "PENDING_DELETION") b.deleteAtMs ??= nowMs + RESTORE_WINDOW_MS;
  else delete b.deleteAtMs;
  return b;
}

function registerCluster(state: RegionState, b: Backup): void {
  const id = b.clusterId as string;
  const known = state.clusters.get(id);
  // A cluster exists before its first backup; a day earlier is as good a guess as any.
  const createdAtMs = b.createdAtMs - 86_400_000;
  if (known) {
    known.createdAtMs = Math.min(known.createdAtMs, createdAtMs);
    return;
  }
  state.clusters.set(id, {
    clusterId: id,
    region: b.region,
    createdAtMs,
    hsmType: b.hsmType ?? "hsm2m.medium",
    mode: b.mode ?? "FIPS",
  });
}
