// The invariants of issue 11, checked over what a run left behind (bench/sim/record.ts).
// Pure: no endpoint, no clock; each check names every breach it finds, so a failing run
// says which backup, when, and why.
import { alertPathDown } from "./faults.js";
import { type MessageSeen, readMessage } from "./messages.js";
import { keptBySimPolicy } from "./oracle.js";
import type { SimRecord } from "./record.js";
import { LINK_SECRET, RESTORE_BASE_URL } from "./world.js";

export interface InvariantResult {
  name: string;
  /** How many things it looked at (backups, messages, calls). */
  checked: number;
  breaches: string[];
}

const MINUTE_MS = 60_000;
const TICK_MS = 15 * MINUTE_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const RESTORE_WINDOW_MS = 7 * DAY_MS;
const STAGES: Array<[string, number]> = [["72h", 72 * HOUR_MS], ["24h", 24 * HOUR_MS], ["2h", 2 * HOUR_MS]];
const HOLD_MS = 30 * DAY_MS;
/** A run's time is the endpoint's Date header carried forward: a record may trail its call by the run's length. */
const SAME_RUN_MS = 60_000;

const iso = (ms: number) => new Date(ms).toISOString().replace(".000", "");
const ceilSecond = (ms: number) => Math.ceil(ms / 1000) * 1000;

/** The stage a reminder sent this long before the DeleteTimestamp stands for: the smallest stage not shorter than that. */
function stageOf(leftMs: number): string {
  return [...STAGES].reverse().find(([, ms]) => leftMs <= ms)?.[0] ?? "early";
}

/** One deletion of one backup: made by whom, restorable until when. */
interface DeletionInstance {
  backupId: string;
  atMs: number;
  deleteAtMs: number;
  by: "service" | "person" | "cloudhsm";
}

function deletionsOf(r: SimRecord): DeletionInstance[] {
  const out: DeletionInstance[] = [];
  for (const c of r.callLog) {
    if (c.operation !== "DeleteBackup" || c.outcome !== "ok" || !c.backupId) continue;
    out.push({ backupId: c.backupId, atMs: c.atMs, deleteAtMs: c.atMs + RESTORE_WINDOW_MS, by: r.lambdaKeys.includes(c.accessKeyId ?? "") ? "service" : "person" });
  }
  for (const e of r.lifecycle) if (e.action === "retention-delete" && e.deleteAtMs != null) out.push({ backupId: e.backupId, atMs: e.atMs, deleteAtMs: e.deleteAtMs, by: "cloudhsm" });
  return out.sort((a, b) => a.atMs - b.atMs);
}

/** The first RestoreBackup that brought `d` back, if any. */
function restoredAt(r: SimRecord, d: DeletionInstance): number | undefined {
  return r.callLog.find((c) => c.operation === "RestoreBackup" && c.outcome === "ok" && c.backupId === d.backupId && c.atMs >= d.atMs && c.atMs < d.deleteAtMs)?.atMs;
}

export function checkInvariants(r: SimRecord): InvariantResult[] {
  const messages = r.messages.map((m) => readMessage(m, RESTORE_BASE_URL, LINK_SECRET));
  const deletions = deletionsOf(r);
  return [announcedBeforeGone(r, messages), remindersOnceAndOnTime(r, messages, deletions), keptNotDeleted(r), ledgerMatchesEndpoint(r), finalSweep(r)];
}

/** No backup gone for good without at least one announcement that carried its restore link. */
function announcedBeforeGone(r: SimRecord, messages: MessageSeen[]): InvariantResult {
  const gone = r.lifecycle.filter((e) => e.action === "gone");
  const breaches: string[] = [];
  for (const g of gone) {
    // A link counts only if the page would open it: a forged or mangled token is a 404.
    const told = messages.some((m) => m.atMs <= g.atMs && m.links.some((l) => l.genuine && l.backupId === g.backupId && l.expiresAtMs === ceilSecond(g.atMs)));
    if (!told) breaches.push(`${g.backupId} gone for good at ${iso(g.atMs)} and no message before carried its restore link`);
  }
  return { name: "no backup gone for good without an announcement carrying its restore link", checked: gone.length, breaches };
}

