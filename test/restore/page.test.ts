import { DeleteBackupCommand } from "@aws-sdk/client-cloudhsm-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertClients } from "../../src/aws/clients.js";
import { DynamoDbLedger } from "../../src/aws/dynamodb-ledger.js";
import { LOCAL_NAMES } from "../../src/cli/local-resources.js";
import type { Backup } from "../../src/domain/types.js";
import { makeFleet } from "../../src/local/fleet.js";
import { signToken } from "../../src/restore/token.js";
import { client, DAY_MS, NOW_MS } from "../local/support.js";
import { applyJson, formTokenIn, postForm, raw, SECRET, type Stage, stage, stateOf, writesSinceReset } from "./support.js";

/**
 * The restore page over real HTTP, served by `serve`'s code, against the local endpoint:
 * links come from the alerts a real `apply` sent, state is read from the endpoint, and
 * "changed nothing" means no write call of any service reached it.
 */

const REGION = "us-east-1";
/** One cluster, 120 days of daily backups: `production` (3 monthly) deletes backups of every age from 5 days to 120. */
const fleet = (): Backup[] => makeFleet({ endMs: NOW_MS, days: 120, clusters: [{ region: REGION, count: 1 }], seed: 11 });
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

let s: Stage;
let backups: Backup[];
/** Deleted backups, newest first, each with its link; tests take their own so none sees another's restore. */
let deleted: Array<{ b: Backup; link: string }>;
const take = (pred: (b: Backup) => boolean = () => true) => {
  const i = deleted.findIndex((d) => pred(d.b));
  if (i < 0) throw new Error("no deleted backup left that fits");
  return deleted.splice(i, 1)[0]!;
};
const ageDays = (b: Backup) => (NOW_MS - b.createdAtMs) / DAY_MS;

beforeAll(async () => {
  backups = fleet();
  s = await stage(backups, [REGION]);
  deleted = [...s.links]
    .map(([id, link]) => ({ b: backups.find((x) => x.backupId === id)!, link }))
    .filter((d) => stateOf(s.endpoint, REGION, d.b.backupId)?.state === "PENDING_DELETION")
    .sort((x, y) => y.b.createdAtMs - x.b.createdAtMs);
  expect(deleted.length).toBeGreaterThan(30);
});
afterAll(() => s?.close());

