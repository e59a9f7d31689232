import pLimit from "p-limit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backup, KeepRules } from "../../src/domain/types.js";
import { parsePolicyText } from "../../src/policy/index.js";
import { zonedClock } from "../../src/retention/calendar.js";
import { applyKeepRules } from "../../src/retention/keep.js";
import { backup } from "../support/backup-factory.js";
import { findRestic, type ForgetGroup, type ForgetSnapshot, ResticRepo } from "../support/restic.js";
import { type Fleet, type FleetSnapshot, generateFleet } from "./restic-fleet.js";
import { type KeepBlock, MONTH_END_VECTOR, SAMPLE_VECTORS } from "./restic-vectors.js";

/**
 * Differential test: restic 0.18's own `forget --dry-run --json` decides what the engine
 * must keep. Snapshots are made with `TZ=<zone> restic backup --time`, so restic buckets
 * them by the zone's wall clock, as the engine does with `timezone: <zone>`. Compared is
 * the keep set of applyKeepRules (the rules alone: guards such as keepNewest are ours,
 * not restic's), per group, matched by host and instant. Needs the binary from
 * scripts/fetch-restic.sh; skipped without it unless REQUIRE_RESTIC=1 (CI), then it fails.
 */

const ZONES: [zone: string, slug: string][] = [
  ["UTC", "utc"],
  ["Europe/Berlin", "berlin"],
  ["America/New_York", "new-york"],
  ["Australia/Lord_Howe", "lord-howe"], // DST shifts by 30 minutes, southern summer spans the new year
  ["Asia/Kathmandu", "kathmandu"], // +05:45, no DST
];

/** Change it (RESTIC_ORACLE_SEED=n) to explore other fleets; failures print the seed. */
const SEED = Number(process.env.RESTIC_ORACLE_SEED ?? 20251130);

/** restic backups run in parallel: most of each one is restic waiting on its lock check. */
const BACKUP_CONCURRENCY = 8;

interface OracleCase {
  name: string;
  keep: KeepBlock;
}

const U = "unlimited";
const CASES: OracleCase[] = [
  { name: "last 5", keep: { last: 5 } },
  { name: "last unlimited", keep: { last: U } },
  { name: "hourly 10", keep: { hourly: 10 } },
  { name: "hourly unlimited", keep: { hourly: U } },
  { name: "daily 7", keep: { daily: 7 } },
  { name: "daily unlimited", keep: { daily: U } },
  { name: "weekly 6", keep: { weekly: 6 } },
  { name: "weekly unlimited", keep: { weekly: U } },
  { name: "monthly 12", keep: { monthly: 12 } },
  { name: "monthly unlimited", keep: { monthly: U } },
  { name: "yearly 3", keep: { yearly: 3 } },
  { name: "yearly unlimited", keep: { yearly: U } },
  { name: "last 2 + daily 3 (overlaps count)", keep: { last: 2, daily: 3 } },
  { name: "GFS 7/4/6/unlimited", keep: { daily: 7, weekly: 4, monthly: 6, yearly: U } },
  { name: "everything counted", keep: { last: 3, hourly: 24, daily: 14, weekly: 8, monthly: 24, yearly: 10 } },
  { name: "within 2d", keep: { within: "2d" } },
  { name: "within 36h", keep: { within: "36h" } },
  { name: "within 1m", keep: { within: "1m" } },
  { name: "within 1y", keep: { within: "1y" } },
  { name: "within 1y2m3d4h", keep: { within: "1y2m3d4h" } },
  {
    name: "within-hourly 2d, -daily 10d, -weekly 2m, -monthly 1y, -yearly 10y",
    keep: { withinHourly: "2d", withinDaily: "10d", withinWeekly: "2m", withinMonthly: "1y", withinYearly: "10y" },
  },
  { name: "within-daily 1m, within-weekly 1m15d", keep: { withinDaily: "1m", withinWeekly: "1m15d" } },
  { name: "within-monthly 2y + daily 5", keep: { withinMonthly: "2y", daily: 5 } },
  { name: "tag legal-hold + last 1", keep: { tags: [["legal-hold"]], last: 1 } },
  { name: "tags (legal-hold AND audit) OR env=prod + monthly 2", keep: { tags: [["legal-hold", "audit"], ["env=prod"]], monthly: 2 } },
  { name: "tag env=dev + within 3d + yearly 2", keep: { tags: [["env=dev"]], within: "3d", yearly: 2 } },
  { name: 'untagged ("" entry) + monthly 2', keep: { tags: [[""]], monthly: 2 } },
];

