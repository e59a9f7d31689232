import type { FleetSnapshot } from "./restic-fleet.js";

/** A restic-style `keep` block as written in policy YAML (restic's flags are derived from it). */
export type KeepBlock = Record<string, number | string | string[][]>;

export interface Vector {
  host: string;
  snapshots: FleetSnapshot[];
  /** `kept`: UTC wall times, newest first, worked out by hand. */
  cases: { name: string; keep: KeepBlock; kept: string[] }[];
}

function utcSnapshots(host: string, walls: readonly string[]): FleetSnapshot[] {
  return walls.map((wall) => ({ host, wall, atMs: Date.parse(`${wall.replace(" ", "T")}Z`), tags: [] }));
}

const U = "unlimited";

/**
 * Shaped like the vectors of §B (peers-and-pitfalls.md), on a list of our own: newest on
 * Monday 2023-01-16, a Sunday closing ISO week 2, a new year inside 2022-W52, and two
 * 2020 snapshots older than the newest of 2020, for the "oldest" rule.
 */
const V = {
  mon16a: "2023-01-16 12:02:03", mon16b: "2023-01-16 08:00:00",
  sun15a: "2023-01-15 23:59:59", sun15b: "2023-01-15 10:00:00",
  fri13: "2023-01-13 21:08:03", wed11: "2023-01-11 21:02:03", tue10: "2023-01-10 09:00:00",
  mon09: "2023-01-09 00:00:00", sun08: "2023-01-08 23:00:00", tue03: "2023-01-03 11:00:00",
  jan01: "2023-01-01 00:30:00", dec31: "2022-12-31 23:30:00", dec15: "2022-12-15 10:20:30",
  nov22: "2022-11-22 10:20:30", nov01: "2022-11-01 00:00:00", oct31: "2022-10-31 23:59:59",
  oct22: "2022-10-22 10:20:30", y2021nov: "2021-11-22 10:20:30", y2021mar: "2021-03-01 10:20:30",
  sep2020: "2020-09-01 10:20:30", aug20: "2020-08-20 10:20:30", aug08: "2020-08-08 10:20:30",
};

export const SAMPLE_VECTORS: Vector = {
  host: "vectors",
  snapshots: utcSnapshots("vectors", Object.values(V)),
  cases: [
    // One per day that has backups: Mon 16, Sun 15, Fri 13 (the 14th has none).
    { name: "daily 3", keep: { daily: 3 }, kept: [V.mon16a, V.sun15a, V.fri13] },
    // Mon 16 opens 2023-W03; Sun 15 23:59:59 is the newest of W02.
    { name: "weekly 2", keep: { weekly: 2 }, kept: [V.mon16a, V.sun15a] },
    // The newest of 2023, 2022, 2021 and 2020, then 2020-08-08 as "oldest yearly" (6 left).
    { name: "yearly 10 keeps the oldest", keep: { yearly: 10 }, kept: [V.mon16a, V.dec31, V.y2021nov, V.sep2020, V.aug08] },
    { name: "yearly 3 is spent before the oldest", keep: { yearly: 3 }, kept: [V.mon16a, V.dec31, V.y2021nov] },
    {
      name: "daily 7, weekly 2, monthly 3, yearly 10",
      keep: { daily: 7, weekly: 2, monthly: 3, yearly: 10 },
      // dailies 16 15 13 11 10 09 08 (16 and 15 are also the weeklies); monthlies 2023-01,
      // 2022-12, 2022-11; yearlies 2023, 2022, 2021, 2020 and the oldest.
      kept: [V.mon16a, V.sun15a, V.fri13, V.wed11, V.tue10, V.mon09, V.sun08, V.dec31, V.nov22, V.y2021nov, V.sep2020, V.aug08],
    },
    // Overlaps count: both dailies are also among the three "last".
    { name: "last 3 + daily 2", keep: { last: 3, daily: 2 }, kept: [V.mon16a, V.mon16b, V.sun15a] },
    {
      name: "monthly unlimited keeps the oldest monthly",
      keep: { monthly: U },
      kept: [V.mon16a, V.dec31, V.nov22, V.oct31, V.y2021nov, V.y2021mar, V.sep2020, V.aug20, V.aug08],
    },
    // Strictly after 2023-01-14 12:02:03, the newest minus 2 days.
    { name: "within 2d", keep: { within: "2d" }, kept: [V.mon16a, V.mon16b, V.sun15a, V.sun15b] },
    // After 2022-12-16 12:02:03: weeks 2023-W03, W02, W01 and 2022-W52 (Sun Jan 1 00:30).
    { name: "within-weekly 1m", keep: { withinWeekly: "1m" }, kept: [V.mon16a, V.sun15a, V.sun08, V.jan01] },
  ],
};

/**
 * Go's AddDate overflows: 2024-03-31 10:00 minus 1 month is "2024-02-31", i.e. 2024-03-02
 * 10:00 (strictly after it counts). Clamping to Feb 29 would also keep the 03-01 snapshot.
 */
const M = {
  newest: "2024-03-31 10:00:00", justAfter: "2024-03-02 10:00:01", at: "2024-03-02 10:00:00",
  mar01: "2024-03-01 12:00:00", feb29: "2024-02-29 10:30:00",
};

export const MONTH_END_VECTOR: Vector = {
  host: "vectors-month-end",
  snapshots: utcSnapshots("vectors-month-end", Object.values(M)),
  cases: [{ name: "within 1m from March 31", keep: { within: "1m" }, kept: [M.newest, M.justAfter] }],
};
