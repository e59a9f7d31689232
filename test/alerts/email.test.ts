import { describe, expect, it } from "vitest";
import type { Alert, RenderedMessage } from "../../src/alerts/model.js";
import { renderAlert } from "../../src/alerts/render.js";
import { at, deletion, HOUR, halt, link, notice, reminder, restored, resumed, stopped } from "./fixtures.js";

function only(alert: Alert): RenderedMessage {
  const all = renderAlert(alert);
  expect(all).toHaveLength(1);
  return all[0]!;
}

const lines = (text: string) => text.split("\n");

describe("the email of a deletion digest", () => {
  const ids = ["backup-abcdefghijk", "backup-bcdefghijkl", "backup-cdefghijklm"];
  const m = only(deletion(ids.map((id) => notice(id))));

  it("starts by saying what happened and what the reader can do", () => {
    const [first, second, third] = lines(m.email);
    expect(first).toBe("3 backups of us-east-1/cluster-abc were deleted by policy production.");
    expect(second).toContain("can still be restored until the time shown below");
    expect(third).toContain("open its restore link");
  });

  it("names every backup and gives each its restore link on a line of its own", () => {
    for (const id of ids) {
      expect(m.email).toContain(id);
      const at = lines(m.email).filter((l) => l.includes(link(id)));
      expect(at).toEqual([link(id)]);
    }
    // No other line holds a link: nothing a mail client could run together.
    expect(lines(m.email).filter((l) => l.includes("https://"))).toHaveLength(3);
    expect(m.backupIds).toEqual(ids);
  });

  it("is plain text, not HTML", () => {
    expect(m.email).not.toMatch(/<\/?[a-z][^>]*>/i);
  });

  it("ends with a short footer", () => {
    const footer = m.email.slice(m.email.lastIndexOf("\n-- \n") + 5);
    expect(footer).toContain("cloudhsm-retention");
    expect(footer).toContain("SNS topic");
    expect(lines(footer).length).toBeLessThanOrEqual(3);
  });

  it("writes one backup in the singular", () => {
    expect(lines(only(deletion([notice(ids[0]!)])).email)[0]).toBe("1 backup of us-east-1/cluster-abc was deleted by policy production.");
    expect(only(deletion([notice(ids[0]!)])).subject).toBe("[cloudhsm-retention] us-east-1/cluster-abc: 1 backup deleted");
  });

  it("says plainly when a backup was deleted outside policy", () => {
    const outside = notice("backup-bcdefghijkl", { policy: null, outsidePolicy: true, reason: "DeleteBackup by arn:aws:iam::111122223333:user/alice", timezone: "UTC" });
    const mixed = only(deletion([notice("backup-abcdefghijk"), outside]));
    expect(lines(mixed.email)[0]).toBe(
      "2 backups of us-east-1/cluster-abc were deleted: 1 by policy production, 1 outside policy (not by cloudhsm-retention).",
    );
    expect(mixed.email).toContain("Deleted:       outside policy (not by cloudhsm-retention)\nWhy:           DeleteBackup by arn:aws:iam::111122223333:user/alice");
    expect(only(deletion([outside])).subject).toBe("[cloudhsm-retention] us-east-1/cluster-abc: 1 backup deleted outside policy");
  });
});

describe("times in the email, worked by hand across Berlin's DST change on 2026-10-25", () => {
  // Deleted 2026-10-24T06:15Z, gone for good 7 days later at 2026-10-31T06:15Z, which is
  // 07:15 CET (summer time ended on the 25th). Announced one minute after the deletion:
  // 6 days 23 h 59 min left, read "in 6 days 23 h".
  const now = at("2026-10-24T06:16:00Z");
  const before = notice("backup-abcdefghijk", { createdAtMs: at("2026-10-25T00:30:00Z"), deleteAtMs: at("2026-10-31T06:15:00Z") });
  const after = notice("backup-bcdefghijkl", { createdAtMs: at("2026-10-25T01:30:00Z"), deleteAtMs: at("2026-10-31T06:15:00Z") });
  const m = only(deletion([after, before], now));

  it("shows creation in the policy's zone and in UTC", () => {
    expect(m.email).toContain("Created:       2026-10-25 02:30 CEST (2026-10-25T00:30:00Z)");
    expect(m.email).toContain("Created:       2026-10-25 02:30 CET (2026-10-25T01:30:00Z)");
  });

  it("shows when each is gone for good, absolute and relative", () => {
    expect(m.email).toContain("Gone for good: 2026-10-31 07:15 CET (2026-10-31T06:15:00Z), in 6 days 23 h");
  });

  it("lists the oldest first", () => {
    expect(m.email.indexOf("1. backup-abcdefghijk")).toBeGreaterThan(0);
    expect(m.email.indexOf("2. backup-bcdefghijkl")).toBeGreaterThan(m.email.indexOf("1. backup-abcdefghijk"));
  });
});

