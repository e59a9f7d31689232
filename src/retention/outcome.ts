import type { Decision } from "../domain/types.js";

/** A keep reason that starts with this is a guard halt sparing the backup (see guards.ts). */
export const HALTED = "halted: ";

/**
 * How a decision turns out, in the words the outputs use: `delete`; `defer` (the rules
 * delete it, maxDeletionsPerRun puts it off); `held` (kept only because a guard halted
 * its group or policy); `keep`; `skip` (not READY, or no policy selects it).
 */
export type Outcome = "delete" | "defer" | "held" | "keep" | "skip";

export function outcomeOf(d: Decision): Outcome {
  if (d.action === "delete") return "delete";
  if (d.action === "skip") return "skip";
  if (d.deferred) return "defer";
  return d.reasons.some((r) => r.startsWith(HALTED)) ? "held" : "keep";
}
