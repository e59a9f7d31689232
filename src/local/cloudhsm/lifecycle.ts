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

/** Subject to the cluster's retention: a READY original (not a copy) that is not pinned. */
function retained(b: Backup): boolean {
  return b.state === "READY" && !b.neverExpires && b.clusterId !== undefined && b.sourceRegion === undefined;
}

function newer(a: Backup, b: Backup): boolean {
  return a.createdAtMs > b.createdAtMs || (a.createdAtMs === b.createdAtMs && a.backupId > b.backupId);
}

/** The region's next step, or undefined when it has nothing left to do. One pass over its backups. */
export function nextDue(state: RegionState, retentionOn: boolean): Due | undefined {
  let best: Due | undefined;
  const consider = (d: Due) => {
    if (!best || earlier(d, best)) best = d;
  };
  for (const [backupId, atMs] of state.inProgress) consider({ kind: "ready", atMs, key: backupId });
  for (const c of state.clusters.values()) {
    const s = c.schedule;
    if (s && !s.stopped && s.nextDueMs !== undefined) consider({ kind: "create", atMs: s.nextDueMs, key: c.clusterId });
  }
  if (retentionOn) {
    // "AWS CloudHSM does not delete a cluster's last backup": its newest READY original.
    const newest = new Map<string, Backup>();
    for (const b of state.backups.values()) {
      if (b.state !== "READY" || b.clusterId === undefined || b.sourceRegion !== undefined) continue;
      const current = newest.get(b.clusterId);
      if (!current || newer(b, current)) newest.set(b.clusterId, b);
    }
    for (const b of state.backups.values()) {
      if (!retained(b) || newest.get(b.clusterId as string) === b) continue;
      const days = state.clusters.get(b.clusterId as string)?.retentionDays;
      if (days === undefined) continue;
      // Old enough once its age reaches the policy; a policy that starts to apply later
      // (enabled, shortened, or a restored old backup) acts from the cursor on.
      consider({ kind: "retention", atMs: Math.max(b.createdAtMs + days * DAY_MS, state.cursorMs), key: b.backupId });
    }
  }
  let firstGoneMs = Infinity;
  for (const b of state.backups.values()) {
    if (b.state === "PENDING_DELETION" && b.deleteAtMs !== undefined && b.deleteAtMs < firstGoneMs) firstGoneMs = b.deleteAtMs;
  }
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
      event("ready", b);
      return;
    }
    case "create": {
      const cluster = state.clusters.get(due.key);
      const s = cluster?.schedule;
      if (!cluster || !s) return;
      s.nextDueMs = due.atMs + DAY_MS;
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
      state.sorted = undefined;
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
      event("retention-delete", b, { deleteAtMs: b.deleteAtMs });
      return;
    }
    case "gone": {
      const gone = [...state.backups.values()]
        .filter((b) => b.state === "PENDING_DELETION" && b.deleteAtMs !== undefined && b.deleteAtMs <= nowMs && b.deleteAtMs < due.beforeMs)
        .sort((a, b) => (a.deleteAtMs as number) - (b.deleteAtMs as number) || (a.backupId < b.backupId ? -1 : 1));
      for (const b of gone) {
        state.backups.delete(b.backupId);
        emit({ atMs: b.deleteAtMs as number, region: state.name, clusterId: b.clusterId, backupId: b.backupId, action: "gone" }, b);
      }
      if (gone.length > 0) state.sorted = undefined;
      return;
    }
  }
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