describe("GET shows the backup and changes nothing", () => {
  it("names the backup, its cluster and region, when it was made, why it went, and when it is gone for good", async () => {
    const { b, link } = take((x) => ageDays(x) > 20 && ageDays(x) < 50);
    const deleteAtMs = s.endpoint.cloudhsm.get(REGION, b.backupId, s.endpoint.clock.nowMs())!.deleteAtMs!;
    s.endpoint.calls.reset();
    const published = s.endpoint.sns.published().length;
    const res = await raw(link);
    expect(res.status).toBe(200);
    expect(res.body).toContain(`<title>Restore ${b.backupId}?`);
    expect(res.body).toContain(b.backupId);
    expect(res.body).toContain(b.clusterId!);
    expect(res.body).toContain(`<code>${REGION}</code>`);
    // Created: the policy's zone (Europe/Berlin) and UTC.
    expect(res.body).toMatch(new RegExp(`<dt>Created</dt><dd>\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d CES?T \\(${iso(b.createdAtMs)}\\)</dd>`));
    // Why: the planner's reason as recorded in the ledger, and the policy.
    expect(res.body).toMatch(/<dt>Why it was deleted<\/dt><dd>no keep rule matched[^<]*\(policy <code>production<\/code>\)/);
    // DeleteTimestamp is 7 days after the run (the clock is frozen): in UTC, and 7 days from now,
    // or a hair less (6 days 23 h) when a millisecond of real time passed since the last response.
    expect(deleteAtMs).toBe(NOW_MS + 7 * DAY_MS);
    expect(res.body).toMatch(new RegExp(`<dt>Gone for good</dt><dd>${iso(deleteAtMs)} \\(in (7 days|6 days 23 h)\\)</dd>`));
    expect(res.body).toContain("PENDING_DELETION");
    expect(res.body).toContain(">Restore and keep for 30 days</button>");
    expect(res.body).toContain(">Restore and keep forever</button>");
    expect(stateOf(s.endpoint, REGION, b.backupId)).toEqual({ state: "PENDING_DELETION", neverExpires: false });
    expect(writesSinceReset(s.endpoint)).toEqual({});
    expect(s.endpoint.sns.published()).toHaveLength(published);
  });

  it("says when the cluster's own retention (90 days) would purge the backup before the hold ends, with the date", async () => {
    const { b, link } = take((x) => ageDays(x) > 62 && ageDays(x) < 85);
    const res = await raw(link);
    expect(res.body).toContain(`The cluster&#39;s own backup retention (90 days) would delete this backup on ${iso(b.createdAtMs + 90 * DAY_MS)}`);
    expect(res.body).toContain("Restore and keep forever");
  });

  it("says that a backup older than the cluster's retention would be purged again soon after a restore, not a date in the past", async () => {
    const { link } = take((x) => ageDays(x) > 95);
    const res = await raw(link);
    expect(res.body).toMatch(/older than the cluster&#39;s own backup retention \(90 days\)/);
    expect(res.body).toContain("soon after it is restored");
    expect(res.body).not.toContain("would delete this backup on");
  });

  it("escapes hostile values from AWS and the ledger: tags and reasons holding markup are shown as text", async () => {
    // A READY backup deleted by hand (outside any policy), tagged with markup; the ledger's
    // reason for it holds markup too. Its link is signed as the alert path would sign it.
    const victim = backups.filter((b) => b.state === "READY" && stateOf(s.endpoint, REGION, b.backupId)?.state === "READY").at(-1)!;
    s.endpoint.cloudhsm.upsert([{ ...victim, tags: { ...victim.tags, note: `<script>alert("tag")</script>`, "<b>key</b>": `"><img src=x onerror=alert(1)>` } }], s.endpoint.clock.nowMs());
    await client(s.endpoint, REGION).send(new DeleteBackupCommand({ BackupId: victim.backupId }));
    const deleteAtMs = s.endpoint.cloudhsm.get(REGION, victim.backupId, s.endpoint.clock.nowMs())!.deleteAtMs!;
    const { documents } = alertClients(REGION, { endpointUrl: s.endpoint.url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    await new DynamoDbLedger({ client: documents, tableName: LOCAL_NAMES.table, nowMs: () => NOW_MS }).record(
      { kind: "deleted-outside", atMs: NOW_MS, runId: "test", region: REGION, backupId: victim.backupId, policy: null, revision: null, reason: "<script>alert('reason')</script> by </dd><h1>fake</h1>", actor: "arn:aws:iam::123456789012:user/<i>x</i>", deleteAtMs },
      deleteAtMs + 400 * DAY_MS,
    );
    const token = signToken({ action: "restore", region: REGION, backupId: victim.backupId, expiresAtMs: deleteAtMs }, Buffer.from(SECRET));
    const res = await raw(`${s.server.url}/restore/${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain("&lt;script&gt;alert(&quot;tag&quot;)&lt;/script&gt;");
    expect(res.body).toContain("&lt;b&gt;key&lt;/b&gt;");
    expect(res.body).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(res.body).toContain("&lt;script&gt;alert(&#39;reason&#39;)&lt;/script&gt; by &lt;/dd&gt;&lt;h1&gt;fake&lt;/h1&gt;");
    expect(res.body).not.toMatch(/<script|<img|<b>key|<h1>fake/);
    expect(res.body.match(/<h1>/g)).toHaveLength(1);
  });

  it("HEAD answers like GET, without a body, and changes nothing", async () => {
    const { b, link } = take();
    s.endpoint.calls.reset();
    const res = await raw(link, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.body).toBe("");
    expect(stateOf(s.endpoint, REGION, b.backupId)?.state).toBe("PENDING_DELETION");
    expect(writesSinceReset(s.endpoint)).toEqual({});
  });
});

describe("POST restores", () => {
  it("'Restore and keep for 30 days': READY, held in the ledger, announced; the next apply keeps it ('held until ...')", async () => {
    const { b, link } = take((x) => ageDays(x) > 20 && ageDays(x) < 50);
    const page = await raw(link);
    const published = s.endpoint.sns.published().length;
    const res = await postForm(link, { form_token: formTokenIn(page.body), keep: "hold" });
    expect(res.status).toBe(200);
    expect(res.body).toContain("<h1>Restored</h1>");
    expect(res.body).toContain(`${b.backupId} is restored and held until ${iso(NOW_MS + 30 * DAY_MS).slice(0, 13)}`);
    expect(res.body).toContain("READY");
    expect(stateOf(s.endpoint, REGION, b.backupId)).toEqual({ state: "READY", neverExpires: false });
    // One "restored" notice naming the backup.
    const notices = s.endpoint.sns.published().slice(published);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message).toContain(b.backupId);
    expect(notices[0]!.subject).toMatch(/restored/i);

    const again = await applyJson(s.endpoint, [REGION]);
    expect(again.code).toBe(0);
    const decision = again.report.decisions.find((d: { backupId: string }) => d.backupId === b.backupId);
    expect(decision).toMatchObject({ action: "keep", reasons: [expect.stringMatching(/^held until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: restored through the restore link$/)] });
    expect(stateOf(s.endpoint, REGION, b.backupId)?.state).toBe("READY");
  });

  it("a second POST is harmless: 'already restored', no second RestoreBackup, no second notice", async () => {
    const { b, link } = take();
    const token = formTokenIn((await raw(link)).body);
    expect((await postForm(link, { form_token: token, keep: "hold" })).status).toBe(200);
    const published = s.endpoint.sns.published().length;
    s.endpoint.calls.reset();
    const res = await postForm(link, { form_token: token, keep: "hold" });
    expect(res.status).toBe(200);
    expect(res.body).toContain("<h1>Already restored</h1>");
    expect(res.body).toContain(`${b.backupId} is already restored and held until`);
    expect(writesSinceReset(s.endpoint).RestoreBackup).toBeUndefined();
    expect(s.endpoint.sns.published()).toHaveLength(published);
    expect(stateOf(s.endpoint, REGION, b.backupId)?.state).toBe("READY");
  });

  it("'Restore and keep forever' sets NeverExpires", async () => {
    const { b, link } = take();
    const res = await postForm(link, { form_token: formTokenIn((await raw(link)).body), keep: "pin" });
    expect(res.status).toBe(200);
    expect(res.body).toContain("kept forever (NeverExpires)");
    expect(stateOf(s.endpoint, REGION, b.backupId)).toEqual({ state: "READY", neverExpires: true });
  });

  it("accepts a browser's form post that says Origin: null (the page's no-referrer policy) with Sec-Fetch-Site: same-origin", async () => {
    const { b, link } = take();
    const res = await postForm(link, { form_token: formTokenIn((await raw(link)).body), keep: "hold" }, { origin: "null", "sec-fetch-site": "same-origin" });
    expect(res.status).toBe(200);
    expect(stateOf(s.endpoint, REGION, b.backupId)?.state).toBe("READY");
  });
});

describe("links that are not genuine", () => {
  it("tampered, foreign and malformed tokens and unknown paths all get one 404 page, naming nothing", async () => {
    const { b, link } = deleted[0]!;
    const token = link.slice(link.lastIndexOf("/") + 1);
    const flip = (t: string, i: number) => t.slice(0, i) + (t[i] === "A" ? "B" : "A") + t.slice(i + 1);
    const deleteAtMs = s.endpoint.cloudhsm.get(REGION, b.backupId, s.endpoint.clock.nowMs())!.deleteAtMs!;
    const foreign = signToken({ action: "restore", region: REGION, backupId: b.backupId, expiresAtMs: deleteAtMs }, Buffer.from("another-deployment-secret-of-32-characters"));
    const paths = [
      `/restore/${flip(token, 5)}`,
      `/restore/${flip(token, token.length - 3)}`,
      `/restore/${foreign}`,
      "/restore/x",
      "/restore/not%20a%20token",
      `/restore/${"A".repeat(300)}`,
      `/restore/${token}%3D%3D`,
      "/",
      "/restore",
      "/favicon.ico",
      `/restore/${token}/more`,
    ];
    const formToken = formTokenIn((await raw(link)).body);
    s.endpoint.calls.reset();
    const bodies = new Set<string>();
    for (const path of paths) {
      const res = await raw(`${s.server.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain(b.backupId);
      expect(res.body).not.toContain(token.slice(0, 20));
      bodies.add(res.body);
    }
    for (const path of paths.slice(0, 3)) {
      const res = await postForm(`${s.server.url}${path}`, { form_token: formToken, keep: "hold" }, { origin: s.server.url });
      expect(res.status, `POST ${path}`).toBe(404);
      bodies.add(res.body);
    }
    expect(bodies.size).toBe(1);
    expect(stateOf(s.endpoint, REGION, b.backupId)?.state).toBe("PENDING_DELETION");
    // A link that is not genuine costs no AWS call at all.
    expect(s.endpoint.calls.snapshot().total).toBe(0);
  });

  it("other methods on a restore path get 405 with Allow", async () => {
    const { link } = deleted[0]!;
    for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const res = await raw(link, { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe("GET, HEAD, POST");
    }
  });
});

describe("a POST that does not come from the page is refused, and changes nothing", () => {
  it.each([
    ["another site's Origin", { origin: "https://evil.example" }],
    ["an Origin on another port", { origin: "http://127.0.0.1:1" }],
    ["no Origin and no Sec-Fetch-Site", {}],
    ["Origin: null without Sec-Fetch-Site", { origin: "null" }],
    ["a matching Origin with Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site", origin: "SELF" }],
    ["Sec-Fetch-Site: same-site (a sibling subdomain)", { "sec-fetch-site": "same-site" }],
  ])("%s", async (_name, headers: Record<string, string>) => {
    const { b, link } = deleted[0]!;
    const formToken = formTokenIn((await raw(link)).body);
    s.endpoint.calls.reset();
    const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v === "SELF" ? s.server.url : v]));
    const res = await postForm(link, { form_token: formToken, keep: "hold" }, h);
    expect(res.status).toBe(403);
    expect(res.body).toContain("Refused: nothing was changed");
    expect(stateOf(s.endpoint, REGION, b.backupId)?.state).toBe("PENDING_DELETION");
    expect(writesSinceReset(s.endpoint)).toEqual({});
  });

  it("without the form token, or with another link's, or with a made-up one", async () => {
    const [{ b, link }, other] = [deleted[0]!, deleted[1]!];
    const otherToken = formTokenIn((await raw(other.link)).body);
    s.endpoint.calls.reset();
    for (const fields of [{ keep: "hold" } as Record<string, string>, { keep: "hold", form_token: otherToken }, { keep: "pin", form_token: "AAAAAAAAAAAAAAAAAAAAAA" }, { keep: "hold", form_token: "" }]) {
      const res = await postForm(link, fields);
      expect(res.status, JSON.stringify(fields)).toBe(403);
    }
    expect(stateOf(s.endpoint, REGION, b.backupId)?.state).toBe("PENDING_DELETION");
    expect(writesSinceReset(s.endpoint)).toEqual({});
  });

  it("a form that is not the page's: another content type (403: no form token), an unknown button (400)", async () => {
    const { b, link } = deleted[0]!;
    const formToken = formTokenIn((await raw(link)).body);
    s.endpoint.calls.reset();
    const json = await raw(link, { method: "POST", headers: { origin: s.server.url, "content-type": "application/json" }, body: JSON.stringify({ form_token: formToken, keep: "hold" }) });
    expect(json.status).toBe(403);
    for (const keep of ["delete", "", "HOLD"]) expect((await postForm(link, { form_token: formToken, keep })).status).toBe(400);
    const twice = await raw(link, { method: "POST", headers: { origin: s.server.url, "content-type": "application/x-www-form-urlencoded" }, body: `form_token=${formToken}&keep=hold&keep=pin` });
    expect(twice.status).toBe(400);
    expect(stateOf(s.endpoint, REGION, b.backupId)?.state).toBe("PENDING_DELETION");
    expect(writesSinceReset(s.endpoint)).toEqual({});
  });
});

describe("robots: mail scanners and link previewers", () => {
  const AGENTS = [
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Slack-ImgProxy (+https://api.slack.com/robots)",
    // Safe Links and Proofpoint present ordinary browser strings, or their own.
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17531; Pro)",
    "Mozilla/5.0 (compatible; Proofpoint URL Defense)",
    "Mozilla/5.0 (compatible; Barracuda Sentinel)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "Discordbot/2.0; +https://discordapp.com",
    "TelegramBot (like TwitterBot)",
    "curl/8.5.0",
  ];

  it("GET (following redirects or not) and HEAD, from every agent, restore nothing; nor does a robot that posts the form without saying where from", async () => {
    const targets = deleted.slice(0, 3);
    s.endpoint.calls.reset();
    const published = s.endpoint.sns.published().length;
    const events = s.endpoint.events.entries().length;
    for (const { link } of targets) {
      for (const agent of AGENTS) {
        for (const redirect of ["follow", "manual"] as const) {
          const res = await fetch(link, { headers: { "user-agent": agent }, redirect });
          expect(res.status).toBe(200);
          await res.text();
        }
        const head = await fetch(link, { method: "HEAD", headers: { "user-agent": agent } });
        expect(head.status).toBe(200);
        // Scanners that "click" what they find: the form posted by a client that sends no Origin.
        const html = await (await fetch(link, { headers: { "user-agent": agent } })).text();
        const posted = await fetch(link, {
          method: "POST",
          headers: { "user-agent": agent, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ form_token: formTokenIn(html), keep: "hold" }).toString(),
        });
        expect(posted.status).toBe(403);
        // A bare POST to the link, without the page.
        expect((await fetch(link, { method: "POST", headers: { "user-agent": agent } })).status).toBe(403);
      }
    }
    for (const { b } of targets) expect(stateOf(s.endpoint, REGION, b.backupId)).toEqual({ state: "PENDING_DELETION", neverExpires: false });
    expect(writesSinceReset(s.endpoint)).toEqual({});
    expect(s.endpoint.sns.published()).toHaveLength(published);
    expect(s.endpoint.events.entries()).toHaveLength(events);
  });
});

