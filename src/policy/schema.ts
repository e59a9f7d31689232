import * as z from "zod";
import { REGION_PATTERN } from "../domain/settings.js";
import { isZeroDuration, parseDuration } from "../domain/duration.js";

/**
 * The policy file as users write it, in YAML. This zod schema is the one source of
 * truth: it validates the input, gives its TypeScript type (`PolicyFileInput`) and
 * generates `policies/schema.json` for editors. It describes the *input*: `unlimited`
 * stays a word and durations stay text; `toRetentionPolicy` (convert.ts) builds the
 * domain values once zod has accepted the file.
 */

export const POLICY_NAME_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const CLUSTER_PATTERN = /^(\*|cluster-[2-7a-zA-Z]{11,16})$/;
export const DURATION_PATTERN = /^(\d+[ymdh])+$/;
export const TAG_PATTERN = /^[^=]+(=.*)?$/;

/** A value as a message shows it: `-1`, `"2w"`, `a list`. */
function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

/** Every issue of one schema gets the same message, whichever check failed. */
const says = (message: (input: unknown) => string) => ({ error: (iss: { input?: unknown }) => message(iss.input) });

const countMessage = says(
  (input) =>
    `expected an integer >= 0 or "unlimited", got ${show(input)}` +
    (typeof input === "number" && input < 0 ? ' (use "unlimited" for no limit)' : ""),
);
const count = () =>
  z.union([z.int(countMessage).min(0, countMessage), z.literal("unlimited", countMessage)], countMessage);

const durationMessage = says((input) => {
  if (typeof input !== "string") return `expected a duration such as 14d, 36h or 1y6m, got ${show(input)}`;
  const parsed = parseDuration(input);
  return parsed.ok ? `invalid duration "${input}"` : parsed.message;
});
const duration = () =>
  z
    .string(durationMessage)
    .regex(DURATION_PATTERN, { ...durationMessage, abort: true })
    .refine((text) => parseDuration(text).ok, durationMessage);

const mapOf = (what: string) => says((input) => `expected a map of ${what}, got ${show(input)}`);

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const COUNT_HELP = 'An integer >= 0, or "unlimited". Default 0.';
const WITHIN_HELP = "A duration (e.g. 14d, 36h, 1y6m) measured back from the newest backup. Default 0h (off).";

