import { UserInputError } from "../../errors.js";
import type { CloudTrail, IdentitySpec } from "../cloudtrail.js";
import { type AdminRoute, jsonResponse, type LocalRequest } from "../http.js";
import type { BackupSchedules, ClusterScope, ServiceRetention } from "./automation.js";
import type { CallLog, LifecycleLog } from "./logs.js";
import type { BackupStore } from "./store.js";

/**
 * CloudHSM's admin routes under `/_emulator/`: the service's own work (schedule,
 * retention), and what happened (cloudtrail, call-log, lifecycle). Bad input throws a
 * UserInputError, which the admin API answers with 400 `{"error": ...}`.
 */
export interface AdminParts {
  store: BackupStore;
  schedules: BackupSchedules;
  retention: ServiceRetention;
  cloudtrail: CloudTrail;
  callLog: CallLog;
  lifecycle: LifecycleLog;
}

function body(req: LocalRequest, allowed: readonly string[]): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(req.body.toString("utf8") || "{}");
  } catch {
    throw new UserInputError("the request body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new UserInputError("the request body must be a JSON object");
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw new UserInputError(`unknown field(s): ${unknown.join(", ")}; expected ${allowed.join(", ")}`);
  return value as Record<string, unknown>;
}

const SCOPE = ["region", "clusterId"] as const;

function scopeOf(input: Record<string, unknown>): ClusterScope {
  return { region: input.region as string | undefined, clusterId: input.clusterId as string | undefined };
}

function scopeOfQuery(req: LocalRequest): ClusterScope {
  return { region: req.query.get("region") ?? undefined, clusterId: req.query.get("clusterId") ?? undefined };
}

export function cloudHsmAdminRoutes(p: AdminParts): Record<string, AdminRoute> {
  const ok = (value: unknown) => jsonResponse(200, value);
  // Listings first do the work due by now, so a step that fell due is listed without another call.
  const caughtUp = (ctx: { nowMs(): number }) => p.store.catchUp(ctx.nowMs());
  return {
    "GET schedule": () => ok(p.schedules.list()),
    "POST schedule": (req) => {
      const input = body(req, [...SCOPE, "dailyAt", "readyAfter"]);
      return ok(p.schedules.set({ ...scopeOf(input), dailyAt: input.dailyAt as string | undefined, readyAfter: input.readyAfter as string | number | undefined }));
    },
    "POST schedule/stop": (req) => ok(p.schedules.stop(scopeOf(body(req, SCOPE)))),
    "POST schedule/resume": (req) => ok(p.schedules.resume(scopeOf(body(req, SCOPE)))),
    "DELETE schedule": (req) => ok({ removed: p.schedules.remove(scopeOfQuery(req)) }),

    "GET retention": () => ok(p.retention.view()),
    "POST retention": (req) => {
      const input = body(req, [...SCOPE, "enabled", "days"]);
      if (input.enabled === undefined && input.days === undefined) throw new UserInputError('send "enabled": true|false, or "days" (with "region"/"clusterId" to pick clusters), or both');
      if (input.enabled !== undefined && typeof input.enabled !== "boolean") throw new UserInputError(`enabled: expected true or false; got ${JSON.stringify(input.enabled)}`);
      if (input.days !== undefined) p.retention.setDays(scopeOf(input), input.days as number | null);
      if (input.enabled === true) p.retention.enable();
      if (input.enabled === false) p.retention.disable();
      return ok(p.retention.view());
    },

    "GET cloudtrail": (req, ctx) => {
      caughtUp(ctx);
      const name = req.query.get("eventName");
      const events = p.cloudtrail.events();
      return ok(name === null ? events : events.filter((e) => e.detail.eventName === name));
    },
    "DELETE cloudtrail": () => ok({ cleared: p.cloudtrail.clear() }),
    "GET cloudtrail/identities": () => ok(p.cloudtrail.identities()),
    "POST cloudtrail/identities": (req) => {
      const { accessKeyId, ...spec } = body(req, ["accessKeyId", "user", "role", "session", "userIdentity"]);
      p.cloudtrail.setIdentity(accessKeyId as string, spec as IdentitySpec);
      return ok(p.cloudtrail.identities());
    },
    "DELETE cloudtrail/identities": () => ok({ cleared: p.cloudtrail.clearIdentities() }),

    "GET call-log": (_req, ctx) => {
      caughtUp(ctx);
      return ok(p.callLog.list());
    },
    "DELETE call-log": () => ok({ cleared: p.callLog.clear() }),

    "GET lifecycle": (_req, ctx) => {
      caughtUp(ctx);
      return ok(p.lifecycle.list());
    },
    "DELETE lifecycle": () => ok({ cleared: p.lifecycle.clear() }),
  };
}
