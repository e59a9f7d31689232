import type { Backup } from "../../domain/types.js";
import { toAwsBackup } from "../../inventory/convert.js";
import { type CloudTrail, toCloudTrailShape } from "../cloudtrail.js";
import type { LocalRequest } from "../http.js";
import { type CallLog, MUTATING_OPERATIONS } from "./logs.js";
import type { Input } from "./params.js";

/**
 * The paper trail of CloudHSM's mutating calls: one call log entry and one CloudTrail
 * record for each, whatever became of it (done, refused, or failed by the edge's fault
 * injection), plus a CloudTrail record for each DeleteBackup the service made itself.
 */
export interface AuditTrail {
  cloudtrail: CloudTrail;
  callLog: CallLog;
}

export interface AuditedCall {
  req: LocalRequest;
  requestId: string;
  operation: string;
  atMs: number;
  /** The parsed request; undefined when the body was not JSON. */
  input: Input | undefined;
  output?: Record<string, unknown> | undefined;
  error?: { code: string; message: string } | undefined;
  fault?: "throttle" | "internal" | "outage" | undefined;
}

const MUTATING: ReadonlySet<string> = new Set(MUTATING_OPERATIONS);

export function isMutating(operation: string): boolean {
  return MUTATING.has(operation);
}

export function auditCall(trail: AuditTrail, call: AuditedCall): void {
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
  const outBackup = call.output?.Backup as Record<string, unknown> | undefined;
  const neverExpires = call.input?.NeverExpires;
  const userAgent = call.req.headers["user-agent"];
  trail.callLog.add({
    atMs: call.atMs,
    time: new Date(call.atMs).toISOString(),
    region: call.req.region,
    operation: call.operation,
    backupId: str(call.input?.BackupId),
    clusterId: str(call.input?.ClusterId) ?? str(outBackup?.ClusterId),
    neverExpires: call.operation === "ModifyBackupAttributes" && typeof neverExpires === "boolean" ? neverExpires : null,
    accessKeyId: call.req.accessKeyId ?? null,
    requestId: call.requestId,
    outcome: call.error ? "error" : "ok",
    errorCode: call.error?.code ?? null,
    fault: call.fault ?? null,
  });
  trail.cloudtrail.record({
    atMs: call.atMs,
    region: call.req.region,
    eventName: call.operation,
    caller: { accessKeyId: call.req.accessKeyId, userAgent: typeof userAgent === "string" ? userAgent : undefined },
    requestId: call.requestId,
    requestParameters: call.input === undefined ? null : (toCloudTrailShape(call.input) as Record<string, unknown>),
    responseElements: call.output === undefined ? null : (toCloudTrailShape(call.output) as Record<string, unknown>),
    error: call.error,
  });
}

/** A backup the cluster's retention moved to PENDING_DELETION: CloudTrail "reports backups marked for deletion". */
export function auditServiceDelete(trail: AuditTrail, backup: Readonly<Backup>, atMs: number, requestId: string): void {
  trail.cloudtrail.record({
    atMs,
    region: backup.region,
    eventName: "DeleteBackup",
    caller: undefined,
    requestId,
    requestParameters: { backupId: backup.backupId },
    responseElements: toCloudTrailShape({ Backup: toAwsBackup(backup) }) as Record<string, unknown>,
  });
}

/** The `__type` of an error reply, e.g. `ThrottlingException`. */
export function errorOf(body: string | Buffer): { code: string; message: string } {
  try {
    const parsed = JSON.parse(body.toString()) as { __type?: unknown; Message?: unknown; message?: unknown };
    const message = parsed.Message ?? parsed.message;
    return { code: typeof parsed.__type === "string" ? parsed.__type : "UnknownError", message: typeof message === "string" ? message : "" };
  } catch {
    return { code: "UnknownError", message: "" };
  }
}
