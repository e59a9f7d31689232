import { DeleteBackupCommand, RestoreBackupCommand } from "@aws-sdk/client-cloudhsm-v2";
import { afterEach, describe, expect, it } from "vitest";
import type { Backup } from "../src/domain/types.js";
import type { LocalEndpoint } from "../src/local/index.js";
import { makeFleet } from "../src/local/fleet.js";
import { signToken, verifyToken } from "../src/restore/token.js";
import { runCli } from "./support/cli.js";
import { client, DAY_MS, NOW_MS, start } from "./local/support.js";
import { formTokenIn, postForm, raw, stage, type Stage, stateOf } from "./restore/support.js";

/**
 * Trial 78 (a new user's first run, issues 7 and 8): defects found by hand, each written
 * as the behaviour a user expects. These are expected to FAIL until the defects are fixed.
 */

const POLICY = "test/fixtures/policies/apply.yml";
const ENV = { RESTORE_LINK_SECRET: "trial78-secret-of-at-least-32-characters!" };
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

let ep: LocalEndpoint | undefined;
let st: Stage | undefined;
afterEach(async () => {
  await ep?.close();
  await st?.close();
  ep = undefined;
  st = undefined;
});

const fleet = (): Backup[] => makeFleet({ endMs: NOW_MS, days: 30, clusters: [{ region: "us-east-1", count: 2 }], seed: 5 });
const cli = (command: string, args: string[], env: Record<string, string> = {}) =>
  runCli([command, ...args, "--endpoint-url", ep!.url], { env: { ...ENV, ...env } });
const applyJson = async (extra: string[] = [], env: Record<string, string> = {}) => {
  const run = await cli("apply", ["--policy", POLICY, "--region", "us-east-1", "--format", "json", ...extra], env);
  return { code: run.code, report: JSON.parse(run.stdout) as { decisions: Array<{ backupId: string; action: string; enforced: boolean; reasons: string[] }> } };
};
const decision = (report: { decisions: Array<{ backupId: string }> }, id: string) => report.decisions.find((d) => d.backupId === id);

describe("trial78: restore links", () => {
  it("refuses a link whose last character was changed (four spellings of one token all open the page today)", () => {
    const secret = Buffer.from("0123456789abcdef0123456789abcdef", "utf8");
    const claims = { action: "restore" as const, region: "us-east-1", backupId: "backup-abcdefghijk", expiresAtMs: Date.parse("2026-12-05T06:00:00Z") };
    const token = signToken(claims, secret);
    expect(token.length % 4).not.toBe(0); // the last character carries unused bits
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(token.at(-1)!);
    const changed = token.slice(0, -1) + alphabet[last ^ 1]!;
    expect(changed).not.toBe(token);
    expect(verifyToken(changed, [secret], Date.parse("2026-11-28T06:00:00Z")).ok).toBe(false);
  });

  it("an old link to a backup that was restored and later deleted again does not say 'gone for good' while it is restorable", { timeout: 120_000 }, async () => {
    st = await stage(makeFleet({ endMs: NOW_MS, days: 60, clusters: [{ region: "us-east-1", count: 1 }], seed: 11 }), ["us-east-1"]);
    const [id, link] = [...st.links].find(([b]) => stateOf(st!.endpoint, "us-east-1", b)?.state === "PENDING_DELETION")!;
    const page = await raw(link);
    expect((await postForm(link, { form_token: formTokenIn(page.body), keep: "hold" })).status).toBe(200);
    // Eight days later someone deletes it again: it is PENDING_DELETION, restorable for 7 more days.
    st.endpoint.clock.advance(8 * DAY_MS);
    await client(st.endpoint).send(new DeleteBackupCommand({ BackupId: id }));
    expect(stateOf(st.endpoint, "us-east-1", id)?.state).toBe("PENDING_DELETION");
    const old = await raw(link);
    expect(old.body).not.toMatch(/gone for good<\/h1>|is gone for good/);
    expect(old.status).not.toBe(410);
  });
});

describe("trial78: restores that stick", () => {
  it("a backup restored by hand (aws cloudhsmv2 restore-backup) is not deleted again by the very next apply", { timeout: 120_000 }, async () => {
    ep = await start(fleet());
    const first = await applyJson();
    expect(first.code).toBe(0);
    const victim = first.report.decisions.find((d) => d.action === "delete" && d.enforced)!.backupId;
    await client(ep).send(new RestoreBackupCommand({ BackupId: victim }));
    const again = await applyJson(["--dry-run", "--now", iso(ep.clock.nowMs())]);
    expect(decision(again.report, victim)).toMatchObject({ action: "keep", reasons: [expect.stringMatching(/^held until/)] });
  });

  it("AWS_REGION in the shell does not make a local run forget the holds (it reads another, empty ledger today)", { timeout: 120_000 }, async () => {
    ep = await start(fleet());
    const first = await applyJson();
    const victim = first.report.decisions.find((d) => d.action === "delete" && d.enforced)!.backupId;
    const restored = await cli("restore", [victim, "--region", "us-east-1"]);
    expect(restored.code, restored.stderr).toBe(0);
    const plain = await applyJson(["--dry-run", "--now", iso(ep.clock.nowMs())]);
    expect(decision(plain.report, victim)).toMatchObject({ action: "keep" });
    const withRegion = await applyJson(["--dry-run", "--now", iso(ep.clock.nowMs())], { AWS_REGION: "eu-central-1" });
    expect(decision(withRegion.report, victim)).toMatchObject({ action: "keep", reasons: [expect.stringMatching(/^held until/)] });
  });

  it("restore with the wrong --region does not tell the user a restorable backup is gone for good", { timeout: 120_000 }, async () => {
    ep = await start(fleet());
    const first = await applyJson();
    const victim = first.report.decisions.find((d) => d.action === "delete" && d.enforced)!.backupId;
    const wrong = await cli("restore", [victim, "--region", "us-west-2"]);
    expect(wrong.stdout + wrong.stderr).not.toMatch(/gone for good/);
    expect(wrong.code).not.toBe(4);
  });

  it("the 'restored' notice of a backup deleted outside policy does not say a policy deleted it", { timeout: 120_000 }, async () => {
    const backups = fleet();
    const outside = backups.find((b) => b.state === "PENDING_DELETION" && b.region === "us-east-1");
    expect(outside, "the fleet has a backup deleted outside policy").toBeDefined();
    ep = await start(backups);
    expect((await cli("remind", ["--policy", POLICY, "--region", "us-east-1"])).code).toBe(0);
    ep.sns.clear();
    const run = await cli("restore", [outside!.backupId, "--region", "us-east-1", "--policy", POLICY]);
    expect(run.code, run.stderr).toBe(0);
    const notice = ep.sns.published().map((m) => (JSON.parse(m.message) as { email: string }).email).find((e) => e.includes(outside!.backupId))!;
    expect(notice).toBeDefined();
    expect(notice).not.toMatch(/Was deleted:\s+by policy/);
  });
});
