// The simulation's driver: emulated days in 15-minute ticks against the local endpoint,
// with the real Lambda handlers (functions/*.ts) over real SDK clients. Every random
// choice comes from one seeded PRNG. See bench/sim/README.md for the model and its choices.
import { spawn } from "node:child_process";
import { DeleteBackupCommand, ModifyClusterCommand, RestoreBackupCommand } from "@aws-sdk/client-cloudhsm-v2";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { prng } from "../../src/local/fleet.js";
import type { CloudTrailEvent } from "../../src/local/index.js";
import { configAt, drawFaults, type FaultPlan, type FaultService } from "./faults.js";
import { readMessage } from "./messages.js";
import type { LedgerRow, SimRecord } from "./record.js";
import { finalSweepCheck } from "./final.js";
import { warpShortTimers } from "./warp.js";
import { LAMBDA_KEY, lambdaContext, PERSON_KEY, REGION, RESTORE_BASE_URL, startWorld, type World } from "./world.js";

export interface SimOptions {
  days: number;
  seed: number;
  faults: boolean;
  clusters: number;
  /** Run the reminder every 15 minutes even when nothing can be due (the equivalence check). */
  dense?: boolean;
  /** Emulated start (UTC midnight). */
  startMs?: number;
  log?: (line: string) => void;
}

const MINUTE_MS = 60_000;
const TICK_MS = 15 * MINUTE_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** The stack's sweep schedule: cron(15 6 * * ? *). */
const SWEEP_AT_MS = 6 * HOUR_MS + 15 * MINUTE_MS;
const KILLED_KEY = "ASIASIMKILLEDRUN";
export const DEFAULT_START_MS = Date.parse("2026-12-01T00:00:00Z");
const SERVICES: FaultService[] = ["cloudhsm", "sns", "events", "dynamodb"];
/** Lambda retries an asynchronous invocation (the watcher's) twice, then drops the event. */
const WATCH_ATTEMPTS = 3;

type PersonAction =
  | { kind: "link-restore"; atMs: number; link: string; mode: "hold" | "pin"; retries: number }
  | { kind: "hand-restore"; atMs: number; backupId: string }
  | { kind: "hand-delete"; atMs: number }
  | { kind: "modify-cluster"; atMs: number; clusterId: string; days: number };

export async function simulate(opts: SimOptions): Promise<SimRecord> {
  const log = opts.log ?? (() => {});
  const rand = prng(opts.seed);
  const startMs = opts.startMs ?? DEFAULT_START_MS;
  const endMs = startMs + opts.days * DAY_MS;
  const unwarp = warpShortTimers();
  try {
    return await run(opts, log, rand, startMs, endMs);
  } finally {
    unwarp();
  }
}

