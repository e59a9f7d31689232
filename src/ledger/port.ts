/**
 * The ledger: what this service did and told, in DynamoDB. Two jobs:
 *
 * - **Exactly once.** Each notice (the announcement of one deletion of one backup, one
 *   reminder stage, an expiry, a backups-stopped episode) has an ID. A run *claims* the
 *   ID with a conditional write before it sends, *completes* it after, or *releases* it
 *   if sending failed. Two overlapping runs cannot both win a claim; a claim whose run
 *   died is taken over once its lease ends, so a notice is never lost for good (at worst
 *   a run that dies between sending and completing makes the next one send it again).
 * - **Audit.** Every action (delete, restore, hold, pin, halt, and deletions seen from
 *   outside) with run ID, policy, revision, reason and actor. Items expire by TTL once
 *   the backup is gone for good, after the retention the deployment sets.
 */

export type ClaimResult =
  /** This run holds the notice: send it, then complete or release it. */
  | "won"
  /** Already sent by some run: do nothing. */
  | "sent"
  /** Another run holds it and its lease has not ended: leave it to that run. */
  | "busy";

export type ActionKind = "delete" | "restore" | "hold" | "pin" | "halt" | "deleted-outside";

export interface LedgerAction {
  kind: ActionKind;
  atMs: number;
  runId: string;
  region: string;
  /** The backup concerned; undefined for a halt of a whole policy. */
  backupId?: string | undefined;
  group?: string | undefined;
  policy: string | null;
  /** The policy's git revision, when known. */
  revision: string | null;
  reason: string;
  /** Who acted: `lambda:<function>`, `cli:<user>@<host>`, an IAM ARN for a deletion from outside. */
  actor: string;
  /** For delete and deleted-outside: the backup's DeleteTimestamp. */
  deleteAtMs?: number | undefined;
  /** For hold: until when. */
  untilMs?: number | undefined;
}

/** An event kept for a later attempt: `id` is stable, so putting it again is recognisable. */
export interface StashedEvent {
  id: string;
  /** The entry as events.ts built it. */
  entry: { source: string; detailType: string; detail: object; resources: string[]; timeMs?: number | undefined };
}

/** What the ledger knows of a notice. */
export interface NoticeState {
  status: "claimed" | "sent";
  runId: string;
  atMs: number;
}

/**
 * A backup we know to be pending deletion, tracked until it is gone for good or back.
 * Written before this service calls DeleteBackup (the write-ahead record: `confirmed`
 * false, `deleteAtMs` an estimate), and again once the call succeeded, so whatever is
 * killed in between, the next reminder run knows the deletion was ours and why.
 */
export interface PendingEntry {
  region: string;
  backupId: string;
  deleteAtMs: number;
  group: string;
  clusterId?: string | undefined;
  createdAtMs: number;
  policy: string | null;
  /** Deleted by this service, rather than from outside. */
  ours: boolean;
  /** DeleteBackup is known to have succeeded (false: about to be called, or its answer was lost). */
  confirmed: boolean;
  /** Why it was deleted, in the words of the alert. */
  reason: string;
  runId: string;
}

/**
 * A restored backup kept back from policy until `untilMs`: a person wanted it back, and the
 * next run must not delete it again (AWS documents the same race for its own retention).
 */
export interface Hold {
  region: string;
  backupId: string;
  untilMs: number;
  /** How it came back, as said after "restored": "through the restore link", "outside the link (...)". */
  via: string;
  atMs: number;
  actor: string;
  runId: string;
}

/** A backups-stopped episode of one group. */
export interface StoppedEpisode {
  group: string;
  sinceMs: number;
  openedAtMs: number;
  runId: string;
}

export interface Ledger {
  /** Claims `id` for `runId`; the claim lapses after `leaseMs`. `expiresAtMs` is when the record may be forgotten. */
  claim(id: string, runId: string, nowMs: number, opts: { leaseMs: number; expiresAtMs: number }): Promise<ClaimResult>;
  /** Marks a claimed notice sent. */
  complete(id: string, runId: string, nowMs: number): Promise<void>;
  /** Gives a claim back after a failed send, so the next run tries at once. */
  release(id: string, runId: string): Promise<void>;
  /** The states of many notices at once (absent: never claimed). */
  notices(ids: readonly string[]): Promise<Map<string, NoticeState>>;

