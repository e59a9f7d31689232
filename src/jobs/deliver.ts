import { createHash } from "node:crypto";
import type { Alert, BackupNotice, RenderedMessage } from "../alerts/model.js";
import { eventsForAlert } from "../alerts/events.js";
import type { EventEntry, EventSink, Notifier } from "../alerts/ports.js";
import type { Clock } from "../domain/ports.js";
import type { Ledger } from "../ledger/port.js";
import type { JobLogger } from "./logger.js";

/**
 * Telling people, exactly once per notice. Every job that alerts goes through here:
 * claim each notice in the ledger, render what was won, publish it, then mark it sent,
 * or give the claim back when publishing failed so that the next run tries again.
 * Events go out for what was sent. Nothing here throws for a delivery problem: it is
 * counted, logged, and reported by the job (exit 3, a failed Lambda invocation).
 */
export interface AlertPath {
  ledger: Ledger;
  notifier: Notifier;
  events: EventSink;
  render: (alert: Alert) => RenderedMessage[];
  /** The account, for backup ARNs in events (the `resources` EventBridge rules can match). */
  accountId?: string | undefined;
  clock: Clock;
  runId: string;
  log: JobLogger;
  /** How long a claim holds before another run may take it over (its run may have died). */
  leaseMs: number;
  /** How long notices and actions are kept after the backup is gone (the ledger's TTL). */
  retentionMs: number;
}

export interface DeliveryStats {
  /** Messages published (a split digest counts each part). */
  messages: number;
  /** Notices marked sent. */
  notices: number;
  /** Notices another run holds or has sent: left alone. */
  skipped: number;
  /** Messages that could not be published (their notices were given back). */
  failedMessages: number;
  /** Events put, and those that failed after retries. */
  events: number;
  failedEvents: number;
  /** Ledger reads or writes that failed: the notices concerned were not sent. */
  ledgerFailures: number;
  errors: string[];
  /** The backups this run told about (their digest notice published and marked sent). */
  told: string[];
}

export function emptyStats(): DeliveryStats {
  return { messages: 0, notices: 0, skipped: 0, failedMessages: 0, events: 0, failedEvents: 0, ledgerFailures: 0, errors: [], told: [] };
}

export function addStats(a: DeliveryStats, b: DeliveryStats): void {
  a.messages += b.messages;
  a.notices += b.notices;
  a.skipped += b.skipped;
  a.failedMessages += b.failedMessages;
  a.events += b.events;
  a.failedEvents += b.failedEvents;
  a.ledgerFailures += b.ledgerFailures;
  a.errors.push(...b.errors);
  a.told.push(...b.told);
}

/** Whether anything went wrong on the alert path. */
export function deliveryFailed(s: DeliveryStats): boolean {
  return s.failedMessages + s.failedEvents + s.ledgerFailures > 0;
}

/**
 * A digest about several backups (deletion, reminder): one notice per backup. Only the
 * backups whose notice this run wins are told; each part of a split digest is marked sent
 * (or given back) on its own. `alsoSent` names further notices per backup that this
 * message covers (a late announcement covers the reminder stage due now).
 */
export async function deliverDigest<A extends Extract<Alert, { backups: BackupNotice[] }>>(
  path: AlertPath,
  alert: A,
  noticeOf: (b: A["backups"][number]) => string,
  alsoSent: (b: A["backups"][number]) => string[] = () => [],
): Promise<DeliveryStats> {
  const stats = emptyStats();
  const won: Array<A["backups"][number]> = [];
  for (const b of alert.backups) {
    const id = noticeOf(b);
    try {
      const result = await path.ledger.claim(id, path.runId, path.clock.nowMs(), { leaseMs: path.leaseMs, expiresAtMs: b.deleteAtMs + path.retentionMs });
      if (result === "won") won.push(b);
      else stats.skipped++;
    } catch (err) {
      ledgerFailure(path, stats, err, { notice: id });
    }
  }
  if (won.length === 0) return stats;
  const byId = new Map(won.map((b) => [b.backupId, b]));
  for (const part of path.render({ ...alert, backups: won } as A)) {
    const backups = part.backupIds.map((id) => byId.get(id)!).filter((b) => b !== undefined);
    const ids = backups.map(noticeOf);
    if (await publish(path, stats, part, ids)) {
      for (const b of backups) await complete(path, stats, [noticeOf(b), ...alsoSent(b)], b.deleteAtMs);
      stats.told.push(...backups.map((b) => b.backupId));
      await putEvents(path, stats, eventsForAlert({ ...alert, backups } as A, path.accountId));
    }
  }
  return stats;
}

