import { parseInventory } from "../../inventory/parse.js";
import { loadPolicyFiles } from "../../policy/index.js";
import { planRetention } from "../../retention/plan.js";
import { parseFormat, parseNow, parseRegion } from "../args.js";
import { readUserFile } from "../files.js";
import { type CliIo, useColor } from "../io.js";
import { planToJson } from "../render/json.js";
import { COLOR, PLAIN, renderPlanTable } from "../render/table.js";

export interface PlanOptions {
  policy: string[];
  inventory: string;
  region?: string | undefined;
  now?: string | undefined;
  format: string;
}

/**
 * `plan`: what the policies would do to an inventory, with a reason for every backup.
 * Changes nothing. Exit 0, or 4 when a guard halted an enforce-mode policy (as apply).
 */
export async function planCommand(opts: PlanOptions, io: CliIo): Promise<number> {
  const format = parseFormat(opts.format);
  const nowMs = parseNow(opts.now, io.nowMs);
  const region = opts.region === undefined ? undefined : parseRegion(opts.region);
  const policies = await loadPolicyFiles(opts.policy);
  const backups = parseInventory(await readUserFile(opts.inventory, "inventory"), opts.inventory, region);
  const plan = planRetention({ backups, policies, nowMs });
  io.stdout(format === "json" ? `${JSON.stringify(planToJson(plan), null, 2)}\n` : renderPlanTable(plan, useColor(io) ? COLOR : PLAIN));
  // As `apply --dry-run`: 4 when a guard halted an enforce-mode policy, so CI can tell.
  const enforced = new Set(policies.filter((p) => p.mode === "enforce").map((p) => p.name));
  return plan.halts.some((h) => enforced.has(h.policy)) ? 4 : 0;
}
