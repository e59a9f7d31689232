import { createHash } from "node:crypto";
import type { Backup } from "../../domain/types.js";
import { DAY_MS } from "./schedule.js";
import type { RegionState } from "./store.js";

/** How long a deleted backup stays restorable (DeleteBackup docs: 7 days). */
export const RESTORE_WINDOW_MS = 7 * DAY_MS;

/**
 * What CloudHSM does on its own, one step at a time: a scheduled backup is created
 * (CREATE_IN_PROGRESS), becomes READY, is moved to PENDING_DELETION by the cluster's
 * retention, or is gone for good at its DeleteTimestamp. The store replays these steps
 * in time order (store.ts `catchUp`); this file finds the next one and takes it.
 */
export type LifecycleAction = "created" | "ready" | "retention-delete" | "gone";

/** One step, as `GET /_emulator/lifecycle` lists it. */
export interface LifecycleEvent {
  atMs: number;
  region: string;
  clusterId: string | undefined;
  backupId: string;
  action: LifecycleAction;
  /** For `retention-delete`: when the backup will be gone for good. */
  deleteAtMs?: number | undefined;
}

/**
 * The next step in a region. `key` orders steps of the same kind at the same instant.
 * `gone` removes, in one go, every backup whose DeleteTimestamp has come, up to (not
 * including) `beforeMs`, the next step of another kind: removals change nothing the
 * other steps look at, and a fleet of 100,000 may lose thousands at once.
 */
export type Due =
  | { kind: "ready"; atMs: number; key: string }
  | { kind: "create"; atMs: number; key: string }
  | { kind: "retention"; atMs: number; key: string }
  | { kind: "gone"; atMs: number; key: string; beforeMs: number };

/**
 * Same instant: a backup that becomes READY counts as the cluster's newest before the
 * retention looks; removals come last.
 */
const RANK: Readonly<Record<Due["kind"], number>> = { ready: 0, create: 1, retention: 2, gone: 3 };

export function earlier(a: Due, b: Due): boolean {
  if (a.atMs !== b.atMs) return a.atMs < b.atMs;
  if (RANK[a.kind] !== RANK[b.kind]) return RANK[a.kind] < RANK[b.kind];
  return a.key < b.key;
}

/** Adds a backup to the region's indexes (after it was stored or changed). */
export function index(state: RegionState, b: Backup): void {
  if (b.clusterId !== undefined && b.sourceRegion === undefined) {
    let own = state.byCluster.get(b.clusterId);
    if (!own) state.byCluster.set(b.clusterId, (own = new Set()));
    own.add(b);
    state.dirty.add(b.clusterId);
  }
  // The DeleteTimestamp is copied into the entry: the heap must not see a key change under it.
  const gone = b.state === "PENDING_DELETION" && b.deleteAtMs !== undefined ? { atMs: b.deleteAtMs, backup: b } : undefined;
  state.pending.set(b.backupId, gone);
}

/** Takes a backup out of the region's indexes (before it is removed or replaced). */
export function unindex(state: RegionState, b: Backup): void {
  if (b.clusterId !== undefined) {
    state.byCluster.get(b.clusterId)?.delete(b);
    state.dirty.add(b.clusterId);
  }
  state.pending.set(b.backupId, undefined);
}

/** A backup pending deletion, keyed by its DeleteTimestamp as it was when queued. */
export interface GoneEntry {
  atMs: number;
  backup: Backup;
}

export function goneFirst(a: GoneEntry, b: GoneEntry): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.backup.backupId < b.backup.backupId);
}

/** Later in DescribeBackups' order: by CreateTimestamp, then BackupId. */
export function newer(a: Backup, b: Backup): boolean {
  return a.createdAtMs > b.createdAtMs || (a.createdAtMs === b.createdAtMs && a.backupId > b.backupId);
}

/**
 * A cluster's next retention step: its oldest READY, unpinned original past the policy,
 * except its newest READY one ("AWS CloudHSM does not delete a cluster's last backup").
 * Old enough once its age reaches the policy; a policy that starts to apply later
 * (enabled, shortened, or a restored old backup) acts from the cursor on.
 */
function clusterRetentionDue(state: RegionState, clusterId: string): Due | undefined {
  const days = state.clusters.get(clusterId)?.retentionDays;
  const own = state.byCluster.get(clusterId);
  if (days === undefined || !own) return undefined;
  let newest: Backup | undefined;
  for (const b of own) if (b.state === "READY" && (!newest || newer(b, newest))) newest = b;
  let best: Due | undefined;
  for (const b of own) {
    if (b.state !== "READY" || b.neverExpires || b === newest) continue;
    const due: Due = { kind: "retention", atMs: Math.max(b.createdAtMs + days * DAY_MS, state.cursorMs), key: b.backupId };
    if (!best || earlier(due, best)) best = due;
  }
  return best;
}

