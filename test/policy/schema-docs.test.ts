import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { parsePolicyText, policyJsonSchema } from "../../src/policy/index.js";

/**
 * Editor support (issue 10, item 8): every key of policies/schema.json carries a
 * description, an example and a default; every example is a valid value; every example
 * policy names the schema for yaml-language-server.
 */
type Json = Record<string, unknown>;

interface Key {
  path: string[];
  node: Json;
  required: boolean;
}

function keys(schema: Json, path: string[] = []): Key[] {
  const out: Key[] = [];
  const required = new Set((schema.required ?? []) as string[]);
  for (const [key, child] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
    const at = [...path, key];
    out.push({ path: at, node: child, required: required.has(key) });
    out.push(...keys(child, at));
  }
  if (schema.items) out.push(...keys(schema.items as Json, [...path, "0"]));
  return out;
}

/** The smallest valid file, with `value` put at `path`. */
function fileWith(path: string[], value: unknown): unknown {
  const file: Json = { version: 1, policies: [{ name: "p", keep: { last: 1, daily: 1 } }] };
  let at: Json = file;
  for (const key of path.slice(0, -1)) {
    at[key] ??= {};
    at = at[key] as Json;
  }
  at[path.at(-1)!] = value;
  return file;
}

const all = keys(policyJsonSchema());
/** Keys with no value that could stand for leaving them out; their description says what happens. */
const NO_DEFAULT = ["policies", "policies.0.name", "policies.0.description", "policies.0.select.regions", "policies.0.keep", "policies.0.guards.maxDeletionsPerDay"];

describe("policies/schema.json for editors", () => {
  it("gives every key a description and at least one example", () => {
    const missing = all.filter((k) => typeof k.node.description !== "string" || !Array.isArray(k.node.examples) || (k.node.examples as unknown[]).length === 0);
    expect(missing.map((k) => k.path.join("."))).toEqual([]);
  });

  it("gives every key a default, or says in its description why there is none", () => {
    const without = all.filter((k) => !("default" in k.node)).map((k) => k.path.join("."));
    expect(without).toEqual(NO_DEFAULT);
    for (const k of all.filter((x) => NO_DEFAULT.includes(x.path.join(".")))) expect(k.node.description).toMatch(/Required: there is no default|Default: /);
  });

  it.each(all.map((k) => [k.path.join("."), k] as const))("%s: its examples and default are valid values", (_, k) => {
    const values = [...((k.node.examples ?? []) as unknown[]), ...("default" in k.node ? [k.node.default] : [])];
    for (const value of values) {
      // The path's "0" is the first policy: put the value there as YAML and load it.
      const text = stringify(fileWith(k.path, value));
      expect(() => parsePolicyText(text, "example.yml"), `${k.path.join(".")} = ${JSON.stringify(value)}`).not.toThrow();
    }
  });
});

describe("example policies", () => {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (name === "node_modules") return [];
      return statSync(path).isDirectory() ? walk(path) : /\.ya?ml$/i.test(name) && !path.includes(".github") ? [path] : [];
    });
  const files = ["policies", "examples"].flatMap(walk);

  it("are found (policies/, examples/policy-repo/)", () => {
    expect(files).toEqual(expect.arrayContaining(["policies/example.yml", "examples/policy-repo/policies/production.yml"]));
  });

  it.each(files)("%s starts with the yaml-language-server modeline naming policies/schema.json", (file) => {
    const first = readFileSync(file, "utf8").split("\n")[0]!;
    const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    expect(match).not.toBeNull();
    // In the policy repository the tool is a dependency: its schema is under node_modules.
    const target = resolve(dirname(file), match![1]!).replace(/.*\/node_modules\/cloudhsm-retention\//, `${process.cwd()}/`);
    expect(target).toBe(resolve("policies/schema.json"));
  });
});
