import { crc32 } from "node:zlib";
import type { LocalResponse } from "../http.js";

export const JSON_10 = "application/x-amz-json-1.0";

/**
 * A JSON 1.0 reply the emulator writes itself (faults, the TTL operations), shaped as
 * DynamoDB's own: namespaced `__type`, lower-case `message`, and `x-amz-crc32` over the
 * body, which some SDKs check when present.
 */
export function dynamoResponse(status: number, body: unknown): LocalResponse {
  const text = JSON.stringify(body);
  return { status, headers: { "content-type": JSON_10, "x-amz-crc32": String(crc32(text)) }, body: text };
}

export function dynamoError(status: number, type: string, message: string): LocalResponse {
  return dynamoResponse(status, { __type: type, message });
}

const NS = "com.amazonaws.dynamodb.v20120810#";

/** Item operations are throttled by table capacity; the rest by the control plane's rate. */
const ITEM_OPERATIONS = new Set([
  "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
  "TransactGetItems", "TransactWriteItems", "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction",
]);

export function throttled(operation: string): LocalResponse {
  if (ITEM_OPERATIONS.has(operation)) {
    return dynamoError(
      400,
      `${NS}ProvisionedThroughputExceededException`,
      "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
    );
  }
  return dynamoError(400, "com.amazon.coral.availability#ThrottlingException", "Rate of requests exceeds the allowed throughput.");
}

export const internalServerError = (message: string) => dynamoError(500, `${NS}InternalServerError`, message);
export const validationError = (message: string) => dynamoError(400, "com.amazon.coral.validate#ValidationException", message);
