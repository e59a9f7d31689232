import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalEndpoint } from "../../src/local/index.js";
import { AWS_CLI, type AwsRun, expectedOrder, fleet, runAws, start } from "./support.js";

/**
 * The real AWS CLI v2 from Debian against the emulator: a second, independent client
 * (botocore) that parses our wire format.
 */
const hasAws = existsSync(AWS_CLI);
if (!hasAws) console.warn(`skipping the AWS CLI tests: ${AWS_CLI} is absent (apt-get install -y awscli; CI installs it)`);

describe.skipIf(!hasAws)("the AWS CLI v2 against the emulator", () => {
  const backups = fleet();
  let endpoint: LocalEndpoint;
  let home: string;
  const aws = (...args: string[]): Promise<AwsRun> => runAws(endpoint, home, ["cloudhsmv2", ...args]);
  const readyIds = expectedOrder(backups, "us-east-1", false, (b) => b.state === "READY");

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "aws-home-"));
    endpoint = await start(backups);
  });
  afterAll(async () => {
    await endpoint.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("describe-backups pages automatically and returns every backup, newest first", async () => {
    endpoint.calls.reset();
    const run = await aws("describe-backups");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const ids = (JSON.parse(run.stdout).Backups as Array<{ BackupId: string }>).map((b) => b.BackupId);
    expect(ids).toEqual(expectedOrder(backups, "us-east-1"));
    // More than 50 backups, so the CLI followed NextToken across several pages.
    expect(endpoint.calls.snapshot().byOperation.DescribeBackups).toBe(Math.ceil(ids.length / 50));
  });

  it("describe-backups --filters states=READY --sort-ascending", async () => {
    const run = await aws("describe-backups", "--filters", "states=READY", "--sort-ascending");
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout).Backups as Array<{ BackupId: string; BackupState: string }>;
    expect(out.map((b) => b.BackupId)).toEqual([...readyIds].reverse());
    expect(new Set(out.map((b) => b.BackupState))).toEqual(new Set(["READY"]));
  });

  it("delete-backup then restore-backup", async () => {
    const id = readyIds[2] as string;
    const deleted = await aws("delete-backup", "--backup-id", id);
    expect(deleted.code).toBe(0);
    const pending = JSON.parse(deleted.stdout).Backup;
    expect(pending).toMatchObject({ BackupId: id, BackupState: "PENDING_DELETION" });
    // The CLI renders epoch seconds as ISO-8601: proof it read a number.
    expect(Date.parse(pending.DeleteTimestamp)).toBe(endpoint.clock.nowMs() + 7 * 86_400_000);
    const restored = await aws("restore-backup", "--backup-id", id);
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.stdout).Backup).toMatchObject({ BackupId: id, BackupState: "READY" });
    expect(JSON.parse(restored.stdout).Backup.DeleteTimestamp).toBeUndefined();
  });

  it.each([
    ["restore-backup of a READY backup", ["restore-backup", "--backup-id", readyIds[0] as string], "CloudHsmInvalidRequestException"],
    ["delete-backup of an unknown backup", ["delete-backup", "--backup-id", "backup-unknown234567"], "CloudHsmResourceNotFoundException"],
  ])("%s exits 254 and names the error", async (_name, args, error) => {
    const run = await aws(...args);
    expect(run.code).toBe(254);
    expect(run.stderr).toContain(`An error occurred (${error}) when calling the`);
  });
});

describe.skipIf(!hasAws)("the AWS CLI v2 against the emulated SNS", () => {
  let endpoint: LocalEndpoint;
  let home: string;
  const aws = (...args: string[]): Promise<AwsRun> => runAws(endpoint, home, ["sns", ...args]);

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "aws-home-"));
    endpoint = await start([]);
  });
  afterAll(async () => {
    await endpoint.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("create-topic, then publish with a subject and a JSON message structure", async () => {
    const created = await aws("create-topic", "--name", "alerts");
    expect(created.code).toBe(0);
    const topicArn = JSON.parse(created.stdout).TopicArn as string;
    expect(topicArn).toBe("arn:aws:sns:us-east-1:111122223333:alerts");
    const message = JSON.stringify({ default: "Backup <b> & co: 3 days left", email: "See the runbook." });
    const run = await aws("publish", "--topic-arn", topicArn, "--subject", "CloudHSM backup alert", "--message", message, "--message-structure", "json");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const { MessageId } = JSON.parse(run.stdout) as { MessageId: string };
    expect(endpoint.sns.published()).toMatchObject([{ messageId: MessageId, topicArn, subject: "CloudHSM backup alert", message, messageStructure: "json" }]);
  });

  it("publish to a topic that does not exist exits 254 with NotFound", async () => {
    const run = await aws("publish", "--topic-arn", "arn:aws:sns:us-east-1:111122223333:nope", "--message", "x");
    expect(run.code).toBe(254);
    expect(run.stderr).toContain("An error occurred (NotFound) when calling the Publish operation: Topic does not exist");
  });
});
