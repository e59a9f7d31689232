import { readFileSync } from "node:fs";
import { describe, expect, expectTypeOf, it } from "vitest";
import { policyFileSchema, policyJsonSchema, policyJsonSchemaText, type PolicyFileInput, type PolicyInput } from "../../src/policy/index.js";

type Json = Record<string, unknown>;

function keysWithoutDescription(schema: Json, at: string): string[] {
  const missing: string[] = [];
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  for (const [key, child] of Object.entries(properties)) {
    if (typeof child.description !== "string" || child.description.length < 10) missing.push(`${at}.${key}`);
    missing.push(...keysWithoutDescription(child, `${at}.${key}`));
  }
  if (schema.items) missing.push(...keysWithoutDescription(schema.items as Json, `${at}[]`));
  return missing;
}

describe("policies/schema.json", () => {
  it("is up to date with the zod schema (run `npm run schema`)", () => {
    // Act
    const committed = readFileSync("policies/schema.json", "utf8");
    // Assess
    expect(committed).toBe(policyJsonSchemaText());
  });

  it("describes every key for users", () => {
    expect(keysWithoutDescription(policyJsonSchema(), "$")).toEqual([]);
  });

  it("types durations as patterned strings and counts as integer >= 0 or the word unlimited", () => {
    // Prepare
    const policy = ((policyJsonSchema().properties as Json).policies as Json).items as Json;
    const keep = (policy.properties as Json).keep as Json;
    const keepProps = keep.properties as Record<string, Json>;
    // Assess
    expect(keepProps.within).toMatchObject({ type: "string", pattern: "^(\\d+[ymdh])+$", default: "0h" });
    expect(keepProps.daily).toMatchObject({
      default: 0,
      anyOf: [{ type: "integer", minimum: 0 }, { type: "string", const: "unlimited" }],
    });
    expect(keep.additionalProperties).toBe(false);
    expect(policy.required).toEqual(["name", "keep"]);
  });

  it("starts with $schema, $id, title and description", () => {
    expect(Object.keys(policyJsonSchema()).slice(0, 4)).toEqual(["$schema", "$id", "title", "description"]);
  });
});

describe("policyFileSchema", () => {
  it("infers the input type users write", () => {
    expectTypeOf<PolicyFileInput["version"]>().toEqualTypeOf<1>();
    expectTypeOf<PolicyInput["name"]>().toEqualTypeOf<string>();
    expectTypeOf<PolicyInput["mode"]>().toEqualTypeOf<"enforce" | "report" | undefined>();
    expectTypeOf<NonNullable<PolicyInput["keep"]["daily"]>>().toEqualTypeOf<number | "unlimited">();
    expectTypeOf<PolicyInput["keep"]["within"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<NonNullable<PolicyInput["select"]>["copies"]>().toEqualTypeOf<"exclude" | "include" | "only" | undefined>();
    expectTypeOf<NonNullable<PolicyInput["guards"]>["maxDeletionsPerRun"]>().toEqualTypeOf<number | "unlimited" | undefined>();
  });

  it("rejects a whole-zero keep but accepts any single rule", () => {
    const file = (keep: object) => ({ version: 1, policies: [{ name: "p", keep }] });
    expect(policyFileSchema.safeParse(file({ last: 0, within: "0d", tags: [] })).success).toBe(false);
    expect(policyFileSchema.safeParse(file({ tags: [["legal-hold"]] })).success).toBe(true);
    expect(policyFileSchema.safeParse(file({ withinMonthly: "1m" })).success).toBe(true);
    expect(policyFileSchema.safeParse(file({ yearly: "unlimited" })).success).toBe(true);
  });

  it("rejects a duration whose number does not fit, with parseDuration's message", () => {
    const result = policyFileSchema.safeParse({ version: 1, policies: [{ name: "p", keep: { within: "99999999999999999999d" } }] });
    expect(result.error?.issues.map((i) => i.message)).toEqual([expect.stringContaining("number too large")]);
  });
});