const RESTIC_FLAG: Record<string, string> = {
  last: "--keep-last", hourly: "--keep-hourly", daily: "--keep-daily", weekly: "--keep-weekly",
  monthly: "--keep-monthly", yearly: "--keep-yearly", within: "--keep-within",
  withinHourly: "--keep-within-hourly", withinDaily: "--keep-within-daily", withinWeekly: "--keep-within-weekly",
  withinMonthly: "--keep-within-monthly", withinYearly: "--keep-within-yearly",
};

function resticFlags(keep: KeepBlock): string[] {
  return Object.entries(keep).flatMap(([rule, value]) =>
    rule === "tags" ? (value as string[][]).flatMap((list) => ["--keep-tag", list.join(",")]) : [RESTIC_FLAG[rule]!, String(value)],
  );
}

/**
 * The engine's rules for a case, through the real policy loader (counts, `unlimited`,
 * durations, tags). The policy language rejects a `""` tag entry, which the engine
 * still implements with restic's meaning (matches untagged): such lists are set directly.
 */
function engineRules(keep: KeepBlock, zone: string): KeepRules {
  const tags = (keep.tags ?? []) as string[][];
  const direct = tags.some((list) => list.includes(""));
  const yamlKeep = direct ? { ...keep, tags: undefined } : keep;
  const yaml = `version: 1\npolicies:\n  - name: oracle\n    timezone: ${zone}\n    keep: ${JSON.stringify(yamlKeep)}\n`;
  const [policy] = parsePolicyText(yaml, "oracle.yml");
  return direct ? { ...policy!.keep, tags } : policy!.keep;
}

/** restic tag `legal-hold` is our tag key `legal-hold` (empty value); `env=prod` is key `env`, value `prod`. */
function toBackup(s: FleetSnapshot): Backup {
  const tags: Record<string, string> = {};
  for (const t of s.tags) {
    const eq = t.indexOf("=");
    if (eq < 0) tags[t] = "";
    else tags[t.slice(0, eq)] = t.slice(eq + 1);
  }
  return backup({ id: `${s.host} ${s.wall}`, at: new Date(s.atMs).toISOString(), cluster: s.host, tags });
}

/**
 * Lines such as `berlin-dst 2025-03-30 03:05:00 (2025-03-30T01:05:00.000Z): restic keeps
 * [daily snapshot], engine removes`; empty when both agree on every snapshot.
 */
function differences(zone: string, keep: KeepRules, snapshots: readonly FleetSnapshot[], groups: readonly ForgetGroup[]): string[] {
  const out: string[] = [];
  const hosts = [...new Set(snapshots.map((s) => s.host))];
  const clock = zonedClock(zone);
  for (const host of hosts) {
    const mine = snapshots.filter((s) => s.host === host);
    const group = groups.find((g) => g.host === host);
    if (!group) {
      out.push(`${host}: restic reported no group`);
      continue;
    }
    const instant = (s: ForgetSnapshot) => Date.parse(s.time);
    const resticKeep = new Set((group.keep ?? []).map(instant));
    const resticAll = new Set([...resticKeep, ...(group.remove ?? []).map(instant)]);
    if (resticAll.size !== mine.length || mine.some((s) => !resticAll.has(s.atMs))) {
      out.push(`${host}: restic saw ${resticAll.size} snapshots, the fleet has ${mine.length}`);
      continue;
    }
    const why = new Map((group.reasons ?? []).map((r) => [instant(r.snapshot), r.matches.join(", ")]));
    const outcomes = applyKeepRules(mine.map(toBackup), keep, clock, Date.now());
    for (const o of outcomes) {
      const at = o.backup.createdAtMs;
      const resticKeeps = resticKeep.has(at);
      if (resticKeeps === o.keep) continue;
      const wall = o.backup.backupId.slice(host.length + 1);
      const tags = Object.keys(o.backup.tags).length ? ` tags ${JSON.stringify(o.backup.tags)}` : "";
      out.push(
        `${host} ${wall} (${new Date(at).toISOString()})${tags}: ` +
          (resticKeeps
            ? `restic keeps [${why.get(at)}], engine removes`
            : `restic removes, engine keeps [${o.reasons.join(", ")}]`),
      );
    }
  }
  return out;
}

