/**
 * Regenerates policies/schema.json from the zod schema (`npm run schema`).
 * test/policy/schema.test.ts fails when the committed file is stale.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { policyJsonSchemaText } from "../src/policy/json-schema.js";

const target = fileURLToPath(new URL("../policies/schema.json", import.meta.url));
writeFileSync(target, policyJsonSchemaText());
console.log(`wrote ${target}`);
