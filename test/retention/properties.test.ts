import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BACKUP_STATES, type Backup, type Duration, type Guards, type KeepRules, type RetentionPolicy } from "../../src/domain/types.js";
import { zonedClock } from "../../src/retention/calendar.js";
import { applyKeepRules } from "../../src/retention/keep.js";
import { groupKeyOf, planRetention } from "../../src/retention/plan.js";
import { backup, ms, policy } from "../support/backup-factory.js";

const NOW = ms("2026-11-28T00:00:00Z");
const SPAN_START = ms("2024-06-01T00:00:00Z");
const ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kathmandu"] as const;

// A few fixed instants make exact duplicates and same-bucket collisions likely.
const instantArb = fc.oneof(
  fc.integer({ min: SPAN_START, max: NOW + 2 * 86_400_000 }),
  fc.constantFrom(ms("2026-11-01T05:30:00Z"), ms("2026-11-01T06:30:00Z"), ms("2026-03-29T01:30:00Z"), ms("2027-01-03T23:30:00Z")),
);

/** true about one time in eight. */
const rarely = fc.oneof({ arbitrary: fc.constant(false), weight: 7 }, { arbitrary: fc.constant(true), weight: 1 });

const backupsArb: fc.Arbitrary<Backup[]> = fc
  .array(
    fc.record({
      at: instantArb,
      region: fc.constantFrom("us-east-1", "eu-west-1"),
      cluster: fc.constantFrom("c1", "c2", "c3"),
      copy: rarely,
      state: fc.oneof({ arbitrary: fc.constant("READY" as const), weight: 6 }, { arbitrary: fc.constantFrom(...BACKUP_STATES), weight: 1 }),
      neverExpires: rarely,
      tags: fc.dictionary(fc.constantFrom("env", "legal-hold", "tier"), fc.constantFrom("prod", "dev", "1")),
    }),
    { maxLength: 80 },
  )
  .map((rows) =>
    rows.map((r, i) =>
      backup({
        id: `b${String(i).padStart(3, "0")}`,
        at: new Date(r.at).toISOString(),
        region: r.region,
        cluster: r.cluster,
        state: r.state,
        tags: r.tags,
        neverExpires: r.neverExpires,
        ...(r.copy ? { sourceRegion: "ap-south-1", sourceCluster: r.cluster } : {}),
      }),
    ),
  );

const countArb = fc.constantFrom(0, 0, 1, 2, 3, 5, 10, Infinity);
const durationArb: fc.Arbitrary<Duration> = fc.oneof(
  { arbitrary: fc.constant({ years: 0, months: 0, days: 0, hours: 0 }), weight: 3 },
  { arbitrary: fc.record({ years: fc.integer({ min: 0, max: 1 }), months: fc.integer({ min: 0, max: 6 }), days: fc.integer({ min: 0, max: 40 }), hours: fc.integer({ min: 0, max: 48 }) }), weight: 1 },
);
const keepArb: fc.Arbitrary<KeepRules> = fc.record({
  last: countArb, hourly: countArb, daily: countArb, weekly: countArb, monthly: countArb, yearly: countArb,
  within: durationArb, withinHourly: durationArb, withinDaily: durationArb, withinWeekly: durationArb, withinMonthly: durationArb, withinYearly: durationArb,
  tags: fc.array(fc.array(fc.constantFrom("env=prod", "legal-hold", "tier", ""), { maxLength: 2 }), { maxLength: 2 }),
});
const guardsArb: fc.Arbitrary<Guards> = fc.record({
  keepNewest: fc.integer({ min: 1, max: 3 }),
  minAge: durationArb,
  maxDeletionsPerRun: fc.constantFrom(Infinity, 0, 1, 5, 20),
  maxDeletePercent: fc.constantFrom(0, 25, 50, 90, 100),
  requireBackupWithin: fc.option(durationArb, { nil: undefined }),
});
/** Two policies that never overlap: one for clusters, one for copies. */
const policiesArb: fc.Arbitrary<RetentionPolicy[]> = fc
  .tuple(keepArb, guardsArb, keepArb, guardsArb, fc.constantFrom(...ZONES), fc.constantFrom(...ZONES))
  .map(([k1, g1, k2, g2, z1, z2]) => [
    { ...policy({ name: "clusters", timezone: z1, select: { clusters: ["*"], copies: "exclude" } }), keep: k1, guards: g1 },
    { ...policy({ name: "copies", timezone: z2, select: { regions: ["us-east-1"], clusters: ["c1", "c2"], copies: "only" } }), keep: k2, guards: g2 },
  ]);

const RUNS = { numRuns: 300 };

