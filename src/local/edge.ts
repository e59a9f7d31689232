import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { ADMIN_PREFIX, handleAdmin } from "./admin.js";
import type { EmulatorClock } from "./clock.js";
import { CallCounter, FaultInjector } from "./faults.js";
import { BodyTooLargeError, credentialScope, jsonResponse, type LocalRequest, type LocalResponse, type LocalService, readBody } from "./http.js";

/**
 * The edge: one port for every emulated service, as LocalStack does it. Each request is
 * either an admin call (`/_emulator/...`) or is offered to the registered services in
 * turn; the first whose `matches` accepts it handles it. Faults, latency and call
 * counting happen here, once, for every service call, so every service (CloudHSM, SNS,
 * EventBridge, DynamoDB) gets them for free, and every response, admin ones included,
 * carries a `Date` from the emulated clock.
 */
export interface EdgeOptions {
  services: LocalService[];
  clock: EmulatorClock;
  /** The region of unsigned requests. */
  defaultRegion: string;
  /** Seed inventories can be big (a benchmark fleet); anything larger is refused with 413. */
  maxBodyBytes?: number;
}

export class Edge {
  readonly faults = new FaultInjector();
  readonly calls = new CallCounter();
  readonly services: LocalService[];
  private readonly clock: EmulatorClock;
  private readonly defaultRegion: string;
  private readonly maxBodyBytes: number;

  constructor(opts: EdgeOptions) {
    this.services = opts.services;
    this.clock = opts.clock;
    this.defaultRegion = opts.defaultRegion;
    this.maxBodyBytes = opts.maxBodyBytes ?? 256 * 1024 * 1024;
  }

  /** The `node:http` request listener. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    const requestId = randomUUID();
    this.respond(req, requestId).then(
      (out) => send(res, out, requestId, this.clock.nowMs()),
      (err: unknown) => send(res, jsonResponse(500, { error: `emulator fault: ${(err as Error).message}` }), requestId, this.clock.nowMs()),
    );
  };

  private async respond(raw: IncomingMessage, requestId: string): Promise<LocalResponse> {
    let body: Buffer;
    try {
      body = await readBody(raw, this.maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return jsonResponse(413, { error: err.message });
      throw err;
    }
    const url = new URL(raw.url ?? "/", "http://127.0.0.1");
    const scope = credentialScope(raw.headers, url.searchParams);
    const req: LocalRequest = {
      method: raw.method ?? "GET",
      path: url.pathname,
      rawUrl: raw.url,
      query: url.searchParams,
      headers: raw.headers,
      body,
      region: scope?.region ?? this.defaultRegion,
      signingService: scope?.service,
      accessKeyId: scope?.accessKeyId,
    };
    return this.dispatch(req, requestId);
  }

  /** Routes one fully read request; public so services can be exercised without sockets. */
  async dispatch(req: LocalRequest, requestId: string = randomUUID()): Promise<LocalResponse> {
    if (req.path.startsWith(ADMIN_PREFIX)) {
      return handleAdmin(req, {
        clock: this.clock,
        services: this.services,
        faults: this.faults,
        calls: this.calls,
        defaultRegion: this.defaultRegion,
      });
    }
    const service = this.services.find((s) => s.matches(req));
    if (!service) {
      const target = req.headers["x-amz-target"];
      const what = typeof target === "string" ? `X-Amz-Target ${target}` : `${req.method} ${req.path}`;
      return jsonResponse(400, { __type: "UnknownOperationException", message: `No emulated service handles ${what}.` });
    }
    // Decided before the call runs, so a faulted call can never have changed state.
    const fault = this.faults.decide(service.name);
    this.calls.record(service.operation(req), fault, service.name);
    const { latencyMs } = this.faults.forService(service.name);
    if (latencyMs > 0) await sleep(latencyMs);
    const call = { req, requestId };
    if (fault !== undefined) {
      let response: LocalResponse;
      if (fault === "throttle") response = service.fault("throttle", "Rate exceeded", call);
      else if (fault === "internal") response = service.fault("internal", "Injected internal failure (emulator fault injection).", call);
      else response = service.fault("internal", `The ${service.name} service is unavailable (emulator outage switch).`, call);
      service.faulted?.({ ...call, fault, response, nowMs: this.clock.nowMs() });
      return response;
    }
    const ctx = {
      nowMs: () => this.clock.nowMs(),
      requestId,
      entryFault: () => this.faults.entryFault(service.name, service.entryFaultCodes?.[0]),
    };
    try {
      return await service.handle(req, ctx);
    } catch (err) {
      return service.fault("internal", `Internal failure: ${(err as Error).message}`, call);
    }
  }
}

function send(res: ServerResponse, out: LocalResponse, requestId: string, nowMs: number): void {
  const body = typeof out.body === "string" ? Buffer.from(out.body, "utf8") : out.body;
  res.writeHead(out.status, {
    "content-type": "application/json",
    ...out.headers,
    "content-length": String(body.length),
    // AWS spells it this way; the SDKs read it case-insensitively into $metadata.requestId.
    "x-amzn-RequestId": requestId,
    // The emulated time, so a client can take "now" from the service as from AWS. Set
    // here, node:http does not add its own (real) Date. SDKs correct their clock skew
    // from it; that is harmless, since signatures are not checked.
    date: httpDate(nowMs),
  });
  res.end(body);
}

/** IMF-fixdate (RFC 7231 §7.1.1.1), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`: what toUTCString gives. */
export function httpDate(epochMs: number): string {
  return new Date(epochMs).toUTCString();
}
