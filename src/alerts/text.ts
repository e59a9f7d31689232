import { AlertRenderError } from "../errors.js";

/**
 * Text hygiene for alerts. Every value that reaches a message came from AWS (IDs, tags
 * read into reasons), from a policy file, or from a person (who deleted a backup): none
 * of it may add a line, hide text, or break the markup around it.
 */

/**
 * Characters never shown: C0 and C1 controls (newlines, escapes), DEL, the Unicode line
 * and paragraph separators, zero-width characters and BOM, and the bidirectional
 * embedding/override/isolate controls, which can make text display differently from
 * what it is ("Trojan Source", CVE-2021-42574).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
/** A surrogate half without its partner: not valid UTF-8, SNS would mangle it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ELLIPSIS = "…";

/**
 * One line of plain text: unsafe characters become spaces, runs of whitespace one space,
 * and text longer than `maxChars` (UTF-16 code units) ends with an ellipsis, never in
 * the middle of a surrogate pair. An empty result reads `(none)` so no label dangles.
 */
export function oneLine(value: string | null | undefined, maxChars: number): string {
  const clean = String(value ?? "")
    .replace(LONE_SURROGATE, "\ufffd")
    .replace(UNSAFE, " ")
    .replace(/\s+/g, " ")
    .trim();
  return truncate(clean.length ? clean : "(none)", maxChars);
}

/** Cuts `text` to at most `maxChars` code units, marking the cut with an ellipsis. */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  if (maxChars < 1) return "";
  let cut = text.slice(0, maxChars - 1);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return cut.trimEnd() + ELLIPSIS;
}

/**
 * SNS takes a Subject of fewer than 100 characters, one line, no control characters.
 * The fixed `head` (the product's tag) and `tail` (the part marker) are kept whole; the
 * middle, which carries values, is cut with an ellipsis to fit. Counted in UTF-16 code
 * units, which is never less than the characters SNS counts.
 */
export const SUBJECT_MAX_CHARS = 99;

export function fitSubject(head: string, middle: string, tail = ""): string {
  const h = oneLine(head, 40);
  const t = tail ? ` ${oneLine(tail, 30)}` : "";
  const room = SUBJECT_MAX_CHARS - h.length - 1 - t.length;
  return `${h} ${oneLine(middle, room)}${t}`;
}

/** Slack's rule: only `&`, `<` and `>` are control characters in message text. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * One line of a value, escaped for Slack mrkdwn, at most `maxChars` long once escaped:
 * the text is cut before escaping, so an entity (`&amp;`) is never cut in half.
 */
export function slackText(value: string | null | undefined, maxChars: number): string {
  let raw = oneLine(value, maxChars);
  let escaped = slackEscape(raw);
  while (escaped.length > maxChars) {
    // A raw character is at most 5 escaped ones (`&amp;`): cutting overflow/5 more never
    // overshoots by much, and the loop ends because `raw` gets shorter every time.
    raw = truncate(raw, Math.max(0, raw.length - Math.ceil((escaped.length - maxChars) / 5) - 1));
    escaped = slackEscape(raw);
  }
  return escaped;
}

/** `<url|text>`: a Slack link whose text cannot end it early. */
export function slackLink(url: string, text: string): string {
  return `<${slackEscape(safeUrl(url))}|${slackEscape(text)}>`;
}

/**
 * The longest restore link accepted. Ours are ~120 characters; a link is never cut (a
 * cut link is a broken link), so a longer one is a bug upstream and rendering refuses it.
 */
export const MAX_URL_CHARS = 2048;

/** RFC 3986 reserved and unreserved characters, and `%` (already-encoded octets). */
const URL_SAFE = /[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/;

/**
 * The link as one unbreakable token: any character outside RFC 3986's set (spaces,
 * controls, non-ASCII, `<`, `>`, `|`, quotes) is percent-encoded as UTF-8, so a mail
 * client cannot split it and `|` or `>` cannot end a Slack link.
 */
const ALL_URL_SAFE = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;

export function safeUrl(url: string): string {
  if (ALL_URL_SAFE.test(url) && url.length <= MAX_URL_CHARS) return url;
  let out = "";
  for (const ch of url.replace(LONE_SURROGATE, "\ufffd")) {
    if (URL_SAFE.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, "utf8")) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  if (out.length > MAX_URL_CHARS) {
    throw new AlertRenderError(`restore link of ${out.length} characters (the limit is ${MAX_URL_CHARS}): refusing to cut it`);
  }
  return out;
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** `1 backup`, `3 backups`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
