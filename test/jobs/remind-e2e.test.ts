import { DeleteBackupCommand, RestoreBackupCommand } from "@aws-sdk/client-cloudhsm-v2";
import { afterEach, describe, expect, it } from "vitest";
import type { Backup } from "../../src/domain/types.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { makeFleet } from "../../src/local/fleet.js";
import { runCli } from "../support/cli.js";
import { client, DAY_MS, listAll, NOW_MS, start } from "../local/support.js";

/**
 * The alert path end to end: the real CLI (`apply`, `remind`), the real SNS, EventBridge
 * and DynamoDB clients over HTTP, the local endpoint's emulated clock moved by days.
 * Expectations come from the endpoint's own state (which backups are PENDING_DELETION,
 * and their DeleteTimestamp) and from the stages worked by hand: 72h, 24h, 2h before it.
 */
const POLICY = "test/fixtures/policies/apply.yml";
const REGIONS = ["us-east-1", "us-west-2"];
const HOUR_MS = 3_600_000;
const ENV = { RESTORE_LINK_SECRET: "the-test-secret-of-at-least-32-characters" };

let endpoint: LocalEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

/** A small fleet: two clusters in us-east-1, one in us-west-2, DR copies in us-west-2. */
function smallFleet(): Backup[] {
  return makeFleet({ endMs: NOW_MS, days: 30, clusters: [{ region: "us-east-1", count: 2 }, { region: "us-west-2", count: 1 }], copyTo: { region: "us-west-2", everyDays: 7 }, seed: 5 });
}

const cli = (ep: LocalEndpoint, command: "apply" | "remind", ...extra: string[]) =>
  runCli([command, "--policy", POLICY, ...REGIONS.flatMap((r) => ["--region", r]), "--endpoint-url", ep.url, "--format", "json", ...extra], { env: ENV });

interface Message {
  subject: string;
  email: string;
  chatbot: { content: { description: string }; metadata: { threadId: string } };
}
const messages = (ep: LocalEndpoint): Message[] =>
  ep.sns.published().map((m) => {
    const body = JSON.parse(m.message) as { email: string; https: string };
    return { subject: m.subject ?? "", email: body.email, chatbot: JSON.parse(body.https) };
  });
const events = (ep: LocalEndpoint, detailType: string) => ep.events.entries().filter((e) => e.detailType === detailType).map((e) => JSON.parse(e.detail) as Record<string, unknown>);

/** PENDING_DELETION backups as the endpoint reports them, with their group (region/cluster). */
async function pending(ep: LocalEndpoint): Promise<Array<{ id: string; group: string }>> {
  const out: Array<{ id: string; group: string }> = [];
  for (const region of REGIONS) {
    const ids = await listAll(client(ep, region), { Filters: { states: ["PENDING_DELETION"] } });
    for (const id of ids) {
      const b = ep.cloudhsm.get(region, id, ep.clock.nowMs())!;
      out.push({ id, group: b.sourceRegion ? `${region}/copy:${b.sourceRegion}/${b.sourceClusterId}` : `${region}/${b.clusterId}` });
    }
  }
  return out;
}

/** Which messages mention each backup ID. */
function mentions(msgs: Message[], id: string): number {
  return msgs.filter((m) => m.email.includes(id)).length;
}

