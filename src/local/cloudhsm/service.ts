import { parseInventory } from "../../inventory/parse.js";
import { type FaultKind, jsonResponse, type LocalRequest, type LocalResponse, type LocalService, type ServiceContext } from "../http.js";
import { deleteBackup, describeBackups, modifyBackupAttributes, type OpContext, restoreBackup } from "./backups.js";
import { describeClusters, listTags } from "./clusters.js";
import { CloudHsmError, internalFailure, JSON_11, serialization, unknownOperation } from "./errors.js";
import type { Input } from "./params.js";
import { BackupStore } from "./store.js";

/**
 * CloudHSM V2 over AWS JSON 1.1: `POST /` with `X-Amz-Target: BaldrApiService.<Op>`.
 * Emulates the backup life cycle (DescribeBackups, DeleteBackup, RestoreBackup,
 * ModifyBackupAttributes) plus DescribeClusters and ListTags; other operations of the
 * model answer UnknownOperationException, so a caller learns at once what is missing.
 */
const TARGET_PREFIX = "BaldrApiService.";

type Operation = (input: Input, ctx: OpContext) => Record<string, unknown>;

const OPERATIONS: Readonly<Record<string, Operation>> = {
  DescribeBackups: describeBackups,
  DeleteBackup: deleteBackup,
  RestoreBackup: restoreBackup,
  ModifyBackupAttributes: modifyBackupAttributes,
  DescribeClusters: describeClusters,
  ListTags: listTags,
};

export class CloudHsmService implements LocalService {
  readonly name = "cloudhsm";

  constructor(readonly store: BackupStore = new BackupStore()) {}

  matches(req: LocalRequest): boolean {
    return req.method === "POST" && target(req).startsWith(TARGET_PREFIX);
  }

  operation(req: LocalRequest): string {
    return target(req).slice(TARGET_PREFIX.length);
  }

  async handle(req: LocalRequest, ctx: ServiceContext): Promise<LocalResponse> {
    try {
      const name = this.operation(req);
      const op = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
      if (!op) throw unknownOperation(`The CloudHSM emulator does not implement ${name || "(no operation)"}.`);
      const output = op(parseInput(req.body), { store: this.store, region: req.region, nowMs: ctx.nowMs() });
      return jsonResponse(200, output, JSON_11);
    } catch (err) {
      if (err instanceof CloudHsmError) return err.toResponse();
      return internalFailure(`Internal failure: ${(err as Error).message}`).toResponse();
    }
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

function target(req: LocalRequest): string {
  const value = req.headers["x-amz-target"];
  return typeof value === "string" ? value : "";
}

/** The protocol requires servers to accept an empty body as `{}`. */
function parseInput(body: Buffer): Input {
  const text = body.toString("utf8").trim();
  if (text === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw serialization("The request body is not valid JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw serialization("The request body must be a JSON object.");
  return value as Input;
}
