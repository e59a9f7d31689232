import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Restore links carry a signed token: `<RESTORE_BASE_URL>/restore/<token>`.
 *
 * The token is one base64url string: the claims as text (`r|<region>|<backupId>|<expiry>`,
 * expiry in epoch seconds, base 36) followed by the first 16 bytes of an HMAC-SHA256 over
 * a fixed label and those claims. 128 bits of MAC are plenty for a link that lives seven
 * days; the whole link stays around 120 characters, short enough for an SMS. The expiry
 * is the backup's DeleteTimestamp: past it there is nothing left to restore.
 *
 * Verification accepts the current secret and the previous one, so a secret can be
 * rotated without breaking links already sent (they expire within 7 days anyway).
 */

export const LINK_ACTIONS = { restore: "r" } as const;
export type LinkAction = keyof typeof LINK_ACTIONS;

export interface LinkClaims {
  action: LinkAction;
  region: string;
  backupId: string;
  /** Epoch milliseconds, whole seconds: the backup's DeleteTimestamp, rounded up. */
  expiresAtMs: number;
}

const LABEL = "cloudhsm-retention/restore-link/v1\n";
const MAC_BYTES = 16;
/** Secrets shorter than this are refused: a link must not be forgeable by guessing. */
export const MIN_SECRET_BYTES = 32;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const BACKUP_ID = /^backup-[2-7a-zA-Z]{11,16}$/;

function mac(secret: Uint8Array, claims: Buffer): Buffer {
  return createHmac("sha256", secret).update(LABEL).update(claims).digest().subarray(0, MAC_BYTES);
}

function claimsText(c: LinkClaims): string {
  return `${LINK_ACTIONS[c.action]}|${c.region}|${c.backupId}|${Math.ceil(c.expiresAtMs / 1000).toString(36)}`;
}

/** @example signToken({ action: "restore", region: "us-east-1", backupId, expiresAtMs }, secret) */
export function signToken(claims: LinkClaims, secret: Uint8Array): string {
  if (secret.length < MIN_SECRET_BYTES) throw new RangeError(`restore link secret: at least ${MIN_SECRET_BYTES} bytes`);
  if (!REGION.test(claims.region) || !BACKUP_ID.test(claims.backupId)) throw new RangeError("restore link: not a region and backup ID");
  const body = Buffer.from(claimsText(claims), "utf8");
  return Buffer.concat([body, mac(secret, body)]).toString("base64url");
}

export type TokenCheck =
  | { ok: true; claims: LinkClaims }
  /** `malformed` and `forged` say nothing to the caller beyond "no such link". */
  | { ok: false; reason: "malformed" | "forged" }
  /** Genuine, but past DeleteTimestamp: the backup is gone for good. */
  | { ok: false; reason: "expired"; claims: LinkClaims };

/**
 * Checks a token against the current and previous secrets, in constant time per secret.
 * The claims are read only once the MAC matches, so a forged token learns nothing.
 */
export function verifyToken(token: string, secrets: readonly Uint8Array[], nowMs: number): TokenCheck {
  if (token.length === 0 || token.length > 200 || !/^[A-Za-z0-9_-]+$/.test(token)) return { ok: false, reason: "malformed" };
  const raw = Buffer.from(token, "base64url");
  // Node's decoder ignores the spare bits of the last character, so up to four spellings
  // decode to the same bytes; only the one signToken writes is a link we sent.
  if (raw.length <= MAC_BYTES || raw.toString("base64url") !== token) return { ok: false, reason: "malformed" };
  const body = raw.subarray(0, raw.length - MAC_BYTES);
  const given = raw.subarray(raw.length - MAC_BYTES);
  let genuine = false;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_BYTES && timingSafeEqual(mac(secret, body), given)) genuine = true;
  }
  if (!genuine) return { ok: false, reason: "forged" };
  const claims = parseClaims(body.toString("utf8"));
  if (claims === undefined) return { ok: false, reason: "malformed" };
  if (nowMs >= claims.expiresAtMs) return { ok: false, reason: "expired", claims };
  return { ok: true, claims };
}

function parseClaims(text: string): LinkClaims | undefined {
  const [code, region, backupId, expiry, ...rest] = text.split("|");
  if (rest.length > 0 || code !== LINK_ACTIONS.restore || !region || !backupId || !expiry) return undefined;
  if (!REGION.test(region) || !BACKUP_ID.test(backupId) || !/^[0-9a-z]{1,9}$/.test(expiry)) return undefined;
  return { action: "restore", region, backupId, expiresAtMs: Number.parseInt(expiry, 36) * 1000 };
}

/** `<base>/restore/<token>`; the base may end in a slash or not. */
export function restoreUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/restore/${token}`;
}