async function run(opts: SimOptions, log: (line: string) => void, rand: () => number, startMs: number, endMs: number): Promise<SimRecord> {
  const world = await startWorld({ startMs, clusters: opts.clusters, seed: opts.seed });
  const { endpoint, clock } = world;
  const quietDays = Math.min(3, opts.days);
  const faults: FaultPlan = opts.faults ? drawFaults(rand, startMs, opts.days, (d) => startMs + d * DAY_MS + SWEEP_AT_MS, quietDays) : { episodes: [], kills: new Map() };
  const record: SimRecord = {
    options: { days: opts.days, seed: opts.seed, faults: opts.faults, clusters: opts.clusters },
    startMs,
    endMs,
    faultsEndMs: endMs - quietDays * DAY_MS,
    episodes: faults.episodes,
    lambdaKeys: [LAMBDA_KEY, KILLED_KEY],
    personKey: PERSON_KEY,
    remindRuns: [],
    sweeps: [],
    linkRestores: [],
    handRestores: [],
    handDeletes: [],
    watchDropped: [],
    callLog: [],
    lifecycle: [],
    messages: [],
    ledgerActions: [],
    final: undefined,
    realMs: 0,
  };
  const began = performance.now();
  const spent: Record<string, number> = {};
  const timed = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      spent[what] = (spent[what] ?? 0) + performance.now() - t0;
    }
  };

  // CloudTrail → EventBridge rule → the watcher, asynchronously (after the call returned).
  const watchQueue: Array<{ event: CloudTrailEvent; attempts: number }> = [];
  // Every CloudTrail record is a change of CloudHSM state (a mutating call, or a retention
  // deletion), which the reminder run must look at.
  let changes = 0;
  const unsubscribe = endpoint.cloudtrail.subscribe((e) => {
    changes++;
    if (e.detail.eventName === "DeleteBackup") watchQueue.push({ event: e, attempts: 0 });
  });

  // The person's actions, drawn as messages arrive (links) or ahead of time (the rest).
  const actions: PersonAction[] = [];
  const clusterIds = [...world.clusters];
  // Two clusters get a short BackupRetentionPolicy, so CloudHSM purges some backups itself.
  if (clusterIds[1]) actions.push({ kind: "modify-cluster", atMs: startMs + 2 * HOUR_MS, clusterId: clusterIds[1], days: 10 });
  if (clusterIds[2]) actions.push({ kind: "modify-cluster", atMs: startMs + DAY_MS + 3 * HOUR_MS, clusterId: clusterIds[2], days: 14 });
  for (let d = 0; d < opts.days - quietDays; d++) {
    if (rand() < 0.12) actions.push({ kind: "hand-delete", atMs: startMs + d * DAY_MS + Math.floor(rand() * 96) * TICK_MS });
  }
  let messagesSeen = 0;
  let publishCalls: number | undefined;
  let lastRemind: { atMs: number; ok: boolean; changes: number } | undefined;
  let denseUntilMs = 0;
  let stoppedCluster: string | undefined;

  let pendingRetries: typeof watchQueue = [];
  const drainWatch = async () => {
    while (watchQueue.length > 0) {
      const item = watchQueue.shift()!;
      item.attempts++;
      try {
        await timed("watch", () => world.handlers.watch(item.event, lambdaContext("watch", `watch-${item.event.id}-${item.attempts}`)));
      } catch {
        if (item.attempts < WATCH_ATTEMPTS) {
          // Lambda's retries come a minute and then a few minutes later: the next tick.
          pendingRetries.push(item);
        } else record.watchDropped.push(String((item.event.detail.requestParameters as { backupId?: string } | null)?.backupId));
      }
    }
  };

  const newMessages = () => {
    if (endpoint.calls.snapshot().byService.sns?.byOperation?.Publish === publishCalls) return;
    publishCalls = endpoint.calls.snapshot().byService.sns?.byOperation?.Publish;
    const all = endpoint.sns.published();
    for (const m of all.slice(messagesSeen)) {
      const seen = readMessage(m, RESTORE_BASE_URL);
      if (seen.kind !== "deletion") continue;
      for (const l of seen.links) {
        const r = rand();
        // A share of the backups announced as deleted are brought back: most through the
        // link (held, or pinned), some by hand with RestoreBackup.
        const delayMs = Math.floor(rand() * ((l.expiresAtMs - seen.atMs) / TICK_MS - 2)) * TICK_MS + TICK_MS;
        const atMs = seen.atMs + Math.max(TICK_MS, delayMs);
        if (atMs >= endMs) continue;
        if (r < 0.1) actions.push({ kind: "link-restore", atMs, link: l.link, mode: "hold", retries: 0 });
        else if (r < 0.14) actions.push({ kind: "link-restore", atMs, link: l.link, mode: "pin", retries: 0 });
        else if (r < 0.18) actions.push({ kind: "hand-restore", atMs, backupId: l.backupId });
      }
    }
    messagesSeen = all.length;
  };

  const act = async (a: PersonAction) => {
    try {
      if (a.kind === "modify-cluster") {
        await world.person.send(new ModifyClusterCommand({ ClusterId: a.clusterId, BackupRetentionPolicy: { Type: "DAYS", Value: String(a.days) } }));
      } else if (a.kind === "hand-restore") {
        await world.person.send(new RestoreBackupCommand({ BackupId: a.backupId }));
        record.handRestores.push({ atMs: clock.nowMs(), backupId: a.backupId });
      } else if (a.kind === "hand-delete") {
        // Someone tidies up: one READY backup, not among its cluster's three newest.
        const ready = endpoint.cloudhsm.sorted(REGION, clock.nowMs()).filter((b) => b.state === "READY" && !b.neverExpires);
        const byCluster = new Map<string, typeof ready>();
        for (const b of ready) byCluster.set(b.clusterId!, [...(byCluster.get(b.clusterId!) ?? []), b]);
        const candidates = [...byCluster.values()].flatMap((list) => [...list].sort((x, y) => y.createdAtMs - x.createdAtMs).slice(3));
        const victim = candidates[Math.floor(rand() * candidates.length)];
        if (!victim) return;
        await world.person.send(new DeleteBackupCommand({ BackupId: victim.backupId }));
        record.handDeletes.push({ atMs: clock.nowMs(), backupId: victim.backupId });
      } else {
        const status = await restoreThroughLink(world, a.link, a.mode);
        record.linkRestores.push({ atMs: clock.nowMs(), link: a.link, mode: a.mode, status });
        // "Press the button again in a minute", the page says: the person does, a tick later.
        if (status !== "restored" && a.retries < 4) actions.push({ ...a, atMs: clock.nowMs() + TICK_MS, retries: a.retries + 1 });
      }
    } catch (err) {
      log(`person: ${a.kind} failed: ${(err as Error).message}`);
    }
  };

  for (let t = startMs; t < endMs; t += TICK_MS) {
    clock.set(t);
    const faultsOn = applyFaults(world, faults, t, opts.seed);
    // A cluster whose backups stop for four days in the middle of the run (backups-stopped alerts, requireBackupWithin).
    const day = Math.floor((t - startMs) / DAY_MS);
    if (opts.days >= 20 && clusterIds[3] && (t - startMs) % DAY_MS === 0) {
      if (day === 8) endpoint.schedules.stop({ region: REGION, clusterId: (stoppedCluster = clusterIds[3]) });
      if (day === 12 && stoppedCluster) endpoint.schedules.resume({ region: REGION, clusterId: stoppedCluster });
    }
    watchQueue.push(...pendingRetries);
    pendingRetries = [];
    await drainWatch();
    for (const a of actions.filter((x) => x.atMs <= t)) {
      actions.splice(actions.indexOf(a), 1);
      await timed("person", () => act(a));
    }
    await drainWatch();
    if ((t - startMs) % DAY_MS === SWEEP_AT_MS) {
      const kill = faults.kills.get(t);
      const before = endpoint.cloudhsm.sorted(REGION, t).map((b) => ({ ...b }));
      let outcome: string;
      if (kill !== undefined) {
        outcome = await killedSweep(world, kill);
        denseUntilMs = t + 2 * HOUR_MS;
      } else {
        try {
          await timed("sweep", () => world.handlers.sweep({}, lambdaContext("sweep", `sweep-${t}`)));
          outcome = "ok";
        } catch (err) {
          outcome = `failed: ${(err as Error).message}`;
        }
      }
      record.sweeps.push({ atMs: t, killedAfter: kill, outcome, before });
      await drainWatch();
    }
    newMessages();
    // The reminder, every 15 minutes; skipped only when it provably has nothing to do.
    const quiet =
      !opts.dense &&
      lastRemind?.ok === true &&
      !faultsOn &&
      t >= denseUntilMs &&
      lastRemind.changes === changes &&
      !stageDueBetween(world, lastRemind.atMs, t);
    if (!quiet) {
      let ok = true;
      try {
        await timed("remind", () => world.handlers.remind({}, lambdaContext("remind", `remind-${t}`)));
      } catch {
        ok = false;
      }
      record.remindRuns.push({ atMs: t, ok });
      lastRemind = { atMs: t, ok, changes };
      await drainWatch();
      newMessages();
    }
  }
  clock.set(endMs);
  applyFaults(world, { episodes: [], kills: new Map() }, endMs, opts.seed);
  await drainWatch();
  const { before, ...final } = await finalSweepCheck(world);
  record.final = final;
  record.sweeps.push({ atMs: endMs, killedAfter: undefined, outcome: final.sweepOutcome, before });
  record.callLog = endpoint.callLog.entries();
  record.lifecycle = endpoint.lifecycle.entries();
  record.messages = endpoint.sns.published();
  record.ledgerActions = await readLedgerActions(world);
  record.realMs = performance.now() - began;
  record.spentMs = spent;
  unsubscribe();
  await world.close();
  return record;
}

