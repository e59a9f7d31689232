import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";

/**
 * Serves a Lambda handler for API Gateway HTTP API (payload 2.0) on 127.0.0.1, for local
 * use (`cloudhsm-retention serve`): each node:http request becomes the event API Gateway
 * would send, and the handler's result the response. It mimics what the handler relies on:
 * lower-case headers joined with commas, `X-Forwarded-Proto/Port/For` set by the gateway
 * (a client's own are replaced), `requestContext.domainName` from Host, and a form body
 * base64-encoded (`isBase64Encoded`), as HTTP APIs deliver form posts.
 */

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface LocalHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** 0 picks a free port. */
  port: number;
  /** Extra context fields per request (the link secrets). */
  context?: () => Record<string, unknown>;
  /** One line per request (method, path with the token shortened, status). */
  accessLog?: (line: string) => void;
}

/** API Gateway refuses payloads over 10 MB; the restore form is a few hundred bytes. */
const MAX_BODY_BYTES = 64 * 1024;
const GATEWAY_HEADERS = new Set(["x-forwarded-proto", "x-forwarded-port", "x-forwarded-for"]);

export function toHttpApiEvent(req: IncomingMessage, body: Buffer, port: number, nowMs = Date.now()): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || GATEWAY_HEADERS.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1";
  headers["x-forwarded-proto"] = "http";
  headers["x-forwarded-port"] = String(port);
  headers["x-forwarded-for"] = sourceIp;
  const host = headers.host ?? `127.0.0.1:${port}`;
  const method = (req.method ?? "GET").toUpperCase();
  const query = url.search.slice(1);
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: query,
    ...(headers.cookie ? { cookies: headers.cookie.split(/;\s*/) } : {}),
    headers,
    ...(query ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: host,
      domainPrefix: host.split(".")[0] ?? host,
      http: { method, path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp, userAgent: headers["user-agent"] ?? "" },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: new Date(nowMs).toUTCString(),
      timeEpoch: nowMs,
    },
    ...(body.length > 0 ? { body: body.toString("base64"), isBase64Encoded: true } : { isBase64Encoded: false }),
  };
}

function lambdaContext(extra: Record<string, unknown>): Context {
  const startedMs = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: "cloudhsm-retention-restore-local",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:local:000000000000:function:cloudhsm-retention-restore-local",
    memoryLimitInMB: "512",
    awsRequestId: randomUUID(),
    logGroupName: "local",
    logStreamName: "local",
    // API Gateway gives up after 30 s.
    getRemainingTimeInMillis: () => Math.max(0, 29_000 - (Date.now() - startedMs)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...extra,
  } as Context;
}

/**
 * `/restore/#3f9a1c2e`: a hash of the token, enough to tell requests apart in a terminal, not
 * enough to open the link. (Its first characters would not do: every token of a region starts
 * with the same encoded `r|us-east-1|backup-`.)
 */
export function shortPath(path: string): string {
  return path.replace(/^\/restore\/([^/?]+)/, (_m, token: string) => `/restore/#${createHash("sha256").update(token).digest("hex").slice(0, 8)}`);
}

function readBody(req: IncomingMessage): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? "too-large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) if (value !== undefined && value !== null) headers[name] = value as string | number;
  const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8");
  res.writeHead(result.statusCode ?? 200, { ...headers, "Content-Length": body.length });
  res.end(body);
}

export async function serveHttpApi(handler: HttpHandler, opts: ServeOptions): Promise<LocalHttpServer> {
  const server = createServer(async (req, res) => {
    const started = performance.now();
    let status = 500;
    try {
      const body = await readBody(req);
      const address = server.address() as AddressInfo;
      if (body === "too-large") {
        status = 413;
        res.writeHead(413, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'" });
        res.end("Request body too large\n");
        return;
      }
      const result = await handler(toHttpApiEvent(req, body, address.port), lambdaContext(opts.context?.() ?? {}));
      status = result.statusCode ?? 200;
      send(res, result);
    } catch (err) {
      res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'" });
      res.end("Internal error\n");
      opts.accessLog?.(`error: ${(err as Error).message}`);
    } finally {
      opts.accessLog?.(`${req.method} ${shortPath(new URL(req.url ?? "/", "http://x").pathname)} ${status} ${Math.round(performance.now() - started)} ms`);
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // Loopback only: the page restores backups for anyone who can reach it with a link.
    server.listen(opts.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
