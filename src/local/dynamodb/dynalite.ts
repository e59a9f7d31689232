import { EventEmitter } from "node:events";
import type { IncomingHttpHeaders, Server } from "node:http";
import { createRequire, Module } from "node:module";

/** Options dynalite documents; the emulator passes the table state delays. */
export interface DynaliteOptions {
  /** How long a new table stays CREATING (dynalite's default is 500 ms; ours is 0). */
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

export interface RelayedResponse {
  status: number;
  /** Lower-case names, as dynalite set them. */
  headers: Record<string, string>;
  body: Buffer;
}

type RequestListener = (req: EventEmitter, res: ResponseCollector) => void;

/**
 * One in-memory dynalite database, called in process through its request handler.
 *
 * Why not a dynalite server on a loopback port behind a proxy: the emulator promises one
 * port, and a second, hidden one would also accept anything from anyone on the host.
 * `dynalite()` returns an `http.Server` whose `request` listener is dynalite's whole
 * protocol implementation; it is taken from the server, which never listens, and is
 * given a request that replays the bytes the edge read, unchanged, and a response that
 * records status, headers and body. dynalite 4.0.0's handler uses only `req.on`,
 * `req.removeAllListeners`, `req.headers/method/url`, `res.statusCode`, `res.setHeader`
 * and `res.end` (index.js); the tests through the real SDK would catch a change.
 */
export class Dynalite {
  private readonly listener: RequestListener;

  /** dynalite takes the account and region of its ARNs from the environment when its store is made. */
  constructor(region: string, accountId: string, options: DynaliteOptions) {
    const dynalite = loadDynalite();
    const saved = { AWS_ACCOUNT_ID: process.env.AWS_ACCOUNT_ID, AWS_REGION: process.env.AWS_REGION };
    process.env.AWS_ACCOUNT_ID = accountId;
    process.env.AWS_REGION = region;
    let server: Server;
    try {
      server = dynalite({ ...options });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const [listener] = server.listeners("request");
    if (typeof listener !== "function") throw new Error("dynalite did not provide a request handler");
    this.listener = listener as unknown as RequestListener;
  }

  /** One request, bytes in, bytes out. */
  call(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer): Promise<RelayedResponse> {
    return new Promise((resolve, reject) => {
      const req = Object.assign(new EventEmitter(), { method, url, headers });
      const res = new ResponseCollector(resolve);
      try {
        // Emitted here, synchronously, so that an exception dynalite throws while parsing
        // rejects this call instead of escaping as an uncaught exception.
        this.listener(req, res);
        if (body.length > 0) req.emit("data", body);
        req.emit("end");
      } catch (err) {
        reject(err);
      }
    });
  }
}

/** The part of `http.ServerResponse` dynalite uses. */
class ResponseCollector {
  statusCode = 200;
  /** dynalite parks the negotiated content type here before sending. */
  contentType: string | undefined;
  private readonly headers: Record<string, string> = {};

  constructor(private readonly done: (res: RelayedResponse) => void) {}

  setHeader(name: string, value: string | number): void {
    this.headers[name.toLowerCase()] = String(value);
  }

  end(body?: string | Buffer): void {
    const bytes = body === undefined ? Buffer.alloc(0) : typeof body === "string" ? Buffer.from(body, "utf8") : body;
    this.done({ status: this.statusCode, headers: this.headers, body: bytes });
  }
}

/**
 * dynalite, with its on-disk store left out. dynalite requires `level` at load time for the
 * `path` option, and `level` loads classic-level's native LevelDB binding; the emulator only
 * ever uses dynalite's in-memory store (memory-level), so a stand-in takes `level`'s place in
 * the module cache and no native code is loaded (a process exit then has no native
 * teardown to go wrong; one such crash was seen at exit).
 */
function loadDynalite(): (opts: DynaliteOptions) => Server {
  const require = createRequire(import.meta.url);
  const fromDynalite = createRequire(require.resolve("dynalite/db/index.js"));
  const levelPath = fromDynalite.resolve("level");
  if (require.cache[levelPath] === undefined) {
    class Level {
      constructor() {
        throw new Error("the local endpoint keeps DynamoDB in memory; dynalite's path option is not supported");
      }
    }
    const stub = new Module(levelPath);
    stub.filename = levelPath;
    stub.loaded = true;
    stub.exports = { Level };
    require.cache[levelPath] = stub;
  }
  return require("dynalite") as (opts: DynaliteOptions) => Server;
}
