// On CloudTrail's record of a DeleteBackup call: announce deletions made outside this service. Wiring only.
import { lambdaRuntime } from "../src/lambda/runtime.js";
import { createWatch } from "../src/lambda/watch.js";

const rt = lambdaRuntime();
export const handler = rt.wrap(createWatch({ policyPaths: rt.config.policyPaths, store: rt.store, ownRoleArns: rt.alerting.ownRoleArns, alerts: rt.alerts }));
