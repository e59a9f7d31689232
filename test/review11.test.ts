// Review of issue 11 (the simulation's invariant checker). Each test builds a small run record
// by hand (times, calls, messages and links worked out here, links signed with node:crypto from
// the token format src/restore/token.ts documents, not with src/restore) containing one breach
// of a promise of issue 11, and expects bench/sim/invariants.ts to report it.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkInvariants } from "../bench/sim/invariants.js";
import type { LedgerRow, SimRecord } from "../bench/sim/record.js";
import type { Backup } from "../src/domain/types.js";
import type { CallLogEntry, LifecycleEntry, PublishedMessage } from "../src/local/index.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const BASE = "https://simapi1234.execute-api.us-east-1.amazonaws.com";
const SECRET = "the-simulation-link-secret-of-32-characters";
const LAMBDA = "ASIASIMLAMBDA";
const PERSON = "AKIASIMALICE";
const START = Date.parse("2026-12-01T00:00:00Z");
const SWEEP = START + 6 * HOUR + 15 * MIN; // day 0, 06:15 UTC
const iso = (ms: number) => new Date(ms).toISOString();

/** `<base>/restore/<token>`: claims `r|region|backupId|expiry(s, base 36)` + 16 bytes of HMAC-SHA256(label + claims). */
function link(backupId: string, deleteAtMs: number, genuine = true): string {
  const body = Buffer.from(`r|us-east-1|${backupId}|${Math.ceil(deleteAtMs / 1000).toString(36)}`);
  const mac = genuine ? createHmac("sha256", SECRET).update("cloudhsm-retention/restore-link/v1\n").update(body).digest().subarray(0, 16) : Buffer.alloc(16);
  return `${BASE}/restore/${Buffer.concat([body, mac]).toString("base64url")}`;
}

function message(atMs: number, subject: string, links: string[]): PublishedMessage {
  const text = `${subject}\n${links.join("\n")}`;
  return { messageId: `m-${atMs}-${subject.length}`, topicArn: "arn:aws:sns:us-east-1:111122223333:alerts", subject, message: JSON.stringify({ default: text, email: text }), messageStructure: "json", messageAttributes: {}, timestamp: iso(atMs) };
}

function call(atMs: number, operation: string, backupId: string, accessKeyId: string): CallLogEntry {
  return { atMs, time: iso(atMs), region: "us-east-1", operation, backupId, clusterId: "cluster-aaaaaaaaaaa", neverExpires: null, accessKeyId, requestId: `r-${atMs}`, outcome: "ok", errorCode: null, fault: null };
}

function gone(atMs: number, backupId: string): LifecycleEntry {
  return { atMs, time: iso(atMs), region: "us-east-1", clusterId: "cluster-aaaaaaaaaaa", backupId, action: "gone", deleteAtMs: null } as LifecycleEntry;
}

function backup(backupId: string, createdAtMs: number): Backup {
  return { backupId, clusterId: "cluster-aaaaaaaaaaa", region: "us-east-1", state: "READY", createdAtMs, neverExpires: false, tags: {} } as Backup;
}

function record(days: number, over: Partial<SimRecord>): SimRecord {
  return {
    options: { days, seed: 1, faults: true, clusters: 1 },
    startMs: START,
    endMs: START + days * DAY,
    faultsEndMs: START + (days - 3) * DAY,
    episodes: [],
    lambdaKeys: [LAMBDA, "ASIASIMKILLEDRUN"],
    personKey: PERSON,
    remindRuns: [],
    sweeps: [],
    linkRestores: [],
    handRestores: [],
    handDeletes: [],
    watchDropped: [],
    callLog: [],
    lifecycle: [],
    messages: [],
    ledgerActions: [],
    final: { plannedDeletes: [], plannedKeeps: [], readyAfter: [], pendingAfter: [], plannedAgain: [], sweepOutcome: "ok" },
    realMs: 1,
    ...over,
  };
}

const breaches = (r: SimRecord, name: RegExp) => checkInvariants(r).find((x) => name.test(x.name))!.breaches;