/** Sets each service's faults for this tick; true when any is on. */
function applyFaults(world: World, plan: FaultPlan, nowMs: number, seed: number): boolean {
  let any = false;
  for (const [i, s] of SERVICES.entries()) {
    const config = configAt(plan, s, nowMs, seed * 31 + i);
    if (config) {
      world.endpoint.faults.configureService(s, config);
      any = true;
    } else world.endpoint.faults.clearService(s);
  }
  return any;
}

/**
 * Whether the reminder run could owe anything in (fromMs, toMs] from the clock alone: a
 * reminder stage of a pending backup falling due, or a DeleteTimestamp passing (the
 * backup is then gone, and its tracked entry settled). Anything else it acts on is a
 * change of state, which the caller watches through the call and lifecycle logs.
 */
function stageDueBetween(world: World, fromMs: number, toMs: number): boolean {
  const stages = [72 * HOUR_MS, 24 * HOUR_MS, 2 * HOUR_MS, 0];
  for (const b of world.endpoint.cloudhsm.sorted(REGION, toMs)) {
    if (b.state !== "PENDING_DELETION" || b.deleteAtMs === undefined) continue;
    for (const s of stages) if (b.deleteAtMs - s > fromMs && b.deleteAtMs - s <= toMs) return true;
  }
  // A backup gone for good between the runs no longer shows as pending: the lifecycle log's `gone` says so.
  return false;
}

