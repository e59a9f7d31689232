/**
 * The JSON `detail` of every event this service puts on its EventBridge bus (source
 * `cloudhsm-retention`), one type per detail-type. Keys are camelCase and stable: keys
 * are only ever added, never renamed or removed. Instants are ISO-8601 UTC to the second
 * (`2026-11-27T06:15:00Z`); absent values are `null`, never missing, so a rule can match
 * on `null`. The README shows each one (section "Alerts and events").
 */

/** What every event about one backup says. */
export interface BackupFields {
  backupId: string;
  region: string;
  /** The backup's cluster (for a copy: the source cluster); null when AWS did not say. */
  clusterId: string | null;
  /** The plan's group, e.g. `us-east-1/cluster-abc` or `us-west-2/copy:us-east-1/cluster-abc`. */
  group: string;
  /** The policy that let it go; null when it was deleted outside any policy. */
  policy: string | null;
  createdAt: string;
  /** When AWS deletes it for good (its DeleteTimestamp). */
  deleteAt: string;
  /** Deleted by someone or something other than this service. */
  outsidePolicy: boolean;
}

/** `Backup Deletion Scheduled`: a backup went into PENDING_DELETION (by us, or noticed outside policy). */
export interface BackupDeletionScheduledDetail extends BackupFields {
  reason: string;
  /** The restore page; null only if the link could not be made. */
  restoreUrl: string | null;
  runId: string;
}

/** `Backup Deletion Reminder`: one reminder stage reached, sent once per backup and stage. */
export interface BackupDeletionReminderDetail extends BackupFields {
  reason: string;
  /** The restore page; null only if the link could not be made. */
  restoreUrl: string | null;
  runId: string;
  /** The stage as configured (`alerts.reminders`): `72h`, `24h`, `2h`. */
  stage: string;
  stageSeconds: number;
}

/** `Backup Restored`: the backup is READY again, held until a time or pinned. */
export interface BackupRestoredDetail extends BackupFields {
  restoredAt: string;
  /** How: `the restore link`, `outside the link (console, CLI...)`. */
  via: string;
  /** Held (no policy deletes it) until then; null when pinned (NeverExpires). */
  heldUntil: string | null;
  pinned: boolean;
}

/** `Backup Expired`: its DeleteTimestamp passed without a restore; it is gone for good. */
export interface BackupExpiredDetail extends BackupFields {
  reason: string;
  /** Equal to deleteAt: the moment it stopped being restorable. */
  expiredAt: string;
}

/** `Backups Stopped`: a cluster made no READY backup for longer than `alerts.backupsStoppedAfter`. */
export interface BackupsStoppedDetail {
  region: string;
  clusterId: string | null;
  group: string;
  policy: string;
  /** The newest READY backup's creation; null when there is none. */
  newestReadyAt: string | null;
  /** The configured threshold: `48h`. */
  threshold: string;
  thresholdSeconds: number;
  detectedAt: string;
}

/** `Backups Resumed`: the same cluster makes backups again (ends a Backups Stopped episode). */
export interface BackupsResumedDetail {
  region: string;
  clusterId: string | null;
  group: string;
  policy: string;
  newestReadyAt: string;
  stoppedSince: string;
  resumedAt: string;
}

/** How a run ended, in counts only (no lists: an event stays small however large the fleet). */
export interface RunCounts {
  /** Backups listed, all regions. */
  backups: number;
  /** Deletions the plan asked for in enforce-mode policies. */
  planned: number;
  deleted: number;
  alreadyPending: number;
  failed: number;
  held: number;
  changed: number;
  deferred: number;
  reportOnly: number;
  halts: number;
  listFailures: number;
  notAttempted: number;
}

/** `Retention Run Completed`: one `apply` run (CLI, sweep Lambda), whatever its outcome. */
export interface RetentionRunCompletedDetail {
  runId: string;
  startedAt: string;
  finishedAt: string;
  dryRun: boolean;
  /** The run's exit code: 0 done, 3 something failed, 4 a guard halted a policy. */
  exitCode: number;
  regions: string[];
  policies: string[];
  counts: RunCounts;
}

/** `Retention Run Halted`: a guard stopped an enforce-mode policy (or one group) from deleting. */
export interface RetentionRunHaltedDetail {
  runId: string;
  policy: string;
  /** The group concerned; null when the whole policy halted. */
  group: string | null;
  guard: string;
  message: string;
  advice: string;
  haltedAt: string;
}
