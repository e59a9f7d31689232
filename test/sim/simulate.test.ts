import { beforeAll, describe, expect, it } from "vitest";
import { alertPathDown } from "../../bench/sim/faults.js";
import { checkInvariants, type InvariantResult } from "../../bench/sim/invariants.js";
import { linkClaims, readMessage } from "../../bench/sim/messages.js";
import { isoWeek } from "../../bench/sim/oracle.js";
import type { SimRecord } from "../../bench/sim/record.js";
import { simulate } from "../../bench/sim/simulate.js";
import { RESTORE_BASE_URL } from "../../bench/sim/world.js";

/**
 * Two weeks of the service with faults (bench/sim): the real handlers of functions/ against
 * the local endpoint, CloudHSM making and purging backups on its own, a person restoring
 * and deleting, throttling, internal errors, outages, and sweeps killed part-way (seed 8
 * draws kills on two days). Then the checker is shown able to fail: breaches are put into
 * a copy of the run's record, each of a kind worked out by hand, and must be reported.
 */
let record: SimRecord;
let results: InvariantResult[];

beforeAll(async () => {
  record = await simulate({ days: 14, seed: 8, clusters: 3, faults: true });
  results = checkInvariants(record);
}, 240_000);

const breachesOf = (rs: InvariantResult[], name: RegExp) => rs.find((r) => name.test(r.name))!.breaches;

describe("14 simulated days with faults", () => {
  it("keeps every invariant, and actually lived through what they are about", () => {
    expect(results.map((r) => [r.name, r.breaches])).toEqual(results.map((r) => [r.name, []]));
    for (const r of results) expect(r.checked, r.name).toBeGreaterThan(0);
    // The run was not a quiet one: kills, faults, purges, restores and permanent deletions happened.
    expect(record.sweeps.filter((s) => s.outcome.startsWith("killed")).length).toBeGreaterThan(0);
    expect(record.episodes.length).toBeGreaterThan(3);
    expect(record.remindRuns.some((r) => !r.ok)).toBe(true);
    expect(record.lifecycle.filter((e) => e.action === "retention-delete").length).toBeGreaterThan(0);
    expect(record.lifecycle.filter((e) => e.action === "gone").length).toBeGreaterThan(5);
    expect(record.linkRestores.filter((l) => l.status === "restored").length).toBeGreaterThan(0);
    expect(record.handDeletes.length + record.handRestores.length).toBeGreaterThan(0);
  });
});

describe("the invariant checker", () => {
  const copy = (): SimRecord => structuredClone(record);
  const service = () => record.lambdaKeys[0]!;

  it("reports a deletion that bypassed the ledger, of a backup the policy keeps", () => {
    const r = copy();
    // The newest READY backup of a cluster before the last daily sweep: `last 3` keeps it.
    const sweep = r.sweeps.at(-2)!;
    const newest = sweep.before.filter((b) => b.state === "READY").sort((a, b) => b.createdAtMs - a.createdAtMs)[0]!;
    r.callLog.push({ ...r.callLog.find((c) => c.operation === "DeleteBackup")!, atMs: sweep.atMs, backupId: newest.backupId, accessKeyId: service(), outcome: "ok", errorCode: null, fault: null });
    const rs = checkInvariants(r);
    expect(breachesOf(rs, /ledger/)).toEqual([expect.stringContaining(`DeleteBackup of ${newest.backupId}`)]);
    expect(breachesOf(rs, /policy keeps/)).toEqual([expect.stringContaining(`${newest.backupId} deleted at`)]);
  });

  it("reports a backup gone for good whose announcements were lost", () => {
    const r = copy();
    const gone = r.lifecycle.find((e) => e.action === "gone")!;
    r.messages = r.messages.filter((m) => !readMessage(m, RESTORE_BASE_URL).links.some((l) => l.backupId === gone.backupId));
    expect(breachesOf(checkInvariants(r), /gone for good/)).toContainEqual(expect.stringContaining(`${gone.backupId} gone for good`));
  });

  it("reports a reminder sent twice, and one not sent on time", () => {
    const r = copy();
    // One sent while the alert path was up: its stage is held to "on time".
    const reminder = r.messages.find((m) => readMessage(m, RESTORE_BASE_URL).kind === "reminder" && !alertPathDown({ episodes: r.episodes, kills: new Map() }, Date.parse(m.timestamp)))!;
    r.messages.push({ ...reminder, messageId: "again" });
    const rs = checkInvariants(r);
    expect(breachesOf(rs, /reminder stage/).some((b) => / sent 2 times$/.test(b))).toBe(true);
    const late = copy();
    late.messages = late.messages.filter((m) => m.messageId !== reminder.messageId);
    expect(breachesOf(checkInvariants(late), /reminder stage/).some((b) => /was due .* and not sent/.test(b))).toBe(true);
  });

  it("reports a ledger action no call matches, and a final sweep that left a planned deletion undone", () => {
    const r = copy();
    const d = r.ledgerActions.find((a) => a.kind === "delete")!;
    r.ledgerActions.push({ ...d, backupId: "backup-neverdeleted", sk: "A#x" });
    r.final = { ...r.final!, pendingAfter: r.final!.pendingAfter.slice(1), plannedDeletes: [...r.final!.pendingAfter.slice(0, 1)] };
    const rs = checkInvariants(r);
    expect(breachesOf(rs, /ledger/)).toEqual([expect.stringContaining("ledger delete of backup-neverdeleted")]);
    expect(breachesOf(rs, /after the faults/).length).toBe(1);
  });
});

describe("the simulation's own readers", () => {
  it("read a token's claims as src/restore/token.ts documents them", () => {
    // `r|<region>|<backupId>|<expiry in epoch seconds, base 36>` followed by a 16-byte MAC.
    const claims = Buffer.concat([Buffer.from(`r|us-east-1|backup-abcdefghijk|${(1_800_000_000).toString(36)}`), Buffer.alloc(16)]);
    expect(linkClaims(`https://x.example/restore/${claims.toString("base64url")}`)).toMatchObject({ backupId: "backup-abcdefghijk", expiresAtMs: 1_800_000_000_000 });
  });

  it("number ISO weeks as ISO 8601 does (worked by hand from a calendar)", () => {
    expect(isoWeek(Date.parse("2026-12-31T12:00:00Z"))).toBe("2026-W53");
    expect(isoWeek(Date.parse("2027-01-03T23:00:00Z"))).toBe("2026-W53");
    expect(isoWeek(Date.parse("2027-01-04T00:00:00Z"))).toBe("2027-W01");
    expect(isoWeek(Date.parse("2024-12-30T00:00:00Z"))).toBe("2025-W01");
  });
});
