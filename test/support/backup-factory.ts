import type { AlertSettings, Backup, BackupState, Duration, Guards, KeepRules, RetentionPolicy } from "../../src/domain/types.js";

/** Readable test backups: `backup({ id: "b1", at: "2026-11-27T03:00:00Z" })`. */
export interface BackupSpec {
  id: string;
  /** ISO instant, e.g. `2026-11-27T03:00:00Z`. */
  at: string;
  cluster?: string | undefined;
  region?: string | undefined;
  state?: BackupState | undefined;
  neverExpires?: boolean | undefined;
  tags?: Record<string, string> | undefined;
  /** Makes it a cross-region copy of a backup in this region. */
  sourceRegion?: string | undefined;
  sourceCluster?: string | undefined;
  /** ISO instant AWS deletes a PENDING_DELETION backup for good. */
  deleteAt?: string | undefined;
}

export function ms(iso: string): number {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`not an ISO instant: ${iso}`);
  return t;
}

export function backup(spec: BackupSpec): Backup {
  const copy = spec.sourceRegion !== undefined;
  return {
    backupId: spec.id,
    // A copy is no longer tied to a cluster; AWS may omit the field.
    clusterId: copy ? undefined : (spec.cluster ?? "cluster-a"),
    region: spec.region ?? "us-east-1",
    state: spec.state ?? "READY",
    createdAtMs: ms(spec.at),
    deleteAtMs: spec.deleteAt === undefined ? undefined : ms(spec.deleteAt),
    neverExpires: spec.neverExpires ?? false,
    tags: spec.tags ?? {},
    sourceRegion: spec.sourceRegion,
    sourceClusterId: copy ? (spec.sourceCluster ?? spec.cluster ?? "cluster-a") : undefined,
    copiedAtMs: copy ? ms(spec.at) : undefined,
  };
}

export const ZERO: Duration = { years: 0, months: 0, days: 0, hours: 0 };

export function dur(parts: Partial<Duration>): Duration {
  return { ...ZERO, ...parts };
}

/** Keep rules with everything off, then the given overrides. */
export function keepRules(overrides: Partial<KeepRules> = {}): KeepRules {
  return {
    last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0,
    within: ZERO, withinHourly: ZERO, withinDaily: ZERO, withinWeekly: ZERO, withinMonthly: ZERO, withinYearly: ZERO,
    tags: [],
    ...overrides,
  };
}

/** The least intrusive guards: keep the newest one, no limits. */
export function lenientGuards(overrides: Partial<Guards> = {}): Guards {
  return { keepNewest: 1, minAge: ZERO, maxDeletionsPerRun: Infinity, maxDeletePercent: 100, ...overrides };
}

/** A policy selecting every non-copy group in UTC with lenient guards; override any part. */
export type PolicySpec = Partial<Omit<RetentionPolicy, "keep" | "guards" | "alerts">> & {
  keep?: Partial<KeepRules>;
  guards?: Partial<Guards>;
  alerts?: Partial<AlertSettings>;
};

/** The schema's defaults: reminders 72h, 24h and 2h before DeleteTimestamp; backups stopped after 48h. */
export const DEFAULT_ALERTS: AlertSettings = { remindersMs: [72, 24, 2].map((h) => h * 3_600_000), backupsStoppedAfterMs: 48 * 3_600_000 };

export function policy(overrides: PolicySpec = {}): RetentionPolicy {
  const { keep, guards, alerts, ...rest } = overrides;
  return {
    name: "default",
    mode: "enforce",
    select: { clusters: ["*"], copies: "exclude" },
    timezone: "UTC",
    ...rest,
    keep: keepRules(keep),
    guards: lenientGuards(guards),
    alerts: { ...DEFAULT_ALERTS, ...alerts },
  };
}