/** An alert that is one notice (a halt, backups stopped or resumed, a restore). */
export async function deliverOne(path: AlertPath, alert: Alert, id: string, expiresAtMs: number): Promise<DeliveryStats> {
  const stats = emptyStats();
  try {
    const result = await path.ledger.claim(id, path.runId, path.clock.nowMs(), { leaseMs: path.leaseMs, expiresAtMs });
    if (result !== "won") {
      stats.skipped++;
      return stats;
    }
  } catch (err) {
    ledgerFailure(path, stats, err, { notice: id });
    return stats;
  }
  let sentAll = true;
  for (const part of path.render(alert)) sentAll = (await publish(path, stats, part, [id])) && sentAll;
  if (sentAll) {
    await complete(path, stats, [id], expiresAtMs);
    await putEvents(path, stats, eventsForAlert(alert, path.accountId));
  }
  return stats;
}

/** Events with no message of their own (a run's summary, an expiry): put once, failures counted. */
export async function deliverEvents(path: AlertPath, events: EventEntry[]): Promise<DeliveryStats> {
  const stats = emptyStats();
  await putEvents(path, stats, events);
  return stats;
}

async function publish(path: AlertPath, stats: DeliveryStats, part: RenderedMessage, ids: string[]): Promise<boolean> {
  try {
    const messageId = await path.notifier.publish(part);
    stats.messages++;
    path.log.info("alert published", { subject: part.subject, messageId, backupIds: part.backupIds, notices: ids });
    return true;
  } catch (err) {
    stats.failedMessages++;
    const error = (err as Error).message;
    stats.errors.push(error);
    path.log.error("alert not published; its notices are given back for the next run", { subject: part.subject, notices: ids, error });
    for (const id of ids) {
      try {
        await path.ledger.release(id, path.runId);
      } catch (releaseErr) {
        // The claim then lapses with its lease, and a later run takes it over.
        ledgerFailure(path, stats, releaseErr, { notice: id });
      }
    }
    return false;
  }
}

async function complete(path: AlertPath, stats: DeliveryStats, ids: string[], deleteAtMs: number): Promise<void> {
  // The notices this message also covers first: once the primary reads "sent", another run
  // could otherwise claim a covered reminder stage in between and send it again.
  for (const id of [...ids.slice(1), ...ids.slice(0, 1)]) {
    try {
      if (id !== ids[0]) {
        // A notice this message also covers: claim it so no later run sends it separately.
        const r = await path.ledger.claim(id, path.runId, path.clock.nowMs(), { leaseMs: path.leaseMs, expiresAtMs: deleteAtMs + path.retentionMs });
        if (r !== "won") continue;
      }
      await path.ledger.complete(id, path.runId, path.clock.nowMs());
      stats.notices++;
    } catch (err) {
      // Sent but not marked: the claim lapses and a later run may send it again. Said loudly.
      ledgerFailure(path, stats, err, { notice: id, sent: true });
    }
  }
}

async function putEvents(path: AlertPath, stats: DeliveryStats, events: EventEntry[]): Promise<void> {
  if (events.length === 0) return;
  const out = await path.events.put(events);
  stats.events += out.sent;
  stats.failedEvents += out.failed.length;
  for (const f of out.failed) {
    stats.errors.push(`event not put: ${f}`);
    path.log.error("event not put", { error: f });
  }
  // Kept in the ledger, so that a later run puts them: every action is an event, late or not.
  const lost = out.failedEntries ?? [];
  if (lost.length > 0) {
    try {
      await path.ledger.stashEvents(lost.map((entry) => ({ id: eventId(entry), entry })), path.clock.nowMs() + path.retentionMs);
    } catch (err) {
      ledgerFailure(path, stats, err, { events: lost.length });
    }
  }
}

/** A stable ID for an event: the same event kept twice is one entry in the outbox. */
function eventId(e: EventEntry): string {
  return createHash("sha256").update(JSON.stringify([e.detailType, e.detail, e.resources, e.timeMs ?? null])).digest("base64url");
}

/** Puts the events earlier runs could not (the outbox), dropping each once it is put. */
export async function putStashedEvents(path: AlertPath): Promise<DeliveryStats> {
  const stats = emptyStats();
  let stashed;
  try {
    stashed = await path.ledger.stashedEvents();
  } catch (err) {
    ledgerFailure(path, stats, err, { outbox: "read" });
    return stats;
  }
  if (stashed.length === 0) return stats;
  const out = await path.events.put(stashed.map((s) => s.entry as EventEntry));
  stats.events += out.sent;
  const stillLost = new Set((out.failedEntries ?? []).map(eventId));
  try {
    await path.ledger.dropStashed(stashed.map((s) => s.id).filter((id) => !stillLost.has(id)));
  } catch (err) {
    ledgerFailure(path, stats, err, { outbox: "drop" });
  }
  if (stillLost.size > 0) {
    stats.failedEvents += stillLost.size;
    stats.errors.push(`${stillLost.size} events kept for later still could not be put`);
  }
  return stats;
}

function ledgerFailure(path: AlertPath, stats: DeliveryStats, err: unknown, attrs: Record<string, unknown>): void {
  stats.ledgerFailures++;
  const error = (err as Error).message;
  stats.errors.push(error);
  path.log.error("ledger failure on the alert path", { ...attrs, error });
}
