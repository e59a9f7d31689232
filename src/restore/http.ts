import middy from "@middy/core";
import httpErrorHandler from "@middy/http-error-handler";
import httpHeaderNormalizer from "@middy/http-header-normalizer";
import httpRouter from "@middy/http-router";
import httpSecurityHeaders from "@middy/http-security-headers";
import httpUrlencodeBodyParser from "@middy/http-urlencode-body-parser";
import { createError } from "@middy/util";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import type { BackupRestorer, BackupStore } from "../domain/ports.js";
import type { RetentionPolicy } from "../domain/types.js";
import { RetentionError } from "../errors.js";
import type { ApplyAlerts } from "../jobs/apply-alerts.js";
import type { JobLogger } from "../jobs/logger.js";
import { DEFAULT_HOLD_MS, describeRestore, type RestoreDeps, runRestore } from "../jobs/restore.js";
import { policyOf } from "../retention/grouping.js";
import { checkSameOrigin, formToken, type LinkKeys, keysOf, verifyFormToken } from "./guard.js";
import { STYLE_HASH } from "./html.js";
import { type AfterExpiry, confirmPage, goneForGoodPage, notFoundPage, type Page, refusedPage, resultPage, statusPage } from "./pages.js";
import { type LinkClaims, type TokenCheck, verifyToken } from "./token.js";

/**
 * The restore page behind the alerts' links, for API Gateway HTTP API (payload 2.0):
 *
 * - `GET /restore/{token}` (and HEAD) shows the backup and two buttons, and changes nothing:
 *   mail scanners and chat link previews fetch every link, so a fetch must never act.
 * - `POST /restore/{token}` restores through `runRestore` (a hold or the NeverExpires pin,
 *   recorded and announced), only from the page itself (see guard.ts).
 *
 * A link that is not genuine gets one 404 page whatever was wrong with it; a genuine one
 * past its backup's DeleteTimestamp gets 410. Every response, errors included, is an HTML
 * page with the same security headers and `Cache-Control: no-store`.
 */

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;
/** The Lambda context with the link secrets the link secret middleware (or `serve`) put there. */
export type PageContext = Context & { linkSecrets?: LinkKeys };

export interface RestorePageDeps {
  store: BackupStore & BackupRestorer;
  /** The alert path for one request (a fresh run ID), given its link secrets. */
  alerts: (keys: LinkKeys) => ApplyAlerts;
  /** The policies (loaded once), for a backup's policy name and time zone. */
  policies: () => Promise<readonly RetentionPolicy[]>;
  /** The service's clock; `observed` false until a response's Date header was read. */
  clock: { nowMs(): number; readonly observed?: boolean };
  log: JobLogger;
  /** RESTORE_BASE_URL: its origin counts as the page's own (a CDN or custom domain in front). */
  publicBaseUrl?: string | undefined;
  /** The hold of "Restore and keep for 30 days". */
  holdMs?: number | undefined;
}

export const RESTORE_PATH = /^\/restore\/[^/]+\/?$/;
const ALLOWED = "GET, HEAD, POST";
const VIA = "through the restore link";

/**
 * Helmet-style headers from @middy/http-security-headers, with the page's own CSP: nothing
 * but its one hashed `<style>`, forms only to itself, never framed. Directives the
 * middleware adds by default that do not fit are turned off: `sandbox` (it makes form posts
 * send `Origin: null` from an opaque origin and, without allow-forms, blocks them),
 * `upgrade-insecure-requests` (it would send the local page's form to https), `navigate-to`
 * (never shipped by browsers) and the reporting groups (there is no report endpoint).
 */
const SECURITY_HEADERS = {
  contentSecurityPolicy: {
    "default-src": "'none'",
    "style-src": STYLE_HASH,
    "img-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    sandbox: false,
    "navigate-to": "",
    "report-to": "",
    "upgrade-insecure-requests": false,
  },
  referrerPolicy: { policy: "no-referrer" },
  // HSTS for this host only: includeSubDomains or preload on someone's custom domain is their call.
  strictTransportSecurity: { maxAge: 180 * 24 * 60 * 60, includeSubDomains: false, preload: false },
  // Modern advice is to leave the old XSS auditor off; the CSP does that job.
  xssProtection: false,
  reportTo: false,
  reportingEndpoints: false,
} as unknown as Parameters<typeof httpSecurityHeaders>[0];

function respond(page: Page): HttpResult {
  return { statusCode: page.statusCode, headers: { "Content-Type": "text/html; charset=utf-8", ...page.headers }, body: page.html };
}

