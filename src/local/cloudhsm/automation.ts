import { UserInputError } from "../../errors.js";
import { type ClusterSchedule, DEFAULT_READY_AFTER_MS, formatTimeOfDay, nextDailyAt, parseReadyAfter, parseTimeOfDay } from "./schedule.js";
import type { BackupStore, ClusterRecord } from "./store.js";

/**
 * The switches for what CloudHSM does on its own: daily backups per cluster, and the
 * clusters' own retention. Both are off until set, so a seeded fleet stays exactly as
 * seeded. Every change first does the work that fell due before it (store `catchUp`),
 * so it applies from the emulated "now" on.
 */

/** Which clusters: one (`region` and `clusterId`, or `clusterId` alone), a region's, or all. */
export interface ClusterScope {
  region?: string | undefined;
  clusterId?: string | undefined;
}

export interface ScheduleRequest extends ClusterScope {
  /** UTC time of day, "HH:MM" or "HH:MM:SS"; default: the time of day of the cluster's newest backup (03:00 without one). */
  dailyAt?: string | undefined;
  /** How long each backup stays CREATE_IN_PROGRESS: "10m", "1h30m", "45s" or milliseconds; default 10 minutes. */
  readyAfter?: string | number | undefined;
}

export interface ScheduleView {
  region: string;
  clusterId: string;
  dailyAt: string;
  readyAfterMs: number;
  state: "running" | "stopped";
  /** ISO-8601; null while stopped. */
  nextBackupAt: string | null;
}

export interface RetentionView {
  /** Whether CloudHSM's own retention runs. */
  enabled: boolean;
  /** Each cluster's BackupRetentionPolicy in days; null for a cluster opted out. */
  clusters: Array<{ region: string; clusterId: string; days: number | null }>;
}

const DEFAULT_DAILY_AT_MS = 3 * 3_600_000;

/** Resolves a scope to clusters; a scope that names nothing known is the caller's mistake. */
function clustersIn(store: BackupStore, scope: ClusterScope, nowMs: number): ClusterRecord[] {
  const regions = scope.region === undefined ? store.regionNames() : [scope.region];
  const found = regions.flatMap((r) => store.clusters(r, nowMs)).filter((c) => scope.clusterId === undefined || c.clusterId === scope.clusterId);
  if (found.length === 0) {
    const where = scope.region === undefined ? "any region" : scope.region;
    throw new UserInputError(scope.clusterId === undefined ? `no clusters known in ${where}: seed backups first` : `cluster ${scope.clusterId} is not known in ${where}`);
  }
  return found.sort((a, b) => (a.region === b.region ? (a.clusterId < b.clusterId ? -1 : 1) : a.region < b.region ? -1 : 1));
}

function checkScope(scope: ClusterScope): ClusterScope {
  for (const key of ["region", "clusterId"] as const) {
    const v = scope[key];
    if (v !== undefined && (typeof v !== "string" || v === "")) throw new UserInputError(`${key}: expected a non-empty string; got ${JSON.stringify(v)}`);
  }
  return scope;
}

export class BackupSchedules {
  constructor(
    private readonly store: BackupStore,
    private readonly nowMs: () => number,
  ) {}

  /** Starts (or replaces) the daily backups of the clusters in scope; returns their schedules. */
  set(request: ScheduleRequest = {}): ScheduleView[] {
    const nowMs = this.nowMs();
    const scope = checkScope(request);
    const readyAfterMs = request.readyAfter === undefined ? DEFAULT_READY_AFTER_MS : parseReadyAfter(request.readyAfter);
    const fixedMs = request.dailyAt === undefined ? undefined : parseTimeOfDay(request.dailyAt);
    const clusters = clustersIn(this.store, scope, nowMs);
    for (const c of clusters) {
      const msOfDay = fixedMs ?? this.usualTimeOf(c, nowMs);
      const schedule: ClusterSchedule = { msOfDay, readyAfterMs, stopped: false, nextDueMs: nextDailyAt(nowMs, msOfDay) };
      this.store.configureCluster(c.region, c.clusterId, nowMs, { schedule });
    }
    return clusters.map((c) => view(c));
  }

  /** No more backups for the clusters in scope until `resume` ("backups stopped"). */
  stop(scope: ClusterScope = {}): ScheduleView[] {
    return this.change(scope, (s) => ({ ...s, stopped: true, nextDueMs: undefined }));
  }

  /** Backups again from the next daily time on; the days missed are not made up. */
  resume(scope: ClusterScope = {}): ScheduleView[] {
    const nowMs = this.nowMs();
    return this.change(scope, (s) => ({ ...s, stopped: false, nextDueMs: nextDailyAt(nowMs, s.msOfDay) }));
  }

