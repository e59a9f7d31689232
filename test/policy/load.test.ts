import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RetentionPolicy } from "../../src/domain/types.js";
import { PolicyValidationError, UsageError } from "../../src/errors.js";
import { loadPolicyFiles, parsePolicyText } from "../../src/policy/index.js";

const zero = { years: 0, months: 0, days: 0, hours: 0 };

describe("parsePolicyText", () => {
  it("converts a small policy, filling every default", () => {
    // Prepare
    const text = [
      "version: 1",
      "policies:",
      "  - name: prod",
      "    keep:",
      "      daily: 7",
      "      yearly: unlimited",
      "      within: 1y6m",
      "",
    ].join("\n");
    // Act
    const policies = parsePolicyText(text, "policies/prod.yml");
    // Assess
    const expected: RetentionPolicy = {
      name: "prod",
      mode: "report",
      select: { regions: undefined, clusters: ["*"], copies: "exclude" },
      timezone: "UTC",
      keep: {
        last: 0,
        hourly: 0,
        daily: 7,
        weekly: 0,
        monthly: 0,
        yearly: Infinity,
        within: { years: 1, months: 6, days: 0, hours: 0 },
        withinHourly: zero,
        withinDaily: zero,
        withinWeekly: zero,
        withinMonthly: zero,
        withinYearly: zero,
        tags: [],
      },
      guards: { keepNewest: 1, minAge: zero, maxDeletionsPerRun: 50, maxDeletePercent: 50, requireBackupWithin: undefined, maxDeletionsPerDay: undefined },
      alerts: { remindersMs: [72 * 3_600_000, 24 * 3_600_000, 2 * 3_600_000], backupsStoppedAfterMs: 48 * 3_600_000 },
      source: "policies/prod.yml:3:5",
    };
    expect(policies).toStrictEqual([expected]);
  });

  it("reads every key when all are set", () => {
    // Prepare
    const text = `
version: 1
policies:
  - name: everything
    description: all keys
    mode: enforce
    select: { regions: [eu-central-1, us-gov-west-1], clusters: [cluster-abcdefghijk], copies: include }
    timezone: Asia/Tokyo
    keep: { last: 1, hourly: 2, daily: 3, weekly: 4, monthly: 5, yearly: 6, within: 1h,
            withinHourly: 2h, withinDaily: 3d, withinWeekly: 4m, withinMonthly: 5y, withinYearly: 1y2m3d4h,
            tags: [[legal-hold], [env=prod, keep]] }
    guards: { keepNewest: 3, minAge: 12h, maxDeletionsPerRun: unlimited, maxDeletePercent: 12.5, requireBackupWithin: 2d }
`;
    // Act
    const [policy] = parsePolicyText(text, "all.yml");
    // Assess
    expect(policy).toMatchObject({
      mode: "enforce",
      select: { regions: ["eu-central-1", "us-gov-west-1"], clusters: ["cluster-abcdefghijk"], copies: "include" },
      timezone: "Asia/Tokyo",
      keep: {
        last: 1,
        yearly: 6,
        withinWeekly: { ...zero, months: 4 },
        withinYearly: { years: 1, months: 2, days: 3, hours: 4 },
        tags: [["legal-hold"], ["env=prod", "keep"]],
      },
      guards: { keepNewest: 3, maxDeletionsPerRun: Infinity, maxDeletePercent: 12.5, requireBackupWithin: { ...zero, days: 2 } },
      source: "all.yml:4:5",
    });
  });

  it("throws PolicyValidationError carrying every issue, its message one line per issue", () => {
    // Prepare
    const text = "version: 2\npolicies:\n  - name: p\n    keep: {dayly: 1}\n";
    // Act
    const thrown = (() => {
      try {
        parsePolicyText(text, "x.yml");
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    // Assess
    expect(thrown).toBeInstanceOf(PolicyValidationError);
    expect((thrown as PolicyValidationError).message).toMatchInlineSnapshot(`
      "x.yml:1:10: version: expected 1 (the only policy file version), got 2
      x.yml:4:12: policies[0].keep: unknown key "dayly" (did you mean "daily"?)"
    `);
  });

  it("points a missing value at its key, not at the end of the line", () => {
    // Act + Assess
    expect(() => parsePolicyText("version: 1\npolicies:\n  - name: p\n    keep:\n", "x.yml")).toThrow(
      "x.yml:4:5: policies[0].keep: expected a map of keep rules, got an empty value",
    );
  });

  it("explains a second YAML document", () => {
    // Act + Assess
    expect(() => parsePolicyText("version: 1\n---\npolicies: []\n", "x.yml")).toThrow(
      'x.yml:2:1: a policy file holds one YAML document; remove the "---" separator',
    );
  });
});

describe("loadPolicyFiles", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "policies-"));
    await mkdir(join(dir, "team", "nested"), { recursive: true });
    await mkdir(join(dir, "empty"));
    // Each selects its own region: policies that can select the same cluster are refused.
    const policy = (name: string, region: string) => `version: 1\npolicies:\n  - name: ${name}\n    keep: { last: 1 }\n    select: { regions: [${region}] }\n`;
    await writeFile(join(dir, "b.yml"), policy("bravo", "us-west-2"));
    await writeFile(join(dir, "a.yaml"), policy("alpha", "us-east-1"));
    await writeFile(join(dir, "team", "nested", "c.yml"), policy("charlie", "eu-west-1"));
    await writeFile(join(dir, "schema.json"), "{}");
    await writeFile(join(dir, "README.md"), "# not a policy\n");
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("loads the example policies, whose selections never overlap", async () => {
    // Act
    const policies = await loadPolicyFiles(["policies"]);
    // Assess
    expect(policies.map((p) => [p.name, p.mode, p.select.regions, p.select.copies, p.timezone])).toEqual([
      ["production", "enforce", ["us-east-1"], "exclude", "Europe/Berlin"],
      ["dr-copies", "enforce", ["us-west-2"], "only", "UTC"],
      ["eu-clusters", "report", ["eu-central-1"], "exclude", "UTC"],
    ]);
    expect(policies[0]?.keep.yearly).toBe(Infinity);
    expect(policies.every((p) => p.source?.startsWith("policies/example.yml:"))).toBe(true);
  });

  it("reads every *.yml and *.yaml of a directory, recursively and sorted, ignoring other files", async () => {
    // Act
    const policies = await loadPolicyFiles([dir]);
    // Assess
    expect(policies.map((p) => [p.name, p.source])).toEqual([
      ["alpha", `${join(dir, "a.yaml")}:3:5`],
      ["bravo", `${join(dir, "b.yml")}:3:5`],
      ["charlie", `${join(dir, "team", "nested", "c.yml")}:3:5`],
    ]);
  });

  it("reads a file named twice (directly and through its directory) once", async () => {
    // Act
    const policies = await loadPolicyFiles([join(dir, "b.yml"), dir]);
    // Assess
    expect(policies.map((p) => p.name)).toEqual(["bravo", "alpha", "charlie"]);
  });

  it.each([
    ["a missing path", () => "no/such/policies", "policy path not found: no/such/policies"],
    ["a directory without policy files", () => join(dir, "empty"), "no policy files (*.yml, *.yaml) in directory"],
  ])("refuses %s with a one-line UsageError", async (_, path, message) => {
    // Act
    const run = loadPolicyFiles([path()]);
    // Assess
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(message);
  });

  it("refuses an empty list of paths", async () => {
    await expect(loadPolicyFiles([])).rejects.toThrow(UsageError);
  });
});

