import { BACKUP_STATES, type Backup } from "../../domain/types.js";
import { toAwsBackup } from "../../inventory/convert.js";
import { invalidRequest, notFound } from "./errors.js";
import { pageOf } from "./paging.js";
import { checkValues, filters, type Input, maxResults, optionalBoolean, requireBoolean, requireString } from "./params.js";
import { type BackupStore, RESTORE_WINDOW_MS } from "./store.js";

/** Everything an operation needs: the store, the caller's region and the emulated time. */
export interface OpContext {
  store: BackupStore;
  region: string;
  nowMs: number;
}

const BACKUP_FILTERS = ["backupIds", "sourceBackupIds", "clusterIds", "states", "neverExpires"] as const;

/**
 * DescribeBackups. Filters are AND'd, the values of one filter OR'd. Order is by
 * CreateTimestamp, then BackupId; SortAscending true lists oldest first. AWS does not
 * document the default order: we list newest first (as SortAscending's wording implies,
 * and as other emulators do), so callers that care must pass SortAscending explicitly.
 */
export function describeBackups(input: Input, ctx: OpContext): Record<string, unknown> {
  const max = maxResults(input, 50);
  const asc = optionalBoolean(input, "SortAscending") ?? false;
  const shared = optionalBoolean(input, "Shared") ?? false;
  const f = filters(input, BACKUP_FILTERS);
  checkValues(f.get("states"), "states", BACKUP_STATES);
  checkValues(f.get("neverExpires"), "neverExpires", ["true", "false"]);
  // Validate the token even when nothing is shared, so a garbled token always fails.
  if (shared) {
    pageOf([], () => [], { op: "DescribeBackups", asc, token: input.NextToken, maxResults: max });
    // Nothing is shared with the emulated account.
    return { Backups: [] };
  }
  const keep = (b: Backup): boolean => {
    const test = (name: string, value: string | undefined) => {
      const wanted = f.get(name);
      return wanted === undefined || (value !== undefined && wanted.has(value));
    };
    return (
      test("backupIds", b.backupId) &&
      test("sourceBackupIds", b.sourceBackupId) &&
      test("clusterIds", b.clusterId) &&
      test("states", b.state) &&
      test("neverExpires", String(b.neverExpires))
    );
  };
  const all = ctx.store.sorted(ctx.region, ctx.nowMs);
  const selected = f.size === 0 ? [...all] : all.filter(keep);
  if (!asc) selected.reverse();
  const page = pageOf(selected, (b) => [b.createdAtMs, b.backupId], {
    op: "DescribeBackups",
    asc,
    token: input.NextToken,
    maxResults: max,
  });
  const out: Record<string, unknown> = { Backups: page.items.map((b) => toAwsBackup(b)) };
  if (page.nextToken) out.NextToken = page.nextToken;
  return out;
}

/** DeleteBackup: READY → PENDING_DELETION, restorable until DeleteTimestamp = now + 7 days. */
export function deleteBackup(input: Input, ctx: OpContext): Record<string, unknown> {
  const b = existing(input, ctx);
  if (b.state !== "READY") {
    throw invalidRequest(`Backup ${b.backupId} is in state ${b.state}; only a READY backup can be deleted.`);
  }
  const updated = ctx.store.update(ctx.region, b.backupId, { state: "PENDING_DELETION", deleteAtMs: ctx.nowMs + RESTORE_WINDOW_MS });
  return { Backup: toAwsBackup(updated) };
}

/** RestoreBackup: PENDING_DELETION → READY, DeleteTimestamp cleared. */
export function restoreBackup(input: Input, ctx: OpContext): Record<string, unknown> {
  const b = existing(input, ctx);
  if (b.state !== "PENDING_DELETION") {
    throw invalidRequest(`Backup ${b.backupId} is in state ${b.state}; only a PENDING_DELETION backup can be restored.`);
  }
  const updated = ctx.store.update(ctx.region, b.backupId, { state: "READY", deleteAtMs: undefined });
  return { Backup: toAwsBackup(updated) };
}

/**
 * ModifyBackupAttributes: sets NeverExpires. Only on a READY backup: the console offers
 * it only there, and pinning a backup that is about to vanish would mislead.
 */
export function modifyBackupAttributes(input: Input, ctx: OpContext): Record<string, unknown> {
  const id = requireString(input, "BackupId");
  const neverExpires = requireBoolean(input, "NeverExpires");
  const b = existing(input, ctx, id);
  if (b.state !== "READY") {
    throw invalidRequest(`Backup ${b.backupId} is in state ${b.state}; only a READY backup's attributes can be modified.`);
  }
  const updated = ctx.store.update(ctx.region, b.backupId, { neverExpires });
  return { Backup: toAwsBackup(updated) };
}

/** Parameters are checked before the lookup, as a service validates before it reads. */
function existing(input: Input, ctx: OpContext, id = requireString(input, "BackupId")): Readonly<Backup> {
  const b = ctx.store.get(ctx.region, id, ctx.nowMs);
  if (!b) throw notFound(`Backup ${id} was not found in ${ctx.region}.`);
  return b;
}
