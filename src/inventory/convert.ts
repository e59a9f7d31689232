import { MAX_EPOCH_SECONDS, MAX_TIMESTAMP_MS, parseIsoInstant, timestampRangeProblem } from "../domain/time.js";
import type { Backup, BackupState } from "../domain/types.js";

/**
 * The CloudHSM `Backup` shape as `aws cloudhsmv2 describe-backups` prints it, as the
 * SDK returns it (timestamps as `Date`), or as the wire carries it (epoch seconds).
 * Converted to the domain `Backup` here, once, for the CLI inventory, the SDK adapter
 * and the local endpoint alike.
 */
export interface AwsBackupLike {
  BackupId?: string | undefined | null;
  BackupArn?: string | undefined | null;
  BackupState?: string | undefined | null;
  ClusterId?: string | undefined | null;
  CreateTimestamp?: Date | number | string | undefined | null;
  DeleteTimestamp?: Date | number | string | undefined | null;
  CopyTimestamp?: Date | number | string | undefined | null;
  NeverExpires?: boolean | undefined | null;
  SourceRegion?: string | undefined | null;
  SourceBackup?: string | undefined | null;
  SourceCluster?: string | undefined | null;
  TagList?: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined;
  HsmType?: string | undefined | null;
  Mode?: string | undefined | null;
}

const ARN_REGION = /^arn:aws[a-z-]*:cloudhsm:([a-z0-9-]+):\d{12}:backup\//;

/** The region named in a backup ARN, if any. */
export function regionFromArn(arn: string | undefined | null): string | undefined {
  return arn ? ARN_REGION.exec(arn)?.[1] : undefined;
}

export type EpochReading = { ok: true; ms: number } | { ok: false; problem: string };

const UNREADABLE = "expected an ISO-8601 time with a zone or epoch seconds, within the range of a date";

/**
 * Reads a timestamp from a Date, epoch seconds (fractional allowed, as on the wire) or an
 * ISO-8601 string with a zone, and checks its range (timestampRangeProblem). `problem`
 * says what is wrong, starting with the value itself where that helps. A number of
 * seconds past the year 9999 that is a sane time as milliseconds is named as such: it is
 * the usual slip (Date.now() where epoch seconds belong).
 */
export function readEpochMs(value: Date | number | string): EpochReading {
  let ms: number;
  let seconds: number | undefined;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === "number") seconds = value;
  else if (/^-?\d+(\.\d+)?$/.test(value)) seconds = Number(value);
  // Date.parse accepts many shapes; we ask for ISO-8601 with an explicit zone.
  else ms = parseIsoInstant(value);
  if (seconds !== undefined) {
    if (seconds > MAX_EPOCH_SECONDS && seconds <= MAX_TIMESTAMP_MS) {
      return { ok: false, problem: `${shown(value)} looks like epoch milliseconds; CloudHSM timestamps are epoch seconds` };
    }
    ms = Number.isFinite(seconds) ? Math.round(seconds * 1000) : Number.NaN;
  }
  if (!Number.isFinite(ms!)) return { ok: false, problem: UNREADABLE };
  const range = timestampRangeProblem(ms!);
  return range === undefined ? { ok: true, ms: ms! } : { ok: false, problem: `${shown(value)} ${range}` };
}

function shown(value: Date | number | string): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : JSON.stringify(value.toISOString());
  return JSON.stringify(value);
}

/** Epoch milliseconds (see readEpochMs); NaN when unreadable or out of range, undefined when absent. */
export function toEpochMs(value: Date | number | string | undefined | null): number | undefined {
  if (value === undefined || value === null) return undefined;
  const reading = readEpochMs(value);
  return reading.ok ? reading.ms : Number.NaN;
}

/** Converts one AWS-shaped backup; the caller has checked the required fields. */
export function toDomainBackup(raw: AwsBackupLike, region: string): Backup {
  const tags: Record<string, string> = {};
  for (const t of raw.TagList ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? "";
  return {
    backupId: raw.BackupId as string,
    clusterId: raw.ClusterId ?? undefined,
    region: regionFromArn(raw.BackupArn) ?? region,
    state: raw.BackupState as BackupState,
    createdAtMs: toEpochMs(raw.CreateTimestamp) as number,
    deleteAtMs: toEpochMs(raw.DeleteTimestamp),
    copiedAtMs: toEpochMs(raw.CopyTimestamp),
    neverExpires: raw.NeverExpires === true,
    // JSON null means absent: a `"SourceRegion": null` must not make a backup a copy.
    sourceRegion: raw.SourceRegion ?? undefined,
    sourceBackupId: raw.SourceBackup ?? undefined,
    sourceClusterId: raw.SourceCluster ?? undefined,
    tags,
    hsmType: raw.HsmType ?? undefined,
    mode: raw.Mode ?? undefined,
  };
}

/** The inverse, for the local endpoint and for writing inventories: wire shape, epoch seconds. */
export function toAwsBackup(b: Backup, accountId = "111122223333"): Record<string, unknown> {
  const out: Record<string, unknown> = {
    BackupId: b.backupId,
    BackupArn: `arn:aws:cloudhsm:${b.region}:${accountId}:backup/${b.backupId}`,
    BackupState: b.state,
    CreateTimestamp: b.createdAtMs / 1000,
    NeverExpires: b.neverExpires,
    TagList: Object.entries(b.tags).map(([Key, Value]) => ({ Key, Value })),
  };
  if (b.clusterId !== undefined) out.ClusterId = b.clusterId;
  if (b.deleteAtMs !== undefined) out.DeleteTimestamp = b.deleteAtMs / 1000;
  if (b.copiedAtMs !== undefined) out.CopyTimestamp = b.copiedAtMs / 1000;
  if (b.sourceRegion !== undefined) out.SourceRegion = b.sourceRegion;
  if (b.sourceBackupId !== undefined) out.SourceBackup = b.sourceBackupId;
  if (b.sourceClusterId !== undefined) out.SourceCluster = b.sourceClusterId;
  if (b.hsmType !== undefined) out.HsmType = b.hsmType;
  if (b.mode !== undefined) out.Mode = b.mode;
  return out;
}