describe("planRetention properties", () => {
  it("decides every backup exactly once", () => {
    fc.assert(
      fc.property(backupsArb, policiesArb, (backups, policies) => {
        const plan = planRetention({ backups, policies, nowMs: NOW });
        expect(plan.decisions.map((d) => d.backupId).sort()).toEqual(backups.map((b) => b.backupId).sort());
        expect(plan.decisions.every((d) => d.reasons.length > 0)).toBe(true);
      }),
      RUNS,
    );
  });

  it("keeps the newest READY backup of every selected group", () => {
    fc.assert(
      fc.property(backupsArb, policiesArb, (backups, policies) => {
        const plan = planRetention({ backups, policies, nowMs: NOW });
        const newest = new Map<string, Backup>();
        for (const b of backups) {
          if (b.state !== "READY") continue;
          const cur = newest.get(groupKeyOf(b));
          if (!cur || b.createdAtMs > cur.createdAtMs || (b.createdAtMs === cur.createdAtMs && b.backupId < cur.backupId)) newest.set(groupKeyOf(b), b);
        }
        for (const b of newest.values()) {
          const d = plan.decisions.find((x) => x.backupId === b.backupId)!;
          if (d.policy !== null) expect(d.action).toBe("keep");
        }
      }),
      RUNS,
    );
  });

  it("is deterministic and independent of input order", () => {
    const arb = backupsArb.chain((bs) => fc.tuple(fc.constant(bs), fc.shuffledSubarray(bs, { minLength: bs.length, maxLength: bs.length })));
    fc.assert(
      fc.property(arb, policiesArb, ([backups, shuffled], policies) => {
        const a = planRetention({ backups, policies, nowMs: NOW });
        expect(planRetention({ backups: shuffled, policies, nowMs: NOW })).toEqual(a);
        expect(planRetention({ backups, policies, nowMs: NOW })).toEqual(a);
      }),
      RUNS,
    );
  });

  it("always skips non-READY backups", () => {
    fc.assert(
      fc.property(backupsArb, policiesArb, (backups, policies) => {
        const plan = planRetention({ backups, policies, nowMs: NOW });
        for (const d of plan.decisions) if (d.state !== "READY") expect(d.action).toBe("skip");
      }),
      RUNS,
    );
  });

  it("never deletes more than maxDeletionsPerRun per policy, deferring the excess", () => {
    fc.assert(
      fc.property(backupsArb, policiesArb, (backups, policies) => {
        const plan = planRetention({ backups, policies, nowMs: NOW });
        const unlimited = planRetention({ backups, policies: policies.map((p) => ({ ...p, guards: { ...p.guards, maxDeletionsPerRun: Infinity } })), nowMs: NOW });
        policies.forEach((p, i) => {
          const s = plan.policies[i]!;
          expect(s.delete).toBeLessThanOrEqual(p.guards.maxDeletionsPerRun);
          expect(plan.decisions.filter((d) => d.policy === p.name && d.action === "delete").length).toBe(s.delete);
          expect(s.delete + s.deferred).toBe(unlimited.policies[i]!.delete);
        });
      }),
      RUNS,
    );
  });

  it("does not depend on report vs enforce mode", () => {
    fc.assert(
      fc.property(backupsArb, policiesArb, (backups, policies) => {
        const enforce = planRetention({ backups, policies: policies.map((p) => ({ ...p, mode: "enforce" as const })), nowMs: NOW });
        const report = planRetention({ backups, policies: policies.map((p) => ({ ...p, mode: "report" as const })), nowMs: NOW });
        expect(report.decisions).toEqual(enforce.decisions);
        expect(report.halts).toEqual(enforce.halts);
        expect(report.policies.map((s) => ({ ...s, mode: "enforce" }))).toEqual(enforce.policies);
      }),
      RUNS,
    );
  });
});

describe("adding a rule never deletes more", () => {
  const rules = ["last", "hourly", "daily", "weekly", "monthly", "yearly"] as const;
  const withins = ["within", "withinHourly", "withinDaily", "withinWeekly", "withinMonthly", "withinYearly"] as const;
  const raiseArb = fc.oneof(
    fc.record({ rule: fc.constantFrom(...rules), by: fc.constantFrom(1, 2, 7, Infinity) }),
    fc.record({ within: fc.constantFrom(...withins), d: durationArb }),
  );
  const raise = (k: KeepRules, r: { rule: (typeof rules)[number]; by: number } | { within: (typeof withins)[number]; d: Duration }): KeepRules => {
    if ("rule" in r) return { ...k, [r.rule]: k[r.rule] + r.by };
    // Adding a within rule where there was none (or widening one) can only match more.
    const cur = k[r.within];
    return { ...k, [r.within]: { years: cur.years + r.d.years, months: cur.months + r.d.months, days: cur.days + r.d.days, hours: cur.hours + r.d.hours } };
  };
  const deleted = (bs: Backup[], k: KeepRules, zone: string) =>
    applyKeepRules(bs.filter((b) => b.state === "READY"), k, zonedClock(zone), NOW).filter((o) => !o.keep).map((o) => o.backup.backupId);

  it("for the keep rules of one group: the delete set shrinks or stays", () => {
    fc.assert(
      fc.property(backupsArb, keepArb, raiseArb, fc.constantFrom(...ZONES), (backups, keep, r, zone) => {
        const one = backups.map((b) => ({ ...b, region: "us-east-1", clusterId: "c1", sourceRegion: undefined }));
        const before = new Set(deleted(one, keep, zone));
        for (const id of deleted(one, raise(keep, r), zone)) expect(before.has(id)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("for a whole plan with per-group guards only", () => {
    fc.assert(
      fc.property(backupsArb, keepArb, raiseArb, guardsArb, (backups, keep, r, g) => {
        const guards = { ...g, maxDeletePercent: 100, maxDeletionsPerRun: Infinity };
        const plan = (k: KeepRules) =>
          planRetention({ backups, policies: [{ ...policy({ select: { clusters: ["*"], copies: "include" } }), keep: k, guards }], nowMs: NOW })
            .decisions.filter((d) => d.action === "delete").map((d) => d.backupId);
        const before = new Set(plan(keep));
        for (const id of plan(raise(keep, r))) expect(before.has(id)).toBe(true);
      }),
      RUNS,
    );
  });
});