/** A person opens the restore link (GET), then presses the button (POST), as API Gateway hands both to the function. */
async function restoreThroughLink(world: World, link: string, mode: "hold" | "pin"): Promise<string> {
  const url = new URL(link);
  const host = url.host;
  const event = (method: string, form?: Record<string, string>): APIGatewayProxyEventV2 => ({
    version: "2.0",
    routeKey: `${method} /restore/{token}`,
    rawPath: url.pathname,
    rawQueryString: "",
    headers: { host, "x-forwarded-proto": "https", "user-agent": "Mozilla/5.0 (simulated person)", ...(form ? { "content-type": "application/x-www-form-urlencoded", origin: url.origin } : {}) },
    requestContext: {
      accountId: "111122223333",
      apiId: host.split(".")[0]!,
      domainName: host,
      domainPrefix: host.split(".")[0]!,
      http: { method, path: url.pathname, protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "Mozilla/5.0 (simulated person)" },
      requestId: `page-${world.clock.nowMs()}-${method}`,
      routeKey: `${method} /restore/{token}`,
      stage: "$default",
      time: new Date(world.clock.nowMs()).toISOString(),
      timeEpoch: world.clock.nowMs(),
    },
    pathParameters: { token: url.pathname.split("/")[2] ?? "" },
    ...(form ? { body: Buffer.from(new URLSearchParams(form).toString()).toString("base64"), isBase64Encoded: true } : { isBase64Encoded: false }),
  });
  const page = await world.handlers.restore(event("GET"), lambdaContext("restore", `page-get-${world.clock.nowMs()}`));
  const formToken = /name="form_token" value="([^"]+)"/.exec(page.body ?? "")?.[1];
  if (page.statusCode !== 200 || !formToken) return `page ${page.statusCode}`;
  const res = await world.handlers.restore(event("POST", { form_token: formToken, keep: mode }), lambdaContext("restore", `page-post-${world.clock.nowMs()}`));
  const body = res.body ?? "";
  if (res.statusCode !== 200 || !/is (already )?restored/.test(body)) return `post ${res.statusCode}`;
  // The page says so when the ledger was down: restored, but neither held nor recorded.
  return /The hold could not be recorded/.test(body) ? "restored, hold not recorded" : "restored";
}

/**
 * The day's sweep in a process of its own, killed (SIGKILL) from inside the endpoint the
 * moment its (k+1)-th DeleteBackup lands: CloudTrail's subscriber runs before the
 * response is sent, so the run dies with that call made and unanswered, as a Lambda
 * killed at its timeout would. k = 0 kills it at its first deletion.
 */
async function killedSweep(world: World, afterDeletes: number): Promise<string> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/sim/killed-sweep.ts"], {
    env: { ...process.env, ...world.env, AWS_ACCESS_KEY_ID: KILLED_KEY },
    stdio: ["ignore", "pipe", "ignore"],
  });
  world.endpoint.cloudtrail.setIdentity(KILLED_KEY, { role: "cloudhsm-retention-sim-lambdaRole", session: "cloudhsm-retention-sim-killed" });
  let landed = 0;
  let killed = false;
  const stop = world.endpoint.cloudtrail.subscribe((e) => {
    if (e.detail.eventName !== "DeleteBackup" || e.detail.errorCode || !(e.detail.userIdentity as { arn?: string }).arn?.endsWith("/cloudhsm-retention-sim-killed")) return;
    if (landed++ === afterDeletes) {
      killed = true;
      child.kill("SIGKILL");
    }
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve) => child.on("exit", () => resolve()));
  stop();
  return killed ? `killed after ${afterDeletes} deletions` : `not killed (${landed} deletions): ${out.trim().split("\n").at(-1) ?? ""}`;
}

async function readLedgerActions(world: World): Promise<LedgerRow[]> {
  const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
  const { DynamoDBDocumentClient, ScanCommand } = await import("@aws-sdk/lib-dynamodb");
  const db = new DynamoDBClient({ region: REGION, endpoint: world.endpoint.url, credentials: { accessKeyId: "auditor", secretAccessKey: "auditor" } });
  const docs = DynamoDBDocumentClient.from(db);
  const items: LedgerRow[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await docs.send(new ScanCommand({ TableName: world.env.LEDGER_TABLE, ExclusiveStartKey: start }));
    for (const i of page.Items ?? []) if (String(i.pk).startsWith("B#") && String(i.sk).startsWith("A#")) items.push(i as LedgerRow);
    start = page.LastEvaluatedKey;
  } while (start);
  db.destroy();
  return items;
}
