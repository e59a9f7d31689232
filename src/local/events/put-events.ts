import { randomUUID } from "node:crypto";
import { DEFAULT_BUS, type EventsContext, type Input } from "./buses.js";
import { constraint, serialization, validation } from "./errors.js";

/** Entries per call (PutEvents: 1-10). */
const MAX_ENTRIES = 10;
/** "The total entry size must be less than 256KB", by the documented size formula. */
export const MAX_TOTAL_ENTRY_BYTES = 262_144;
const MAX_DETAIL_TYPE_CHARS = 128;

/** One accepted entry, exactly as sent: what `GET /_emulator/events` lists. */
export interface AcceptedEvent {
  eventId: string;
  region: string;
  /** The bus name, also when the entry named it by ARN. */
  eventBusName: string;
  /**
   * False when no such bus exists: AWS accepts such an entry (and returns an EventId)
   * but the event goes nowhere; it is listed so a test can see the mistake.
   */
  busExists: boolean;
  source: string;
  detailType: string;
  detail: string;
  resources: string[];
  /** ISO-8601: the entry's Time, or the emulated time of the call. */
  time: string;
}

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface PutEventsDeps extends EventsContext {
  /** Fault injection per entry: the error code for this entry, or undefined. */
  entryFault(): string | undefined;
  record(event: AcceptedEvent): void;
}

const ENTRY_FAULT_MESSAGES: Readonly<Record<string, string>> = {
  InternalFailure: "Internal failure (emulator fault injection).",
  ThrottlingException: "Rate exceeded (emulator fault injection).",
};
export const ENTRY_FAULT_CODES = Object.keys(ENTRY_FAULT_MESSAGES);

/**
 * PutEvents. Whole-call failures: no Entries, more than 10, or a total size over the
 * limit. Everything else fails per entry, aligned by index, and FailedEntryCount counts
 * them; the call itself succeeds. An entry naming a bus that does not exist is accepted
 * (AWS does so, see README).
 */
export function putEvents(input: Input, deps: PutEventsDeps): Record<string, unknown> {
  const entries = input.Entries;
  if (entries === undefined || entries === null) throw constraint("null", "entries", "Member must not be null");
  if (!Array.isArray(entries)) throw serialization("Entries must be a list.");
  if (entries.length < 1) throw constraint("'[]'", "entries", "Member must have length greater than or equal to 1");
  if (entries.length > MAX_ENTRIES) {
    throw constraint("'[PutEventsRequestEntry]'", "entries", `Member must have length less than or equal to ${MAX_ENTRIES}`);
  }
  const parsed = entries.map(entryFields);
  if (parsed.reduce((n, e) => n + entrySize(e), 0) >= MAX_TOTAL_ENTRY_BYTES) {
    throw validation("Total size of the entries in the request is over the limit.");
  }
  const results: EntryResult[] = parsed.map((entry) => {
    // Drawn for every entry, valid or not, so the fault sequence depends only on the seed.
    const injected = deps.entryFault();
    const problem = entryProblem(entry);
    if (problem) return problem;
    if (injected) return { ErrorCode: injected, ErrorMessage: ENTRY_FAULT_MESSAGES[injected] ?? "Injected failure." };
    const { name, bus } = deps.buses.resolve(entry.EventBusName ?? DEFAULT_BUS, deps.region, deps.nowMs);
    const eventId = randomUUID();
    deps.record({
      eventId,
      region: bus?.region ?? deps.region,
      eventBusName: name,
      busExists: bus !== undefined,
      source: entry.Source as string,
      detailType: entry.DetailType as string,
      detail: entry.Detail as string,
      resources: entry.Resources ?? [],
      time: new Date(entry.timeMs ?? deps.nowMs).toISOString(),
    });
    return { EventId: eventId };
  });
  return { FailedEntryCount: results.filter((r) => "ErrorCode" in r).length, Entries: results };
}

interface EntryFields {
  Source?: string | undefined;
  DetailType?: string | undefined;
  Detail?: string | undefined;
  EventBusName?: string | undefined;
  Resources?: string[] | undefined;
  /** Time, when given: epoch seconds on the wire (JSON 1.1), or an ISO string. */
  timeMs?: number | undefined;
  badTime: boolean;
}

/** Types are the protocol's business: a wrong type fails the whole call, as a serializer would. */
function entryFields(raw: unknown, index: number): EntryFields {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw serialization(`Entries[${index}] must be an object.`);
  const e = raw as Input;
  const str = (k: string) => {
    const v = e[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw serialization(`Entries[${index}].${k} must be a string.`);
    return v;
  };
  const resources = e.Resources;
  if (resources !== undefined && resources !== null && !(Array.isArray(resources) && resources.every((r) => typeof r === "string"))) {
    throw serialization(`Entries[${index}].Resources must be a list of strings.`);
  }
  const time = e.Time;
  const timeMs = typeof time === "number" ? time * 1000 : typeof time === "string" ? Date.parse(time) : undefined;
  return {
    Source: str("Source"),
    DetailType: str("DetailType"),
    Detail: str("Detail"),
    EventBusName: str("EventBusName"),
    Resources: (resources as string[] | undefined | null) ?? undefined,
    timeMs,
    badTime: time !== undefined && time !== null && !Number.isFinite(timeMs),
  };
}

/** The documented checks, in order; the first that fails is the entry's error. */
function entryProblem(e: EntryFields): EntryResult | undefined {
  const invalid = (param: string, reason: string) => ({ ErrorCode: "InvalidArgument", ErrorMessage: `Parameter ${param} is not valid. Reason: ${reason}` });
  if (!e.Source) return invalid("Source", "Source is a required argument.");
  if (!e.DetailType) return invalid("DetailType", "DetailType is a required argument.");
  if (!e.Detail) return invalid("Detail", "Detail is a required argument.");
  if (!isJsonObject(e.Detail)) return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  if (e.Source.startsWith("aws.")) return { ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source." };
  if ([...e.DetailType].length > MAX_DETAIL_TYPE_CHARS) return invalid("DetailType", `DetailType is longer than ${MAX_DETAIL_TYPE_CHARS} characters.`);
  if (e.badTime) return invalid("Time", "Time is not a valid timestamp.");
  return undefined;
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** "Calculating PutEvents event entry size": Time 14 bytes, then the UTF-8 bytes of the rest. */
function entrySize(e: EntryFields): number {
  const b = (s: string | undefined) => (s === undefined ? 0 : Buffer.byteLength(s, "utf8"));
  return (e.timeMs !== undefined ? 14 : 0) + b(e.Source) + b(e.DetailType) + b(e.Detail) + (e.Resources ?? []).reduce((n, r) => n + b(r), 0);
}
