import type { KeepRules } from "../../src/domain/types.js";
import { dur } from "../support/backup-factory.js";

/** One golden case: rules applied to test/fixtures/backups.json, result in test/golden/<name>.json. */
export interface GoldenCase {
  name: string;
  keep: Partial<KeepRules>;
  timezone?: string;
  /** Defaults to FIXTURE_NOW, just after the newest fixture backup. */
  now?: string;
}

export const FIXTURE_NOW = "2027-01-18T12:00:00Z";

const U = Infinity;

export const GOLDEN_CASES: GoldenCase[] = [
  { name: "last-3-keeps-the-three-newest", keep: { last: 3 } },
  { name: "last-unlimited-keeps-everything", keep: { last: U } },
  { name: "hourly-5-one-per-wall-clock-hour", keep: { hourly: 5 } },
  { name: "daily-3-newest-of-each-day", keep: { daily: 3 } },
  { name: "daily-unlimited-keeps-oldest-daily", keep: { daily: U } },
  { name: "weekly-2", keep: { weekly: 2 } },
  { name: "weekly-6-spans-iso-week-53", keep: { weekly: 6 } },
  { name: "monthly-6-month-ends", keep: { monthly: 6 } },
  { name: "monthly-40-exceeds-history-keeps-oldest", keep: { monthly: 40 } },
  { name: "yearly-10-oldest-yearly", keep: { yearly: 10 } },
  { name: "yearly-3-exhausted-before-oldest", keep: { yearly: 3 } },
  { name: "gfs-7-daily-2-weekly-3-monthly-10-yearly", keep: { daily: 7, weekly: 2, monthly: 3, yearly: 10 } },
  { name: "overlap-7-daily-5-weekly-counts-shared-backups", keep: { daily: 7, weekly: 5 } },
  { name: "overlap-last-2-daily-3", keep: { last: 2, daily: 3 } },
  { name: "within-2d-of-newest-backup", keep: { within: dur({ days: 2 }) } },
  { name: "within-36h-absolute-hours", keep: { within: dur({ hours: 36 }) } },
  { name: "within-1m-calendar-month", keep: { within: dur({ months: 1 }) } },
  { name: "within-1y6m", keep: { within: dur({ years: 1, months: 6 }) } },
  { name: "within-hourly-1d", keep: { withinHourly: dur({ days: 1 }) } },
  { name: "within-daily-7d", keep: { withinDaily: dur({ days: 7 }) } },
  { name: "within-weekly-1m", keep: { withinWeekly: dur({ months: 1 }) } },
  { name: "within-monthly-1y", keep: { withinMonthly: dur({ years: 1 }) } },
  { name: "within-yearly-10y-oldest-yearly-within", keep: { withinYearly: dur({ years: 10 }) } },
  { name: "tags-legal-hold-key", keep: { tags: [["legal-hold"]] } },
  { name: "tags-env-prod-and-tier-1", keep: { tags: [["env=prod", "tier=1"]] } },
  { name: "tags-lists-are-ored", keep: { tags: [["legal-hold"], ["env=dev"], ["tier=1"]] } },
  { name: "tags-empty-entry-matches-untagged", keep: { last: 2, tags: [[""]] } },
  { name: "tags-value-mismatch-keeps-nothing", keep: { tags: [["env=staging"]] } },
  { name: "daily-5-berlin-moves-late-utc-backups", keep: { daily: 5 }, timezone: "Europe/Berlin" },
  { name: "weekly-4-berlin-sunday-night-is-monday", keep: { weekly: 4 }, timezone: "Europe/Berlin" },
  { name: "yearly-4-berlin-new-year-at-23h-utc", keep: { yearly: 4 }, timezone: "Europe/Berlin" },
  { name: "monthly-4-new-york", keep: { monthly: 4 }, timezone: "America/New_York" },
  { name: "hourly-6-berlin-dst", keep: { hourly: 6, withinHourly: dur({ years: 1 }) }, timezone: "Europe/Berlin" },
  { name: "future-dated-backups-take-buckets", keep: { daily: 3, within: dur({ hours: 12 }) }, now: "2027-01-18T00:00:00Z" },
  {
    name: "everything-combined",
    keep: {
      last: 3,
      hourly: 4,
      daily: 5,
      weekly: 4,
      monthly: 6,
      yearly: U,
      within: dur({ days: 2 }),
      withinDaily: dur({ days: 30 }),
      tags: [["legal-hold"]],
    },
  },
];
