/** The pure retention engine: restic `forget` semantics plus guards. No AWS, no I/O, no clock. */
export { subtractCalendar, zonedClock, type WallClock, type ZonedClock } from "./calendar.js";
export { describeKeep, formatAge } from "./describe.js";
export { applyGroupGuards, applyPolicyGuards, type GroupOutcomes } from "./guards.js";
export { applyKeepRules, newestFirst, type KeepOutcome } from "./keep.js";
export { groupKeyOf, planRetention, UNKNOWN_CLUSTER, type PlanInput } from "./plan.js";
export { policyOf } from "./grouping.js";
