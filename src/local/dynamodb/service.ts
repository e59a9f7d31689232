import type { FaultCall, FaultKind, LocalRequest, LocalResponse, LocalService, ServiceContext } from "../http.js";
import { Dynalite, type DynaliteOptions, type RelayedResponse } from "./dynalite.js";
import { dynamoError, internalServerError, throttled } from "./errors.js";
import { type TableLookup, TimeToLive } from "./ttl.js";

/**
 * DynamoDB over AWS JSON 1.0 (`X-Amz-Target: DynamoDB_20120810.<Op>`), served by an
 * in-memory dynalite per region, called in process. The edge's faults and counting
 * apply as to every service; the request bytes reach dynalite unchanged and its status,
 * headers and body come back unchanged, except that the edge's request ID replaces
 * dynalite's own (one ID scheme on the port) and content-length is recomputed.
 *
 * UpdateTimeToLive and DescribeTimeToLive are answered here (see ttl.ts). Operations
 * dynalite 4.0.0 lacks (TransactWriteItems, TransactGetItems, PartiQL, backups, ...)
 * get its UnknownOperationException.
 */
const TARGET_PREFIX = "DynamoDB_20120810.";
export const ACCOUNT_ID = "111122223333";
/** Headers the edge sets itself. */
const NOT_RELAYED = new Set(["content-length", "transfer-encoding", "connection", "x-amzn-requestid", "date"]);

interface RegionDb {
  dynalite: Dynalite;
  ttl: TimeToLive;
}

export class DynamoDbService implements LocalService {
  readonly name = "dynamodb";
  private readonly regions = new Map<string, RegionDb>();

  /** Tables are ACTIVE at once unless told otherwise: SDK waiters poll every 20 s. */
  constructor(private readonly options: DynaliteOptions = {}) {}

  matches(req: LocalRequest): boolean {
    return req.method === "POST" && target(req).startsWith(TARGET_PREFIX);
  }

  operation(req: LocalRequest): string {
    return target(req).slice(TARGET_PREFIX.length);
  }

  async handle(req: LocalRequest, ctx: ServiceContext): Promise<LocalResponse> {
    const db = this.db(req.region);
    const op = this.operation(req);
    if (op === "UpdateTimeToLive" || op === "DescribeTimeToLive") {
      const input = parseObject(req.body);
      if (!input) return dynamoError(400, "com.amazon.coral.service#SerializationException", "The request body is not a JSON object.");
      const lookup = this.tableLookup(db, req);
      return op === "UpdateTimeToLive" ? db.ttl.update(input, lookup, ctx.nowMs()) : db.ttl.describe(input, lookup);
    }
    return relay(await db.dynalite.call(req.method, url(req), req.headers, req.body));
  }

  fault(kind: FaultKind, message: string, call?: FaultCall): LocalResponse {
    if (kind === "throttle") return throttled(call ? this.operation(call.req) : "");
    return internalServerError(message);
  }

  private db(region: string): RegionDb {
    let db = this.regions.get(region);
    if (!db) {
      const { createTableMs = 0, deleteTableMs = 0, updateTableMs = 0 } = this.options;
      db = { dynalite: new Dynalite(region, ACCOUNT_ID, { createTableMs, deleteTableMs, updateTableMs }), ttl: new TimeToLive() };
      this.regions.set(region, db);
    }
    return db;
  }

  /** A DescribeTable through dynalite with the caller's headers (dynalite wants them signed). */
  private tableLookup(db: RegionDb, req: LocalRequest): TableLookup {
    return async (tableName) => {
      const headers = { ...req.headers, "x-amz-target": `${TARGET_PREFIX}DescribeTable` };
      const res = await db.dynalite.call("POST", "/", headers, Buffer.from(JSON.stringify({ TableName: tableName })));
      if (res.status !== 200) return { error: relay(res) };
      const tableId = (JSON.parse(res.body.toString("utf8")) as { Table?: { TableId?: string } }).Table?.TableId;
      return { tableId: tableId ?? tableName };
    };
  }
}

function relay(res: RelayedResponse): LocalResponse {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (!NOT_RELAYED.has(k)) headers[k] = v;
  return { status: res.status, headers, body: res.body };
}

function target(req: LocalRequest): string {
  const value = req.headers["x-amz-target"];
  return typeof value === "string" ? value : "";
}

function url(req: LocalRequest): string {
  if (req.rawUrl !== undefined) return req.rawUrl;
  const query = req.query.toString();
  return query === "" ? req.path : `${req.path}?${query}`;
}

function parseObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString("utf8") || "{}");
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
