/**
 * Instants that come from users: ISO-8601 with an explicit zone, checked field by field
 * (Date.parse alone turns 2026-02-30 into March 2nd), and epoch values inside the range
 * a JavaScript Date can hold, so that no later formatting step can throw.
 */
const ISO_WITH_ZONE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):?(\d{2}))$/;

/** ±100,000,000 days around 1970: the range of a JavaScript Date. */
export const MAX_ABS_EPOCH_MS = 8.64e15;

export function isValidEpochMs(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_ABS_EPOCH_MS;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Epoch milliseconds of an ISO-8601 time with a zone (`Z` or `±hh:mm`), or NaN. */
export function parseIsoInstant(text: string): number {
  const m = ISO_WITH_ZONE.exec(text);
  if (!m) return Number.NaN;
  const [year, month, day, hour, minute, second = 0, offH = 0, offM = 0] = m.slice(1).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth(year!, month!)) return Number.NaN;
  if (hour! > 23 || minute! > 59 || second > 59 || offH > 23 || offM > 59) return Number.NaN;
  return Date.parse(text);
}

/** 9999-12-31T23:59:59Z in epoch seconds: the last second a four-digit ISO year names. */
export const MAX_EPOCH_SECONDS = 253_402_300_799;
/** The last millisecond of the year 9999. */
export const MAX_TIMESTAMP_MS = MAX_EPOCH_SECONDS * 1000 + 999;

/**
 * Why an instant cannot be a backup's timestamp (before 1970 or after the year 9999), or
 * undefined when it can. The one range check for inventories, the SDK adapter and the
 * local endpoint, so that a plan never rests on a time that only a typo could produce.
 */
export function timestampRangeProblem(ms: number): string | undefined {
  if (Number.isNaN(ms)) return "is not a time";
  if (ms < 0) return "is before 1970";
  if (ms > MAX_TIMESTAMP_MS) return "is after the year 9999";
  return undefined;
}

/**
 * How long a deleted backup stays restorable: DeleteBackup puts it in PENDING_DELETION,
 * and AWS deletes it for good 7 days later (its DeleteTimestamp).
 */
export const RESTORE_WINDOW_MS = 7 * 86_400_000;

/** ISO-8601 UTC to the second (`2026-11-28T06:00:00Z`): the one instant format of plans, reports and messages. */
export function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}
