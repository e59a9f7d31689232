// The shape every section of `npm run bench` returns: one row per figure, beside its goal.
// A section is a function, so other benchmarks plug in by adding theirs to bench/run.ts.

export interface BenchRow {
  /** What is measured, e.g. "engine: plan time per backup (100,000 backups, 1,000 clusters)". */
  name: string;
  value: number;
  /** "us", "MB", "calls", "x", "days/s", ... */
  unit: string;
  /** The goal in words ("<= 3"), or null for a figure shown for context only. */
  goal: string | null;
  /** Whether the value meets the goal; null when there is none. */
  ok: boolean | null;
}

export type BenchSection = () => Promise<BenchRow[]>;

export function atMost(name: string, value: number, unit: string, limit: number): BenchRow {
  return { name, value, unit, goal: `<= ${limit}`, ok: value <= limit };
}

export function atLeast(name: string, value: number, unit: string, floor: number): BenchRow {
  return { name, value, unit, goal: `>= ${floor}`, ok: value >= floor };
}

export function info(name: string, value: number, unit: string): BenchRow {
  return { name, value, unit, goal: null, ok: null };
}