const found = findRestic();

if (found.bin === undefined) {
  describe("restic oracle", () => {
    // A wrong binary someone pointed us at fails; a missing one only when CI requires it.
    if (found.kind === "unusable" || process.env.REQUIRE_RESTIC === "1") {
      it("finds restic 0.18", () => {
        throw new Error(found.kind === "missing" ? `REQUIRE_RESTIC=1 but ${found.problem}` : found.problem);
      });
    } else {
      console.warn(`restic oracle skipped: ${found.problem}`);
      it.skip(`skipped: ${found.problem}`, () => {});
    }
  });
} else {
  const bin = found.bin;
  const fleets: Fleet[] = ZONES.map(([zone, slug], i) => generateFleet(zone, slug, i, SEED));
  const vectors: Fleet = { zone: "UTC", slug: "vectors", seed: 0, snapshots: [...SAMPLE_VECTORS.snapshots, ...MONTH_END_VECTOR.snapshots] };
  /** One repository per fleet: `forget` reads every snapshot of its repository. */
  const repos = new Map<Fleet, ResticRepo>();
  const repoOf = (f: Fleet) => repos.get(f)!;

  describe(`restic oracle (${found.version}, seed ${SEED})`, () => {
    beforeAll(async () => {
      const template = await ResticRepo.create(bin);
      repos.set(vectors, template);
      for (const f of fleets) repos.set(f, await template.clone());
      const limit = pLimit(BACKUP_CONCURRENCY);
      const jobs = [...repos].flatMap(([f, repo]) => f.snapshots.map((s) => limit(() => repo.backup({ ...s, timezone: f.zone }))));
      await Promise.all(jobs);
    }, 300_000);

    afterAll(async () => {
      await Promise.all([...repos.values()].map((r) => r.dispose()));
    });

    it("restic recorded each generated wall time as the instant the fleet expects", async () => {
      for (const [f, repo] of repos) {
        const recorded = new Set((await repo.snapshots()).map((s) => `${s.hostname}@${Date.parse(s.time)}`));
        const expected = f.snapshots.map((s) => `${s.host}@${s.atMs}`);
        expect(expected.filter((k) => !recorded.has(k)), f.zone).toEqual([]);
        expect(recorded.size, f.zone).toBe(expected.length);
      }
      // All in the past: restic's "latest" ignores snapshots after now, and so does the engine.
      expect(Math.max(...[...repos.keys()].flatMap((f) => f.snapshots.map((s) => s.atMs)))).toBeLessThan(Date.now());
    });

    // Concurrent: each case mostly waits on its own restic process.
    describe.concurrent.each(fleets)("$zone", (fleet) => {
      const hosts = [...new Set(fleet.snapshots.map((s) => s.host))];
      it.each(CASES)("$name", async ({ keep }) => {
        const groups = await repoOf(fleet).forget(fleet.zone, hosts, resticFlags(keep));
        expect(differences(fleet.zone, engineRules(keep, fleet.zone), fleet.snapshots, groups)).toEqual([]);
      });
    });

    describe.concurrent("§B sample vectors: our own UTC list, worked by hand; restic and the engine agree", () => {
      for (const vector of [SAMPLE_VECTORS, MONTH_END_VECTOR]) {
        it.each(vector.cases)("$name", async ({ keep, kept }) => {
          const groups = await repoOf(vectors).forget("UTC", [vector.host], resticFlags(keep));
          const wall = (s: ForgetSnapshot) => new Date(Date.parse(s.time)).toISOString().slice(0, 19).replace("T", " ");
          expect((groups[0]?.keep ?? []).map(wall), "restic").toEqual(kept);
          const outcomes = applyKeepRules(vector.snapshots.map(toBackup), engineRules(keep, "UTC"), zonedClock("UTC"), Date.now());
          expect(outcomes.filter((o) => o.keep).map((o) => o.backup.backupId.slice(vector.host.length + 1)), "engine").toEqual(kept);
        });
      }
    });
  });
}