const keepSchema = z
  .strictObject(
    {
      last: count().default(0).meta({ examples: [3, 10] }).describe(`Keep the newest N backups. ${COUNT_HELP}`),
      hourly: count().default(0).meta({ examples: [24, 0] }).describe(`Keep the newest backup of each of the last N hours that have backups. ${COUNT_HELP}`),
      daily: count().default(0).meta({ examples: [7, 30] }).describe(`Keep the newest backup of each of the last N days that have backups. ${COUNT_HELP}`),
      weekly: count().default(0).meta({ examples: [4, 8] }).describe(`Keep the newest backup of each of the last N ISO weeks that have backups. ${COUNT_HELP}`),
      monthly: count().default(0).meta({ examples: [12, 6] }).describe(`Keep the newest backup of each of the last N months that have backups. ${COUNT_HELP}`),
      yearly: count().default(0).meta({ examples: ["unlimited", 3] }).describe(`Keep the newest backup of each of the last N years that have backups. ${COUNT_HELP}`),
      within: duration().default("0h").meta({ examples: ["2d", "36h"] }).describe(`Keep every backup this recent. ${WITHIN_HELP}`),
      withinHourly: duration().default("0h").meta({ examples: ["48h", "2d"] }).describe(`Keep the newest backup of each hour this recent. ${WITHIN_HELP}`),
      withinDaily: duration().default("0h").meta({ examples: ["30d", "2m"] }).describe(`Keep the newest backup of each day this recent. ${WITHIN_HELP}`),
      withinWeekly: duration().default("0h").meta({ examples: ["3m", "84d"] }).describe(`Keep the newest backup of each week this recent. ${WITHIN_HELP}`),
      withinMonthly: duration().default("0h").meta({ examples: ["1y", "18m"] }).describe(`Keep the newest backup of each month this recent. ${WITHIN_HELP}`),
      withinYearly: duration().default("0h").meta({ examples: ["10y", "7y"] }).describe(`Keep the newest backup of each year this recent. ${WITHIN_HELP}`),
      tags: z
        .array(
          z
            .array(
              z.string().regex(TAG_PATTERN, says((input) => `expected a tag "key" or "key=value", got ${show(input)}`)),
              says((input) => `expected a list of tags, got ${show(input)}`),
            )
            .min(1, { error: "expected at least one tag in each list" }),
          says((input) => `expected a list of tag lists, got ${show(input)}`),
        )
        .default([])
        .meta({ examples: [[["legal-hold"]], [["env=prod", "tier=1"], ["keep"]]] })
        .describe(
          'Keep every backup whose tags match all entries of any one list. Entries are "key" (any value) or "key=value". Default [].',
        ),
    },
    mapOf("keep rules"),
  )
  .superRefine((keep, ctx) => {
    const counts = [keep.last, keep.hourly, keep.daily, keep.weekly, keep.monthly, keep.yearly];
    const durations = [keep.within, keep.withinHourly, keep.withinDaily, keep.withinWeekly, keep.withinMonthly, keep.withinYearly];
    const setsRule =
      counts.some((c) => c !== 0) ||
      durations.some((d) => {
        const parsed = parseDuration(d);
        // a bad duration is reported on its own; it still counts as a rule the user meant to set
        return !parsed.ok || !isZeroDuration(parsed.value);
      }) ||
      keep.tags.length > 0;
    // restic refuses an empty policy too: it would delete every backup.
    if (!setsRule) ctx.addIssue({ code: "custom", message: "keep sets no rule: a policy must keep something" });
  })
  .meta({ examples: [{ daily: 7, weekly: 4, monthly: 12 }, { last: 3, within: "2d", tags: [["legal-hold"]] }] })
  .describe("Which backups to keep; restic `forget` semantics, rules are OR'd. Must set at least one rule. Required: there is no default.");

const selectSchema = z
  .strictObject(
    {
      regions: z
        .array(
          z.string().regex(REGION_PATTERN, says((input) => `expected an AWS region such as us-east-1, got ${show(input)}`)),
          says((input) => `expected a list of regions, got ${show(input)}`),
        )
        .min(1, { error: "expected at least one region (leave regions out to select every region)" })
        .optional()
        .meta({ examples: [["us-east-1"], ["eu-central-1", "eu-west-1"]] })
        .describe("AWS regions whose backups this policy manages. Default: every region the run covers (leave the key out)."),
      clusters: z
        .array(
          z
            .string()
            .regex(CLUSTER_PATTERN, says((input) => `expected a cluster ID such as cluster-abcdefghijk or "*", got ${show(input)}`)),
          says((input) => `expected a list of cluster IDs, got ${show(input)}`),
        )
        .min(1, { error: 'expected at least one cluster ID or "*"' })
        .default(["*"])
        .meta({ examples: [["*"], ["cluster-abcdefghijk"]] })
        .describe('Cluster IDs (cluster-…) or "*" for all. For cross-region copies this matches the source cluster. Default ["*"].'),
      copies: z
        .enum(["exclude", "include", "only"], says((input) => `expected "exclude", "include" or "only", got ${show(input)}`))
        .default("exclude")
        .meta({ examples: ["exclude", "only"] })
        .describe('Cross-region copies: "exclude" (default) ignores them, "include" manages them too, "only" manages nothing else.'),
    },
    mapOf("selection keys"),
  )
  .prefault({})
  .meta({ examples: [{ regions: ["us-east-1"], clusters: ["*"], copies: "exclude" }, { regions: ["us-west-2"], copies: "only" }] })
  .describe("Which backups the policy manages. Two policies must never select the same cluster in the same region.");

