import * as z from "zod";
import { policyFileSchema } from "./schema.js";

/** Where editors and validators can identify the schema; a URN, so no host is implied. */
export const POLICY_SCHEMA_ID = "urn:cloudhsm-retention:policy-file:v1";

/**
 * The JSON Schema of a policy file, generated from the zod schema (`io: "input"`: it
 * describes what users write, so `unlimited` and `14d` appear as themselves).
 *
 * @example
 * writeFileSync("policies/schema.json", policyJsonSchemaText());
 */
export function policyJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(policyFileSchema, {
    io: "input",
    target: "draft-2020-12",
    // z.int() adds the safe-integer bounds; they are noise to a person reading the schema.
    override: ({ jsonSchema }) => {
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
    },
  }) as Record<string, unknown>;
  const { $schema, title, description, ...rest } = generated;
  return { $schema, $id: POLICY_SCHEMA_ID, title, description, ...rest };
}

/** `policies/schema.json` exactly as committed: pretty JSON with a trailing newline. */
export function policyJsonSchemaText(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}