/**
 * Each reminder stage at most once per deletion (and each deletion announced at most once);
 * on time, i.e. by the first 15-minute run at or after the stage is due, whenever the alert
 * path (CloudHSM, SNS, DynamoDB) had no fault at that run and the backup was still pending.
 */
function remindersOnceAndOnTime(r: SimRecord, messages: MessageSeen[], deletions: DeletionInstance[]): InvariantResult {
  const breaches: string[] = [];
  const count = new Map<string, number>();
  for (const m of messages) {
    if (m.kind !== "reminder" && m.kind !== "deletion") continue;
    for (const l of m.links) {
      const key = m.kind === "reminder" ? `${l.backupId} reminder ${stageOf(l.expiresAtMs - m.atMs)} for the deletion ending ${iso(l.expiresAtMs)}` : `${l.backupId} announcement of the deletion ending ${iso(l.expiresAtMs)}`;
      count.set(key, (count.get(key) ?? 0) + 1);
    }
  }
  for (const [key, n] of count) if (n > 1) breaches.push(`${key} sent ${n} times`);
  let checked = count.size;
  for (const d of deletions) {
    const back = restoredAt(r, d);
    for (const [stage, ms] of STAGES) {
      const dueMs = d.deleteAtMs - ms;
      let runMs = r.startMs + Math.ceil((dueMs - r.startMs) / TICK_MS) * TICK_MS;
      // While the alert path is down the stage waits: the first run with the path up must
      // send it (or, after a gap, a more urgent one: "the most urgent stage due").
      while (runMs < d.deleteAtMs && alertPathDown({ episodes: r.episodes, kills: new Map() }, runMs)) runMs += TICK_MS;
      if (runMs >= r.endMs || runMs >= d.deleteAtMs || (back !== undefined && back <= runMs)) continue;
      checked++;
      const expires = ceilSecond(d.deleteAtMs);
      const told = messages.some((m) => m.atMs >= dueMs && m.atMs <= runMs && (m.kind === "reminder" || m.kind === "deletion") && m.links.some((l) => l.backupId === d.backupId && l.expiresAtMs === expires));
      if (!told) breaches.push(`${d.backupId}: the ${stage} reminder for the deletion ending ${iso(d.deleteAtMs)} was due ${iso(dueMs)} and not sent by the run at ${iso(runMs)}`);
    }
  }
  return { name: "each reminder stage at most once per backup, and on time while the alert path was up", checked, breaches };
}

/**
 * No READY backup deleted by the service that the policy keeps (worked out independently
 * on the sweep's own view of the fleet, bench/sim/oracle.ts), and none held or pinned.
 * A backup restored through its link is held for 30 days (or pinned for good); one the
 * service deleted and a person restored by hand counts as held from that moment, as the
 * README promises ("restored outside the link ... held by default").
 */