  record(action: LedgerAction, expiresAtMs: number): Promise<void>;
  /** Actions recorded about one backup, oldest first. */
  actionsFor(region: string, backupId: string): Promise<LedgerAction[]>;
  /** How many backups `policy` deleted since `sinceMs` (maxDeletionsPerDay). */
  deletionsSince(policy: string, sinceMs: number): Promise<number>;
  /**
   * Reserves one of `policy`'s deletions under a rolling cap of `cap` per 24 hours, before
   * DeleteBackup: the reservation is written, then all reservations of the window are
   * counted; beyond the cap it is withdrawn and false is answered. Overlapping runs thus
   * cannot together exceed the cap, and a deletion is counted before it is made.
   */
  reserveDeletion(policy: string, region: string, backupId: string, nowMs: number, cap: number): Promise<boolean>;
  /** Withdraws a reservation whose DeleteBackup was not made (failed, refused). */
  withdrawDeletion(policy: string, region: string, backupId: string, nowMs: number): Promise<void>;

  /** Events that could not be put, kept to be put again by a later run (an outbox). */
  stashEvents(entries: readonly StashedEvent[], expiresAtMs: number): Promise<void>;
  stashedEvents(): Promise<StashedEvent[]>;
  dropStashed(ids: readonly string[]): Promise<void>;

  track(entry: PendingEntry, expiresAtMs: number): Promise<void>;
  untrack(region: string, backupId: string): Promise<void>;
  /** Every tracked pending backup of a region. */
  tracked(region: string): Promise<PendingEntry[]>;

  /** Holds a restored backup until `hold.untilMs` (replacing any earlier hold on it). */
  hold(hold: Hold, expiresAtMs: number): Promise<void>;
  /** The holds of a region that have not ended by `nowMs`. */
  holds(region: string, nowMs: number): Promise<Hold[]>;

  /** The open backups-stopped episode of a group, if any. */
  episode(group: string): Promise<StoppedEpisode | undefined>;
  /** Opens an episode; false when one is already open (another run got there first). */
  openEpisode(episode: StoppedEpisode, expiresAtMs: number): Promise<boolean>;
  /** Closes the open episode; false when none was open. */
  closeEpisode(group: string, sinceMs: number): Promise<boolean>;
}

/** Notice IDs, one scheme for every job. A deletion instance is named by its DeleteTimestamp, so a backup restored and deleted again is announced again. */
export const noticeId = {
  announce: (region: string, backupId: string, deleteAtMs: number) => `announce/${region}/${backupId}/${Math.round(deleteAtMs / 1000)}`,
  reminder: (region: string, backupId: string, deleteAtMs: number, stageMs: number) =>
    `remind/${region}/${backupId}/${Math.round(deleteAtMs / 1000)}/${Math.round(stageMs / 60_000)}m`,
  expired: (region: string, backupId: string, deleteAtMs: number) => `expired/${region}/${backupId}/${Math.round(deleteAtMs / 1000)}`,
  /** One halt announcement per policy, group and guard per UTC day. */
  halt: (policy: string, group: string | undefined, guard: string, nowMs: number) =>
    `halt/${policy}/${group ?? "*"}/${guard}/${new Date(nowMs).toISOString().slice(0, 10)}`,
  stopped: (group: string, sinceMs: number) => `stopped/${group}/${Math.round(sinceMs / 1000)}`,
  /** One "restored" notice per deletion instance (its DeleteTimestamp). */
  restored: (region: string, backupId: string, deleteAtMs: number) => `restored/${region}/${backupId}/${Math.round(deleteAtMs / 1000)}`,
  resumed: (group: string, sinceMs: number) => `resumed/${group}/${Math.round(sinceMs / 1000)}`,
};
