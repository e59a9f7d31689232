import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { LedgerError } from "../errors.js";
import type { ClaimResult, Hold, Ledger, LedgerAction, NoticeState, PendingEntry, StashedEvent, StoppedEpisode } from "../ledger/port.js";

/**
 * The ledger in one DynamoDB table (single-table design; key `pk`, `sk`; TTL attribute
 * `expiresAt` in epoch seconds):
 *
 * | item | pk | sk |
 * |---|---|---|
 * | notice | `N#<notice id>` | `-` |
 * | action on a backup | `B#<region>#<backupId>` | `A#<ISO time>#<runId>#<kind>` |
 * | action on a policy (halt) | `P#<policy>` | `A#<ISO time>#<runId>#<kind>` |
 * | deletion counted for maxDeletionsPerDay | `D#<policy>` | `<ISO time>#<region>#<backupId>` |
 * | pending deletion being tracked | `PENDING#<region>` | `<backupId>` |
 * | backups-stopped episode | `G#<group>` | `STOPPED` |
 * | hold of a restored backup | `HOLD#<region>` | `<backupId>` |
 * | event waiting to be put again | `OUTBOX` | `<event id>` |
 *
 * Only conditional single-item writes are used (no transactions), so DynamoDB Local,
 * dynalite and every region behave the same.
 */
export class DynamoDbLedger implements Ledger {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #nowMs: () => number;

  /** `nowMs` is the run's clock (the service's): it decides which TTL'd items are already expired. */
  constructor(options: { client: DynamoDBDocumentClient; tableName: string; nowMs: () => number }) {
    this.#db = options.client;
    this.#table = options.tableName;
    this.#nowMs = options.nowMs;
  }

  get tableName(): string {
    return this.#table;
  }