function keptNotDeleted(r: SimRecord): InvariantResult {
  const breaches: string[] = [];
  const ours = r.callLog.filter((c) => c.operation === "DeleteBackup" && c.outcome === "ok" && r.lambdaKeys.includes(c.accessKeyId ?? ""));
  const holds: Array<{ backupId: string; fromMs: number; untilMs: number; why: string }> = [];
  for (const l of r.linkRestores) {
    if (l.status !== "restored") continue;
    const backupId = /restore\/(.+)$/.exec(l.link) ? linkBackup(l.link) : undefined;
    if (backupId) holds.push({ backupId, fromMs: l.atMs, untilMs: l.mode === "pin" ? Infinity : l.atMs + HOLD_MS, why: l.mode === "pin" ? "pinned through its link" : "held through its link" });
  }
  for (const h of r.handRestores) {
    const wasOurs = ours.some((c) => c.backupId === h.backupId && c.atMs < h.atMs);
    if (wasOurs) holds.push({ backupId: h.backupId, fromMs: h.atMs, untilMs: h.atMs + HOLD_MS, why: "restored by hand after the service deleted it" });
  }
  for (const c of ours) {
    const sweep = r.sweeps.find((s) => s.atMs <= c.atMs && c.atMs - s.atMs < HOUR_MS);
    const b = sweep?.before.find((x) => x.backupId === c.backupId);
    const id = c.backupId ?? "?";
    if (!sweep || !b) {
      breaches.push(`${c.backupId} deleted at ${iso(c.atMs)} by the service outside any sweep's view`);
      continue;
    }
    if (b.state !== "READY") breaches.push(`${c.backupId} was ${b.state}, not READY, when the sweep of ${iso(sweep.atMs)} deleted it`);
    const kept = keptBySimPolicy(sweep.before.filter((x) => x.clusterId === b.clusterId), sweep.atMs);
    if (kept.has(id)) breaches.push(`${c.backupId} deleted at ${iso(c.atMs)} although the policy keeps it (${b.neverExpires ? "pinned" : "keep rules"})`);
    const hold = holds.find((h) => h.backupId === c.backupId && h.fromMs <= c.atMs && c.atMs < h.untilMs);
    if (hold) breaches.push(`${c.backupId} deleted at ${iso(c.atMs)} during its hold (${hold.why} at ${iso(hold.fromMs)})`);
  }
  return { name: "no READY backup deleted that the policy keeps, none held or pinned", checked: ours.length, breaches };
}

function linkBackup(link: string): string | undefined {
  const raw = Buffer.from(link.slice(link.lastIndexOf("/") + 1), "base64url");
  return raw.subarray(0, raw.length - 16).toString("utf8").split("|")[2];
}

/**
 * Every action in the ledger matches a call the endpoint saw, and every DeleteBackup,
 * RestoreBackup and ModifyBackupAttributes the service's functions made is in the ledger.
 * A person's deletions reach it as `deleted-outside`, through the watcher or, when the
 * watcher's event was lost, the reminder run that announces them.
 */