/** The region's next step, or undefined when it has nothing left to do. */
export function nextDue(state: RegionState, retentionOn: boolean): Due | undefined {
  // Only the clusters something happened to are worked out again; the queues keep the rest.
  for (const clusterId of state.dirty) {
    const s = state.clusters.get(clusterId)?.schedule;
    state.creates.set(clusterId, s && !s.stopped && s.nextDueMs !== undefined ? { kind: "create", atMs: s.nextDueMs, key: clusterId } : undefined);
    // Turning retention on marks every cluster dirty, so nothing is missed while it is off.
    if (retentionOn) state.retentions.set(clusterId, clusterRetentionDue(state, clusterId));
  }
  state.dirty.clear();
  let best: Due | undefined;
  const consider = (d: Due | undefined) => {
    if (d && (!best || earlier(d, best))) best = d;
  };
  // Backups being made: a handful at a time, whatever the fleet.
  for (const [backupId, atMs] of state.inProgress) consider({ kind: "ready", atMs, key: backupId });
  consider(state.creates.peek());
  if (retentionOn) consider(state.retentions.peek());
  const firstGoneMs = state.pending.peek()?.atMs ?? Infinity;
  const other = best as Due | undefined;
  if (firstGoneMs !== Infinity && (!other || firstGoneMs < other.atMs)) {
    return { kind: "gone", atMs: firstGoneMs, key: "", beforeMs: other?.atMs ?? Infinity };
  }
  return other;
}

export type Emit = (event: LifecycleEvent, backup: Readonly<Backup>) => void;

/** Takes one step (for `gone`, every removal due up to `nowMs` before the next other step). */
export function applyDue(state: RegionState, due: Due, nowMs: number, emit: Emit): void {
  const event = (action: LifecycleAction, b: Backup, extra: Partial<LifecycleEvent> = {}) =>
    emit({ atMs: due.atMs, region: state.name, clusterId: b.clusterId, backupId: b.backupId, action, ...extra }, b);
  switch (due.kind) {
    case "ready": {
      state.inProgress.delete(due.key);
      const b = state.backups.get(due.key);
      // Reseeded meanwhile as something else: nothing to finish.
      if (b?.state !== "CREATE_IN_PROGRESS") return;
      b.state = "READY";
      index(state, b);
      event("ready", b);
      return;
    }
    case "create": {
      const cluster = state.clusters.get(due.key);
      const s = cluster?.schedule;
      if (!cluster || !s) return;
      s.nextDueMs = due.atMs + DAY_MS;
      state.dirty.add(cluster.clusterId);
      const b: Backup = {
        backupId: newBackupId(state, cluster.clusterId, due.atMs),
        clusterId: cluster.clusterId,
        region: state.name,
        state: s.readyAfterMs > 0 ? "CREATE_IN_PROGRESS" : "READY",
        createdAtMs: due.atMs,
        neverExpires: false,
        tags: {},
        hsmType: cluster.hsmType,
        mode: cluster.mode,
      };
      state.backups.set(b.backupId, b);
      index(state, b);
      // Put in its place in the cached order: sorting 100,000 backups again would cost
      // more than the step itself, and a big region is read every few minutes.
      if (state.sorted) state.sorted.splice(sortedIndex(state.sorted, b), 0, b);
      event("created", b);
      if (s.readyAfterMs > 0) state.inProgress.set(b.backupId, due.atMs + s.readyAfterMs);
      else event("ready", b);
      return;
    }
    case "retention": {
      const b = state.backups.get(due.key);
      if (!b) return;
      b.state = "PENDING_DELETION";
      b.deleteAtMs = due.atMs + RESTORE_WINDOW_MS;
      index(state, b);
      event("retention-delete", b, { deleteAtMs: b.deleteAtMs });
      return;
    }
    case "gone": {
      const gone: Backup[] = [];
      for (let next = state.pending.peek(); next && next.atMs <= nowMs && next.atMs < due.beforeMs; next = state.pending.peek()) {
        const b = next.backup;
        unindex(state, b);
        state.backups.delete(b.backupId);
        gone.push(b);
        emit({ atMs: next.atMs, region: state.name, clusterId: b.clusterId, backupId: b.backupId, action: "gone" }, b);
      }
      // Taken out of the cached order: one by one (binary search, native splice) when few,
      // in one pass when many; sorting 100,000 backups again would cost more on every read.
      if (state.sorted && gone.length > 64) {
        const removed = new Set(gone);
        state.sorted = state.sorted.filter((b) => !removed.has(b));
      } else if (state.sorted) for (const b of gone) removeSorted(state.sorted, b);
      return;
    }
  }
}

/** Where `b` belongs in an array ascending by (createdAtMs, backupId): binary search. */
function sortedIndex(sorted: readonly Backup[], b: Backup): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (newer(b, sorted[mid] as Backup)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function removeSorted(sorted: Backup[], b: Backup): void {
  const i = sortedIndex(sorted, b);
  if (sorted[i] === b) sorted.splice(i, 1);
}

const ID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz";

/**
 * A new ID in the real pattern (`backup-[2-7a-zA-Z]{11,16}`), derived from the cluster
 * and the time, so the same run makes the same IDs.
 */
function newBackupId(state: RegionState, clusterId: string, createdAtMs: number): string {
  for (let attempt = 0; ; attempt++) {
    const digest = createHash("sha256").update(`${state.name}/${clusterId}/${createdAtMs}/${attempt}`).digest();
    const id = `backup-${[...digest.subarray(0, 11)].map((byte) => ID_ALPHABET[byte % 32]).join("")}`;
    if (!state.backups.has(id)) return id;
  }
}
