import { CloudHSMV2Client, DeleteBackupCommand, DescribeBackupsCommand } from "@aws-sdk/client-cloudhsm-v2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { CloudHsmBackupStore, ListBackupsError } from "../../src/aws/cloudhsm-store.js";

// aws-sdk-client-mock's types clash with client-cloudhsm-v2 3.332.0 (toolchain.md): cast.
const client = new CloudHSMV2Client({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
// biome-ignore lint/suspicious/noExplicitAny: see above
const mock: any = mockClient(client as never);
const Describe = DescribeBackupsCommand as never;
const Delete = DeleteBackupCommand as never;
const store = new CloudHsmBackupStore({ clientFor: () => client, retry: { sleep: async () => {}, maxAttempts: 4 } });

function awsError(name: string, status: number) {
  return Object.assign(new Error(name), { name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status } });
}
const raw = (id: string, state = "READY") => ({
  BackupId: id,
  BackupState: state,
  ClusterId: "cluster-aaaaaaaaaaa",
  CreateTimestamp: new Date("2026-11-27T03:00:00Z"),
});

beforeEach(() => mock.reset());

describe("CloudHsmBackupStore.listBackups", () => {
  it("reads every page with MaxResults 50, passing each NextToken on", async () => {
    // Prepare
    mock.on(Describe, { NextToken: undefined }).resolves({ Backups: [raw("backup-1"), raw("backup-2")], NextToken: "t1" });
    mock.on(Describe, { NextToken: "t1" }).resolves({ Backups: [raw("backup-3")], NextToken: "t2" });
    mock.on(Describe, { NextToken: "t2" }).resolves({ Backups: [raw("backup-4")] });
    // Act
    const result = await store.listBackups("us-east-1");
    // Assess
    expect(result.backups.map((b) => b.backupId)).toEqual(["backup-1", "backup-2", "backup-3", "backup-4"]);
    expect(result.backups[0]).toMatchObject({ region: "us-east-1", createdAtMs: Date.parse("2026-11-27T03:00:00Z"), state: "READY" });
    expect(result.calls).toBe(3);
    const inputs = mock.commandCalls(Describe).map((c: { args: [{ input: unknown }] }) => c.args[0].input);
    expect(inputs.every((i: { MaxResults: number }) => i.MaxResults === 50)).toBe(true);
  });

  it("retries a throttled page and counts the retry", async () => {
    mock.on(Describe).rejectsOnce(awsError("ThrottlingException", 400)).resolves({ Backups: [raw("backup-1")] });
    const result = await store.listBackups("us-east-1");
    expect(result).toMatchObject({ calls: 2, retries: { throttled: 1 } });
    expect(result.backups).toHaveLength(1);
  });

  it("returns nothing rather than a partial listing when a page keeps failing", async () => {
    mock.on(Describe, { NextToken: undefined }).resolves({ Backups: [raw("backup-1")], NextToken: "t1" });
    mock.on(Describe, { NextToken: "t1" }).rejects(awsError("CloudHsmInternalFailureException", 500));
    const err = await store.listBackups("us-east-1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListBackupsError);
    // It says how hard it tried: 1 good page, then 4 attempts at the second.
    expect(err).toMatchObject({ region: "us-east-1", calls: 5, retries: { "server error": 3 } });
    expect(mock.commandCalls(Describe)).toHaveLength(5);
  });

  it("stops on a NextToken seen before instead of looping forever", async () => {
    mock.on(Describe).resolves({ Backups: [raw("backup-1")], NextToken: "same" });
    await expect(store.listBackups("us-east-1")).rejects.toThrow("same NextToken twice");
  });
});

describe("CloudHsmBackupStore.deleteBackup", () => {
  it("reports the DeleteTimestamp of a deleted backup", async () => {
    mock.on(Delete).resolves({ Backup: { ...raw("backup-1", "PENDING_DELETION"), DeleteTimestamp: new Date("2026-12-05T06:00:00Z") } });
    const outcome = await store.deleteBackup("us-east-1", "backup-1");
    expect(outcome).toEqual({ backupId: "backup-1", region: "us-east-1", status: "deleted", attempts: 1, retries: {}, deleteAtMs: Date.parse("2026-12-05T06:00:00Z") });
  });

  it("counts a refused retry as done when the first attempt landed (PENDING_DELETION on a second look)", async () => {
    mock.on(Delete).rejectsOnce(awsError("CloudHsmInternalFailureException", 500)).rejects(awsError("CloudHsmInvalidRequestException", 400));
    mock.on(Describe).resolves({ Backups: [{ ...raw("backup-1", "PENDING_DELETION"), DeleteTimestamp: new Date("2026-12-05T06:00:00Z") }] });
    const outcome = await store.deleteBackup("us-east-1", "backup-1");
    expect(outcome).toMatchObject({ status: "already-pending", attempts: 2, retries: { "server error": 1 } });
    expect(mock.commandCalls(Delete)).toHaveLength(2);
  });

  it("counts the retries of the second look too", async () => {
    mock.on(Delete).rejects(awsError("CloudHsmInvalidRequestException", 400));
    mock.on(Describe)
      .rejectsOnce(awsError("ThrottlingException", 400))
      .rejectsOnce(awsError("ThrottlingException", 400))
      .resolves({ Backups: [{ ...raw("backup-1", "PENDING_DELETION"), DeleteTimestamp: new Date("2026-12-05T06:00:00Z") }] });
    const outcome = await store.deleteBackup("us-east-1", "backup-1");
    expect(outcome).toMatchObject({ status: "already-pending", attempts: 1, retries: { throttled: 2 } });
  });

  it("reports a refused delete of a backup that is not pending as failed, naming the error", async () => {
    mock.on(Delete).rejects(awsError("CloudHsmInvalidRequestException", 400));
    mock.on(Describe).resolves({ Backups: [raw("backup-1", "CREATE_IN_PROGRESS")] });
    const outcome = await store.deleteBackup("us-east-1", "backup-1");
    expect(outcome).toMatchObject({ status: "failed", attempts: 1, error: "CloudHsmInvalidRequestException: CloudHsmInvalidRequestException" });
  });

  it("never retries access denied", async () => {
    mock.on(Delete).rejects(awsError("CloudHsmAccessDeniedException", 400));
    const outcome = await store.deleteBackup("us-east-1", "backup-1");
    expect(outcome).toMatchObject({ status: "failed", attempts: 1 });
    expect(mock.commandCalls(Delete)).toHaveLength(1);
    expect(mock.commandCalls(Describe)).toHaveLength(0);
  });

  it("gives up on endless throttling and says how often it tried", async () => {
    mock.on(Delete).rejects(awsError("ThrottlingException", 400));
    const outcome = await store.deleteBackup("us-east-1", "backup-1");
    expect(outcome).toMatchObject({ status: "failed", attempts: 4, retries: { throttled: 3 } });
  });
});

describe("CloudHsmBackupStore.listBackups: each backup once", () => {
  it("merges a backup listed twice with the same contents (overlapping pages)", async () => {
    mock.on(Describe, { NextToken: undefined }).resolves({ Backups: [raw("backup-1"), raw("backup-2")], NextToken: "t1" });
    mock.on(Describe, { NextToken: "t1" }).resolves({ Backups: [raw("backup-2"), raw("backup-3")] });
    const result = await store.listBackups("us-east-1");
    expect(result.backups.map((b) => b.backupId)).toEqual(["backup-1", "backup-2", "backup-3"]);
  });

  it("fails the region's listing when a backup is listed twice with different contents", async () => {
    mock.on(Describe, { NextToken: undefined }).resolves({ Backups: [raw("backup-1"), raw("backup-2")], NextToken: "t1" });
    mock.on(Describe, { NextToken: "t1" }).resolves({ Backups: [{ ...raw("backup-2"), NeverExpires: true }] });
    const err = await store.listBackups("us-east-1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListBackupsError);
    expect((err as Error).message).toContain("backup-2 was listed twice with different contents");
  });

  it.each([
    ["after the year 9999", new Date("+010000-01-01T00:00:00Z")],
    ["epoch milliseconds read as seconds", new Date(Date.parse("2026-11-27T03:00:00Z") * 1000)],
  ])("fails the region's listing on a timestamp %s", async (_, when) => {
    mock.on(Describe).resolves({ Backups: [raw("backup-1"), { ...raw("backup-2"), CreateTimestamp: when }] });
    const err = await store.listBackups("us-east-1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListBackupsError);
    expect((err as Error).message).toMatch(/backup-2.*CreateTimestamp/);
  });
});

describe("CloudHsmBackupStore.lookUpBackups", () => {
  it("asks for the given IDs with the backupIds filter, in batches of 50, following pages", async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `backup-${i}`);
    mock.on(Describe).callsFake((input: { Filters: { backupIds: string[] } }) => ({ Backups: input.Filters.backupIds.slice(0, 3).map((id) => raw(id)) }));
    const result = await store.lookUpBackups("us-east-1", ids);
    const inputs = mock.commandCalls(Describe).map((c: { args: [{ input: { Filters: { backupIds: string[] } } }] }) => c.args[0].input);
    expect(inputs.map((i: { Filters: { backupIds: string[] } }) => i.Filters.backupIds.length)).toEqual([50, 50, 20]);
    expect(inputs.flatMap((i: { Filters: { backupIds: string[] } }) => i.Filters.backupIds)).toEqual(ids);
    expect(result.backups.map((b) => b.backupId)).toEqual(["backup-0", "backup-1", "backup-2", "backup-50", "backup-51", "backup-52", "backup-100", "backup-101", "backup-102"]);
    expect(result.calls).toBe(3);
  });
});

describe("network failures in words", () => {
  it.each([
    [Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4578"), { code: "ECONNREFUSED", address: "127.0.0.1", port: 4578 }), "connection refused by 127.0.0.1:4578"],
    [Object.assign(new Error("getaddrinfo ENOTFOUND no-such-host.invalid"), { code: "ENOTFOUND", hostname: "no-such-host.invalid" }), "host no-such-host.invalid not found"],
    [Object.assign(new Error("write EPROTO 809C...:error:0A00010B:SSL routines:ssl3_get_record:wrong version number"), { code: "EPROTO" }), "does not speak HTTPS"],
  ])("says what %s means", async (err, words) => {
    mock.on(Describe).rejects(err);
    const failure = (await store.listBackups("us-east-1").catch((e: unknown) => e)) as Error;
    expect(failure.message).toContain(words);
  });
});