  /** Forgets the schedules in scope; returns how many there were. */
  remove(scope: ClusterScope = {}): number {
    const nowMs = this.nowMs();
    const scheduled = clustersIn(this.store, checkScope(scope), nowMs).filter((c) => c.schedule !== undefined);
    for (const c of scheduled) this.store.configureCluster(c.region, c.clusterId, nowMs, { schedule: undefined });
    return scheduled.length;
  }

  /** Every schedule, by region and cluster. */
  list(): ScheduleView[] {
    const nowMs = this.nowMs();
    this.store.catchUp(nowMs);
    return this.store
      .regionNames()
      .sort()
      .flatMap((r) => this.store.clusters(r, nowMs).filter((c) => c.schedule !== undefined).sort((a, b) => (a.clusterId < b.clusterId ? -1 : 1)))
      .map((c) => view(c));
  }

  private change(scope: ClusterScope, patch: (s: ClusterSchedule) => ClusterSchedule): ScheduleView[] {
    const nowMs = this.nowMs();
    const clusters = clustersIn(this.store, checkScope(scope), nowMs);
    const scheduled = clusters.filter((c) => c.schedule !== undefined);
    if (scheduled.length === 0) throw new UserInputError("no backup schedule in that scope: set one first (POST /_emulator/schedule)");
    for (const c of scheduled) this.store.configureCluster(c.region, c.clusterId, nowMs, { schedule: patch(c.schedule as ClusterSchedule) });
    return scheduled.map((c) => view(c));
  }

  /** Each cluster backs up at its own time of day: keep the one its backups show. */
  private usualTimeOf(c: ClusterRecord, nowMs: number): number {
    const newest = this.store.newestOf(c.region, c.clusterId, nowMs);
    if (!newest) return DEFAULT_DAILY_AT_MS;
    // Whole seconds, so the schedule reads as a time of day ("03:15:30").
    return Math.floor((((newest.createdAtMs % 86_400_000) + 86_400_000) % 86_400_000) / 1000) * 1000;
  }
}

function view(c: ClusterRecord): ScheduleView {
  const s = c.schedule as ClusterSchedule;
  return {
    region: c.region,
    clusterId: c.clusterId,
    dailyAt: formatTimeOfDay(s.msOfDay),
    readyAfterMs: s.readyAfterMs,
    state: s.stopped ? "stopped" : "running",
    nextBackupAt: s.nextDueMs === undefined ? null : new Date(s.nextDueMs).toISOString(),
  };
}

/** The most a cluster's policy can say: clusters made before November 2020 have 90 days plus their age. */
const MAX_RETENTION_DAYS = 10_000;

export class ServiceRetention {
  constructor(
    private readonly store: BackupStore,
    private readonly nowMs: () => number,
  ) {}

  get enabled(): boolean {
    return this.store.retentionEnabled;
  }

  /** CloudHSM's own retention runs from now on: backups past their cluster's policy go to PENDING_DELETION. */
  enable(): RetentionView {
    this.store.setRetentionEnabled(true, this.nowMs());
    return this.view();
  }

  disable(): RetentionView {
    this.store.setRetentionEnabled(false, this.nowMs());
    return this.view();
  }

  /**
   * Sets the policy of the clusters in scope without ModifyCluster's 7..379 check (an old
   * cluster can have 455 days); null opts them out of managed retention (via AWS Support).
   */
  setDays(scope: ClusterScope, days: number | null): RetentionView {
    if (days !== null && (!Number.isSafeInteger(days) || days < 1 || days > MAX_RETENTION_DAYS)) {
      throw new UserInputError(`days: expected a whole number of days from 1 to ${MAX_RETENTION_DAYS}, or null for no policy; got ${JSON.stringify(days)}`);
    }
    const nowMs = this.nowMs();
    for (const c of clustersIn(this.store, checkScope(scope), nowMs)) {
      this.store.configureCluster(c.region, c.clusterId, nowMs, { retentionDays: days ?? undefined });
    }
    return this.view();
  }

  view(): RetentionView {
    const nowMs = this.nowMs();
    this.store.catchUp(nowMs);
    const clusters = this.store
      .regionNames()
      .sort()
      .flatMap((region) =>
        this.store
          .clusters(region, nowMs)
          .sort((a, b) => (a.clusterId < b.clusterId ? -1 : 1))
          .map((c) => ({ region, clusterId: c.clusterId, days: c.retentionDays ?? null })),
      );
    return { enabled: this.store.retentionEnabled, clusters };
  }
}