describe("announcements", () => {
  it("apply announces every deletion once, one digest per cluster, each backup with its restore link", async () => {
    const fleet = smallFleet();
    endpoint = await start(fleet);
    const alreadyPending = new Set(fleet.filter((b) => b.state === "PENDING_DELETION").map((b) => b.backupId));
    const run = await cli(endpoint, "apply");
    expect(run.code).toBe(0);
    const deleted = (await pending(endpoint)).filter((p) => !alreadyPending.has(p.id));
    expect(deleted.length).toBeGreaterThan(20);
    const msgs = messages(endpoint);
    const groups = new Set(deleted.map((d) => d.group));
    // One digest per (region, cluster) that lost backups; none of these is large enough to split.
    expect(msgs).toHaveLength(groups.size);
    for (const d of deleted) expect(mentions(msgs, d.id)).toBe(1);
    const links = msgs.flatMap((m) => m.email.match(/^http:\/\/127\.0\.0\.1:8787\/restore\/[A-Za-z0-9_-]+$/gm) ?? []);
    expect(links).toHaveLength(deleted.length);
    expect(new Set(msgs.map((m) => m.chatbot.metadata.threadId)).size).toBe(groups.size);
    // An event per deletion, and one for the run.
    expect(events(endpoint, "Backup Deletion Scheduled").map((e) => e.backupId).sort()).toEqual(deleted.map((d) => d.id).sort());
    expect(events(endpoint, "Retention Run Completed")).toHaveLength(1);
  });

  it("a second apply sends nothing more; remind right after tells only of the backup someone else had deleted", async () => {
    const fleet = smallFleet();
    endpoint = await start(fleet);
    // The fleet holds one backup deleted by hand four days ago: no run of ours announced it.
    const byHand = fleet.filter((b) => b.state === "PENDING_DELETION").map((b) => b.backupId);
    expect(byHand).toHaveLength(1);
    expect((await cli(endpoint, "apply")).code).toBe(0);
    const after = messages(endpoint).length;
    expect((await cli(endpoint, "apply")).code).toBe(0);
    expect(messages(endpoint)).toHaveLength(after);
    expect((await cli(endpoint, "remind")).code).toBe(0);
    const late = messages(endpoint).slice(after);
    expect(late).toHaveLength(1);
    expect(late[0]!.email).toContain(byHand[0]);
    expect(late[0]!.email).toContain("outside policy");
    expect((await cli(endpoint, "remind")).code).toBe(0);
    expect(messages(endpoint)).toHaveLength(after + 1);
  });

  it("when SNS is down, apply deletes, says so with exit 3, and the next remind announces every deletion it could not", async () => {
    const fleet = smallFleet();
    endpoint = await start(fleet);
    const alreadyPending = new Set(fleet.filter((b) => b.state === "PENDING_DELETION").map((b) => b.backupId));
    endpoint.faults.configureService("sns", { throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1, outage: true });
    const run = await cli(endpoint, "apply");
    expect(run.stderr).toContain("warning: could not create the topic");
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout);
    expect(report.alerts.delivery.failedMessages).toBeGreaterThan(0);
    expect(messages(endpoint)).toEqual([]);
    const deleted = (await pending(endpoint)).filter((p) => !alreadyPending.has(p.id));
    expect(deleted.length).toBeGreaterThan(0);

    endpoint.faults.clearService("sns");
    const remind = await cli(endpoint, "remind");
    expect(remind.code).toBe(0);
    const msgs = messages(endpoint);
    for (const d of deleted) expect(mentions(msgs, d.id)).toBe(1);
    // Said as what they were: deletions under policy, not from outside (only the backup
    // someone deleted by hand before the run is marked so).
    const outside = msgs.flatMap((m) => m.email.match(/Deleted: +outside policy/g) ?? []);
    expect(outside).toHaveLength(alreadyPending.size);
    expect(msgs.flatMap((m) => m.email.match(/Deleted: +by policy (production|dr-copies)/g) ?? [])).toHaveLength(deleted.length);
  });

  it("announces a backup deleted by hand (outside any policy) once, with its link", async () => {
    const fleet = smallFleet();
    endpoint = await start(fleet);
    const victim = fleet.find((b) => b.region === "us-east-1" && b.state === "READY")!;
    await client(endpoint, "us-east-1").send(new DeleteBackupCommand({ BackupId: victim.backupId }));
    expect((await cli(endpoint, "remind")).code).toBe(0);
    const msgs = messages(endpoint).filter((m) => m.email.includes(victim.backupId));
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.email).toContain("outside policy");
    expect((await cli(endpoint, "remind")).code).toBe(0);
    expect(messages(endpoint).filter((m) => m.email.includes(victim.backupId))).toHaveLength(1);
  });
});

