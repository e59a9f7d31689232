import { describe, expect, it } from "vitest";
import { PolicyConflictError } from "../../src/errors.js";
import { describeKeep, formatAge } from "../../src/retention/describe.js";
import { planRetention } from "../../src/retention/plan.js";
import { backup, dur, keepRules, ms, policy } from "../support/backup-factory.js";

const NOW = ms("2026-11-28T00:00:00Z");

const source = [
  backup({ id: "e1", cluster: "cluster-e", region: "us-east-1", at: "2026-11-27T03:00:00Z" }),
  backup({ id: "e2", cluster: "cluster-e", region: "us-east-1", at: "2026-11-26T03:00:00Z" }),
  backup({ id: "w1", cluster: "cluster-w", region: "us-west-2", at: "2026-11-27T03:00:00Z" }),
  backup({ id: "c1", region: "us-west-2", sourceRegion: "us-east-1", sourceCluster: "cluster-e", at: "2026-11-27T04:00:00Z" }),
  backup({ id: "c2", region: "us-west-2", sourceRegion: "us-east-1", sourceCluster: "cluster-e", at: "2026-11-26T04:00:00Z" }),
];
const groupOf = (plan: ReturnType<typeof planRetention>) => Object.fromEntries(plan.decisions.map((d) => [d.backupId, d.group]));

describe("planRetention: groups and selection", () => {
  it("groups by region and cluster, and copies by region and source", () => {
    const plan = planRetention({ backups: source, policies: [policy({ select: { clusters: ["*"], copies: "include" } })], nowMs: NOW });
    expect(groupOf(plan)).toEqual({
      e1: "us-east-1/cluster-e",
      e2: "us-east-1/cluster-e",
      w1: "us-west-2/cluster-w",
      c1: "us-west-2/copy:us-east-1/cluster-e",
      c2: "us-west-2/copy:us-east-1/cluster-e",
    });
    expect(plan.policies[0]!.groups).toEqual(["us-east-1/cluster-e", "us-west-2/cluster-w", "us-west-2/copy:us-east-1/cluster-e"]);
  });

  it.each([
    ["exclude", ["e1", "e2", "w1"]],
    ["include", ["e1", "e2", "w1", "c1", "c2"]],
    ["only", ["c1", "c2"]],
  ] as const)("copies: %s", (copies, selected) => {
    const plan = planRetention({ backups: source, policies: [policy({ select: { clusters: ["*"], copies } })], nowMs: NOW });
    expect(plan.decisions.filter((d) => d.policy !== null).map((d) => d.backupId).sort()).toEqual([...selected].sort());
  });

  it("matches a copy group by its source cluster, and regions by the copy's own region", () => {
    const p = policy({ select: { regions: ["us-west-2"], clusters: ["cluster-e"], copies: "include" } });
    const plan = planRetention({ backups: source, policies: [p], nowMs: NOW });
    expect(plan.decisions.filter((d) => d.policy === "default").map((d) => d.backupId)).toEqual(["c1", "c2"]);
  });

  it("skips backups no policy selects, and honours the run's regions", () => {
    const p = policy({ select: { clusters: ["cluster-e", "cluster-w"], copies: "exclude" } });
    const plan = planRetention({ backups: source, policies: [p], nowMs: NOW, regions: ["us-east-1"] });
    for (const id of ["w1", "c1", "c2"]) {
      expect(plan.decisions.find((d) => d.backupId === id)).toMatchObject({ action: "skip", policy: null, reasons: ["not selected by any policy"] });
    }
  });

  it("groups backups whose cluster AWS did not report under unknown-cluster", () => {
    const orphan = { ...backup({ id: "o1", at: "2026-11-27T03:00:00Z" }), clusterId: undefined };
    const copy = { ...backup({ id: "o2", at: "2026-11-27T03:00:00Z", sourceRegion: "eu-west-1" }), sourceClusterId: undefined };
    const plan = planRetention({ backups: [orphan, copy], policies: [], nowMs: NOW });
    expect(groupOf(plan)).toEqual({ o1: "us-east-1/unknown-cluster", o2: "us-east-1/copy:eu-west-1/unknown-cluster" });
  });

  it("refuses a group selected by two policies, naming them in a stable order", () => {
    const a = policy({ name: "zeta", select: { clusters: ["*"], copies: "exclude" } });
    const b = policy({ name: "alpha", select: { regions: ["us-west-2"], clusters: ["cluster-w"], copies: "exclude" } });
    const attempt = () => planRetention({ backups: source, policies: [a, b], nowMs: NOW });
    expect(attempt).toThrow(PolicyConflictError);
    expect(attempt).toThrow('group us-west-2/cluster-w is selected by two policies: "alpha" and "zeta"');
  });
});

