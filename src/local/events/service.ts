import { type FaultKind, jsonResponse, type LocalRequest, type LocalResponse, type LocalService, type ServiceContext } from "../http.js";
import { BusStore, createEventBus, describeEventBus, type Input } from "./buses.js";
import { EventsError, internal, JSON_11, serialization, throttling, unknownOperation } from "./errors.js";
import { type AcceptedEvent, ENTRY_FAULT_CODES, putEvents } from "./put-events.js";

/**
 * EventBridge over AWS JSON 1.1: `POST /` with `X-Amz-Target: AWSEvents.<Op>`. Emulates
 * PutEvents, CreateEventBus and DescribeEventBus; other operations answer
 * UnknownOperationException. No rules or targets: accepted entries are recorded for
 * `GET /_emulator/events`.
 */
const TARGET_PREFIX = "AWSEvents.";

export class EventsService implements LocalService {
  readonly name = "events";
  readonly buses = new BusStore();
  /** PutEvents can fail per entry by fault injection, with these codes (the first is the default). */
  readonly entryFaultCodes = ENTRY_FAULT_CODES;
  private log: AcceptedEvent[] = [];
  readonly adminRoutes = {
    "GET events": () => jsonResponse(200, this.entries()),
    "DELETE events": () => jsonResponse(200, { cleared: this.clear() }),
  };

  matches(req: LocalRequest): boolean {
    return req.method === "POST" && target(req).startsWith(TARGET_PREFIX);
  }

  operation(req: LocalRequest): string {
    return target(req).slice(TARGET_PREFIX.length);
  }

  async handle(req: LocalRequest, ctx: ServiceContext): Promise<LocalResponse> {
    try {
      const op = this.operation(req);
      const input = parseInput(req.body);
      const opCtx = { buses: this.buses, region: req.region, nowMs: ctx.nowMs() };
      let output: Record<string, unknown>;
      if (op === "PutEvents") output = putEvents(input, { ...opCtx, entryFault: ctx.entryFault, record: (e) => this.log.push(e) });
      else if (op === "CreateEventBus") output = createEventBus(input, opCtx);
      else if (op === "DescribeEventBus") output = describeEventBus(input, opCtx);
      else throw unknownOperation(`The EventBridge emulator does not implement ${op || "(no operation)"}.`);
      return jsonResponse(200, output, JSON_11);
    } catch (err) {
      if (err instanceof EventsError) return err.toResponse();
      return internal(`Internal failure: ${(err as Error).message}`).toResponse();
    }
  }

  fault(kind: FaultKind, message: string): LocalResponse {
    return (kind === "throttle" ? throttling() : internal(message)).toResponse();
  }

  /** Every accepted PutEvents entry, in order. */
  entries(): AcceptedEvent[] {
    return structuredClone(this.log);
  }

  /** Forgets the accepted entries (not the buses); returns how many there were. */
  clear(): number {
    const n = this.log.length;
    this.log = [];
    return n;
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
