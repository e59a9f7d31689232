import type { IncomingHttpHeaders, IncomingMessage } from "node:http";

/**
 * The contract between the edge server and the emulated services. A service sees a
 * fully read request (body as bytes, region already resolved) and returns a plain
 * response value, so services stay free of `node:http` and are easy to test alone.
 */
export interface LocalRequest {
  method: string;
  /** Path without the query string, e.g. `/` or `/_emulator/health`. */
  path: string;
  /** The request target exactly as received (path and query), for relaying. */
  rawUrl?: string | undefined;
  query: URLSearchParams;
  /** Lower-cased header names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** From the SigV4 credential scope; the endpoint's default region when unsigned. */
  region: string;
  /** The SigV4 signing name (`cloudhsm`, `sns`, `events`, `dynamodb`) when signed. */
  signingService: string | undefined;
  /** The SigV4 access key ID when signed: who called, for CloudTrail. */
  accessKeyId?: string | undefined;
}

export interface LocalResponse {
  status: number;
  /** Lower-case names. The edge adds `date`, `content-length` and `x-amzn-RequestId`. */
  headers?: Record<string, string>;
  /** Text is sent as UTF-8; bytes (a relayed response) go out unchanged. */
  body: string | Buffer;
}

/** What the edge lends every service call. */
export interface ServiceContext {
  /** The emulated clock, in epoch milliseconds. */
  nowMs(): number;
  requestId: string;
  /**
   * For services that answer per entry (EventBridge PutEvents): draws whether the next
   * entry fails by fault injection, and with which error code. One draw per call of
   * this function, from the service's seeded fault sequence.
   */
  entryFault(): string | undefined;
}

/** The faults the edge can inject; each service renders them in its own protocol. */
export type FaultKind = "throttle" | "internal";

/** The call a fault answers. */
export interface FaultCall {
  req: LocalRequest;
  requestId: string;
}

/** A call the edge failed by fault injection before the service saw it. */
export interface FaultedCall extends FaultCall {
  fault: "throttle" | "internal" | "outage";
  /** What the edge answered (the service's own `fault` rendering). */
  response: LocalResponse;
  /** The emulated time of the call. */
  nowMs: number;
}

/** An admin route a service adds under `/_emulator/`, e.g. `GET sns`; `nowMs` is the emulated clock. */
export type AdminRoute = (req: LocalRequest, ctx: { nowMs(): number }) => LocalResponse;

/**
 * One emulated AWS service behind the single edge port (LocalStack's design): the edge
 * asks each registered service in turn whether a request is its own.
 */
export interface LocalService {
  /** Short name, reported by `/_emulator/health`, e.g. `cloudhsm`. */
  name: string;
  matches(req: LocalRequest): boolean;
  /** The operation a request calls (`DescribeBackups`), for call counting. */
  operation(req: LocalRequest): string;
  handle(req: LocalRequest, ctx: ServiceContext): Promise<LocalResponse>;
  /**
   * An injected or unexpected fault, in this service's wire format. `call` lets a service
   * pick the error its operation would get (DynamoDB throttles item calls differently)
   * and echo the request ID where its protocol puts one in the body (SNS).
   */
  fault(kind: FaultKind, message: string, call?: FaultCall): LocalResponse;
  /**
   * Told about every call the edge failed by fault injection, after `fault` rendered it,
   * so a service that logs its calls (CloudHSM's call log and CloudTrail) sees these too.
   */
  faulted?(call: FaultedCall): void;
  /**
   * Loads test data from the admin API (`POST /_emulator/seed?service=<name>`); returns
   * how many records were stored. Throws a `UserInputError` for bad input.
   */
  seed?(text: string, opts: { region: string; nowMs: number }): number;
  /** Extra admin routes keyed `"<METHOD> <path after /_emulator/>"`, e.g. `"GET sns"`. */
  adminRoutes?: Readonly<Record<string, AdminRoute>>;
  /** Error codes this service can inject per entry (see `ServiceContext.entryFault`). */
  entryFaultCodes?: readonly string[];
}

/** A JSON response with the given content type (JSON 1.0 and 1.1 differ only in that). */
export function jsonResponse(status: number, body: unknown, contentType = "application/json"): LocalResponse {
  return { status, headers: { "content-type": contentType }, body: JSON.stringify(body) };
}

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/**
 * Region and signing name from the SigV4 credential scope, in the `Authorization`
 * header (`Credential=AKID/20261128/us-east-1/cloudhsm/aws4_request`) or, for presigned
 * requests, the `X-Amz-Credential` query parameter. The signature itself is not checked:
 * every key is welcome, as with any local AWS emulator.
 */
export function credentialScope(headers: IncomingHttpHeaders, query: URLSearchParams): { region: string; service: string; accessKeyId: string } | undefined {
  const auth = headers.authorization;
  const m = CREDENTIAL.exec(typeof auth === "string" ? auth : "");
  if (m) return { accessKeyId: m[1] as string, region: m[2] as string, service: m[3] as string };
  const parts = query.get("X-Amz-Credential")?.split("/");
  if (parts && parts.length === 5 && parts[0] && parts[2] && parts[3]) return { accessKeyId: parts[0], region: parts[2], service: parts[3] };
  return undefined;
}

export class BodyTooLargeError extends Error {}

/** Reads the whole body; seeds can be large inventories, so the cap is generous. */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new BodyTooLargeError(`request body larger than ${limitBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