describe("review 11: the invariant checker lets breaches of issue 11 slip past", () => {
  it("'no backup gone for good without at least one announcement that carried its restore link': a link that is not genuine (404 on the page) is not its restore link", () => {
    const id = "backup-abcdefghijk";
    const deleteAt = SWEEP + 7 * DAY;
    const base = { callLog: [call(SWEEP, "DeleteBackup", id, LAMBDA)], lifecycle: [gone(deleteAt, id)] };
    // Control: the genuine link counts.
    expect(breaches(record(10, { ...base, messages: [message(SWEEP, "[cloudhsm-retention] us-east-1/cluster-aaaaaaaaaaa: 1 backup deleted", [link(id, deleteAt)])] }), /gone for good/)).toEqual([]);
    // The same announcement whose link has a wrong MAC: the restore page answers 404, nobody could restore it.
    const forged = record(10, { ...base, messages: [message(SWEEP, "[cloudhsm-retention] us-east-1/cluster-aaaaaaaaaaa: 1 backup deleted", [link(id, deleteAt, false)])] });
    expect(breaches(forged, /gone for good/)).toEqual([expect.stringContaining(id)]);
  });

  it("'each reminder stage ... on time whenever the alert path was up': a 2h stage due during a 45-minute SNS outage is never sent, though the path was up again 90 minutes before the DeleteTimestamp", () => {
    const id = "backup-bcdefghijkl";
    const deleteAt = SWEEP + 7 * DAY; // 2026-12-08T06:15Z
    const due2h = deleteAt - 2 * HOUR; // 04:15, a 15-minute tick
    const l = link(id, deleteAt);
    const r = record(10, {
      callLog: [call(SWEEP, "DeleteBackup", id, LAMBDA)],
      lifecycle: [gone(deleteAt, id)],
      // SNS down from 04:00 to 04:45: the runs at 04:45 ... 06:00 had the whole alert path up.
      episodes: [{ service: "sns", kind: "outage", fromMs: due2h - 15 * MIN, toMs: due2h + 30 * MIN }],
      messages: [
        message(SWEEP, "[cloudhsm-retention] us-east-1/cluster-aaaaaaaaaaa: 1 backup deleted", [l]),
        message(deleteAt - 72 * HOUR, "[cloudhsm-retention] us-east-1/cluster-aaaaaaaaaaa: reminder: 1 backup gone for good in 72 h", [l]),
        message(deleteAt - 24 * HOUR, "[cloudhsm-retention] us-east-1/cluster-aaaaaaaaaaa: reminder: 1 backup gone for good in 24 h", [l]),
        // no 2h reminder at all
      ],
    });
    // Control: without the outage the missing 2h stage is reported.
    expect(breaches({ ...r, episodes: [] }, /reminder stage/)).toEqual([expect.stringContaining(`${id}: the 2h reminder`)]);
    // With it, the path was up from 04:45 to the DeleteTimestamp (six runs), and the stage was never sent.
    expect(breaches(r, /reminder stage/)).toEqual([expect.stringContaining(`${id}: the 2h reminder`)]);
  });

  it("'every DeleteBackup the endpoint saw is in the ledger': a person's DeleteBackup with no ledger action is reported", () => {
    const id = "backup-cdefghijklm";
    const r = record(10, { callLog: [call(START + 3 * DAY + 10 * HOUR, "DeleteBackup", id, PERSON)], ledgerActions: [] });
    expect(breaches(r, /ledger/)).toEqual([expect.stringContaining(id)]);
  });

  it("'every action in the ledger matches a call the endpoint saw': a deleted-outside action 40 days after the backup's only DeleteBackup matches no call", () => {
    const id = "backup-defghijklmn";
    const deletedAt = START + 1 * DAY + 10 * HOUR;
    const row = (atMs: number): LedgerRow => ({ pk: `B#us-east-1#${id}`, sk: `A#${atMs}`, kind: "deleted-outside", atMs, region: "us-east-1", backupId: id, actor: `arn:aws:iam::111122223333:user/alice`, runId: "watch-1" });
    const r = record(60, {
      callLog: [call(deletedAt, "DeleteBackup", id, PERSON), call(deletedAt + DAY, "RestoreBackup", id, PERSON)],
      ledgerActions: [row(deletedAt), row(deletedAt + 40 * DAY)],
    });
    expect(breaches(r, /ledger/)).toEqual([expect.stringContaining(`deleted-outside of ${id} at ${iso(deletedAt + 40 * DAY).replace(".000", "")}`)]);
  });

  it("'no READY backup deleted that the policy keeps': bench/sim/policy.yml's guard requireBackupWithin 3d keeps every backup of a cluster whose newest is 5 days old", () => {
    // Daily backups at 03:00 UTC from 40 days to 5 days before the sweep (backups stopped since).
    const before = Array.from({ length: 36 }, (_, i) => backup(`backup-${"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"[i]}aaaaaaaaaa`, SWEEP - (5 + i) * DAY - 3 * HOUR - 15 * MIN));
    const victim = before.at(-3)!; // 38 days old: outside last 3, daily 7 and the 4 newest ISO weeks
    const r = record(10, { callLog: [call(SWEEP, "DeleteBackup", victim.backupId, LAMBDA)], sweeps: [{ atMs: SWEEP, killedAfter: undefined, outcome: "ok", before }] });
    expect(breaches(r, /policy keeps/)).toEqual([expect.stringContaining(victim.backupId)]);
  });

  it("'no READY backup deleted that the policy keeps': a DeleteBackup by the service's role hours away from any sweep is reported, not judged against the last sweep's view", () => {
    const before = Array.from({ length: 40 }, (_, i) => backup(`backup-${"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"[i]}bbbbbbbbbb`, SWEEP + 9 * DAY - i * DAY - 3 * HOUR));
    const victim = before.at(-3)!; // made 2026-11-03: outside last 3, daily 7 and the 4 newest ISO weeks of the final view
    const finalSweep = START + 10 * DAY;
    const r = record(10, {
      // The remind (or watch) function, sharing the role's key, deletes a backup at 15:00 on day 4.
      callLog: [call(START + 4 * DAY + 15 * HOUR, "DeleteBackup", victim.backupId, LAMBDA)],
      sweeps: [{ atMs: finalSweep, killedAfter: undefined, outcome: "ok", before }],
    });
    expect(breaches(r, /policy keeps/)).toEqual([expect.stringContaining("outside any sweep")]);
  });
});