describe("reminder stages", () => {
  /** Apply at NOW; the deletions' DeleteTimestamp is NOW + 7 days. */
  async function applied(): Promise<{ ep: LocalEndpoint; deleted: string[] }> {
    const fleet = smallFleet();
    const ep = await start(fleet);
    const already = new Set(fleet.filter((b) => b.state === "PENDING_DELETION").map((b) => b.backupId));
    expect((await cli(ep, "apply")).code).toBe(0);
    const deleted = (await pending(ep)).map((p) => p.id).filter((id) => !already.has(id));
    ep.sns.clear();
    return { ep, deleted };
  }
  const deleteAt = NOW_MS + 7 * DAY_MS;
  const at = (ep: LocalEndpoint, ms: number) => ep.clock.advance(ms - ep.clock.nowMs());
  const stagesSent = (ep: LocalEndpoint, id: string) => events(ep, "Backup Deletion Reminder").filter((e) => e.backupId === id).map((e) => e.stage);

  it("sends each stage once per backup, on time, in one digest per cluster per run", async () => {
    const { ep, deleted } = await applied();
    endpoint = ep;
    for (const [when, stage] of [
      [deleteAt - 72 * HOUR_MS + 60_000, "72h"],
      [deleteAt - 24 * HOUR_MS + 60_000, "24h"],
      [deleteAt - 2 * HOUR_MS + 60_000, "2h"],
    ] as const) {
      at(ep, when - 30 * 60_000);
      expect((await cli(ep, "remind")).code).toBe(0); // a little before the stage: nothing due
      at(ep, when);
      ep.sns.clear();
      expect((await cli(ep, "remind")).code).toBe(0);
      expect((await cli(ep, "remind")).code).toBe(0); // repeated: nothing more
      const msgs = messages(ep);
      for (const id of deleted) expect(mentions(msgs, id)).toBe(1);
      expect(msgs.every((m) => m.subject.includes("reminder"))).toBe(true);
    }
    for (const id of deleted) expect(stagesSent(ep, id)).toEqual(["72h", "24h", "2h"]);
  });

  it("under two overlapping remind runs, still sends each stage once", async () => {
    const { ep, deleted } = await applied();
    endpoint = ep;
    at(ep, deleteAt - 24 * HOUR_MS + 60_000);
    const [a, b] = await Promise.all([cli(ep, "remind"), cli(ep, "remind")]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const msgs = messages(ep);
    for (const id of deleted) expect(mentions(msgs, id)).toBe(1);
  });

  it("after a 5-day gap sends only the most urgent stage due, not a burst", async () => {
    const { ep, deleted } = await applied();
    endpoint = ep;
    at(ep, deleteAt - HOUR_MS); // all three stages are due; only 2h is sent
    expect((await cli(ep, "remind")).code).toBe(0);
    for (const id of deleted) expect(stagesSent(ep, id)).toEqual(["2h"]);
    expect(messages(ep).every((m) => m.email.includes("1 h") || m.email.includes("59 min") || m.email.includes("hour"))).toBe(true);
  });

  it("says nothing more about a backup restored meanwhile", async () => {
    const { ep, deleted } = await applied();
    endpoint = ep;
    const restored = deleted[0]!;
    const region = ep.cloudhsm.get("us-east-1", restored, ep.clock.nowMs()) ? "us-east-1" : "us-west-2";
    await client(ep, region).send(new RestoreBackupCommand({ BackupId: restored }));
    at(ep, deleteAt - 24 * HOUR_MS + 60_000);
    expect((await cli(ep, "remind")).code).toBe(0);
    // No reminder: only the notice that it came back (outside the link) and is held.
    const about = messages(ep).filter((m) => m.email.includes(restored));
    expect(about.map((m) => m.subject)).toEqual([expect.stringMatching(/restored/)]);
    expect(about[0]!.email).toContain("outside the link");
    expect(stagesSent(ep, restored)).toEqual([]);
    for (const id of deleted.slice(1)) expect(mentions(messages(ep), id)).toBe(1);
    // Held: the next apply leaves it alone although the policy would delete it again.
    const again = JSON.parse((await cli(ep, "apply", "--now", new Date(ep.clock.nowMs()).toISOString())).stdout);
    expect(again.decisions.find((d: { backupId: string }) => d.backupId === restored)).toMatchObject({ action: "keep", reasons: [expect.stringMatching(/^held until .*: restored outside the link/)] });
  });

  it("when DynamoDB is down, sends nothing and exits 3; once it is back, sends each stage once", async () => {
    const { ep, deleted } = await applied();
    endpoint = ep;
    at(ep, deleteAt - 24 * HOUR_MS + 60_000);
    ep.faults.configureService("dynamodb", { throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1, outage: true });
    const down = await cli(ep, "remind");
    expect(down.code).toBe(3);
    expect(messages(ep)).toEqual([]);
    ep.faults.clearService("dynamodb");
    expect((await cli(ep, "remind")).code).toBe(0);
    for (const id of deleted) expect(mentions(messages(ep), id)).toBe(1);
  });

  it("when SNS fails, gives the notices back and the next run sends them, once", async () => {
    const { ep, deleted } = await applied();
    endpoint = ep;
    at(ep, deleteAt - 72 * HOUR_MS + 60_000);
    ep.faults.configureService("sns", { throttleRate: 0, internalErrorRate: 0, latencyMs: 0, seed: 1, outage: true });
    expect((await cli(ep, "remind")).code).toBe(3);
    ep.faults.clearService("sns");
    expect((await cli(ep, "remind")).code).toBe(0);
    expect((await cli(ep, "remind")).code).toBe(0);
    for (const id of deleted) expect(mentions(messages(ep), id)).toBe(1);
  });

  it("puts a Backup Expired event once a deletion is final, and forgets the backup", async () => {
    const { ep, deleted } = await applied();
    endpoint = ep;
    at(ep, deleteAt + 60_000);
    expect((await cli(ep, "remind")).code).toBe(0);
    expect((await cli(ep, "remind")).code).toBe(0);
    expect(events(ep, "Backup Expired").map((e) => e.backupId).sort()).toEqual([...deleted].sort());
  });
});
