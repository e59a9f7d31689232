/**
 * Domain types shared by every concern. No AWS SDK shapes appear here: adapters
 * convert SDK and inventory shapes into these exactly once, at the boundary.
 *
 * Times are epoch milliseconds and say so in their names (`createdAtMs`).
 */

export const BACKUP_STATES = ["CREATE_IN_PROGRESS", "READY", "PENDING_DELETION", "DELETED"] as const;
export type BackupState = (typeof BACKUP_STATES)[number];

/** One CloudHSM backup as the engine sees it. */
export interface Backup {
  backupId: string;
  /** The cluster the backup belongs to; for a cross-region copy, the cluster field AWS reports (may be absent). */
  clusterId: string | undefined;
  /** The region the backup lives in (for a copy: the destination region). */
  region: string;
  state: BackupState;
  createdAtMs: number;
  /** Present while PENDING_DELETION: when AWS deletes it for good. */
  deleteAtMs?: number | undefined;
  /** Present on cross-region copies. */
  copiedAtMs?: number | undefined;
  neverExpires: boolean;
  /** Set on cross-region copies: where the source backup lives. */
  sourceRegion?: string | undefined;
  sourceBackupId?: string | undefined;
  sourceClusterId?: string | undefined;
  /** TagList as key → value. */
  tags: Readonly<Record<string, string>>;
  hsmType?: string | undefined;
  mode?: string | undefined;
}

/**
 * A calendar duration in restic's grammar (`1y6m`, `14d`, `36h`): years, months and
 * days are calendar steps in the policy's time zone, hours are absolute.
 */
export interface Duration {
  years: number;
  months: number;
  days: number;
  hours: number;
}

/** A count rule's value: a whole number >= 0, or `Infinity` for the YAML word `unlimited`. */
export type Count = number;

export const COUNT_RULES = ["last", "hourly", "daily", "weekly", "monthly", "yearly"] as const;
export type CountRule = (typeof COUNT_RULES)[number];

export const WITHIN_BUCKET_RULES = ["hourly", "daily", "weekly", "monthly", "yearly"] as const;
export type WithinBucketRule = (typeof WITHIN_BUCKET_RULES)[number];

/** The keep rules, OR'd together, with restic `forget` semantics. */
export interface KeepRules {
  last: Count;
  hourly: Count;
  daily: Count;
  weekly: Count;
  monthly: Count;
  yearly: Count;
  within: Duration;
  withinHourly: Duration;
  withinDaily: Duration;
  withinWeekly: Duration;
  withinMonthly: Duration;
  withinYearly: Duration;
  /** Keep a backup whose tags match every entry of any one list; entries are `key` or `key=value`. */
  tags: string[][];
}

export interface Guards {
  /** The newest READY backups of each group are always kept; at least 1. */
  keepNewest: number;
  /** Never delete a backup younger than this (measured from now). */
  minAge: Duration;
  /** Per policy per run; the excess is deferred, oldest deleted first. */
  maxDeletionsPerRun: Count;
  /** Halt the whole policy if one group would lose more than this share (0..100) of its READY backups. */
  maxDeletePercent: number;
  /** Delete nothing in a group whose newest READY backup is older than this (backups stopped). */
  requireBackupWithin?: Duration | undefined;
  /** A rolling 24-hour cap over all runs (the ledger counts them); defaults to maxDeletionsPerRun. */
  maxDeletionsPerDay?: Count | undefined;
}

/** Alerts about a policy's backups. */
export interface AlertSettings {
  /** Reminder stages before DeleteTimestamp, in milliseconds, most distant first (e.g. 72h, 24h, 2h). */
  remindersMs: number[];
  /** The backups-stopped alarm's threshold. */
  backupsStoppedAfterMs: number;
}

export type CopiesSelection = "exclude" | "include" | "only";

export interface Selection {
  /** Undefined means every region the run covers. */
  regions?: string[] | undefined;
  /** Cluster IDs or "*". For a copy group this matches the source cluster. */
  clusters: string[];
  copies: CopiesSelection;
}

export type PolicyMode = "enforce" | "report";

/** A validated policy, ready for the engine. */
export interface RetentionPolicy {
  name: string;
  mode: PolicyMode;
  select: Selection;
  /** IANA time zone for calendar buckets. */
  timezone: string;
  keep: KeepRules;
  guards: Guards;
  alerts: AlertSettings;
  /** Where the policy came from, for messages: `policies/prod.yml:4:5`. */
  source?: string | undefined;
}

export type Action = "keep" | "delete" | "skip";

/** Remaining counts of each count rule after a backup was considered (restic's counters). */
export type Counters = Partial<Record<CountRule, Count>>;

/** One decision per input backup, always with at least one human-readable reason. */
export interface Decision {
  backupId: string;
  clusterId: string | undefined;
  region: string;
  /** The group the backup was planned in, e.g. `us-east-1/cluster-abc` or `us-west-2/copy:us-east-1/cluster-abc`. */
  group: string;
  /** The policy that decided it, or null when none selects its group. */
  policy: string | null;
  action: Action;
  reasons: string[];
  createdAtMs: number;
  state: BackupState;
  /** For a backup already PENDING_DELETION: when AWS deletes it for good (as listed). */
  deleteAtMs?: number | undefined;
  counters?: Counters | undefined;
  /** A delete the rules chose that maxDeletionsPerRun put off to a later run (action is "keep"). */
  deferred: boolean;
}

/** Why a policy or a group was halted by a guard. */
export interface Halt {
  policy: string;
  /** The group concerned; undefined when the whole policy is halted. */
  group?: string | undefined;
  guard: "maxDeletePercent" | "requireBackupWithin";
  message: string;
}

export interface PolicySummary {
  name: string;
  mode: PolicyMode;
  timezone: string;
  /** A sentence such as "keep the last 3, 7 daily, 4 weekly backups". */
  description: string;
  /** The regions its selection names; undefined: every region. */
  regions?: string[] | undefined;
  groups: string[];
  keep: number;
  delete: number;
  skip: number;
  deferred: number;
  halted: boolean;
}

/**
 * Something in the input the plan handled safely but a person should look at. Warnings
 * never change a decision; they say why one may look odd.
 */
export interface PlanWarning {
  kind:
    /** READY backups dated after the run's now: kept, counted by no rule. */
    | "future-dated"
    /** Backups with no ClusterId (or copies with no SourceCluster): left alone. */
    | "no-cluster"
    /** A tag that differs from a keep-tag only in case or spaces: not honoured. */
    | "near-tag"
    /** Cross-region copies without CopyTimestamp: minAge counts them as just arrived. */
    | "unknown-arrival"
    /** A live preview that could not read the ledger: holds of restored backups and the daily cap are not in it. */
    | "no-ledger";
  policy?: string | undefined;
  group?: string | undefined;
  backupIds: string[];
  message: string;
}

export interface Plan {
  nowMs: number;
  /** The regions the run covered, when it said (apply: those listed). */
  regions?: string[] | undefined;
  decisions: Decision[];
  policies: PolicySummary[];
  halts: Halt[];
  warnings: PlanWarning[];
}