const guardsSchema = z
  .strictObject(
    {
      keepNewest: z
        .int(says((input) => `expected an integer >= 1, got ${show(input)} (minimum 1: the newest backup is always kept)`))
        .min(1, says((input) => `expected an integer >= 1, got ${show(input)} (minimum 1: the newest backup is always kept)`))
        .default(1)
        .meta({ examples: [2, 3] })
        .describe("Always keep this many newest READY backups of each group (a cluster in a region). Minimum 1, default 1."),
      minAge: duration().default("0h").meta({ examples: ["24h", "7d"] }).describe("Never delete a backup younger than this, measured from now. Default 0h."),
      maxDeletionsPerRun: count()
        .default(50)
        .meta({ examples: [20, 200] })
        .describe('Delete at most this many backups per run (oldest first; the rest wait). An integer >= 0 or "unlimited". Default 50.'),
      maxDeletePercent: z
        .number(says((input) => `expected a number from 0 to 100, got ${show(input)}`))
        .min(0, says((input) => `expected a number from 0 to 100, got ${show(input)}`))
        .max(100, says((input) => `expected a number from 0 to 100, got ${show(input)}`))
        .default(50)
        .meta({ examples: [30, 95] })
        .describe("Halt the policy if a group would lose more than this percentage (0..100) of its READY backups. Default 50."),
      requireBackupWithin: duration()
        .optional()
        // 0h is what leaving it out means (off): the editor's default, not a parsing default.
        .meta({ default: "0h", examples: ["3d", "48h"] })
        .describe("Delete nothing in a group whose newest READY backup is older than this (backups have stopped). Default 0h (off)."),
      maxDeletionsPerDay: count()
        .optional()
        .meta({ examples: [100, "unlimited"] })
        .describe(
          'Delete at most this many backups under this policy in any 24 hours, over all runs (needs the ledger). An integer >= 0 or "unlimited". Default: the value of maxDeletionsPerRun.',
        ),
    },
    mapOf("guards"),
  )
  .prefault({})
  .meta({ examples: [{ keepNewest: 2, minAge: "24h", maxDeletionsPerRun: 20, maxDeletePercent: 30, requireBackupWithin: "3d" }] })
  .describe("Safety rails around deletion.");

/** Reminder stages and the backups-stopped alarm: hours and days only, a day being 24 hours. */
const HOURS_DAYS = /^(\d+[dh])+$/;
const hoursDays = (why: string) =>
  duration().refine((text) => HOURS_DAYS.test(text), {
    ...says((input) => `expected hours or days (e.g. 72h, 2d): ${why}, got ${show(input)}`),
    abort: true,
  });

/** A deleted backup is restorable for 7 days: a stage must fall inside that window. */
const MAX_STAGE_HOURS = 7 * 24;
const stageHours = (text: string): number => {
  const parsed = parseDuration(text);
  return parsed.ok ? parsed.value.days * 24 + parsed.value.hours : Number.NaN;
};

