// Writes examples/inventory.json: a realistic fleet as `aws cloudhsmv2 describe-backups` prints it.
import { writeFileSync } from "node:fs";
import { EXAMPLE_CAPTURED_AT } from "../src/local/example.js";
import { toAwsBackup } from "../src/inventory/convert.js";
import { makeFleet } from "../src/local/fleet.js";

const fleet = makeFleet({
  endMs: Date.parse(EXAMPLE_CAPTURED_AT),
  days: 120,
  clusters: [
    { region: "us-east-1", count: 2 },
    { region: "eu-central-1", count: 1 },
  ],
  copyTo: { region: "us-west-2", everyDays: 7 },
  seed: 2026,
});
// One backup per line keeps the file reviewable in a diff.
const lines = fleet.map((b) => `    ${JSON.stringify(toAwsBackup(b))}`);
writeFileSync(new URL("../examples/inventory.json", import.meta.url), `{\n  "Backups": [\n${lines.join(",\n")}\n  ]\n}\n`);
console.log(`examples/inventory.json: ${fleet.length} backups`);
