import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatIssue, PolicyValidationError } from "../../src/errors.js";
import { loadPolicyFiles } from "../../src/policy/index.js";

/**
 * The corpus: each `<case>.yml` (or `<case>/` directory of files) beside a
 * `<case>.expected` holding the exact `file:line:col: message` lines a user sees.
 * Paths are relative to the repository root, as a user would type them.
 */
const CORPUS = "test/fixtures/bad-policies";
const cases = readdirSync(CORPUS)
  .filter((name) => name.endsWith(".expected"))
  .map((name) => name.slice(0, -".expected".length))
  .sort();

async function issuesOf(paths: string[]): Promise<string[]> {
  try {
    await loadPolicyFiles(paths);
  } catch (err) {
    if (err instanceof PolicyValidationError) return err.issues.map(formatIssue);
    throw err;
  }
  throw new Error(`${paths.join(", ")} loaded without error`);
}

describe("bad policies corpus", () => {
  it("covers every case the policy language promises to reject", () => {
    // Prepare
    const required = [
      "unknown-key", "wrong-type", "duration-in-weeks", "negative-duration", "negative-count",
      "unknown-time-zone", "duplicate-names", "duplicate-names-across-files", "empty-keep",
      "keep-newest-zero", "max-delete-percent-150", "bad-yaml-syntax", "duplicate-yaml-key",
      "missing-version", "version-2", "bad-policy-name", "bad-cluster-id", "several-problems",
    ];
    // Assess
    expect(cases).toEqual(expect.arrayContaining(required));
  });

  it.each(cases)("%s: reports exactly the expected issues", async (name) => {
    // Prepare
    const input = existsSync(`${CORPUS}/${name}.yml`) ? `${CORPUS}/${name}.yml` : `${CORPUS}/${name}`;
    const expected = readFileSync(`${CORPUS}/${name}.expected`, "utf8").trimEnd().split("\n");
    // Act
    const actual = await issuesOf([input]);
    // Assess
    expect(actual).toEqual(expected);
  });

  it("reports a name repeated across files given one by one, at the second file", async () => {
    // Act
    const actual = await issuesOf([
      `${CORPUS}/duplicate-names-across-files/b.yml`,
      `${CORPUS}/duplicate-names-across-files/a.yml`,
    ]);
    // Assess
    expect(actual).toEqual([
      `${CORPUS}/duplicate-names-across-files/a.yml:3:11: policies[0].name: duplicate policy name "production", ` +
        `first defined at ${CORPUS}/duplicate-names-across-files/b.yml:8`,
    ]);
  });

  it("collects the issues of every file before throwing, ordered by file then position", async () => {
    // Act
    const actual = await issuesOf([`${CORPUS}/version-2.yml`, `${CORPUS}/unknown-key.yml`, `${CORPUS}/negative-count.yml`]);
    // Assess: each file also repeats the name "production", even the invalid ones
    expect(actual.map((line) => line.split(": ")[0])).toEqual([
      `${CORPUS}/version-2.yml:1:10`,
      `${CORPUS}/unknown-key.yml:3:11`,
      `${CORPUS}/unknown-key.yml:5:7`,
      `${CORPUS}/negative-count.yml:3:11`,
      `${CORPUS}/negative-count.yml:5:14`,
    ]);
    expect(actual[1]).toContain(`duplicate policy name "production", first defined at ${CORPUS}/version-2.yml:3`);
  });

  it("sorts the issues of a file by line, then column", async () => {
    // Act
    const positions = (await issuesOf([`${CORPUS}/several-problems.yml`])).map((line) => {
      const [, row, col] = /:(\d+):(\d+): /.exec(line) ?? [];
      return [Number(row), Number(col)] as const;
    });
    // Assess
    const sorted = [...positions].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(positions).toEqual(sorted);
    expect(positions.length).toBeGreaterThanOrEqual(10);
  });
});
