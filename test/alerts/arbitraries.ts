import fc from "fast-check";
import type { Alert, BackupNotice, ReminderNotice } from "../../src/alerts/model.js";
import { at, DAY, HOUR } from "./fixtures.js";

/**
 * Alerts as hostile as the data behind them can be: any code point, lone surrogates,
 * line breaks, Slack markup, bidi overrides, long values, unknown zones, instants a Date
 * cannot hold. Backup IDs are unique within an alert (one notice per backup, as the model says).
 */
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
export const hostileText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: anyUnit, maxLength: 40 }),
  fc.constantFrom("<!channel>", "<https://evil.example|click>", "a|b>c&d", "\r\n\r\n", "`*_~", "\u202eevil", "&amp;"),
  fc.string({ unit: fc.constantFrom("&", "<", ">", "\n", "x", "é", "😀"), minLength: 500, maxLength: 3000 }),
);

const instant = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: at("2000-01-01T00:00:00Z"), max: at("2100-01-01T00:00:00Z") }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, 1e20, -1e20, 0) },
);
const zone = fc.constantFrom("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Not/AZone", "");

/** Real links (base64url tokens), ones with spaces, quotes and non-ASCII in them (never `%`, so decodeURI gives them back), or none. */
export const restoreUrl = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{20,160}$/).map((t) => `https://restore.example.com/restore/${t}`),
  fc
    .string({ unit: fc.constantFrom(" ", "|", ">", "<", '"', "é", "😀", "a", "\n", "&"), maxLength: 100 })
    .map((t) => `https://restore.example.com/restore/${t}`),
  // A bug upstream: the message must still say how to restore.
  fc.constantFrom("", " "),
);

const backupId = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[2-7a-z]{11}$/).map((s) => `backup-${s}`) },
  { weight: 1, arbitrary: hostileText },
);

export const notice: fc.Arbitrary<BackupNotice> = fc.record({
  backupId,
  region: fc.oneof(fc.constantFrom("us-east-1", "eu-central-1", "cn-north-1"), hostileText),
  clusterId: fc.option(fc.oneof(fc.constant("cluster-abc"), hostileText), { nil: undefined }),
  group: fc.oneof(fc.constant("us-east-1/cluster-abc"), hostileText),
  createdAtMs: instant,
  deleteAtMs: instant,
  policy: fc.option(fc.oneof(fc.constant("production"), hostileText), { nil: null }),
  timezone: zone,
  reason: hostileText,
  outsidePolicy: fc.boolean(),
  restoreUrl,
});

const stageMs = fc.oneof(fc.constantFrom(72 * HOUR, 24 * HOUR, 2 * HOUR), fc.integer({ min: 0, max: 30 * DAY }));
const reminderNotice: fc.Arbitrary<ReminderNotice> = fc.tuple(notice, stageMs).map(([n, s]) => ({ ...n, stageMs: s }));

const common = { nowMs: instant, region: hostileText, group: hostileText, clusterId: fc.option(hostileText, { nil: undefined }) };
const selector = (b: BackupNotice) => b.backupId;
/** Mostly a few backups; sometimes enough to need splitting under the limits the property picks. */
function backups<T extends BackupNotice>(one: fc.Arbitrary<T>): fc.Arbitrary<T[]> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.uniqueArray(one, { selector, maxLength: 8 }) },
    { weight: 1, arbitrary: fc.uniqueArray(one, { selector, minLength: 40, maxLength: 150 }) },
  );
}

export const alert: fc.Arbitrary<Alert> = fc.oneof(
  fc.record({ kind: fc.constant("deletion" as const), runId: hostileText, ...common, backups: backups(notice) }),
  fc.record({ kind: fc.constant("reminder" as const), runId: hostileText, ...common, backups: backups(reminderNotice) }),
  fc.record({
    kind: fc.constant("halt" as const),
    nowMs: instant,
    runId: hostileText,
    policy: hostileText,
    group: fc.option(hostileText, { nil: undefined }),
    guard: hostileText,
    message: hostileText,
    advice: hostileText,
  }),
  fc.record({
    kind: fc.constant("backups-stopped" as const),
    ...common,
    newestReadyMs: fc.option(instant, { nil: undefined }),
    thresholdMs: fc.integer({ min: 0, max: 400 * DAY }),
    policy: hostileText,
    timezone: fc.option(zone, { nil: undefined }),
  }),
  fc.record({
    kind: fc.constant("backups-resumed" as const),
    ...common,
    newestReadyMs: instant,
    stoppedSinceMs: instant,
    policy: hostileText,
    timezone: fc.option(zone, { nil: undefined }),
  }),
  fc.record({ kind: fc.constant("restored" as const), nowMs: instant, backup: notice, via: hostileText, heldUntilMs: fc.option(instant, { nil: undefined }) }),
);
