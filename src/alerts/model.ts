/**
 * What an alert says, as plain data. The jobs decide *what* to tell and *when*
 * (src/jobs); `render.ts` decides how it reads in email and in Slack (through AWS
 * Chatbot); the SNS adapter only carries the result. Instants are epoch milliseconds.
 */

/** One backup in an alert: enough for a person to recognise it and get it back. */
export interface BackupNotice {
  backupId: string;
  region: string;
  /** The cluster it belongs to (for a copy: the source cluster); undefined when AWS did not say. */
  clusterId: string | undefined;
  /** The plan's group, e.g. `us-east-1/cluster-abc` or `us-west-2/copy:us-east-1/cluster-abc`. */
  group: string;
  createdAtMs: number;
  /** When AWS deletes it for good (its DeleteTimestamp). */
  deleteAtMs: number;
  /** The policy that let it go, or null when it was deleted outside any policy. */
  policy: string | null;
  /** The policy's IANA zone for local times (UTC when no policy). */
  timezone: string;
  /**
   * Why it was let go, in words: for a policy deletion the plan's reasons and the policy's
   * rule sentence ("no keep rule matched; policy production keeps the last 3, 7 daily ...");
   * for one deleted outside policy, who or what deleted it if known.
   */
  reason: string;
  /** Deleted by someone or something other than this service (by hand, CloudHSM's own retention). */
  outsidePolicy: boolean;
  /** The one-click way back: `<RESTORE_BASE_URL>/restore/<token>`. */
  restoreUrl: string;
}

/** A reminder stage: how long before DeleteTimestamp it is sent (e.g. 72h, 24h, 2h). */
export interface ReminderNotice extends BackupNotice {
  stageMs: number;
}

export type Alert =
  /** A run put these backups into PENDING_DELETION (one digest per region and cluster). */
  | { kind: "deletion"; nowMs: number; runId: string; region: string; group: string; clusterId: string | undefined; backups: BackupNotice[] }
  /** Backups of one group reach a reminder stage before they are gone for good. */
  | { kind: "reminder"; nowMs: number; runId: string; region: string; group: string; clusterId: string | undefined; backups: ReminderNotice[] }
  /** A guard stopped an enforce-mode policy (or one of its groups) from deleting. */
  | {
      kind: "halt";
      nowMs: number;
      runId: string;
      policy: string;
      /** The group concerned; undefined when the whole policy halted. */
      group: string | undefined;
      guard: string;
      message: string;
      /** What the reader can do about it, in a sentence or two. */
      advice: string;
    }
  /** A selected cluster has made no READY backup for longer than alerts.backupsStoppedAfter. */
  | {
      kind: "backups-stopped";
      nowMs: number;
      region: string;
      group: string;
      clusterId: string | undefined;
      newestReadyMs: number | undefined;
      thresholdMs: number;
      policy: string;
      /** The policy's IANA zone for local times; UTC when absent. */
      timezone?: string | undefined;
    }
  /** The same cluster makes backups again. */
  | {
      kind: "backups-resumed";
      nowMs: number;
      region: string;
      group: string;
      clusterId: string | undefined;
      newestReadyMs: number;
      stoppedSinceMs: number;
      policy: string;
      /** The policy's IANA zone for local times; UTC when absent. */
      timezone?: string | undefined;
    }
  /** A backup came back (from the alert's link, or by any other path) and is held or pinned. */
  | {
      kind: "restored";
      nowMs: number;
      backup: BackupNotice;
      /** Who restored it: "the restore link", "outside the link (console, CLI...)". */
      via: string;
      /** Held until this instant, or pinned (NeverExpires) when undefined. */
      heldUntilMs: number | undefined;
    };

/**
 * One SNS message, ready for `Publish` with `MessageStructure: "json"`: `default` for
 * protocols without their own key, `email` for email subscribers, `https` for AWS Chatbot
 * (a custom notification as a JSON string). `backupIds` says which backups this message
 * covers, so a digest split into parts can be marked announced part by part.
 */
export interface RenderedMessage {
  subject: string;
  default: string;
  email: string;
  https: string;
  backupIds: string[];
}
