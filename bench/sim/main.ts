// `npm run simulate -- --days 90 [--seed n] [--faults] [--clusters n] [--dense] [--json file]`
// Prints a short report and the invariants; exits 1 on any breach, 2 on bad arguments.
import { writeFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { checkInvariants } from "./invariants.js";
import { summarize } from "./report.js";
import { simulate } from "./simulate.js";

const whole = (name: string, min: number, max: number) => (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new InvalidArgumentError(`${name}: expected a whole number from ${min} to ${max}`);
  return Number(v);
};

const program = new Command("simulate")
  .description("Live through emulated days of the service against the local endpoint, then check the invariants")
  .option("--days <n>", "emulated days", whole("--days", 1, 3650), 90)
  .option("--seed <n>", "seed of every random choice", whole("--seed", 0, 2 ** 31), 1)
  .option("--clusters <n>", "clusters in us-east-1", whole("--clusters", 1, 1000), 4)
  .option("--faults", "throttling, internal errors, outages and killed runs", false)
  .option("--dense", "run the reminder every 15 minutes even when nothing can be due", false)
  .option("--json <file>", "also write the run's record and results as JSON");
program.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
program.parse();
const o = program.opts<{ days: number; seed: number; clusters: number; faults: boolean; dense: boolean; json?: string }>();

const record = await simulate({ days: o.days, seed: o.seed, clusters: o.clusters, faults: o.faults, dense: o.dense, log: (l) => process.stderr.write(`${l}\n`) });
const results = checkInvariants(record);
process.stdout.write(summarize(record, results));
if (o.json) {
  try {
    writeFileSync(o.json, `${JSON.stringify({ record, results }, null, 1)}\n`);
  } catch (err) {
    process.stderr.write(`simulate: --json ${o.json}: cannot write it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})\n`);
    process.exit(2);
  }
}
process.exit(results.some((r) => r.breaches.length > 0) ? 1 : 0);