describe("late and odd cases", () => {
  it("says so when a backup is already past its DeleteTimestamp (a late announcement)", () => {
    const m = only(deletion([notice("backup-abcdefghijk")], at("2026-12-04T08:15:00Z")));
    expect(m.email).toContain("Gone for good: 2026-12-04 07:15 CET (2026-12-04T06:15:00Z), 2 h ago: too late to restore");
  });

  it("says an unknown time is unknown, rather than inventing one", () => {
    const m = only(deletion([notice("backup-abcdefghijk", { deleteAtMs: Number.NaN })]));
    expect(lines(m.email).filter((l) => l.startsWith("Gone for good:"))).toEqual(["Gone for good: (unknown time), (unknown)"]);
  });

  it("without a restore link, says how to restore by hand instead of leaving a blank line", () => {
    const m = only(deletion([notice("backup-abcdefghijk", { restoreUrl: "" }), notice("backup-bcdefghijkl", { restoreUrl: " ", backupId: "backup-x; rm -rf /" })]));
    const cmd = "aws cloudhsmv2 restore-backup --region us-east-1 --backup-id backup-abcdefghijk";
    expect(m.email).toContain(`Restore:       no restore link; restore it with: ${cmd} (then pin it`);
    expect(m.email).not.toContain("Restore link (opens");
    // Never a shell command built from an ID that is not plain.
    expect(m.email).not.toContain("--backup-id backup-x;");
    expect(m.email).toContain("restore it with CloudHSM's RestoreBackup");
    const chat = JSON.parse(m.https).content.description as string;
    expect(chat).toContain(`backup-abcdefghijk (no restore link; restore it with: ${cmd}`);
    expect(m.default).toContain(cmd);
  });

  it("does not print half an unknown date in a subject", () => {
    expect(only(restored(Number.NaN)).subject).toBe("[cloudhsm-retention] us-east-1/cluster-abc: restored backup-abcdefghijk, held");
  });

  it("adds the operator's footer line, on one line", () => {
    const [m] = renderAlert(halt, { footer: "Owned by the platform team:\n#platform-oncall" });
    expect(m!.email.endsWith("\nOwned by the platform team: #platform-oncall")).toBe(true);
  });
});

describe("the email of a reminder", () => {
  it("says which stage, and the time left", () => {
    // 2 h stage: sent at 04:16 for a backup gone at 06:15: 1 h 59 min left.
    const m = only(reminder([{ ...notice("backup-abcdefghijk"), stageMs: 2 * HOUR }], at("2026-12-04T04:16:00Z")));
    // The time left, worked out by hand: 06:15 - 04:16.
    expect(lines(m.email)[0]).toBe("Reminder: 1 deleted backup of us-east-1/cluster-abc will be gone for good in 1 h 59 min.");
    expect(m.email).toContain("This is the 2 h reminder");
    expect(m.email).toContain("Gone for good: 2026-12-04 07:15 CET (2026-12-04T06:15:00Z), in 1 h 59 min");
    expect(lines(m.email)).toContain(link("backup-abcdefghijk"));
    expect(m.subject).toBe("[cloudhsm-retention] us-east-1/cluster-abc: reminder: 1 backup gone for good in 1 h 59 min");
  });

  it("names mixed stages (after a gap, each backup gets its most urgent due stage)", () => {
    const m = only(
      reminder(
        [
          { ...notice("backup-abcdefghijk"), stageMs: 24 * HOUR },
          { ...notice("backup-bcdefghijkl", { deleteAtMs: at("2026-12-06T06:15:00Z") }), stageMs: 72 * HOUR },
        ],
        at("2026-12-03T06:16:00Z"),
      ),
    );
    // The first goes at 2026-12-04T06:15, 23 h 59 min after 12-03T06:16; the other two days later.
    expect(m.subject).toBe("[cloudhsm-retention] us-east-1/cluster-abc: reminder: 2 backups gone for good from 23 h 59 min on");
    expect(m.email).toContain("This is the 24 h and 72 h reminder");
  });
});

