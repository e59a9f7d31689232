import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * What stands between a fetched link and a restore. A GET never acts (mail scanners and
 * link previewers fetch every link); a POST acts only when it comes from the page itself:
 *
 * - the browser says so: an `Origin` equal to the page's own origin, or, where the browser
 *   sends `Origin: null` (the page's `Referrer-Policy: no-referrer` makes it do that for
 *   form posts), `Sec-Fetch-Site: same-origin`. Neither header can be set by another site's
 *   page, so a cross-site form cannot restore anything (CSRF);
 * - and the form carries a token bound to the link, an HMAC of the link token under the
 *   link secret with a label of its own, so a robot that POSTs to the bare link, without
 *   the page, is refused too.
 */

/** The secrets links are signed with: the current one, and the previous one during a rotation. */
export interface LinkKeys {
  current: Uint8Array;
  previous?: Uint8Array | undefined;
}

export function keysOf(keys: LinkKeys): Uint8Array[] {
  return keys.previous ? [keys.current, keys.previous] : [keys.current];
}

const FORM_LABEL = "cloudhsm-retention/restore-form/v1\n";
const FORM_TOKEN_BYTES = 16;
/** 16 bytes in base64url, unpadded. */
const FORM_TOKEN = /^[A-Za-z0-9_-]{22}$/;

function formMac(linkToken: string, secret: Uint8Array): Buffer {
  return createHmac("sha256", secret).update(FORM_LABEL).update(linkToken).digest().subarray(0, FORM_TOKEN_BYTES);
}

/** The hidden field of the page's form, for this link, under the current secret. */
export function formToken(linkToken: string, secret: Uint8Array): string {
  return formMac(linkToken, secret).toString("base64url");
}

/**
 * Whether `given` is the form token of `linkToken` under any of the secrets. Every secret
 * is compared, in constant time, whatever the first gave: the time taken says nothing.
 */
export function verifyFormToken(given: unknown, linkToken: string, keys: LinkKeys): boolean {
  if (typeof given !== "string" || !FORM_TOKEN.test(given)) return false;
  const bytes = Buffer.from(given, "base64url");
  let match = false;
  for (const secret of keysOf(keys)) {
    if (timingSafeEqual(formMac(linkToken, secret), bytes)) match = true;
  }
  return match;
}

/** The parts of an API Gateway HTTP API (payload 2.0) request the origin check reads. */
export interface OriginFacts {
  /** Lower-case header names (API Gateway sends them so; the header normalizer makes sure). */
  headers: Readonly<Record<string, string | undefined>>;
  /** `requestContext.domainName`: the host the client called (the custom domain, or execute-api's). */
  domainName?: string | undefined;
}

export type OriginCheck = { ok: true; by: "origin" | "sec-fetch-site" } | { ok: false; why: string };

/** `scheme://host[:port]` as browsers write Origin, or undefined when it is not one. */
function originOf(text: string): string | undefined {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The origins this request was made to: its scheme (API Gateway's `X-Forwarded-Proto`,
 * https when absent: an HTTP API answers HTTPS only) with its `Host`, the forwarded host
 * (a CDN in front), and the API's domain name; plus `publicOrigins`, where the links point
 * (RESTORE_BASE_URL). Only a browser sets Origin and Sec-Fetch-Site on a form post, so a
 * forwarded host taken into account here cannot help another site's page.
 */
export function ownOrigins(req: OriginFacts, publicOrigins: readonly string[] = []): Set<string> {
  const first = (v: string | undefined) => v?.split(",")[0]?.trim().toLowerCase() || undefined;
  const proto = first(req.headers["x-forwarded-proto"]);
  const scheme = proto === "http" || proto === "https" ? proto : "https";
  const hosts = [first(req.headers.host), first(req.headers["x-forwarded-host"]), req.domainName?.toLowerCase()];
  const out = new Set<string>();
  for (const host of hosts) {
    const origin = host ? originOf(`${scheme}://${host}`) : undefined;
    if (origin) out.add(origin);
  }
  for (const o of publicOrigins) {
    const origin = originOf(o);
    if (origin) out.add(origin);
  }
  return out;
}

/**
 * Whether a POST comes from this site's own page. A present, non-null Origin must be one
 * of ours; a `Sec-Fetch-Site` other than same-origin refuses even then; without Origin
 * (or with `null`), `Sec-Fetch-Site: same-origin` is required. Clients that send
 * neither header (old browsers, curl, scanners) are refused: they can use the CLI.
 */
export function checkSameOrigin(req: OriginFacts, publicOrigins: readonly string[] = []): OriginCheck {
  const origin = req.headers.origin?.trim();
  const site = req.headers["sec-fetch-site"]?.trim().toLowerCase();
  if (site !== undefined && site !== "same-origin") return { ok: false, why: `Sec-Fetch-Site: ${site.slice(0, 40)}` };
  if (origin !== undefined && origin !== "" && origin !== "null") {
    const given = originOf(origin);
    return given !== undefined && ownOrigins(req, publicOrigins).has(given) ? { ok: true, by: "origin" } : { ok: false, why: "cross-origin" };
  }
  if (site === "same-origin") return { ok: true, by: "sec-fetch-site" };
  return { ok: false, why: origin === "null" ? "Origin: null without Sec-Fetch-Site" : "no Origin and no Sec-Fetch-Site" };
}
