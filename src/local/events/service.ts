import { type FaultKind, jsonResponse, type LocalRequest, type LocalResponse, type LocalService, type ServiceContext } from "../http.js";
import { parseJsonObject, target } from "../json11.js";
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

const parseInput = (body: Buffer): Input => parseJsonObject(body, serialization);
