import { parseDuration } from "../domain/duration.js";
import { isValidEpochMs, parseIsoInstant } from "../domain/time.js";
import { isUserInputError } from "../errors.js";
import { EXAMPLE_FLEET, exampleInventory } from "./example.js";
import type { EmulatorClock } from "./clock.js";
import { type CallCounter, type FaultConfig, type FaultInjector, NO_FAULTS } from "./faults.js";
import { jsonResponse, type LocalRequest, type LocalResponse, type LocalService } from "./http.js";

/**
 * The admin API under `/_emulator/` (plain JSON, for tests, demos and benchmarks).
 * Admin calls are never counted and never faulted. Errors are `{"error": "..."}`.
 */
export interface AdminDeps {
  clock: EmulatorClock;
  services: readonly LocalService[];
  faults: FaultInjector;
  calls: CallCounter;
  defaultRegion: string;
}

export const ADMIN_PREFIX = "/_emulator/";

class AdminError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function handleAdmin(req: LocalRequest, deps: AdminDeps): LocalResponse {
  try {
    return route(req, deps);
  } catch (err) {
    if (err instanceof AdminError) return jsonResponse(err.status, { error: err.message });
    if (isUserInputError(err)) return jsonResponse(400, { error: err.message });
    throw err;
  }
}

function route(req: LocalRequest, deps: AdminDeps): LocalResponse {
  const key = `${req.method} ${req.path.slice(ADMIN_PREFIX.length)}`;
  const clockNow = () => jsonResponse(200, { now: deps.clock.toISOString() });
  switch (key) {
    case "GET health":
      return jsonResponse(200, { ok: true, services: deps.services.map((s) => s.name), now: deps.clock.toISOString() });
    case "GET clock":
      return clockNow();
    case "POST clock":
      setClock(deps.clock, body(req));
      return clockNow();
    case "POST seed":
      return jsonResponse(200, { seeded: seed(req, deps) });
    case "GET faults":
      return jsonResponse(200, deps.faults.snapshot());
    case "POST faults":
      configureFaults(deps, body(req));
      return jsonResponse(200, deps.faults.snapshot());
    case "DELETE faults":
      clearFaults(req, deps);
      return jsonResponse(200, deps.faults.snapshot());
    case "GET calls":
      return jsonResponse(200, deps.calls.snapshot());
    case "DELETE calls":
      deps.calls.reset();
      return jsonResponse(200, deps.calls.snapshot());
    default: {
      // Routes a service adds for its own state (`GET sns`, `DELETE events`, ...).
      for (const service of deps.services) {
        const own = service.adminRoutes && Object.hasOwn(service.adminRoutes, key) ? service.adminRoutes[key] : undefined;
        if (own) return own(req, { nowMs: () => deps.clock.nowMs() });
      }
      throw new AdminError(`no admin route ${req.method} ${req.path}; see src/local/README.md`, 404);
    }
  }
}