export function restorePage(deps: RestorePageDeps) {
  const holdMs = deps.holdMs ?? DEFAULT_HOLD_MS;
  const publicOrigins = deps.publicBaseUrl ? [deps.publicBaseUrl] : [];

  function keysFrom(context: PageContext): LinkKeys {
    if (!context.linkSecrets) throw new RetentionError("restore page: no link secrets on the context; the link secret middleware did not run");
    return context.linkSecrets;
  }

  /**
   * The link's token, checked against the current and previous secrets. Its expiry is
   * judged on the service's clock; before any AWS response was seen (a cold start) that
   * clock is the host's, so a genuine token is checked again after one look-up.
   */
  async function linkOf(event: HttpEvent, context: PageContext): Promise<{ token: string; keys: LinkKeys; check: TokenCheck }> {
    const keys = keysFrom(context);
    const token = event.pathParameters?.token ?? "";
    let check = verifyToken(token, keysOf(keys), deps.clock.nowMs());
    const claims = check.ok || check.reason === "expired" ? check.claims : undefined;
    if (claims && deps.clock.observed === false) {
      await deps.store.lookUpBackups(claims.region, [claims.backupId]).catch(() => undefined);
      check = verifyToken(token, keysOf(keys), deps.clock.nowMs());
    }
    return { token, keys, check };
  }

  async function restoreDeps(keys: LinkKeys): Promise<RestoreDeps> {
    return { store: deps.store, alerts: deps.alerts(keys), policies: await deps.policies() };
  }

  function logged(event: HttpEvent, page: Page, outcome: string, claims?: LinkClaims, extra: Record<string, unknown> = {}): HttpResult {
    // Never the token: it is what opens the page.
    deps.log.info("restore page", {
      method: event.requestContext.http.method,
      statusCode: page.statusCode,
      outcome,
      ...(claims ? { region: claims.region, backupId: claims.backupId } : {}),
      sourceIp: event.requestContext.http.sourceIp,
      userAgent: event.requestContext.http.userAgent?.slice(0, 200),
      ...extra,
    });
    return respond(page);
  }

  /**
   * A genuine link past its DeleteTimestamp: gone for good, unless someone brought the backup
   * back meanwhile (READY), or brought it back and deleted it again (restorable until its new
   * DeleteTimestamp, through a newer link or the CLI).
   */
  async function expired(event: HttpEvent, claims: LinkClaims): Promise<HttpResult> {
    const b = await deps.store.lookUpBackups(claims.region, [claims.backupId]).then((r) => r.backups[0]).catch(() => undefined);
    const nowMs = deps.clock.nowMs();
    const after: AfterExpiry =
      b?.state === "READY" ? { state: "ready" }
      : b?.state === "PENDING_DELETION" && (b.deleteAtMs === undefined || b.deleteAtMs > nowMs) ? { state: "pending", deleteAtMs: b.deleteAtMs }
      : { state: "gone" };
    const outcome = { ready: "link-expired-backup-ready", pending: "link-expired-backup-pending-again", gone: "gone-for-good" }[after.state];
    return logged(event, goneForGoodPage(claims, nowMs, after), outcome, claims);
  }

  async function show(event: HttpEvent, context: PageContext): Promise<HttpResult> {
    const { token, keys, check } = await linkOf(event, context);
    if (!check.ok) return check.reason === "expired" ? expired(event, check.claims) : logged(event, notFoundPage(), `invalid-link-${check.reason}`);
    const { claims } = check;
    const restore = await restoreDeps(keys);
    let view: Awaited<ReturnType<typeof describeRestore>>;
    try {
      view = await describeRestore(claims.region, claims.backupId, restore, holdMs);
    } catch (err) {
      return logged(event, statusPage(503), "aws-unavailable", claims, { error: (err as Error).message });
    }
    const b = view.backup;
    if (view.nowMs >= claims.expiresAtMs) return expired(event, claims);
    if (!b || b.state === "DELETED" || (b.state === "PENDING_DELETION" && b.deleteAtMs !== undefined && b.deleteAtMs <= view.nowMs)) {
      return logged(event, goneForGoodPage(claims, view.nowMs, { state: "gone" }), "gone-for-good", claims);
    }
    return logged(event, confirmPage({ ...view, backup: b }, formToken(token, keys.current), holdMs), "shown", claims, { state: b.state });
  }

  async function act(event: HttpEvent, context: PageContext): Promise<HttpResult> {
    const { token, keys, check } = await linkOf(event, context);
    if (!check.ok && check.reason !== "expired") return logged(event, notFoundPage(), `invalid-link-${check.reason}`);
    const claims = check.claims;
    const origin = checkSameOrigin({ headers: event.headers, domainName: event.requestContext.domainName }, publicOrigins);
    if (!origin.ok) return logged(event, refusedPage(), "refused", claims, { why: origin.why });
    const form = (typeof event.body === "object" && event.body !== null ? event.body : {}) as Record<string, unknown>;
    if (!verifyFormToken(form.form_token, token, keys)) return logged(event, refusedPage(), "refused", claims, { why: "no form token of this link" });
    if (!check.ok) return expired(event, claims);
    const mode = form.keep;
    if (mode !== "hold" && mode !== "pin") return logged(event, statusPage(400), "bad-form", claims);
    const restore = await restoreDeps(keys);
    const actor = `restore link (from ${event.requestContext.http.sourceIp})`;
    let result: Awaited<ReturnType<typeof runRestore>>;
    try {
      result = await runRestore({ region: claims.region, backupId: claims.backupId, mode, holdMs, via: VIA, actor }, restore);
    } catch (err) {
      return logged(event, statusPage(503), "aws-unavailable", claims, { error: (err as Error).message });
    }
    if (result.status === "gone" || result.status === "not-found") return logged(event, goneForGoodPage(claims, deps.clock.nowMs(), { state: "gone" }), "gone-for-good", claims);
    const timezone = (result.backup && policyOf(result.backup, restore.policies)?.timezone) || "UTC";
    const d = result.delivery;
    const page = resultPage(result, timezone, deps.clock.nowMs());
    if (d.ledgerFailures > 0) deps.log.error("restore page: the hold or pin was not recorded", { region: claims.region, backupId: claims.backupId, errors: d.errors });
    return logged(event, page, result.status, claims, { mode, pinned: result.pinned, heldUntilMs: result.heldUntilMs === undefined ? undefined : Math.round(result.heldUntilMs), ledgerFailures: d.ledgerFailures, failedMessages: d.failedMessages });
  }

  const router = httpRouter<HttpEvent, HttpResult>({
    routes: [
      { method: "GET", path: "/restore/{token}", handler: show as never },
      // HEAD is GET without the body (finishPages drops it): it acts no more than GET.
      { method: "HEAD", path: "/restore/{token}", handler: show as never },
      // Any other content type is left as it is: then the form token is missing, and the
      // request is refused (403) like every other request that did not come from the page.
      { method: "POST", path: "/restore/{token}", handler: middy(act as never).use(httpUrlencodeBodyParser({ disableContentTypeError: true })) as never },
    ],
    notFoundResponse: ({ path }) => {
      if (RESTORE_PATH.test(path)) throw Object.assign(createError(405, "Method not allowed"), { headers: { Allow: ALLOWED } });
      throw createError(404, "Not found");
    },
  });

  return middy<HttpEvent, HttpResult, Error, PageContext>(router as never)
    .use(httpHeaderNormalizer())
    .use(httpSecurityHeaders(SECURITY_HEADERS))
    .use(finishPages())
    .use(
      httpErrorHandler({
        logger: (err: unknown) => {
          const e = err as { statusCode?: number; message?: string };
          if (e.statusCode !== undefined && e.statusCode < 500) deps.log.info("restore page: request refused", { statusCode: e.statusCode, error: e.message });
          else deps.log.error("restore page failed", { error: e.message, stack: (err as Error).stack });
        },
      }),
    );
}

/**
 * Every response as a page: errors the error handler made into text (404, 405, 415, 500)
 * get the same HTML pages; none is stored by a cache or indexed; HEAD gets no body.
 * Runs before the security headers are added, which read the content type.
 */
function finishPages(): middy.MiddlewareObj<HttpEvent, HttpResult> {
  const finish = async (request: middy.Request<HttpEvent, HttpResult>): Promise<void> => {
    const res = request.response;
    if (!res) return;
    const headers = (res.headers ??= {});
    const type = String(headers["Content-Type"] ?? headers["content-type"] ?? "");
    if (!type.startsWith("text/html")) {
      delete headers["content-type"];
      headers["Content-Type"] = "text/html; charset=utf-8";
      res.body = statusPage(res.statusCode ?? 500).html;
    }
    headers["Cache-Control"] = "no-store";
    headers["X-Robots-Tag"] = "noindex, nofollow";
    if (request.event.requestContext?.http?.method === "HEAD") res.body = "";
  };
  return { after: finish, onError: finish };
}
