import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalEndpoint } from "../../src/local/index.js";
import { AWS_CLI, type AwsRun, DAY_MS, expectedOrder, fleet, NOW_MS, runAws, start } from "./support.js";

/**
 * Debian's AWS CLI v2 (botocore, a second client) sets a cluster's retention with
 * modify-cluster, sees the service's retention act on it, and deletes a backup whose
 * CloudTrail record names the role its access key is mapped to.
 */
const hasAws = existsSync(AWS_CLI);

describe.skipIf(!hasAws)("the AWS CLI v2: modify-cluster, the service's retention, CloudTrail", () => {
  const backups = fleet();
  let endpoint: LocalEndpoint;
  let home: string;
  const aws = (...args: string[]): Promise<AwsRun> => runAws(endpoint, home, ["cloudhsmv2", ...args]);
  const clusterId = backups.find((b) => b.region === "us-east-1")?.clusterId as string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "aws-home-"));
    endpoint = await start(backups);
  });
  afterAll(async () => {
    await endpoint.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("modify-cluster --backup-retention-policy Type=DAYS,Value=30, then the cluster's backups older than 30 days are marked", async () => {
    const run = await aws("modify-cluster", "--cluster-id", clusterId, "--backup-retention-policy", "Type=DAYS,Value=30");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).Cluster.BackupRetentionPolicy).toEqual({ Type: "DAYS", Value: "30" });

    endpoint.retention.enable();
    const listed = await aws("describe-backups", "--filters", `clusterIds=${clusterId}`, "--sort-ascending");
    expect(listed.code).toBe(0);
    const out = JSON.parse(listed.stdout).Backups as Array<{ BackupId: string; BackupState: string; NeverExpires: boolean; CreateTimestamp: string }>;
    const cutoffMs = NOW_MS - 30 * DAY_MS;
    const seeded = new Map(backups.map((b) => [b.backupId, b]));
    for (const b of out) {
      const before = seeded.get(b.BackupId);
      const old = Date.parse(b.CreateTimestamp) <= cutoffMs;
      if (before?.state === "READY" && !before.neverExpires) expect(b.BackupState).toBe(old ? "PENDING_DELETION" : "READY");
    }
    expect(out.filter((b) => b.BackupState === "PENDING_DELETION").length).toBeGreaterThan(60);
  });

  it("modify-cluster with 5 days exits 254 with CloudHsmInvalidRequestException", async () => {
    const run = await aws("modify-cluster", "--cluster-id", clusterId, "--backup-retention-policy", "Type=DAYS,Value=5");
    expect(run.code).toBe(254);
    expect(run.stderr).toContain("An error occurred (CloudHsmInvalidRequestException) when calling the ModifyCluster operation");
  });

  it("delete-backup is recorded under the identity its access key is mapped to, with the CLI's user agent", async () => {
    endpoint.cloudtrail.setIdentity("test", { role: "BreakGlass", session: "oncall" });
    const id = expectedOrder(backups, "us-east-1", false, (b) => b.state === "READY" && b.clusterId === clusterId && !b.neverExpires)[0] as string;
    const run = await aws("delete-backup", "--backup-id", id);
    expect(run.code).toBe(0);
    const record = endpoint.cloudtrail.events().filter((e) => e.detail.eventName === "DeleteBackup" && e.detail.userIdentity.type !== "AWSService");
    expect(record).toHaveLength(1);
    expect(record[0]?.detail).toMatchObject({
      requestParameters: { backupId: id },
      userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/BreakGlass/oncall", accessKeyId: "test" },
      responseElements: { backup: { backupId: id, backupState: "PENDING_DELETION" } },
    });
    expect(record[0]?.detail.userAgent).toMatch(/^aws-cli\/2\.\d+\.\d+ /);
    expect(endpoint.callLog.entries().filter((e) => e.operation === "DeleteBackup")).toEqual([
      expect.objectContaining({ backupId: id, accessKeyId: "test", outcome: "ok", fault: null }),
    ]);
  });
});
