import { parseDuration } from "../domain/duration.js";
import type { Count, Duration, RetentionPolicy } from "../domain/types.js";
import type { PolicyParsed } from "./schema.js";

/**
 * From the words users write to the values the engine uses: `unlimited` becomes
 * `Infinity`, `14d` becomes a `Duration`. Runs only on input zod has accepted, so
 * a failure here is a bug, not a user mistake.
 */

function toCount(value: number | "unlimited"): Count {
  return value === "unlimited" ? Infinity : value;
}

function toDuration(text: string): Duration {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new Error(`bug: schema accepted ${parsed.message}`);
  return parsed.value;
}

/** Hours-and-days durations (reminder stages, backups stopped) as absolute milliseconds; a day is 24 hours. */
function toHoursMs(text: string): number {
  const d = toDuration(text);
  return (d.days * 24 + d.hours) * 3_600_000;
}

/**
 * @example
 * toRetentionPolicy(policySchema.parse({ name: "prod", keep: { daily: 7 } }), "policies/prod.yml:3:5");
 */
export function toRetentionPolicy(input: PolicyParsed, source?: string): RetentionPolicy {
  const { keep, guards, select } = input;
  return {
    name: input.name,
    mode: input.mode,
    select: {
      regions: select.regions ? [...select.regions] : undefined,
      clusters: [...select.clusters],
      copies: select.copies,
    },
    timezone: input.timezone,
    keep: {
      last: toCount(keep.last),
      hourly: toCount(keep.hourly),
      daily: toCount(keep.daily),
      weekly: toCount(keep.weekly),
      monthly: toCount(keep.monthly),
      yearly: toCount(keep.yearly),
      within: toDuration(keep.within),
      withinHourly: toDuration(keep.withinHourly),
      withinDaily: toDuration(keep.withinDaily),
      withinWeekly: toDuration(keep.withinWeekly),
      withinMonthly: toDuration(keep.withinMonthly),
      withinYearly: toDuration(keep.withinYearly),
      tags: keep.tags.map((list) => [...list]),
    },
    guards: {
      keepNewest: guards.keepNewest,
      minAge: toDuration(guards.minAge),
      maxDeletionsPerRun: toCount(guards.maxDeletionsPerRun),
      maxDeletePercent: guards.maxDeletePercent,
      requireBackupWithin: guards.requireBackupWithin === undefined ? undefined : toDuration(guards.requireBackupWithin),
      maxDeletionsPerDay: guards.maxDeletionsPerDay === undefined ? undefined : toCount(guards.maxDeletionsPerDay),
    },
    alerts: {
      remindersMs: input.alerts.reminders.map(toHoursMs).sort((a, b) => b - a),
      backupsStoppedAfterMs: toHoursMs(input.alerts.backupsStoppedAfter),
    },
    source,
  };
}
