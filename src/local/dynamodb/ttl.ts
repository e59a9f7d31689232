import type { LocalResponse } from "../http.js";
import { dynamoResponse, validationError } from "./errors.js";

/** "Only one TTL update per table is allowed within an hour" (UpdateTimeToLive docs). */
const UPDATE_INTERVAL_MS = 3_600_000;
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

interface TtlState {
  /** The table's TableId, so a table dropped and made again starts without TTL. */
  tableId: string;
  attributeName: string;
  enabled: boolean;
  changedAtMs: number;
}

/** Looks a table up (a DescribeTable through dynalite): its ID, or dynalite's error reply to relay. */
export type TableLookup = (tableName: string) => Promise<{ tableId: string } | { error: LocalResponse }>;

/**
 * UpdateTimeToLive and DescribeTimeToLive, which dynalite 4.0.0 lacks (it answers
 * DescribeTimeToLive with DISABLED always). The setting is kept per table; the status
 * is ENABLED or DISABLED at once, where AWS passes through ENABLING/DISABLING for up to
 * an hour. Expired items are not deleted: AWS deletes them "within a few days" and reads
 * return them until then, so correct callers filter on the attribute anyway.
 */
export class TimeToLive {
  private readonly tables = new Map<string, TtlState>();

  async update(input: Record<string, unknown>, lookup: TableLookup, nowMs: number): Promise<LocalResponse> {
    const tableName = checkTableName(input.TableName);
    if (typeof tableName !== "string") return tableName;
    const spec = input.TimeToLiveSpecification as Record<string, unknown> | undefined | null;
    if (typeof spec !== "object" || spec === null) {
      return validationError("1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null");
    }
    const { Enabled: enabled, AttributeName: attributeName } = spec;
    if (typeof enabled !== "boolean") {
      return validationError("1 validation error detected: Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not be null");
    }
    if (typeof attributeName !== "string" || attributeName.length < 1 || attributeName.length > 255) {
      return validationError(
        "1 validation error detected: Value at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length between 1 and 255",
      );
    }
    const table = await lookup(tableName);
    if ("error" in table) return table.error;
    const key = tableName;
    const known = this.tables.get(key);
    const current = known?.tableId === table.tableId ? known : undefined;
    if (enabled && current?.enabled) return validationError("TimeToLive is already enabled");
    if (!enabled && !current?.enabled) return validationError("TimeToLive is already disabled");
    if (current && nowMs - current.changedAtMs < UPDATE_INTERVAL_MS) {
      return validationError("Time to live has been modified multiple times within a fixed interval");
    }
    this.tables.set(key, { tableId: table.tableId, attributeName, enabled, changedAtMs: nowMs });
    return dynamoResponse(200, { TimeToLiveSpecification: { Enabled: enabled, AttributeName: attributeName } });
  }

  async describe(input: Record<string, unknown>, lookup: TableLookup): Promise<LocalResponse> {
    const tableName = checkTableName(input.TableName);
    if (typeof tableName !== "string") return tableName;
    const table = await lookup(tableName);
    if ("error" in table) return table.error;
    const state = this.tables.get(tableName);
    const description = state?.tableId === table.tableId && state.enabled ? { TimeToLiveStatus: "ENABLED", AttributeName: state.attributeName } : { TimeToLiveStatus: "DISABLED" };
    return dynamoResponse(200, { TimeToLiveDescription: description });
  }
}

function checkTableName(value: unknown): string | LocalResponse {
  if (value === undefined || value === null) {
    return validationError("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null");
  }
  if (typeof value !== "string" || !TABLE_NAME.test(value)) {
    return validationError(
      `1 validation error detected: Value '${String(value)}' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 3 and 255`,
    );
  }
  return value;
}
