/**
 * Generated snapshot fleets for the restic oracle (restic-oracle.test.ts).
 *
 * Times are chosen as wall-clock times in a zone, because that is what
 * `TZ=<zone> restic backup --time "YYYY-MM-DD HH:MM:SS"` takes. Wall times that DST skips
 * or repeats are left out: restic would have to guess which instant they mean.
 * The zone arithmetic here uses Intl directly, not src/retention/calendar.ts, and the
 * oracle test checks every instant against the one restic recorded.
 */
// The seeded PRNG of the example fleets (mulberry32): a fleet is the same on every run and machine.
import { prng } from "../../src/local/fleet.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;


function hashSeed(text: string, seed: number): number {
  let h = seed ^ 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** `YYYY-MM-DD HH:MM:SS` of an instant in `zone`. */
export function wallOf(zone: string, atMs: number): string {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23",
      year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    formats.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(atMs).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** A wall time read as if it were UTC: handy for calendar steps on wall times. */
const wallAsUtc = (wall: string): number => Date.parse(`${wall.replace(" ", "T")}Z`);
const utcWall = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

/** The one instant a wall time denotes in `zone`; undefined when DST skips it or repeats it. */
export function instantOf(zone: string, wall: string): number | undefined {
  const asUtc = wallAsUtc(wall);
  const found = new Set<number>();
  // No zone is more than 14 h off UTC, and transitions are far more than 28 h apart.
  for (const probe of [asUtc - 14 * HOUR, asUtc, asUtc + 14 * HOUR]) {
    const offset = wallAsUtc(wallOf(zone, probe)) - probe;
    const candidate = asUtc - offset;
    if (wallOf(zone, candidate) === wall) found.add(candidate);
  }
  return found.size === 1 ? [...found][0] : undefined;
}

export interface FleetSnapshot {
  /** restic host = our cluster id: the group. */
  host: string;
  wall: string;
  atMs: number;
  /** restic tags: plain `legal-hold` or `env=prod` strings. */
  tags: string[];
}

export interface Fleet {
  zone: string;
  /** Short name used in host names. */
  slug: string;
  seed: number;
  snapshots: FleetSnapshot[];
}

/** Every generated snapshot is at or before this: fixed, so fleets are deterministic, and in the past. */
export const FLEET_END_MS = Date.parse("2025-11-30T12:00:00Z");

/** Calendar boundaries every `history` group gets: year ends, ISO weeks 53, month ends, leap days. */
const BOUNDARY_WALLS = [
  "2015-12-31 23:30:00", "2016-01-01 00:30:00", // new year
  "2016-01-03 22:00:00", "2016-01-04 01:00:00", // Sun in 2015-W53, Mon of 2016-W01
  "2019-06-30 23:59:59", "2019-07-01 00:00:01", // month end to the second
  "2020-12-27 23:59:59", "2020-12-28 00:00:00", // Sun 2020-W52, Mon 2020-W53
  "2021-01-03 23:00:00", "2021-01-04 00:10:00", // Sun 2021-01-03 is still 2020-W53
  "2021-12-31 23:59:00", "2022-01-01 00:00:00",
  "2023-02-28 23:45:00", "2023-03-01 00:15:00",
  "2024-02-29 12:00:00", "2024-03-31 23:00:00", "2024-04-30 22:30:00",
];

/** Newest snapshots of `stopped` groups: month ends and a leap day, where calendar subtraction overflows. */
const STOPPED_NEWEST = ["2025-03-31 09:00:00", "2024-12-31 23:30:00", "2025-05-31 00:30:00", "2024-02-29 12:00:00", "2024-10-31 18:00:00"];

const TAG_CHOICES: { tag: string; p: number }[] = [
  { tag: "legal-hold", p: 0.12 },
  { tag: "audit", p: 0.15 },
  { tag: "env=prod", p: 0.3 },
];

type Style = "dense" | "sparse";

/** Random steps back in time: several a day, days, weeks (and months when sparse). */
function stepMs(rng: () => number, style: Style): number {
  const between = (lo: number, hi: number) => lo + rng() * (hi - lo);
  const u = rng();
  if (style === "dense") {
    if (u < 0.45) return between(20 * MINUTE, 6 * HOUR);
    if (u < 0.75) return between(18 * HOUR, 30 * HOUR);
    if (u < 0.9) return between(2 * DAY, 6 * DAY);
    return between(7 * DAY, 21 * DAY);
  }
  if (u < 0.3) return between(1 * DAY, 6 * DAY);
  if (u < 0.7) return between(7 * DAY, 40 * DAY);
  return between(40 * DAY, 200 * DAY);
}

/** The local spring-forward and fall-back transitions of `zone` in `year` (instants of the new offset). */
function transitions(zone: string, year: number): { atMs: number; shiftMs: number }[] {
  const offsetAt = (ms: number) => wallAsUtc(wallOf(zone, ms)) - ms;
  const found: { atMs: number; shiftMs: number }[] = [];
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += DAY) {
    if (offsetAt(t) === offsetAt(t + DAY)) continue;
    let lo = t, hi = t + DAY; // offset(lo) is old, offset(hi) is new
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
      if (offsetAt(mid) === offsetAt(t)) lo = mid;
      else hi = mid;
    }
    found.push({ atMs: hi, shiftMs: offsetAt(hi) - offsetAt(lo) });
  }
  return found;
}