describe("policies whose selectors can pick the same group", () => {
  const file = (name: string, select: string) => `version: 1\npolicies:\n  - name: ${name}\n    select: ${select}\n    keep: { last: 1 }\n`;

  it("are refused across files, at the later policy's select, naming the earlier one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "overlap-"));
    await writeFile(join(dir, "a.yml"), file("all-east", "{ regions: [us-east-1] }"));
    await writeFile(join(dir, "b.yml"), file("one-cluster", "{ clusters: [cluster-abcdefghijk], copies: include }"));
    const run = loadPolicyFiles([dir]);
    await expect(run).rejects.toBeInstanceOf(PolicyValidationError);
    await expect(run).rejects.toThrow(
      `${join(dir, "b.yml")}:4:5: policies[0].select: policy "one-cluster" and policy "all-east" (${join(dir, "a.yml")}:4) both select backups of cluster-abcdefghijk in us-east-1`,
    );
  });

  it.each([
    ["disjoint regions", "{ regions: [us-east-1] }", "{ regions: [us-west-2] }"],
    ["copies only beside copies excluded", "{ copies: only }", "{ copies: exclude }"],
    ["different clusters", "{ clusters: [cluster-abcdefghijk] }", "{ clusters: [cluster-bcdefghijkl] }"],
  ])("are accepted when they cannot meet: %s", async (_, a, b) => {
    const text = `version: 1\npolicies:\n  - name: a\n    select: ${a}\n    keep: { last: 1 }\n  - name: b\n    select: ${b}\n    keep: { last: 1 }\n`;
    expect(parsePolicyText(text, "p.yml").map((p) => p.name)).toEqual(["a", "b"]);
  });
});

describe("policy folders reached through symbolic links", () => {
  it("are read, as `serverless package` bundles them, and a link back to a folder being read is read once", async () => {
    const root = await mkdtemp(join(tmpdir(), "links-"));
    await mkdir(join(root, "policies"));
    await mkdir(join(root, "shared"));
    await writeFile(join(root, "policies", "own.yml"), "version: 1\npolicies:\n  - name: own\n    select: { regions: [us-east-1] }\n    keep: { last: 1 }\n");
    await writeFile(join(root, "shared", "s.yml"), "version: 1\npolicies:\n  - name: shared\n    select: { regions: [us-west-2] }\n    keep: { last: 1 }\n");
    await symlink(join(root, "shared"), join(root, "policies", "shared"), "dir");
    await symlink(join(root, "policies"), join(root, "policies", "loop"), "dir");
    const policies = await loadPolicyFiles([join(root, "policies")]);
    expect(policies.map((p) => p.name)).toEqual(["own", "shared"]);
  });
});