  async claim(id: string, runId: string, nowMs: number, opts: { leaseMs: number; expiresAtMs: number }): Promise<ClaimResult> {
    try {
      await this.#send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: `N#${id}`, sk: "-" },
          UpdateExpression: "SET #s = :claimed, runId = :run, atMs = :now, leaseUntilMs = :lease, expiresAt = :exp",
          ConditionExpression: "attribute_not_exists(pk) OR (#s = :claimed AND leaseUntilMs < :now)",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":claimed": "claimed", ":run": runId, ":now": nowMs, ":lease": nowMs + opts.leaseMs, ":exp": seconds(opts.expiresAtMs) },
        }),
        `claiming ${id}`,
      );
      return "won";
    } catch (err) {
      if (!(err instanceof LedgerError && err.cause instanceof ConditionalCheckFailedException)) throw err;
      const held = await this.#send(new GetCommand({ TableName: this.#table, Key: { pk: `N#${id}`, sk: "-" }, ConsistentRead: true }), `reading ${id}`);
      return held.Item?.status === "sent" ? "sent" : "busy";
    }
  }

  async complete(id: string, runId: string, nowMs: number): Promise<void> {
    // Unconditional: whoever sent it, it has been sent, and no run should send it again.
    await this.#send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: `N#${id}`, sk: "-" },
        UpdateExpression: "SET #s = :sent, runId = :run, atMs = :now REMOVE leaseUntilMs",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":sent": "sent", ":run": runId, ":now": nowMs },
      }),
      `completing ${id}`,
    );
  }

  async release(id: string, runId: string): Promise<void> {
    try {
      await this.#send(
        new DeleteCommand({
          TableName: this.#table,
          Key: { pk: `N#${id}`, sk: "-" },
          ConditionExpression: "runId = :run AND #s = :claimed",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":run": runId, ":claimed": "claimed" },
        }),
        `releasing ${id}`,
      );
    } catch (err) {
      // Taken over or sent meanwhile: nothing of ours to give back.
      if (!(err instanceof LedgerError && err.cause instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  async notices(ids: readonly string[]): Promise<Map<string, NoticeState>> {
    const out = new Map<string, NoticeState>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Array<Record<string, unknown>> = unique.slice(i, i + 100).map((id) => ({ pk: `N#${id}`, sk: "-" }));
      // BatchGet may leave keys unprocessed under load: ask again until none are left.
      for (let round = 0; keys.length > 0; round++) {
        if (round >= 10) throw new LedgerError(`reading notices: ${keys.length} keys still unprocessed after 10 rounds`);
        const page = await this.#send(new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: keys, ConsistentRead: true } } }), "reading notices");
        for (const item of page.Responses?.[this.#table] ?? []) {
          out.set(String(item.pk).slice(2), { status: item.status as NoticeState["status"], runId: String(item.runId), atMs: Number(item.atMs) });
        }
        keys = (page.UnprocessedKeys?.[this.#table]?.Keys as Array<Record<string, unknown>> | undefined) ?? [];
      }
    }
    return out;
  }

  async record(action: LedgerAction, expiresAtMs: number): Promise<void> {
    const at = new Date(action.atMs).toISOString();
    const pk = action.backupId === undefined ? `P#${action.policy ?? "-"}` : `B#${action.region}#${action.backupId}`;
    await this.#send(
      new PutCommand({ TableName: this.#table, Item: { pk, sk: `A#${at}#${action.runId}#${action.kind}`, ...clean(action), expiresAt: seconds(expiresAtMs) } }),
      `recording ${action.kind}`,
    );
  }

  async actionsFor(region: string, backupId: string): Promise<LedgerAction[]> {
    const items = await this.#query({ pk: `B#${region}#${backupId}`, prefix: "A#" }, `reading actions of ${backupId}`);
    return items.map((item) => {
      const { pk: _pk, sk: _sk, expiresAt: _exp, ...rest } = item;
      return rest as unknown as LedgerAction;
    });
  }

  async deletionsSince(policy: string, sinceMs: number): Promise<number> {
    const items = await this.#query({ pk: `D#${policy}`, from: new Date(sinceMs).toISOString() }, `counting deletions of ${policy}`);
    return items.length;
  }

  async reserveDeletion(policy: string, region: string, backupId: string, nowMs: number, cap: number): Promise<boolean> {
    const sk = `${new Date(nowMs).toISOString()}#${region}#${backupId}`;
    await this.#send(
      new PutCommand({ TableName: this.#table, Item: { pk: `D#${policy}`, sk, atMs: nowMs, expiresAt: seconds(nowMs + 2 * 86_400_000) } }),
      "reserving a deletion",
    );
    if (cap === Number.POSITIVE_INFINITY) return true;
    // All reservations of the window count, ours included. Racing runs each see the others'
    // reservations and may all withdraw (a deletion left for the next run), but together they
    // can never pass the cap: ranking by time would trust clocks that differ between runs.
    const window = await this.#query({ pk: `D#${policy}`, from: new Date(nowMs - 86_400_000).toISOString() }, `counting deletions of ${policy}`);
    if (window.length <= cap) return true;
    await this.#send(new DeleteCommand({ TableName: this.#table, Key: { pk: `D#${policy}`, sk } }), "withdrawing a reservation");
    return false;
  }

  async withdrawDeletion(policy: string, region: string, backupId: string, nowMs: number): Promise<void> {
    // The reservation's time is not known here: find it among the window's.
    const items = await this.#query({ pk: `D#${policy}`, from: new Date(nowMs - 86_400_000).toISOString() }, `counting deletions of ${policy}`);
    for (const item of items.filter((i) => String(i.sk).endsWith(`#${region}#${backupId}`))) {
      await this.#send(new DeleteCommand({ TableName: this.#table, Key: { pk: `D#${policy}`, sk: String(item.sk) } }), "withdrawing a reservation");
    }
  }

  async stashEvents(entries: readonly StashedEvent[], expiresAtMs: number): Promise<void> {
    for (const e of entries) {
      await this.#send(new PutCommand({ TableName: this.#table, Item: { pk: "OUTBOX", sk: e.id, entry: e.entry, expiresAt: seconds(expiresAtMs) } }), "keeping an event for later");
    }
  }

  async stashedEvents(): Promise<StashedEvent[]> {
    const items = await this.#query({ pk: "OUTBOX" }, "reading events kept for later");
    return items.map((item) => ({ id: String(item.sk), entry: item.entry as StashedEvent["entry"] }));
  }

  async dropStashed(ids: readonly string[]): Promise<void> {
    for (const id of ids) await this.#send(new DeleteCommand({ TableName: this.#table, Key: { pk: "OUTBOX", sk: id } }), "dropping an event put at last");
  }

  async track(entry: PendingEntry, expiresAtMs: number): Promise<void> {
    await this.#send(
      new PutCommand({ TableName: this.#table, Item: { pk: `PENDING#${entry.region}`, sk: entry.backupId, ...clean(entry), expiresAt: seconds(expiresAtMs) } }),
      `tracking ${entry.backupId}`,
    );
  }

  async untrack(region: string, backupId: string): Promise<void> {
    await this.#send(new DeleteCommand({ TableName: this.#table, Key: { pk: `PENDING#${region}`, sk: backupId } }), `untracking ${backupId}`);
  }

  async tracked(region: string): Promise<PendingEntry[]> {
    const items = await this.#query({ pk: `PENDING#${region}` }, `reading pending backups in ${region}`);
    return items.map((item) => {
      const { pk: _pk, sk: _sk, expiresAt: _exp, ...rest } = item;
      return rest as unknown as PendingEntry;
    });
  }

  async hold(hold: Hold, expiresAtMs: number): Promise<void> {
    await this.#send(
      new PutCommand({ TableName: this.#table, Item: { pk: `HOLD#${hold.region}`, sk: hold.backupId, ...clean(hold), expiresAt: seconds(expiresAtMs) } }),
      `holding ${hold.backupId}`,
    );
  }

  async holds(region: string, nowMs: number): Promise<Hold[]> {
    const items = await this.#query({ pk: `HOLD#${region}` }, `reading holds in ${region}`);
    return items
      .map((item) => {
        const { pk: _pk, sk: _sk, expiresAt: _exp, ...rest } = item;
        return rest as unknown as Hold;
      })
      .filter((h) => h.untilMs > nowMs);
  }

  async episode(group: string): Promise<StoppedEpisode | undefined> {
    const got = await this.#send(new GetCommand({ TableName: this.#table, Key: { pk: `G#${group}`, sk: "STOPPED" }, ConsistentRead: true }), `reading ${group}`);
    if (!got.Item) return undefined;
    return { group, sinceMs: Number(got.Item.sinceMs), openedAtMs: Number(got.Item.openedAtMs), runId: String(got.Item.runId) };
  }

  async openEpisode(episode: StoppedEpisode, expiresAtMs: number): Promise<boolean> {
    try {
      await this.#send(
        new PutCommand({
          TableName: this.#table,
          Item: { pk: `G#${episode.group}`, sk: "STOPPED", ...episode, expiresAt: seconds(expiresAtMs) },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
        `opening an episode of ${episode.group}`,
      );
      return true;
    } catch (err) {
      if (err instanceof LedgerError && err.cause instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async closeEpisode(group: string, sinceMs: number): Promise<boolean> {
    try {
      await this.#send(
        new DeleteCommand({
          TableName: this.#table,
          Key: { pk: `G#${group}`, sk: "STOPPED" },
          ConditionExpression: "sinceMs = :since",
          ExpressionAttributeValues: { ":since": sinceMs },
        }),
        `closing the episode of ${group}`,
      );
      return true;
    } catch (err) {
      if (err instanceof LedgerError && err.cause instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async #query(q: { pk: string; prefix?: string; from?: string }, what: string): Promise<Array<Record<string, unknown>>> {
    const out: Array<Record<string, unknown>> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const condition = q.prefix !== undefined ? "pk = :pk AND begins_with(sk, :p)" : q.from !== undefined ? "pk = :pk AND sk >= :p" : "pk = :pk";
      const values: Record<string, unknown> = { ":pk": q.pk };
      if (q.prefix !== undefined) values[":p"] = q.prefix;
      if (q.from !== undefined) values[":p"] = q.from;
      const page = await this.#send(
        new QueryCommand({ TableName: this.#table, KeyConditionExpression: condition, ExpressionAttributeValues: values, ConsistentRead: true, ExclusiveStartKey: start }),
        what,
      );
      out.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    // TTL deletion is lazy (up to days late, and never in emulators): expired items are not facts.
    const nowS = this.#nowMs() / 1000;
    return out.filter((item) => typeof item.expiresAt !== "number" || item.expiresAt > nowS);
  }

  // biome-ignore lint/suspicious/noExplicitAny: each command's output type is its own
  async #send<T extends { input: unknown }>(command: T, what: string): Promise<any> {
    try {
      return await this.#db.send(command as never);
    } catch (err) {
      const name = err instanceof Error ? err.name : "Error";
      const message = err instanceof Error ? err.message : String(err);
      throw new LedgerError(`${what} in table ${this.#table} failed: ${name}: ${message}`, { cause: err });
    }
  }
}

const seconds = (ms: number): number => Math.ceil(ms / 1000);

/** DynamoDB refuses `undefined` attribute values: leave them out. */
function clean(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/**
 * Creates the ledger table with its TTL, for local runs (the stack creates it in AWS):
 * on-demand, key `pk`/`sk`, TTL on `expiresAt`. Does nothing if it exists.
 */
export async function ensureLedgerTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw new LedgerError(`describing table ${tableName}: ${(err as Error).message}`, { cause: err });
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true } }));
}
