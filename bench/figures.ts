// One measured figure of a bench section, in the shape the unified bench table will read:
// what was measured, its value, its unit, and the goal it is held to (if any) with whether
// it was met. Each section is a function that returns its figures and prints them as one
// JSON line ({"bench": section, "figures": [...]}), which bench/run.ts lays out.

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The goal, in words (e.g. "<= 2x node -e 0"); absent for a figure held to none. */
  goal?: string | undefined;
  /** Whether the goal was met; absent without a goal. */
  met?: boolean | undefined;
}

export interface Section {
  bench: string;
  figures: Figure[];
}

export function printSection(section: Section): void {
  console.log(JSON.stringify(section));
}

/** The lines bench/run.ts prints for a section: one per figure, value and unit aligned. */
export function formatSection(section: Section): string[] {
  const width = Math.max(26, ...section.figures.map((f) => f.name.length + 1));
  return [
    section.bench,
    ...section.figures.map((f) => {
      const goal = f.goal === undefined ? "" : `  (goal ${f.goal}: ${f.met ? "met" : "NOT met"})`;
      return `  ${f.name.padEnd(width)} ${f.value} ${f.unit}${goal}`;
    }),
  ];
}
