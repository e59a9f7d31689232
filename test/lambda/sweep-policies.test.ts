import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SILENT } from "../../src/jobs/logger.js";
import { createSweep } from "../../src/lambda/sweep.js";
import { backup } from "../support/backup-factory.js";
import { FakeBackupStore } from "../support/fake-store.js";

const POLICY = "version: 1\npolicies:\n  - name: prod\n    mode: enforce\n    keep:\n      last: 1\n    guards:\n      maxDeletePercent: 100\n";
const NOW = Date.parse("2026-11-28T06:00:00Z");

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sweep-policies-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sweepOver(policyPath: string) {
  const store = new FakeBackupStore([
    backup({ id: "b1", cluster: "cluster-aaaaaaaaaaa", region: "us-east-1", at: "2026-11-26T03:00:00Z" }),
    backup({ id: "b2", cluster: "cluster-aaaaaaaaaaa", region: "us-east-1", at: "2026-11-27T03:00:00Z" }),
  ]);
  const config = { policyPaths: [policyPath], regions: ["us-east-1"], dryRun: true };
  return createSweep({ config, store, log: SILENT, clock: { nowMs: () => NOW } });
}

describe("createSweep: the bundled policies", () => {
  it("reads them on the first invocation only: they cannot change while the container lives", async () => {
    // Prepare
    const file = join(dir, "prod.yml");
    await writeFile(file, POLICY);
    const sweep = sweepOver(file);
    // Act
    const first = await sweep();
    await rm(file);
    const second = await sweep();
    // Assess: the second run did not need the file any more
    expect(first.counts.planned).toBe(1);
    expect(second.counts.planned).toBe(1);
  });

  it("does not keep a failed read: the next invocation tries again", async () => {
    const file = join(dir, "prod.yml");
    const sweep = sweepOver(file);
    await expect(sweep()).rejects.toThrow(`policy path not found: ${file}`);
    await writeFile(file, POLICY);
    expect((await sweep()).counts.planned).toBe(1);
  });
});
