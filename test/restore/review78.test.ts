import { DeleteBackupCommand } from "@aws-sdk/client-cloudhsm-v2";
import { afterEach, describe, expect, it } from "vitest";
import type { Backup } from "../../src/domain/types.js";
import { makeFleet } from "../../src/local/fleet.js";
import { runCli } from "../support/cli.js";
import { client, DAY_MS, NOW_MS } from "../local/support.js";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { startRestoreServer } from "../../src/cli/commands/serve.js";
import { start } from "../local/support.js";
import { ENV, formTokenIn, POLICY, postForm, raw, type Stage, stage, stateOf, testIo } from "./support.js";

/**
 * Review of issue 8 (branch review78): the restore page over real HTTP, served by `serve`'s
 * code, against the local endpoint; links from the alerts a real `apply` sent.
 */
const REGION = "us-east-1";
const fleet = (): Backup[] => makeFleet({ endMs: NOW_MS, days: 40, clusters: [{ region: REGION, count: 1 }], seed: 3 });

let s: Stage | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const remind = (st: Stage) => runCli(["remind", "--policy", POLICY, "--region", REGION, "--endpoint-url", st.endpoint.url, "--format", "json"], { env: ENV });

describe("review78: the 'restored' notice and its event", () => {
  it("a 'restored' notice SNS refused during the POST is sent by the next reminder run, as the page says ('the next reminder run sends it')", async () => {
    s = await stage(fleet(), [REGION]);
    const [backupId, link] = [...s.links][0]!;
    const page = await raw(link);
    s.endpoint.faults.configureService("sns", { throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1, outage: true });
    const res = await postForm(link, { form_token: formTokenIn(page.body), keep: "hold" });
    expect(res.status).toBe(200);
    expect(stateOf(s.endpoint, REGION, backupId)?.state).toBe("READY");
    // The page's own promise.
    expect(res.body).toContain("the next reminder run sends it");
    s.endpoint.faults.clearService("sns");
    const published = s.endpoint.sns.published().length;
    s.endpoint.clock.advance(15 * 60_000);
    expect((await remind(s)).code).toBe(0);
    const restoredNotices = s.endpoint.sns.published().slice(published).filter((m) => /restored/i.test(m.subject ?? "") && m.message.includes(backupId));
    expect(restoredNotices).toHaveLength(1);
    // Issue 7, 'Done when': an event for each action.
    const events = s.endpoint.events.entries().filter((e) => e.detailType === "Backup Restored" && JSON.parse(e.detail).backupId === backupId);
    expect(events).toHaveLength(1);
  });
});

describe("review78: 410 'gone for good' only when it is", () => {
  it("an expired link of a backup that was restored and then deleted again (still restorable) does not say 'nothing can bring it back'", async () => {
    s = await stage(fleet(), [REGION]);
    const [backupId, link] = [...s.links][0]!;
    const page = await raw(link);
    // Restored through the link (held 30 days) ...
    expect((await postForm(link, { form_token: formTokenIn(page.body), keep: "hold" })).status).toBe(200);
    // ... and two days later deleted again by hand: a new 7-day window, until NOW + 9 days.
    s.endpoint.clock.advance(2 * DAY_MS);
    await client(s.endpoint).send(new DeleteBackupCommand({ BackupId: backupId }));
    // Day 8: the old link's window (NOW + 7 days) has ended; the backup can still be restored.
    s.endpoint.clock.advance(6 * DAY_MS);
    expect(stateOf(s.endpoint, REGION, backupId)?.state).toBe("PENDING_DELETION");
    const old = await raw(link);
    expect(old.body).not.toContain("nothing can bring it back");
    expect(old.body).not.toContain("is gone for good");
  });
});

describe("review78: docs of the restore path", () => {
  it("the 'Backup Restored' event says via \"the restore link\", as README's example (line 668) shows a rule author", async () => {
    s = await stage(fleet(), [REGION]);
    const [backupId, link] = [...s.links][0]!;
    const page = await raw(link);
    expect((await postForm(link, { form_token: formTokenIn(page.body), keep: "hold" })).status).toBe(200);
    const detail = s.endpoint.events.entries().filter((e) => e.detailType === "Backup Restored").map((e) => JSON.parse(e.detail)).find((d) => d.backupId === backupId);
    expect(detail?.via).toBe("the restore link");
  });

  // Reviewed: the documented behaviour was changed instead (README "The alert path's region"):
  // locally every command meets the one ledger in us-east-1, whatever --region or AWS_REGION say.
  it("`serve --region` does not move the local alert path away from the ledger apply uses (README 'The alert path's region')", async () => {
    const ep = await start(fleet());
    try {
      const { io } = testIo();
      const server = await startRestoreServer({ port: "0", endpointUrl: ep.url, policy: [POLICY], region: "us-west-2" }, io);
      await server.close();
      const tables = async (region: string) =>
        (await new DynamoDBClient({ endpoint: ep.url, region, credentials: { accessKeyId: "t", secretAccessKey: "t" } }).send(new ListTablesCommand({}))).TableNames ?? [];
      expect(await tables("us-east-1")).toContain("cloudhsm-retention-ledger");
      expect(await tables("us-west-2")).not.toContain("cloudhsm-retention-ledger");
    } finally {
      await ep.close();
    }
  });
});
