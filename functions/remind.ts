// Every 15 minutes: announce what is pending and unannounced, send each reminder stage once. Wiring only.
import { createRemind } from "../src/lambda/remind.js";
import { lambdaRuntime } from "../src/lambda/runtime.js";

const rt = lambdaRuntime();
export const handler = rt.wrap(createRemind({ config: rt.config, store: rt.store, clock: rt.clock, alerts: rt.alerts }));
