import type { Outcome } from "../../../retention/outcome.js";

/**
 * One mark per outcome, told apart by shape as well as colour, so the timeline reads in
 * greyscale, printed, and by people who do not see the colours: a filled circle (kept),
 * a cross (deleted), a triangle (deferred), a diamond (held by a guard halt), a hollow
 * square (skipped). Colours are the page's CSS classes; these are the shapes, centred on
 * (x, y), in SVG presentation attributes (no inline style, which the page's CSP forbids).
 */
export function markShape(outcome: Outcome, x: number, y: number): string {
  const r = 4.5;
  const n = (v: number) => Math.round(v * 10) / 10;
  switch (outcome) {
    case "keep":
      return `<circle cx="${n(x)}" cy="${n(y)}" r="${r}"/>`;
    case "delete":
      return `<path d="M${n(x - r)} ${n(y - r)}L${n(x + r)} ${n(y + r)}M${n(x - r)} ${n(y + r)}L${n(x + r)} ${n(y - r)}"/>`;
    case "defer":
      return `<path d="M${n(x)} ${n(y - r - 0.5)}L${n(x + r + 0.5)} ${n(y + r)}L${n(x - r - 0.5)} ${n(y + r)}Z"/>`;
    case "held":
      return `<path d="M${n(x)} ${n(y - r - 1)}L${n(x + r + 1)} ${n(y)}L${n(x)} ${n(y + r + 1)}L${n(x - r - 1)} ${n(y)}Z"/>`;
    case "skip":
      return `<rect x="${n(x - r + 0.5)}" y="${n(y - r + 0.5)}" width="${2 * r - 1}" height="${2 * r - 1}"/>`;
  }
}

/** Lanes top to bottom: what changes first. */
export const LANES: ReadonlyArray<{ outcome: Outcome; label: string }> = [
  { outcome: "delete", label: "deleted" },
  { outcome: "defer", label: "deferred" },
  { outcome: "held", label: "held (halt)" },
  { outcome: "keep", label: "kept" },
  { outcome: "skip", label: "skipped" },
];

/** The legend: each mark with its word, as a small inline SVG per entry. */
export function legend(): string {
  const items = LANES.map(
    ({ outcome, label }) =>
      `<li><svg class="key" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><g class="mark ${outcome}">${markShape(outcome, 8, 8)}</g></svg>${label}</li>`,
  );
  return `<ul class="legend" aria-label="Legend">${items.join("")}<li><svg class="key" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><rect class="bucket kept-bucket" x="1" y="3" width="14" height="10"/></svg>a rule's bucket with a backup it keeps</li></ul>`;
}