function body(req: LocalRequest): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(req.body.toString("utf8") || "{}");
  } catch {
    throw new AdminError("the request body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new AdminError("the request body must be a JSON object");
  return value as Record<string, unknown>;
}

/**
 * `{"now": "<ISO>"}` or `{"advance": "36h"}` (restic's grammar; for advancing, a year is
 * 365 days, a month 30 days, a day 24 hours) or `{"advance": <milliseconds>}`.
 */
function setClock(clock: EmulatorClock, input: Record<string, unknown>): void {
  const { now, advance } = input;
  if ((now === undefined) === (advance === undefined)) throw new AdminError('send exactly one of {"now": "<ISO-8601>"} or {"advance": "36h"}');
  if (now !== undefined) {
    const ms = typeof now === "string" ? parseIsoInstant(now) : Number.NaN;
    if (!isValidEpochMs(ms)) throw new AdminError(`now: ${JSON.stringify(now)} is not an ISO-8601 time with a zone, e.g. 2026-11-28T06:00:00Z`);
    clock.set(ms);
    return;
  }
  let byMs: number;
  if (typeof advance === "number" && Number.isFinite(advance)) byMs = advance;
  else if (typeof advance === "string") {
    const parsed = parseDuration(advance);
    if (!parsed.ok) throw new AdminError(`advance: ${parsed.message}`);
    const d = parsed.value;
    byMs = d.years * 365 * DAY_MS + d.months * 30 * DAY_MS + d.days * DAY_MS + d.hours * HOUR_MS;
  } else throw new AdminError('advance: expected a duration such as "36h" or "7d", or milliseconds');
  // Past a Date's range every later request would fail: refuse instead of breaking the emulator.
  if (!isValidEpochMs(clock.nowMs() + byMs)) throw new AdminError(`advance: ${JSON.stringify(advance)} would move the clock outside the range of a date`);
  clock.advance(byMs);
}

/**
 * `POST /_emulator/seed?region=<r>[&service=cloudhsm]`: the body goes to that service.
 * `?fleet=example` seeds the example fleet instead, generated as of the emulator's clock
 * (a fixed inventory goes stale: requireBackupWithin halts a few days later).
 */
function seed(req: LocalRequest, deps: AdminDeps): number {
  const name = req.query.get("service") ?? "cloudhsm";
  const service = deps.services.find((s) => s.name === name);
  if (!service?.seed) throw new AdminError(`service "${name}" cannot be seeded`);
  const region = req.query.get("region") ?? deps.defaultRegion;
  const fleet = req.query.get("fleet");
  if (fleet !== null && fleet !== EXAMPLE_FLEET) throw new AdminError(`fleet "${fleet}": the only fleet is "${EXAMPLE_FLEET}"`);
  const text = fleet === null ? req.body.toString("utf8") : exampleInventory(deps.clock.nowMs());
  return service.seed(text, { region, nowMs: deps.clock.nowMs() });
}

/**
 * `POST faults`: without `service`, replaces the whole fault configuration (endpoint-wide
 * settings, and no service keeps its own); with `service`, gives that one service its own
 * settings. Omitted rates, latency and limit are 0 either way.
 */
function configureFaults(deps: AdminDeps, input: Record<string, unknown>): void {
  const { service: name, ...settings } = input;
  if (name === undefined) {
    deps.faults.configure(faultConfig(settings, undefined));
    return;
  }
  const service = serviceNamed(deps, name);
  deps.faults.configureService(service.name, faultConfig(settings, service));
}

/** `DELETE faults`: no faults anywhere; `DELETE faults?service=sns`: SNS follows the endpoint-wide settings again. */
function clearFaults(req: LocalRequest, deps: AdminDeps): void {
  const name = req.query.get("service");
  if (name === null) deps.faults.configure({ ...NO_FAULTS });
  else deps.faults.clearService(serviceNamed(deps, name).name);
}

function serviceNamed(deps: AdminDeps, name: unknown): LocalService {
  const service = deps.services.find((s) => s.name === name);
  if (!service) throw new AdminError(`service: expected one of ${deps.services.map((s) => s.name).join(", ")}, got ${JSON.stringify(name)}`);
  return service;
}

function faultConfig(input: Record<string, unknown>, service: LocalService | undefined): FaultConfig {
  const codes = service?.entryFaultCodes ?? [];
  const known = ["throttleRate", "internalErrorRate", "latencyMs", "seed", "maxRequestsPerSecond", "outage", ...(codes.length > 0 ? ["entryFailureRate", "entryErrorCode"] : [])];
  const unknown = Object.keys(input).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    const entryHint = unknown.some((k) => k.startsWith("entry")) ? " (entry faults need a service that answers per entry, e.g. \"service\": \"events\")" : "";
    throw new AdminError(`unknown fault setting(s): ${unknown.join(", ")}; expected ${known.join(", ")}${entryHint}`);
  }
  const num = (key: string, fallback: number, ok: (n: number) => boolean, what: string): number => {
    const v = input[key];
    if (v === undefined) return fallback;
    if (typeof v !== "number" || !ok(v)) throw new AdminError(`${key}: expected ${what}, got ${JSON.stringify(v)}`);
    return v;
  };
  const rate = (n: number) => n >= 0 && n <= 1;
  const config: FaultConfig = {
    throttleRate: num("throttleRate", 0, rate, "a number from 0 to 1"),
    internalErrorRate: num("internalErrorRate", 0, rate, "a number from 0 to 1"),
    latencyMs: num("latencyMs", 0, (n) => Number.isFinite(n) && n >= 0 && n <= 60_000, "milliseconds from 0 to 60000"),
    maxRequestsPerSecond: num("maxRequestsPerSecond", 0, (n) => Number.isFinite(n) && n >= 0 && n <= 100_000, "calls per second from 0 (no limit) to 100000"),
    // Without a seed, a fresh random one: reproducibility is opt-in.
    seed: num("seed", Math.floor(Math.random() * 2 ** 32), (n) => Number.isSafeInteger(n), "an integer"),
  };
  if (input.outage !== undefined) {
    if (typeof input.outage !== "boolean") throw new AdminError(`outage: expected true or false, got ${JSON.stringify(input.outage)}`);
    config.outage = input.outage;
  }
  if (input.entryFailureRate !== undefined) config.entryFailureRate = num("entryFailureRate", 0, rate, "a number from 0 to 1");
  if (input.entryErrorCode !== undefined) {
    if (typeof input.entryErrorCode !== "string" || !codes.includes(input.entryErrorCode)) {
      throw new AdminError(`entryErrorCode: expected one of ${codes.join(", ")}, got ${JSON.stringify(input.entryErrorCode)}`);
    }
    config.entryErrorCode = input.entryErrorCode;
  }
  return config;
}
