// Scheduled sweep: list, plan, delete, tell, report. Wiring only; the logic is src/lambda/sweep.ts.
import { jobLoggerFrom } from "../src/lambda/logger.js";
import { lambdaRuntime } from "../src/lambda/runtime.js";
import { createSweep } from "../src/lambda/sweep.js";

const rt = lambdaRuntime();
export const handler = rt.wrap(createSweep({ config: rt.config, store: rt.store, clock: rt.clock, log: jobLoggerFrom(rt.logger), alerts: rt.alerts }));
