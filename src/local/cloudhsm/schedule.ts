import { UserInputError } from "../../errors.js";

/**
 * CloudHSM backs each cluster up "at least once every 24 hours" and lets nobody ask for
 * a backup. The emulator does it once a day at a fixed UTC time of day per cluster;
 * each backup is CREATE_IN_PROGRESS for `readyAfterMs`, then READY.
 */
export interface ClusterSchedule {
  /** Milliseconds after UTC midnight. */
  msOfDay: number;
  readyAfterMs: number;
  /** Backups stopped (to test "backups stopped" alarms); resumed with `resume`. */
  stopped: boolean;
  /** The next backup's CreateTimestamp (undefined while stopped). */
  nextDueMs: number | undefined;
}

export const DAY_MS = 86_400_000;
/** "A few minutes", as the console shows a backup being made. */
export const DEFAULT_READY_AFTER_MS = 10 * 60_000;

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

/** `"03:15"` or `"03:15:30"` (UTC) → milliseconds after midnight. */
export function parseTimeOfDay(text: unknown, what = "dailyAt"): number {
  const m = typeof text === "string" ? TIME_OF_DAY.exec(text) : null;
  if (!m) throw new UserInputError(`${what}: expected a UTC time of day "HH:MM" or "HH:MM:SS", e.g. "03:15"; got ${JSON.stringify(text)}`);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3] ?? 0)) * 1000;
}

export function formatTimeOfDay(msOfDay: number): string {
  const s = Math.floor(msOfDay / 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  return hms[2] === 0 ? `${pad(hms[0] as number)}:${pad(hms[1] as number)}` : hms.map(pad).join(":");
}

const SHORT_DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/**
 * `readyAfter`: `"10m"`, `"1h30m"`, `"45s"` or milliseconds, from 0 to 24 hours. Here `m`
 * is minutes: a backup takes minutes, not months (the clock's `advance` uses restic's
 * grammar, where `m` is months, because it skips days and months).
 */
export function parseReadyAfter(value: unknown): number {
  const bad = () => new UserInputError(`readyAfter: expected a duration such as "10m", "1h30m" or "45s" (h, m = minutes, s), or milliseconds, up to 24h; got ${JSON.stringify(value)}`);
  let ms: number;
  if (typeof value === "number") ms = value;
  else if (typeof value === "string" && value !== "") {
    const m = SHORT_DURATION.exec(value);
    if (!m) throw bad();
    ms = ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
  } else throw bad();
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > DAY_MS) throw bad();
  return ms;
}

/** The first instant at or after `fromMs` whose UTC time of day is `msOfDay`. */
export function nextDailyAt(fromMs: number, msOfDay: number): number {
  const midnight = Math.floor(fromMs / DAY_MS) * DAY_MS;
  const today = midnight + msOfDay;
  return today >= fromMs ? today : today + DAY_MS;
}
