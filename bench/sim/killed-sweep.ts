// A sweep in a process of its own, so that the simulation can kill it part-way as Lambda
// kills a container at its timeout (SIGKILL: no cleanup, no finally blocks, calls already
// sent may still land). The environment is the functions' own (bench/sim/world.ts).
import { lambdaContext } from "./world.js";

const { handler } = await import("../../functions/sweep.js");
process.stdout.write("ready\n");
try {
  await (handler as unknown as (e: unknown, c: unknown) => Promise<unknown>)({}, lambdaContext("sweep", "killed-run"));
  process.stdout.write("finished\n");
} catch (err) {
  process.stdout.write(`failed ${(err as Error).message}\n`);
}
