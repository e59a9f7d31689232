// What the simulation reads out of the SNS messages the service published, without the
// product's own parsers: restore links (the token's claims are plain text before its MAC,
// src/restore/token.ts documents the format), and the kind of each message from its subject.
import type { PublishedMessage } from "../../src/local/index.js";

export interface LinkSeen {
  link: string;
  token: string;
  region: string;
  backupId: string;
  /** The claims' expiry: the DeleteTimestamp of the deletion it was sent for, rounded up to a second. */
  expiresAtMs: number;
}

export type MessageKind = "deletion" | "reminder" | "restored" | "other";

export interface MessageSeen {
  atMs: number;
  subject: string;
  kind: MessageKind;
  links: LinkSeen[];
}

export function linkClaims(link: string): LinkSeen | undefined {
  const token = link.slice(link.lastIndexOf("/") + 1);
  const raw = Buffer.from(token, "base64url");
  const [code, region, backupId, expiry] = raw.subarray(0, raw.length - 16).toString("utf8").split("|");
  if (code !== "r" || !region || !backupId || !expiry) return undefined;
  return { link, token, region, backupId, expiresAtMs: Number.parseInt(expiry, 36) * 1000 };
}

export function readMessage(m: PublishedMessage, baseUrl: string): MessageSeen {
  const body = JSON.parse(m.message) as { email?: string; default?: string };
  const text = `${body.email ?? ""}\n${body.default ?? ""}`;
  const escaped = baseUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const links = new Map<string, LinkSeen>();
  for (const link of text.match(new RegExp(`${escaped}/restore/[A-Za-z0-9_-]+`, "g")) ?? []) {
    const claims = linkClaims(link);
    if (claims) links.set(`${claims.backupId}/${claims.expiresAtMs}`, claims);
  }
  const subject = m.subject ?? "";
  const kind: MessageKind = /remind/i.test(subject) ? "reminder" : /restored/i.test(subject) ? "restored" : /delet/i.test(subject) ? "deletion" : "other";
  return { atMs: Date.parse(m.timestamp), subject, kind, links: [...links.values()] };
}
