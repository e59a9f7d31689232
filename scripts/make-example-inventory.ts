// Writes examples/inventory.json: the example fleet as `aws cloudhsmv2 describe-backups` prints it.
import { writeFileSync } from "node:fs";
import { toAwsBackup } from "../src/inventory/convert.js";
import { EXAMPLE_CAPTURED_AT, exampleFleet } from "../src/local/example.js";

const fleet = exampleFleet(Date.parse(EXAMPLE_CAPTURED_AT));
// One backup per line keeps the file reviewable in a diff.
const lines = fleet.map((b) => `    ${JSON.stringify(toAwsBackup(b))}`);
writeFileSync(new URL("../examples/inventory.json", import.meta.url), `{\n  "Backups": [\n${lines.join(",\n")}\n  ]\n}\n`);
console.log(`examples/inventory.json: ${fleet.length} backups`);