describe("planRetention: decisions", () => {
  it("skips non-READY backups with their state, and they do not count", () => {
    const backups = [
      backup({ id: "pending", at: "2026-11-27T05:00:00Z", state: "PENDING_DELETION", deleteAt: "2026-12-04T05:00:00Z" }),
      backup({ id: "creating", at: "2026-11-27T06:00:00Z", state: "CREATE_IN_PROGRESS" }),
      backup({ id: "deleted", at: "2026-11-25T06:00:00Z", state: "DELETED" }),
      backup({ id: "ready1", at: "2026-11-27T03:00:00Z" }),
      backup({ id: "ready2", at: "2026-11-26T03:00:00Z" }),
    ];
    const plan = planRetention({ backups, policies: [policy({ keep: { last: 1 } })], nowMs: NOW });
    expect(plan.decisions.map((d) => [d.backupId, d.action, d.reasons])).toEqual([
      ["creating", "skip", ["state CREATE_IN_PROGRESS"]],
      ["pending", "skip", ["state PENDING_DELETION (permanently deleted at 2026-12-04T05:00:00Z)"]],
      ["ready1", "keep", ["last #1"]],
      ["ready2", "delete", ["no keep rule matched"]],
      ["deleted", "skip", ["state DELETED"]],
    ]);
    expect(plan.decisions[2]!.counters).toEqual({ last: 0 });
    expect(plan.policies[0]).toMatchObject({ keep: 1, delete: 1, skip: 3, deferred: 0, halted: false });
  });

  it("orders decisions by group, newest first, then backupId, whatever the input order", () => {
    const a = planRetention({ backups: source, policies: [policy({ select: { clusters: ["*"], copies: "include" } })], nowMs: NOW });
    const b = planRetention({ backups: [...source].reverse(), policies: [policy({ select: { clusters: ["*"], copies: "include" } })], nowMs: NOW });
    expect(a.decisions.map((d) => d.backupId)).toEqual(["e1", "e2", "w1", "c1", "c2"]);
    expect(b).toEqual(a);
  });

  it("summarises each policy in input order with its sentence, zone and mode", () => {
    const p1 = policy({ name: "east", mode: "report", timezone: "Europe/Berlin", select: { regions: ["us-east-1"], clusters: ["*"], copies: "exclude" }, keep: { daily: 7 } });
    const p2 = policy({ name: "none", select: { clusters: ["nope"], copies: "exclude" } });
    const plan = planRetention({ backups: source, policies: [p1, p2], nowMs: NOW });
    expect(plan.policies.map((s) => [s.name, s.mode, s.timezone, s.description, s.groups])).toEqual([
      ["east", "report", "Europe/Berlin", "keep 7 daily backups", ["us-east-1/cluster-e"]],
      ["none", "enforce", "UTC", "keep nothing by rule", []],
    ]);
    expect(plan.nowMs).toBe(NOW);
  });
});

describe("describeKeep", () => {
  it.each([
    [
      keepRules({ last: 3, daily: 7, weekly: 4, monthly: 12, yearly: Infinity, within: dur({ days: 2 }), withinDaily: dur({ days: 30 }), tags: [["legal-hold"]] }),
      "keep the last 3, 7 daily, 4 weekly, 12 monthly, unlimited yearly backups, all within 2d, daily within 30d, and those tagged legal-hold",
    ],
    [keepRules({ daily: 7, within: dur({ hours: 36 }) }), "keep 7 daily backups and all within 36h"],
    [keepRules({ last: Infinity }), "keep unlimited last backups"],
    [keepRules({ tags: [["legal-hold"], ["env=prod", "tier=1"]] }), "keep those tagged legal-hold or (env=prod and tier=1)"],
    [keepRules({ withinYearly: dur({ years: 10 }), withinHourly: dur({ days: 1 }) }), "keep hourly within 1d and yearly within 10y"],
    [keepRules(), "keep nothing by rule"],
  ])("describes %j", (keep, text) => {
    expect(describeKeep(keep)).toBe(text);
  });
});

describe("formatAge", () => {
  it.each([
    [(3 * 24 + 4) * 3_600_000 + 59 * 60_000, "3d 4h"],
    [2 * 86_400_000, "2d"],
    [5 * 3_600_000 + 1, "5h"],
    [42 * 60_000 + 30_000, "42min"],
    [0, "0min"],
    [-1, "in the future"],
  ])("formats %i ms as %s", (age, text) => {
    expect(formatAge(age)).toBe(text);
  });
});
