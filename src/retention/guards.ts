import { formatDuration, isZeroDuration } from "../domain/duration.js";
import type { Backup, Guards, Halt } from "../domain/types.js";
import { subtractCalendar } from "./calendar.js";
import { formatAge } from "./describe.js";
import type { KeepOutcome } from "./keep.js";

/**
 * Guards run after the keep rules and only ever turn a delete into a keep, so no guard
 * can make a plan more destructive. Group guards first, then the policy-wide breakers.
 */

/** One group's READY backups as the keep rules decided them, newest first. */
export interface GroupOutcomes {
  group: string;
  outcomes: KeepOutcome[];
}

/**
 * When a backup came to exist in its region: its creation, or for a cross-region copy its
 * arrival (CopyTimestamp, never before its creation). A copy whose arrival AWS did not
 * report counts as just arrived: it may have landed an hour ago.
 */
export function arrivedAtMs(b: Backup): number {
  if (b.sourceRegion === undefined) return b.createdAtMs;
  if (b.copiedAtMs === undefined) return Number.POSITIVE_INFINITY;
  return Math.max(b.copiedAtMs, b.createdAtMs);
}

/** Turns a planned delete into a keep; a delete has no reasons yet, so this one explains it. */
function spare(o: KeepOutcome, reason: string): void {
  if (o.keep) return;
  o.keep = true;
  o.reasons = [reason];
}

/**
 * keepNewest, minAge, restic's "never empty a group", then requireBackupWithin.
 * Returns the Halt when requireBackupWithin stopped the group: a group whose backups have
 * stopped is halted (and reported) even if nothing would have been deleted in it.
 */
export function applyGroupGuards(
  policy: string,
  g: GroupOutcomes,
  guards: Guards,
  timezone: string,
  nowMs: number,
): Halt | undefined {
  const { outcomes } = g;
  if (outcomes.length === 0) return undefined;

  const newest = Math.min(guards.keepNewest, outcomes.length);
  for (let i = 0; i < newest; i++) spare(outcomes[i]!, `guard: keepNewest ${guards.keepNewest}`);

  if (!isZeroDuration(guards.minAge)) {
    // Protective: a month of minAge protects at least a calendar month (see subtractCalendar).
    const youngerThan = subtractCalendar(nowMs, guards.minAge, timezone, { protective: true });
    const reason = `guard: minAge ${formatDuration(guards.minAge)}`;
    // A copy's age in this region starts when it arrived, not when its source was made, so
    // the order by creation says nothing here: look at every backup.
    for (const o of outcomes) if (arrivedAtMs(o.backup) > youngerThan) spare(o, reason);
  }

  // restic refuses to delete a whole group; keepNewest >= 1 makes this unreachable, but a
  // policy built without the validator must not be able to empty a cluster.
  if (!outcomes.some((o) => o.keep)) {
    for (const o of outcomes) spare(o, "guard: refusing to delete every READY backup of the group");
  }

  const within = guards.requireBackupWithin;
  if (within === undefined || isZeroDuration(within)) return undefined;
  const newestMs = outcomes[0]!.backup.createdAtMs;
  if (newestMs >= subtractCalendar(nowMs, within, timezone)) return undefined;
  const age = formatAge(nowMs - newestMs);
  const text = formatDuration(within);
  for (const o of outcomes) spare(o, `halted: requireBackupWithin ${text} (newest READY backup is ${age} old)`);
  return {
    policy,
    group: g.group,
    guard: "requireBackupWithin",
    message: `requireBackupWithin ${text}: the newest READY backup in ${g.group} is ${age} old (backups may have stopped); nothing is deleted in this group`,
  };
}

/** Kept this run only: marked, so plans can show it as deferred rather than as a keep. */
function defer(o: KeepOutcome, reason: string): void {
  spare(o, reason);
  o.deferred = true;
}

/** `80`, `66.7`: one decimal at most, so "50%" is never printed for 50.4% > 50%. */
const percentText = (p: number): string => String(Math.round(p * 10) / 10);

/**
 * maxDeletePercent (halts the whole policy), then maxDeletionsPerRun (defers the newest
 * excess, so the oldest planned deletions happen first). Returns halts and the deferred count.
 */
export function applyPolicyGuards(
  policy: string,
  groups: readonly GroupOutcomes[],
  guards: Guards,
  /** Deletions under this policy in the last 24 hours, from the ledger (0 when unknown). */
  deletedInLastDay = 0,
): { halts: Halt[]; deferred: number } {
  let worst: { group: string; deletes: number; ready: number } | undefined;
  for (const g of groups) {
    const ready = g.outcomes.length;
    let deletes = 0;
    for (const o of g.outcomes) if (!o.keep) deletes++;
    // Integer comparison: "strictly more than P% of READY backups".
    if (deletes * 100 <= guards.maxDeletePercent * ready) continue;
    if (!worst || deletes * worst.ready > worst.deletes * ready) worst = { group: g.group, deletes, ready };
  }
  if (worst) {
    const percent = percentText((worst.deletes * 100) / worst.ready);
    const reason = `halted: maxDeletePercent ${guards.maxDeletePercent} (would delete ${percent}% of READY backups in ${worst.group})`;
    for (const g of groups) for (const o of g.outcomes) spare(o, reason);
    const message = `maxDeletePercent ${guards.maxDeletePercent}: would delete ${percent}% of READY backups in ${worst.group}; nothing is deleted under policy "${policy}"`;
    return { halts: [{ policy, guard: "maxDeletePercent", message }], deferred: 0 };
  }

  // A rolling day's cap over all runs, so a second run right after the first cannot delete
  // what maxDeletionsPerRun deferred. Unset, it is maxDeletionsPerRun.
  const perDay = guards.maxDeletionsPerDay ?? guards.maxDeletionsPerRun;
  const leftToday = Math.max(0, perDay - deletedInLastDay);
  const limit = Math.min(guards.maxDeletionsPerRun, leftToday);
  if (limit === Infinity) return { halts: [], deferred: 0 };
  const deletes: KeepOutcome[] = [];
  for (const g of groups) for (const o of g.outcomes) if (!o.keep) deletes.push(o);
  if (deletes.length <= limit) return { halts: [], deferred: 0 };
  // The first `limit` by (createdAtMs, backupId) are carried out. A native numeric sort
  // finds the cutoff instant; only backups exactly at the cutoff need the backupId order.
  const times = new Float64Array(deletes.length);
  deletes.forEach((o, i) => (times[i] = o.backup.createdAtMs));
  times.sort();
  const cutoff = limit > 0 ? times[limit - 1]! : -Infinity;
  let slotsAtCutoff = limit;
  const atCutoff: KeepOutcome[] = [];
  const reason =
    limit < guards.maxDeletionsPerRun
      ? `deferred: maxDeletionsPerDay ${perDay} (${deletedInLastDay} deleted in the last 24 hours)`
      : `deferred: maxDeletionsPerRun ${limit}`;
  for (const o of deletes) {
    const t = o.backup.createdAtMs;
    if (t < cutoff) slotsAtCutoff--;
    else if (t === cutoff) atCutoff.push(o);
    else defer(o, reason);
  }
  atCutoff.sort((a, b) => (a.backup.backupId < b.backup.backupId ? -1 : a.backup.backupId > b.backup.backupId ? 1 : 0));
  for (let i = slotsAtCutoff; i < atCutoff.length; i++) defer(atCutoff[i]!, reason);
  return { halts: [], deferred: deletes.length - limit };
}
