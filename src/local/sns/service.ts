import { type FaultCall, type FaultKind, jsonResponse, type LocalRequest, type LocalResponse, type LocalService, type ServiceContext } from "../http.js";
import { internalError, invalidAction, SnsError, throttling, XML_CONTENT_TYPE } from "./errors.js";
import { QueryParams } from "./params.js";
import { publish } from "./publish.js";
import { SnsStore } from "./store.js";
import { createTopic, getTopicAttributes, listTopics, type SnsContext, subscribe } from "./topics.js";
import { document, el, type Markup } from "./xml.js";

/**
 * SNS over the AWS query protocol: `POST /` with a form-encoded body
 * (`Action=Publish&Version=2010-03-31&...`), XML replies in the SNS namespace. Emulates
 * CreateTopic, Subscribe, ListTopics, GetTopicAttributes and Publish; any other action answers
 * InvalidAction, so a caller learns at once what is missing. Nothing is delivered:
 * accepted messages are recorded for `GET /_emulator/sns`.
 */
type Operation = (p: QueryParams, ctx: SnsContext) => Markup;

const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateTopic: createTopic,
  Subscribe: subscribe,
  ListTopics: listTopics,
  GetTopicAttributes: getTopicAttributes,
  Publish: publish,
};

const FORM = "application/x-www-form-urlencoded";

export class SnsService implements LocalService {
  readonly name = "sns";
  readonly store = new SnsStore();
  readonly adminRoutes = {
    "GET sns": () => jsonResponse(200, this.store.published()),
    "DELETE sns": () => jsonResponse(200, { cleared: this.store.clearPublished() }),
    "GET sns/topics": () => jsonResponse(200, this.store.views()),
  };
  /** Parsing once per request: `matches`, `operation` and `handle` all need the parameters. */
  private readonly parsed = new WeakMap<LocalRequest, QueryParams>();

  /**
   * A form-encoded POST without X-Amz-Target, signed for `sns`, or unsigned with an
   * `Action` (the only query-protocol service here, so unsigned calls are ours).
   */
  matches(req: LocalRequest): boolean {
    if (req.method !== "POST" || req.headers["x-amz-target"] !== undefined) return false;
    if (!String(req.headers["content-type"] ?? "").toLowerCase().startsWith(FORM)) return false;
    if (req.signingService !== undefined) return req.signingService === "sns";
    return this.params(req).get("Action") !== undefined;
  }

  operation(req: LocalRequest): string {
    return this.params(req).get("Action") ?? "";
  }

  async handle(req: LocalRequest, ctx: ServiceContext): Promise<LocalResponse> {
    try {
      const action = this.operation(req);
      const op = Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : undefined;
      if (!op) throw invalidAction(action || "(none)");
      const result = op(this.params(req), { store: this.store, region: req.region, nowMs: ctx.nowMs() });
      const body = document(`${action}Response`, result, el("ResponseMetadata", el("RequestId", ctx.requestId)));
      return { status: 200, headers: { "content-type": XML_CONTENT_TYPE }, body };
    } catch (err) {
      const error = err instanceof SnsError ? err : internalError(`Internal failure: ${(err as Error).message}`);
      return error.toResponse(ctx.requestId);
    }
  }

  fault(kind: FaultKind, message: string, call?: FaultCall): LocalResponse {
    return (kind === "throttle" ? throttling() : internalError(message)).toResponse(call?.requestId ?? "");
  }

  private params(req: LocalRequest): QueryParams {
    let p = this.parsed.get(req);
    if (!p) {
      p = QueryParams.of(req.body, req.query);
      this.parsed.set(req, p);
    }
    return p;
  }
}