export function generateFleet(zone: string, slug: string, index: number, baseSeed: number): Fleet {
  const seed = hashSeed(zone, baseSeed);
  const rng = prng(seed);
  const snapshots: FleetSnapshot[] = [];
  const seen = new Set<string>();

  const add = (host: string, wall: string) => {
    const atMs = instantOf(zone, wall);
    if (atMs === undefined || atMs > FLEET_END_MS || seen.has(`${host}@${atMs}`)) return;
    seen.add(`${host}@${atMs}`);
    const tags = TAG_CHOICES.filter((c) => rng() < c.p).map((c) => c.tag);
    if (tags.includes("env=prod") && rng() < 0.2) tags.splice(tags.indexOf("env=prod"), 1, "env=dev");
    snapshots.push({ host, wall, atMs, tags });
  };
  /** Walks back `count` random steps from `fromMs` (whole seconds). */
  const walk = (host: string, fromMs: number, count: number, style: Style) => {
    let t = Math.floor(fromMs / 1000) * 1000;
    for (let i = 0; i < count; i++) {
      add(host, wallOf(zone, t));
      t = Math.floor((t - stepMs(rng, style)) / 1000) * 1000;
    }
  };

  // recent: a busy cluster, newest up to 1.5 days before the end, plus snapshots exactly
  // on the bounds of `within 2d`, `3d` (calendar days) and `36h` (hours), which keep only
  // what is strictly after them.
  const recent = `${slug}-recent`;
  walk(recent, FLEET_END_MS - rng() * 36 * HOUR, 20, "dense");
  const newestRecent = Math.max(...snapshots.filter((s) => s.host === recent).map((s) => s.atMs));
  const newestWall = wallAsUtc(wallOf(zone, newestRecent));
  for (const days of [2, 3]) add(recent, utcWall(newestWall - days * DAY));
  add(recent, wallOf(zone, newestRecent - 36 * HOUR));

  // history: years back, through every boundary in BOUNDARY_WALLS.
  walk(`${slug}-history`, FLEET_END_MS - (2 + rng() * 18) * DAY, 8, "sparse");
  for (const wall of BOUNDARY_WALLS) add(`${slug}-history`, wall);

  // stopped: backups stopped on a month end; snapshots on and near where 1m and 1y back
  // land, both by Go's overflowing AddDate (Feb 31 → Mar 3) and by a clamping one (Feb 28).
  const stopped = `${slug}-stopped`;
  const newest = STOPPED_NEWEST[index % STOPPED_NEWEST.length]!;
  const newestMs = instantOf(zone, newest)!;
  add(stopped, newest);
  walk(stopped, newestMs - (1 + rng() * 5) * HOUR, 8, "dense");
  const w = wallAsUtc(newest);
  const d = new Date(w);
  for (const [years, months] of [[0, 1], [1, 0]] as const) {
    const overflow = Date.UTC(d.getUTCFullYear() - years, d.getUTCMonth() - months, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes());
    const clampDay = Math.min(d.getUTCDate(), new Date(Date.UTC(d.getUTCFullYear() - years, d.getUTCMonth() - months + 1, 0)).getUTCDate());
    const clamped = Date.UTC(d.getUTCFullYear() - years, d.getUTCMonth() - months, clampDay, d.getUTCHours(), d.getUTCMinutes());
    for (const base of [overflow, clamped]) for (const delta of [-20 * MINUTE, 0, 20 * MINUTE]) add(stopped, utcWall(base + delta));
  }

  // dst (zones with DST only): the newest is one month after a wall time that spring-forward
  // skips, so `within 1m` lands in the gap; snapshots sit around the gap and around fall-back.
  const dst = `${slug}-dst`;
  const spring = transitions(zone, 2025).find((t) => t.shiftMs > 0);
  if (spring) {
    const gapStart = wallAsUtc(wallOf(zone, spring.atMs)) - spring.shiftMs; // e.g. 02:00 local
    const inGap = new Date(gapStart + 15 * MINUTE);
    const newestDst = utcWall(Date.UTC(inGap.getUTCFullYear(), inGap.getUTCMonth() + 1, inGap.getUTCDate(), inGap.getUTCHours(), inGap.getUTCMinutes()));
    add(dst, newestDst);
    walk(dst, instantOf(zone, newestDst)! - (2 + rng() * 20) * HOUR, 4, "dense");
    for (const m of [-50, -40, -10, -1]) add(dst, utcWall(gapStart + m * MINUTE));
    for (const m of [0, 5, 20, 40]) add(dst, utcWall(gapStart + spring.shiftMs + m * MINUTE));
    walk(dst, spring.atMs - 3 * HOUR, 4, "dense");
    for (const fall of transitions(zone, 2024).filter((t) => t.shiftMs < 0)) {
      const repeatStart = wallAsUtc(wallOf(zone, fall.atMs)); // first repeated wall time
      for (const m of [-70, -10]) add(dst, utcWall(repeatStart + m * MINUTE));
      for (const m of [0, 10, 70]) add(dst, utcWall(repeatStart - fall.shiftMs + m * MINUTE));
    }
  }

  snapshots.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : b.atMs - a.atMs));
  return { zone, slug, seed, snapshots };
}