describe("the email of other alerts", () => {
  it("a halt says which policy, which group, why, and what to do", () => {
    const m = only(halt);
    expect(m.subject).toBe("[cloudhsm-retention] us-east-1/cluster-abc: policy production halted by maxDeletePercent");
    expect(lines(m.email)[0]).toBe(
      "Policy production was halted for group us-east-1/cluster-abc by its maxDeletePercent guard: nothing in that group was deleted by this run.",
    );
    expect(m.email).toContain(`Why:           ${halt.message}`);
    expect(m.email).toContain(`What to do:    ${halt.advice}`);
  });

  it("backups stopped says since when, and once per episode", () => {
    // Newest READY backup 2026-11-24T03:13Z, now 2026-11-27T06:16Z: 3 days 3 h 3 min.
    const m = only({ ...stopped, timezone: "Europe/Berlin" });
    expect(m.subject).toBe("[cloudhsm-retention] us-east-1/cluster-abc: backups stopped, none for 3 days 3 h");
    expect(m.email).toContain("has made no READY backup for 3 days 3 h; policy production alerts after 48 h without one");
    expect(m.email).toContain("The newest is from 2026-11-24 04:13 CET (2026-11-24T03:13:00Z).");
    expect(m.email).toContain("once per episode");
  });

  it("backups resumed says since when they had stopped", () => {
    const m = only(resumed);
    expect(m.subject).toBe("[cloudhsm-retention] us-east-1/cluster-abc: backups resumed");
    expect(m.email).toContain("Stopped since: 2026-11-24T03:13:00Z, 4 days 3 h ago");
  });

  it("a restore says held until when, or pinned", () => {
    const held = only(restored(at("2026-12-28T00:00:00Z")));
    expect(held.subject).toBe("[cloudhsm-retention] us-east-1/cluster-abc: restored backup-abcdefghijk, held until 2026-12-28");
    expect(held.email).toContain("It is held until 2026-12-28 01:00 CET (2026-12-28T00:00:00Z), in 29 days 15 h;");
    expect(held.backupIds).toEqual(["backup-abcdefghijk"]);
    const pinned = only(restored(undefined));
    expect(pinned.subject).toBe("[cloudhsm-retention] us-east-1/cluster-abc: restored backup-abcdefghijk, pinned");
    expect(pinned.email).toContain("It is pinned (NeverExpires)");
  });
});

describe("hostile values", () => {
  it("a reason cannot add a line, let alone a fake restore link", () => {
    const b = notice("backup-abcdefghijk", { reason: "ok\n\nhttps://evil.example/restore/steal\r\nBcc: x" });
    const m = only(deletion([b]));
    expect(lines(m.email).filter((l) => l.startsWith("https://"))).toEqual([link("backup-abcdefghijk")]);
    expect(m.email).toContain("Why:           ok https://evil.example/restore/steal Bcc: x");
    expect(m.default).not.toMatch(/\nhttps:\/\/evil/);
  });

  it("a subject cut to fit keeps which cluster and region it is about (trial78: the location was cut away)", () => {
    // A copy's group in a long region, under an account tag: 32 + 1 + 52 + 2 = 87 characters
    // before the "what", so it is the "what" that is cut, never the location.
    const group = "ap-southeast-2/copy:eu-central-1/cluster-abcdefghijk";
    const [m] = renderAlert(
      { ...reminder([{ ...notice("backup-abcdefghijk", { group }), stageMs: 24 * HOUR }, { ...notice("backup-bcdefghijkl", { group, deleteAtMs: at("2026-12-06T06:15:00Z") }), stageMs: 72 * HOUR }], at("2026-12-03T06:16:00Z")), group },
      { subjectPrefix: "[cloudhsm-retention prod-account]" },
    );
    expect(m!.subject.length).toBeLessThan(100);
    expect(m!.subject.startsWith(`[cloudhsm-retention prod-account] ${group}: rem`)).toBe(true);
    expect(m!.subject.endsWith("…")).toBe(true);
  });

  it("subjects stay one line under 100 characters", () => {
    const longTag = "t".repeat(500);
    const alerts: Alert[] = [
      { ...deletion([notice("backup-abcdefghijk")]), group: `us-east-1/\n${longTag}` },
      { ...halt, policy: `prod\r\nuction${longTag}`, group: longTag, guard: longTag },
      { ...stopped, group: `a\u0000b${longTag}` },
      { ...restored(undefined), backup: notice(`backup-${longTag}`, { group: longTag }) },
    ];
    for (const a of alerts) {
      for (const m of renderAlert(a, { subjectPrefix: `[cloudhsm-retention\n${longTag}]` })) {
        expect(m.subject.length).toBeLessThan(100);
        expect(m.subject).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        expect(m.subject).toContain("…");
      }
    }
  });
});
