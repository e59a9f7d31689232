import type { Backup } from "../../domain/types.js";
import { applyDue, type Due, earlier, type GoneEntry, goneFirst, index, type LifecycleEvent, newer, nextDue, RESTORE_WINDOW_MS, unindex } from "./lifecycle.js";
import { DueQueue } from "./due-queue.js";
import type { ClusterSchedule } from "./schedule.js";

export { RESTORE_WINDOW_MS };
/** The console's default retention, which every emulated cluster starts with. */
export const DEFAULT_RETENTION_DAYS = 90;

/** A cluster the emulator knows because seeded backups named it. */
export interface ClusterRecord {
  clusterId: string;
  region: string;
  createdAtMs: number;
  hsmType: string;
  mode: string;
  /** BackupRetentionPolicy in days; undefined for a cluster opted out of managed retention. */
  retentionDays: number | undefined;
  /** Daily backups made by the emulated service (opt-in). */
  schedule?: ClusterSchedule | undefined;
}

/** Marks a region whose next piece of service work must be worked out again. */
const STALE = Symbol("stale");

/** One region's state; exported for lifecycle.ts, which does the service's own work on it. */
export interface RegionState {
  name: string;
  backups: Map<string, Backup>;
  clusters: Map<string, ClusterRecord>;
  /** Ascending by (createdAtMs, backupId); kept in place by the service's steps, dropped by seeding. */
  sorted: Backup[] | undefined;
  /** Scheduled backups still CREATE_IN_PROGRESS, and when each becomes READY. */
  inProgress: Map<string, number>;
  /** How many of its clusters have a schedule (kept, not counted per change: seeding 100,000 backups touches each). */
  scheduledClusters: number;
  /**
   * Indexes that keep each step's search small in a big region: the originals (not
   * copies) of each cluster, the backups pending deletion, each cluster's next backup and
   * next retention step, and the clusters whose next steps must be worked out again.
   */
  byCluster: Map<string, Set<Backup>>;
  pending: DueQueue<GoneEntry>;
  creates: DueQueue<Due>;
  retentions: DueQueue<Due>;
  dirty: Set<string>;
  /** The service's own work is done up to here; a policy that starts to apply acts from here. */
  cursorMs: number;
  /** The next thing the service does on its own in this region (cached; STALE when unknown). */
  due: Due | undefined | typeof STALE;
}

/**
 * Backups and clusters per region, exactly as the emulated account would see them, and
 * what CloudHSM does on its own: permanent deletion at DeleteTimestamp, and (opt-in)
 * daily backups and the clusters' own retention.
 *
 * Permanent deletion (a choice: AWS does not document what DescribeBackups shows after
 * the window): once the clock reaches a backup's DeleteTimestamp the backup is removed
 * for good, so it is no longer listed and every call naming it gets
 * CloudHsmResourceNotFoundException.
 *
 * The service's work is done lazily and deterministically: before any read or change,
 * `catchUp(now)` replays every step that fell due up to `now`, in time order across all
 * regions, each at its own time (a backup due at 03:15 gets CreateTimestamp 03:15 even
 * when nobody looks until a week later). So the outcome depends on the clock alone, not
 * on when or how often anyone reads (test/local/lifecycle-properties.test.ts). Only
 * permanent deletions, which nothing records but the lifecycle log (sorted by time), are
 * taken in batches that may run ahead of another region's steps.
 */
export class BackupStore {
  private readonly regions = new Map<string, RegionState>();
  private retentionOn = false;
  private catchingUp = false;
  private readonly listeners = new Set<(event: LifecycleEvent, backup: Readonly<Backup>) => void>();

