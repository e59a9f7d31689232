// What a simulated run leaves for the invariant checker: the endpoint's own records (call
// log, lifecycle log, published messages), the ledger's action items as stored, and what
// the simulation itself did (the person's actions, the fault windows, each sweep's view).
import type { Backup } from "../../src/domain/types.js";
import type { CallLogEntry, LifecycleEntry, PublishedMessage } from "../../src/local/index.js";
import type { FaultEpisode } from "./faults.js";

/** A ledger action item as DynamoDB holds it (src/aws/dynamodb-ledger.ts). */
export interface LedgerRow {
  pk: string;
  sk: string;
  kind: string;
  atMs: number;
  region: string;
  backupId?: string;
  actor: string;
  runId: string;
  deleteAtMs?: number;
  untilMs?: number;
}

export interface FinalCheck {
  /** Backups the plan before the last sweep said to delete, and what became of them. */
  plannedDeletes: string[];
  /** Backups the plan kept (READY before the sweep). */
  plannedKeeps: string[];
  /** READY after the sweep. */
  readyAfter: string[];
  /** PENDING_DELETION after the sweep. */
  pendingAfter: string[];
  /** Deletions a dry run plans right after the sweep: none, when the sweep did what its plan said. */
  plannedAgain: string[];
  sweepOutcome: string;
}

export interface SimRecord {
  options: { days: number; seed: number; faults: boolean; clusters: number };
  startMs: number;
  endMs: number;
  /** No faults from here on. */
  faultsEndMs: number;
  episodes: FaultEpisode[];
  /** The functions' access keys (their role) and the person's. */
  lambdaKeys: string[];
  personKey: string;
  remindRuns: Array<{ atMs: number; ok: boolean }>;
  sweeps: Array<{ atMs: number; killedAfter: number | undefined; outcome: string; before: Backup[] }>;
  linkRestores: Array<{ atMs: number; link: string; mode: "hold" | "pin"; status: string }>;
  handRestores: Array<{ atMs: number; backupId: string }>;
  handDeletes: Array<{ atMs: number; backupId: string }>;
  /** Watcher events dropped after Lambda's retries (the reminder run is the backstop). */
  watchDropped: string[];
  callLog: CallLogEntry[];
  lifecycle: LifecycleEntry[];
  messages: PublishedMessage[];
  ledgerActions: LedgerRow[];
  final: FinalCheck | undefined;
  realMs: number;
  /** Real time spent in each kind of invocation. */
  spentMs?: Record<string, number>;
}
