// "After the faults stop, one more sweep leaves exactly the state the plan describes": the
// plan is taken first (a dry run through the same runApply the sweep and `plan` use, with
// the deployment's store and ledger, so holds count), then the sweep function runs, then
// the endpoint's state is compared with that plan, and a second dry run must plan nothing.
import type { Backup } from "../../src/domain/types.js";
import { runApply } from "../../src/jobs/apply.js";
import { lambdaRuntime } from "../../src/lambda/runtime.js";
import { loadPolicyFiles } from "../../src/policy/index.js";
import type { FinalCheck } from "./record.js";
import { lambdaContext, POLICY_PATH, REGION, type World } from "./world.js";

export async function finalSweepCheck(world: World): Promise<FinalCheck & { before: Backup[] }> {
  const rt = lambdaRuntime(world.env);
  const policies = await loadPolicyFiles([POLICY_PATH]);
  const ledger = rt.alerts({ current: Buffer.from(world.env.RESTORE_LINK_SECRET!), previous: undefined }).path.ledger;
  const dry = () => runApply({ policies, regions: [REGION], store: rt.store, clock: rt.clock, ledger, dryRun: true });
  const plan = (await dry()).plan;
  const enforced = plan.decisions.filter((d) => d.policy === "sim");
  const before = world.endpoint.cloudhsm.sorted(REGION, world.clock.nowMs()).map((b) => ({ ...b }));
  let sweepOutcome = "ok";
  try {
    await world.handlers.sweep({}, lambdaContext("sweep", "final-sweep"));
  } catch (err) {
    sweepOutcome = `failed: ${(err as Error).message}`;
  }
  const after = world.endpoint.cloudhsm.sorted(REGION, world.clock.nowMs());
  const again = (await dry()).plan;
  return {
    plannedDeletes: enforced.filter((d) => d.action === "delete").map((d) => d.backupId),
    plannedKeeps: enforced.filter((d) => d.action !== "delete" && d.state === "READY").map((d) => d.backupId),
    readyAfter: after.filter((b) => b.state === "READY").map((b) => b.backupId),
    pendingAfter: after.filter((b) => b.state === "PENDING_DELETION").map((b) => b.backupId),
    plannedAgain: again.decisions.filter((d) => d.policy === "sim" && d.action === "delete").map((d) => d.backupId),
    sweepOutcome,
    before,
  };
}