  /** Called for every step the service takes on its own (created, ready, retention-delete, gone). */
  onLifecycle(listener: (event: LifecycleEvent, backup: Readonly<Backup>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Inserts or replaces backups by BackupId; `region` overrides each backup's own. */
  upsert(backups: readonly Backup[], nowMs: number, region?: string): number {
    this.catchUp(nowMs);
    for (const b of backups) {
      const state = this.stateOf(region ?? b.region, nowMs);
      const copy = normalise({ ...b, region: state.name, tags: { ...b.tags } }, nowMs);
      const replaced = state.backups.get(copy.backupId);
      if (replaced) unindex(state, replaced);
      state.backups.set(copy.backupId, copy);
      index(state, copy);
      if (copy.state !== "CREATE_IN_PROGRESS") state.inProgress.delete(copy.backupId);
      if (copy.clusterId !== undefined) registerCluster(state, copy);
      state.sorted = undefined;
      this.touch(state, copy);
    }
    return backups.length;
  }

  /** Every live backup of a region, ascending by (CreateTimestamp, BackupId). */
  sorted(region: string, nowMs: number): readonly Backup[] {
    this.catchUp(nowMs);
    const state = this.stateOf(region, nowMs);
    state.sorted ??= [...state.backups.values()].sort(
      (a, b) => a.createdAtMs - b.createdAtMs || (a.backupId < b.backupId ? -1 : a.backupId > b.backupId ? 1 : 0),
    );
    return state.sorted;
  }

  get(region: string, backupId: string, nowMs: number): Readonly<Backup> | undefined {
    this.catchUp(nowMs);
    return this.regions.get(region)?.backups.get(backupId);
  }

  /** Changes a backup in place (never its sort key), so a cached order stays valid. */
  update(region: string, backupId: string, patch: Partial<Pick<Backup, "state" | "deleteAtMs" | "neverExpires">>): Readonly<Backup> {
    const state = this.regions.get(region);
    const b = state?.backups.get(backupId);
    if (!state || !b) throw new Error(`no backup ${backupId} in ${region}`);
    Object.assign(b, patch);
    if (b.deleteAtMs === undefined) delete b.deleteAtMs;
    index(state, b);
    this.touch(state, b);
    return b;
  }

  clusters(region: string, nowMs: number): ClusterRecord[] {
    this.catchUp(nowMs);
    return [...(this.regions.get(region)?.clusters.values() ?? [])];
  }

  /** A cluster's newest backup (any state; copies aside), from the cluster's index. */
  newestOf(region: string, clusterId: string, nowMs: number): Readonly<Backup> | undefined {
    this.catchUp(nowMs);
    let newest: Backup | undefined;
    for (const b of this.regions.get(region)?.byCluster.get(clusterId) ?? []) {
      if (!newest || newer(b, newest)) newest = b;
    }
    return newest;
  }

  regionNames(): string[] {
    return [...this.regions.keys()];
  }

  /** Whether CloudHSM's own retention runs (off by default, so seeded fleets stay as seeded). */
  get retentionEnabled(): boolean {
    return this.retentionOn;
  }

  /** Turns the clusters' own retention on or off from `nowMs` on (work due before is done first). */
  setRetentionEnabled(on: boolean, nowMs: number): void {
    this.catchUp(nowMs);
    this.retentionOn = on;
    for (const state of this.regions.values()) {
      for (const clusterId of state.clusters.keys()) state.dirty.add(clusterId);
      state.due = STALE;
    }
  }

  /** Changes a cluster's retention or schedule from `nowMs` on; undefined when the cluster is unknown. */
  configureCluster(region: string, clusterId: string, nowMs: number, patch: Partial<Pick<ClusterRecord, "retentionDays" | "schedule">>): Readonly<ClusterRecord> | undefined {
    this.catchUp(nowMs);
    const state = this.regions.get(region);
    const cluster = state?.clusters.get(clusterId);
    if (!state || !cluster) return undefined;
    Object.assign(cluster, patch);
    state.dirty.add(clusterId);
    state.scheduledClusters = [...state.clusters.values()].filter((c) => c.schedule !== undefined).length;
    state.due = STALE;
    return cluster;
  }

  /** Does every piece of service work that fell due up to `nowMs`, in time order across regions. */
  catchUp(nowMs: number): void {
    // A lifecycle listener that reads the store must not start a second replay.
    if (this.catchingUp) return;
    this.catchingUp = true;
    try {
      for (;;) {
        let pick: RegionState | undefined;
        let pickDue: Due | undefined;
        for (const state of this.regions.values()) {
          const due = this.dueOf(state);
          if (due === undefined || due.atMs > nowMs) continue;
          if (!pickDue || earlier(due, pickDue) || (!earlier(pickDue, due) && state.name < (pick as RegionState).name)) {
            pick = state;
            pickDue = due;
          }
        }
        if (!pick || !pickDue) break;
        applyDue(pick, pickDue, nowMs, (event, backup) => {
          for (const listener of this.listeners) listener(event, backup);
        });
        pick.cursorMs = Math.max(pick.cursorMs, pickDue.atMs);
        pick.due = STALE;
      }
      for (const state of this.regions.values()) state.cursorMs = Math.max(state.cursorMs, nowMs);
    } finally {
      this.catchingUp = false;
    }
  }

  private dueOf(state: RegionState): Due | undefined {
    if (state.due === STALE) state.due = nextDue(state, this.retentionOn);
    return state.due;
  }

  /**
   * After a backup changed. Without schedules or retention the only work is permanent
   * deletion, so the cached next step is lowered in O(1) (a 100,000-backup benchmark
   * deletes thousands); otherwise it is worked out again on the next read.
   */
  private touch(state: RegionState, b: Backup): void {
    const automated = this.retentionOn || state.inProgress.size > 0 || state.scheduledClusters > 0;
    if (automated || state.due === STALE) {
      state.due = STALE;
      return;
    }
    if (b.state === "PENDING_DELETION" && b.deleteAtMs !== undefined && (state.due === undefined || b.deleteAtMs < state.due.atMs)) {
      state.due = { kind: "gone", atMs: b.deleteAtMs, key: "", beforeMs: Infinity };
    }
  }

  private stateOf(region: string, nowMs: number): RegionState {
    let state = this.regions.get(region);
    if (!state) {
      state = {
        name: region, backups: new Map(), clusters: new Map(), sorted: undefined, inProgress: new Map(), scheduledClusters: 0,
        byCluster: new Map(), pending: new DueQueue(goneFirst), creates: new DueQueue(earlier), retentions: new DueQueue(earlier), dirty: new Set(), cursorMs: nowMs, due: undefined,
      };
      this.regions.set(region, state);
    }
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
    retentionDays: DEFAULT_RETENTION_DAYS,
  });
}
