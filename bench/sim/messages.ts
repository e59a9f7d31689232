// What the simulation reads out of the SNS messages the service published, without the
// product's own parsers: restore links (the token's claims are plain text before its MAC,
// src/restore/token.ts documents the format), and the kind of each message from its subject.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { PublishedMessage } from "../../src/local/index.js";

export interface LinkSeen {
  link: string;
  token: string;
  region: string;
  backupId: string;
  /** The claims' expiry: the DeleteTimestamp of the deletion it was sent for, rounded up to a second. */
  expiresAtMs: number;
  /** Its MAC checks out under `secret` (worked from the documented format, not src/restore): the page would open it. */
  genuine: boolean;
}

export type MessageKind = "deletion" | "reminder" | "restored" | "other";

export interface MessageSeen {
  atMs: number;
  subject: string;
  kind: MessageKind;
  links: LinkSeen[];
}

/** The link's claims; `genuine` says whether its 16-byte HMAC-SHA256 (over a fixed label and the claims) is right. */
export function linkClaims(link: string, secret?: string): LinkSeen | undefined {
  const token = link.slice(link.lastIndexOf("/") + 1);
  const raw = Buffer.from(token, "base64url");
  const body = raw.subarray(0, raw.length - 16);
  const [code, region, backupId, expiry] = body.toString("utf8").split("|");
  if (code !== "r" || !region || !backupId || !expiry) return undefined;
  const mac = raw.subarray(raw.length - 16);
  const genuine =
    secret !== undefined &&
    raw.toString("base64url") === token &&
    timingSafeEqual(mac, createHmac("sha256", secret).update("cloudhsm-retention/restore-link/v1\n").update(body).digest().subarray(0, 16));
  return { link, token, region, backupId, expiresAtMs: Number.parseInt(expiry, 36) * 1000, genuine };
}

export function readMessage(m: PublishedMessage, baseUrl: string, secret?: string): MessageSeen {
  const body = JSON.parse(m.message) as { email?: string; default?: string };
  const text = `${body.email ?? ""}\n${body.default ?? ""}`;
  const escaped = baseUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const links = new Map<string, LinkSeen>();
  for (const link of text.match(new RegExp(`${escaped}/restore/[A-Za-z0-9_-]+`, "g")) ?? []) {
    const claims = linkClaims(link, secret);
    if (claims) links.set(`${claims.backupId}/${claims.expiresAtMs}`, claims);
  }
  const subject = m.subject ?? "";
  const kind: MessageKind = /remind/i.test(subject) ? "reminder" : /restored/i.test(subject) ? "restored" : /delet/i.test(subject) ? "deletion" : "other";
  return { atMs: Date.parse(m.timestamp), subject, kind, links: [...links.values()] };
}