describe("past DeleteTimestamp", () => {
  let late: Stage;
  beforeAll(async () => {
    late = await stage(makeFleet({ endMs: NOW_MS, days: 40, clusters: [{ region: REGION, count: 1 }], seed: 3 }), [REGION]);
  });
  afterAll(() => late?.close());

  it("410 with a plain explanation, for GET and POST; a backup brought back in time says its link has expired", async () => {
    const [gone0, back0] = [...late.links];
    const [goneId, goneLink] = gone0!;
    const [backId, backLink] = back0!;
    const formToken = formTokenIn((await raw(goneLink!)).body);
    const backPage = await raw(backLink!);
    expect((await postForm(backLink!, { form_token: formTokenIn(backPage.body), keep: "hold" })).status).toBe(200);
    late.endpoint.clock.advance(7 * DAY_MS + 60_000);

    const gone = await raw(goneLink!);
    expect(gone.status).toBe(410);
    expect(gone.body).toContain(`<h1><code>${goneId}</code> is gone for good</h1>`);
    expect(gone.body).toContain(`Its restore window ended on ${iso(NOW_MS + 7 * DAY_MS)} (1 min ago)`);
    expect(gone.body).not.toContain("<form");
    late.endpoint.calls.reset();
    const post = await postForm(goneLink!, { form_token: formToken, keep: "hold" });
    expect(post.status).toBe(410);
    expect(writesSinceReset(late.endpoint)).toEqual({});

    const back = await raw(backLink!);
    expect(back.status).toBe(410);
    expect(back.body).toContain("This restore link has expired");
    expect(back.body).toContain(`<code>${backId}</code> in <code>${REGION}</code> is READY`);
  });
});