function ledgerMatchesEndpoint(r: SimRecord): InvariantResult {
  const breaches: string[] = [];
  const ok = r.callLog.filter((c) => c.outcome === "ok");
  const byService = (key: string | null) => r.lambdaKeys.includes(key ?? "");
  const near = (a: number, b: number) => b >= a - 1000 && b - a <= SAME_RUN_MS;
  // A record made later than its call (the next reminder run, a second press after the ledger
  // was down) is still within the deletion's 7-day window; one weeks later matches nothing.
  const within = (callMs: number, recordMs: number) => recordMs >= callMs - 1000 && recordMs - callMs <= RESTORE_WINDOW_MS;
  for (const a of r.ledgerActions) {
    const id = a.backupId;
    const calls = ok.filter((c) => c.backupId === id);
    let matched: boolean;
    switch (a.kind) {
      case "delete":
        matched = calls.some((c) => c.operation === "DeleteBackup" && byService(c.accessKeyId) && near(c.atMs, a.atMs));
        break;
      case "restore":
        matched = a.actor === "unknown" ? calls.some((c) => c.operation === "RestoreBackup" && within(c.atMs, a.atMs)) : calls.some((c) => c.operation === "RestoreBackup" && byService(c.accessKeyId) && near(c.atMs, a.atMs));
        break;
      case "pin":
        // A pin recorded later, by the reminder run that found it (actor unknown), needs the call within 7 days before.
        matched = calls.some((c) => c.operation === "ModifyBackupAttributes" && c.neverExpires === true && (a.actor === "unknown" ? within(c.atMs, a.atMs) : byService(c.accessKeyId) && near(c.atMs, a.atMs)));
        break;
      case "hold":
        matched = calls.some((c) => c.operation === "RestoreBackup" && within(c.atMs, a.atMs));
        break;
      case "deleted-outside":
        // A backup seeded already pending deletion was deleted before the call log began.
        matched = a.atMs < r.startMs || calls.some((c) => c.operation === "DeleteBackup" && !byService(c.accessKeyId) && within(c.atMs, a.atMs)) || r.lifecycle.some((e) => e.action === "retention-delete" && e.backupId === id && within(e.atMs, a.atMs));
        break;
      case "halt":
        // A guard's halt is a decision, not a call: nothing at the endpoint to match.
        matched = true;
        break;
      default:
        matched = false;
    }
    if (!matched) breaches.push(`ledger ${a.kind} of ${id} at ${iso(a.atMs)} (${a.actor}) matches no call the endpoint saw`);
  }
  const kindOf: Record<string, string> = { DeleteBackup: "delete", RestoreBackup: "restore", ModifyBackupAttributes: "pin" };
  const mine = ok.filter((c) => byService(c.accessKeyId) && kindOf[c.operation]);
  for (const c of mine) {
    const kind = kindOf[c.operation]!;
    // A restore or pin whose record failed (the ledger down) is recorded later: when the person
    // presses the button again, or by the reminder run that finds the backup back (and pinned).
    const nextDeleteMs = ok.find((x) => x.operation === "DeleteBackup" && x.backupId === c.backupId && x.atMs > c.atMs)?.atMs ?? Infinity;
    const found = r.ledgerActions.some(
      (a) =>
        a.backupId === c.backupId &&
        (kind === "restore"
          ? (a.kind === "restore" || a.kind === "hold") && a.atMs >= c.atMs - 1000 && a.atMs < nextDeleteMs
          : kind === "pin"
            ? a.kind === "pin" && a.atMs >= c.atMs - 1000 && a.atMs < nextDeleteMs
            : a.kind === kind && near(c.atMs, a.atMs)),
    );
    if (!found) breaches.push(`${c.operation} of ${c.backupId} at ${iso(c.atMs)} by the service is not in the ledger`);
  }
  // A person's DeleteBackup reaches the ledger too, as `deleted-outside` (the watcher, or the
  // reminder run that finds it): unless it was deleted in the run's last hour.
  const persons = ok.filter((c) => c.operation === "DeleteBackup" && !byService(c.accessKeyId) && c.atMs < r.endMs - HOUR_MS);
  for (const c of persons) {
    const found = r.ledgerActions.some((a) => a.backupId === c.backupId && a.kind === "deleted-outside" && within(c.atMs, a.atMs));
    if (!found) breaches.push(`DeleteBackup of ${c.backupId} at ${iso(c.atMs)} by a person is not in the ledger`);
  }
  return { name: "every ledger action matches an endpoint call; every DeleteBackup the endpoint saw is in the ledger", checked: r.ledgerActions.length + mine.length + persons.length, breaches };
}

/** After the faults stop, one more sweep leaves exactly the state its plan describes. */
function finalSweep(r: SimRecord): InvariantResult {
  const f = r.final;
  if (!f) return { name: "after the faults, one more sweep leaves the state the plan describes", checked: 0, breaches: ["no final sweep ran"] };
  const breaches: string[] = [];
  if (f.sweepOutcome !== "ok") breaches.push(`the final sweep ${f.sweepOutcome}`);
  const ready = new Set(f.readyAfter);
  const pending = new Set(f.pendingAfter);
  for (const id of f.plannedDeletes) if (!pending.has(id)) breaches.push(`${id}: planned for deletion, not PENDING_DELETION after the sweep`);
  for (const id of f.plannedKeeps) if (!ready.has(id)) breaches.push(`${id}: kept by the plan, not READY after the sweep`);
  for (const id of f.plannedAgain) breaches.push(`${id}: planned for deletion again right after the sweep`);
  return { name: "after the faults, one more sweep leaves the state the plan describes", checked: f.plannedDeletes.length + f.plannedKeeps.length, breaches };
}