const alertsSchema = z
  .strictObject(
    {
      reminders: z
        .array(
          hoursDays("a reminder counts back from DeleteTimestamp").refine((text) => stageHours(text) >= 1 && stageHours(text) < MAX_STAGE_HOURS, {
            error: "a reminder stage must be at least 1h and less than 7d (a deleted backup is restorable for 7 days)",
          }),
          says((input) => `expected a list of durations such as [72h, 24h, 2h], got ${show(input)}`),
        )
        .max(10, { error: "expected at most 10 reminder stages" })
        .refine(
          (stages) => {
            const hours = stages.map(stageHours).filter((h) => Number.isFinite(h));
            return new Set(hours).size === hours.length;
          },
          { error: "reminder stages must differ (1d and 24h are the same stage)" },
        )
        .default(["72h", "24h", "2h"])
        .meta({ examples: [["72h", "24h", "2h"], ["6d", "1d"], []] })
        .describe(
          "When to remind, before each deleted backup's DeleteTimestamp (hours or days; a day is 24 hours). Each stage is sent once per backup; after a gap only the most urgent due stage is sent. [] turns reminders off. Default [72h, 24h, 2h].",
        ),
      backupsStoppedAfter: hoursDays("months and years are too long for a daily backup")
        .default("48h")
        .meta({ examples: ["48h", "3d"] })
        .describe(
          "Alert once when a selected cluster has made no new READY backup for this long (CloudHSM makes one at least every 24 hours), and once more when backups resume. Default 48h.",
        ),
    },
    mapOf("alert settings"),
  )
  .prefault({})
  .meta({ examples: [{ reminders: ["72h", "24h", "2h"], backupsStoppedAfter: "48h" }] })
  .describe("Alerts about this policy's backups: reminder stages before backups are gone for good, and the backups-stopped alarm.");

export const policySchema = z.strictObject(
  {
    name: z
      .string()
      .regex(
        POLICY_NAME_PATTERN,
        says((input) => `expected a name of lowercase letters and digits joined by single hyphens (e.g. prod-eu), got ${show(input)}`),
      )
      .meta({ examples: ["production", "dr-copies"] })
      .describe("Unique name across all policy files: lowercase letters and digits joined by single hyphens. Required: there is no default."),
    description: z
      .string(says((input) => `expected text, got ${show(input)}`))
      .optional()
      .meta({ examples: ["Production HSM clusters in us-east-1 (GFS rotation)."] })
      .describe("Free text for people; ignored by the tool. Default: none."),
    mode: z
      .enum(["enforce", "report"], says((input) => `expected "enforce" or "report", got ${show(input)}`))
      .default("report")
      .meta({ examples: ["report", "enforce"] })
      .describe('"enforce" deletes what the plan says; "report" (default) only plans and never deletes.'),
    select: selectSchema,
    timezone: z
      .string(says((input) => `expected an IANA time zone such as Europe/Berlin, got ${show(input)}`))
      .refine(isTimeZone, says((input) => `unknown time zone ${show(input)}`))
      .default("UTC")
      .meta({ examples: ["Europe/Berlin", "America/New_York"] })
      .describe("IANA time zone (e.g. Europe/Berlin) for the hour/day/week/month/year buckets. Default UTC."),
    keep: keepSchema,
    guards: guardsSchema,
    alerts: alertsSchema,
  },
  says((input) => `expected a map describing one policy, got ${show(input)}`),
);

export const policyFileSchema = z
  .strictObject(
    {
      version: z
        .literal(1, says((input) => `expected 1 (the only policy file version), got ${show(input)}`))
        // Required in the file; 1 is what an editor should fill in.
        .meta({ default: 1, examples: [1] })
        .describe("Policy file format version. Must be 1."),
      policies: z
        .array(policySchema, says((input) => `expected a list of policies, got ${show(input)}`))
        .min(1, { error: "expected at least one policy" })
        .meta({ examples: [[{ name: "production", mode: "report", keep: { daily: 7, weekly: 4, monthly: 12 } }]] })
        .describe("The retention policies in this file. Required: there is no default."),
    },
    says((input) => `expected a map with keys "version" and "policies", got ${input == null ? "an empty document" : show(input)}`),
  )
  .meta({
    title: "cloudhsm-retention policy file",
    description: "Retention policies for AWS CloudHSM backups (policies/*.yml). Keep rules follow restic `forget`.",
  });

/** A policy file as written in YAML (defaults not yet applied). */
export type PolicyFileInput = z.input<typeof policyFileSchema>;
/** One policy as written in YAML. */
export type PolicyInput = z.input<typeof policySchema>;
/** One policy after zod: defaults applied, still in input vocabulary (`"unlimited"`, `"14d"`). */
export type PolicyParsed = z.output<typeof policySchema>;
