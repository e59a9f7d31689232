import { randomUUID } from "node:crypto";
import { parseJsonObject, target } from "../json11.js";
import { parseInventory } from "../../inventory/parse.js";
import { CloudTrail } from "../cloudtrail.js";
import { type AdminRoute, type FaultedCall, type FaultKind, jsonResponse, type LocalRequest, type LocalResponse, type LocalService, type ServiceContext } from "../http.js";
import { cloudHsmAdminRoutes } from "./admin-routes.js";
import { auditCall, auditServiceDelete, type AuditTrail, errorOf, isMutating } from "./audit.js";
import { BackupSchedules, ServiceRetention } from "./automation.js";
import { deleteBackup, describeBackups, modifyBackupAttributes, type OpContext, restoreBackup } from "./backups.js";
import { describeClusters, listTags, modifyCluster } from "./clusters.js";
import { CloudHsmError, internalFailure, JSON_11, serialization, unknownOperation } from "./errors.js";
import { CallLog, LifecycleLog } from "./logs.js";
import type { Input } from "./params.js";
import { BackupStore } from "./store.js";

/**
 * CloudHSM V2 over AWS JSON 1.1: `POST /` with `X-Amz-Target: BaldrApiService.<Op>`.
 * Emulates the backup life cycle (DescribeBackups, DeleteBackup, RestoreBackup,
 * ModifyBackupAttributes) plus DescribeClusters, ModifyCluster (the retention policy)
 * and ListTags; other operations of the model answer UnknownOperationException, so a
 * caller learns at once what is missing. What the service does on its own (daily
 * backups, the clusters' retention) is opt-in: `schedules` and `retention`.
 */
const TARGET_PREFIX = "BaldrApiService.";

type Operation = (input: Input, ctx: OpContext) => Record<string, unknown>;

const OPERATIONS: Readonly<Record<string, Operation>> = {
  DescribeBackups: describeBackups,
  DeleteBackup: deleteBackup,
  RestoreBackup: restoreBackup,
  ModifyBackupAttributes: modifyBackupAttributes,
  DescribeClusters: describeClusters,
  ModifyCluster: modifyCluster,
  ListTags: listTags,
};

export class CloudHsmService implements LocalService {
  readonly name = "cloudhsm";

  readonly store: BackupStore;
  readonly cloudtrail: CloudTrail;
  readonly callLog = new CallLog();
  readonly lifecycle = new LifecycleLog();
  readonly schedules: BackupSchedules;
  readonly retention: ServiceRetention;
  readonly adminRoutes: Readonly<Record<string, AdminRoute>>;
  private readonly trail: AuditTrail;

  /** `nowMs` is the emulated clock, for admin and in-process changes made outside a call. */
  constructor(opts: { store?: BackupStore; nowMs?: () => number } = {}) {
    const nowMs = opts.nowMs ?? Date.now;
    this.store = opts.store ?? new BackupStore();
    this.cloudtrail = new CloudTrail(nowMs);
    this.trail = { cloudtrail: this.cloudtrail, callLog: this.callLog };
    this.schedules = new BackupSchedules(this.store, nowMs);
    this.retention = new ServiceRetention(this.store, nowMs);
    this.store.onLifecycle((event, backup) => {
      this.lifecycle.add(event);
      if (event.action === "retention-delete") auditServiceDelete(this.trail, backup, event.atMs, randomUUID());
    });
    this.adminRoutes = cloudHsmAdminRoutes({
      store: this.store,
      schedules: this.schedules,
      retention: this.retention,
      cloudtrail: this.cloudtrail,
      callLog: this.callLog,
      lifecycle: this.lifecycle,
    });
  }

  matches(req: LocalRequest): boolean {
    return req.method === "POST" && target(req).startsWith(TARGET_PREFIX);
  }

  operation(req: LocalRequest): string {
    return target(req).slice(TARGET_PREFIX.length);
  }

  async handle(req: LocalRequest, ctx: ServiceContext): Promise<LocalResponse> {
    const name = this.operation(req);
    // One reading of the clock: the state change, the call log and CloudTrail share it.
    const nowMs = ctx.nowMs();
    let input: Input | undefined;
    let output: Record<string, unknown> | undefined;
    let error = internalFailure("Internal failure: the operation returned nothing.");
    try {
      const op = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
      if (!op) throw unknownOperation(`The CloudHSM emulator does not implement ${name || "(no operation)"}.`);
      input = parseInput(req.body);
      output = op(input, { store: this.store, region: req.region, nowMs });
    } catch (err) {
      error = err instanceof CloudHsmError ? err : internalFailure(`Internal failure: ${(err as Error).message}`);
    }
    if (isMutating(name)) {
      // The service's own work due before the call is recorded first (the op caught up).
      const failed = output === undefined ? { code: error.type, message: error.message } : undefined;
      auditCall(this.trail, { req, requestId: ctx.requestId, operation: name, atMs: nowMs, input, output, error: failed });
    }
    return output === undefined ? error.toResponse() : jsonResponse(200, output, JSON_11);
  }

  /** A mutating call the edge failed: logged and recorded in CloudTrail like any failed call. */
  faulted(call: FaultedCall): void {
    const name = this.operation(call.req);
    if (!isMutating(name)) return;
    let input: Input | undefined;
    try {
      input = parseInput(call.req.body);
    } catch {
      input = undefined;
    }
    this.store.catchUp(call.nowMs);
    auditCall(this.trail, { req: call.req, requestId: call.requestId, operation: name, atMs: call.nowMs, input, error: errorOf(call.response.body), fault: call.fault });
  }

  fault(kind: FaultKind, message: string): LocalResponse {
    // ThrottlingException is not modelled for CloudHSM; it is AWS's common throttling
    // error, and its member is lower-case `message`, as other services send it.
    if (kind === "throttle") return jsonResponse(400, { __type: "ThrottlingException", message: "Rate exceeded" }, JSON_11);
    return internalFailure(message).toResponse();
  }

  /** Admin seeding: an inventory as `aws cloudhsmv2 describe-backups` prints it. */
  seed(text: string, opts: { region: string; nowMs: number }): number {
    return this.store.upsert(parseInventory(text, "seed", opts.region), opts.nowMs);
  }
}

const parseInput = (body: Buffer): Input => parseJsonObject(body, serialization);
