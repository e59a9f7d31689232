import { AlertRenderError } from "../errors.js";
import {
  DEFAULT_SUBJECT_PREFIX, type Digest, digestOf, headline, isListAlert, type PartInfo, partLabel, type Piece, type RenderOptions,
  SNS_MAX_MESSAGE_BYTES, type SingleAlert, sortBackups,
} from "./facts.js";
import type { Alert, BackupNotice, RenderedMessage } from "./model.js";
import { CHATBOT_CAPS, type ChatbotNotification, chatbotForList, chatbotForSingle, resource, slackLine } from "./render-chatbot.js";
import { defaultForList, defaultForSingle, defaultLine } from "./render-default.js";
import { emailBlock, emailForList, emailForSingle } from "./render-email.js";
import { packRuns } from "./split.js";
import { fitSubject, SUBJECT_MAX_CHARS, utf8Bytes } from "./text.js";

export type { RenderOptions } from "./facts.js";
export type { ChatbotNotification } from "./render-chatbot.js";

/**
 * The Message to publish with `MessageStructure: "json"`: exactly this string is what
 * SNS measures against its 262,144-byte limit, so the SNS adapter sends it unchanged.
 */
export function snsMessageJson(m: Pick<RenderedMessage, "default" | "email" | "https">): string {
  return JSON.stringify({ default: m.default, email: m.email, https: m.https });
}

interface Limits {
  maxMessageBytes: number;
  maxDescriptionChars: number;
}

function limitsOf(opts: RenderOptions): Limits {
  return {
    maxMessageBytes: Math.min(opts.maxMessageBytes ?? SNS_MAX_MESSAGE_BYTES, SNS_MAX_MESSAGE_BYTES),
    maxDescriptionChars: Math.min(opts.maxDescriptionChars ?? CHATBOT_CAPS.description, CHATBOT_CAPS.description),
  };
}

function build(head: string, subjectTail: string, def: string, email: string, chat: ChatbotNotification, backupIds: string[], opts: RenderOptions) {
  const message: RenderedMessage = {
    subject: fitSubject(opts.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX, head, subjectTail),
    default: def,
    email,
    https: JSON.stringify(chat),
    backupIds,
  };
  return { message, descriptionChars: chat.content.description.length };
}

function fitsLimits(r: { message: RenderedMessage; descriptionChars: number }, limits: Limits): boolean {
  return utf8Bytes(snsMessageJson(r.message)) <= limits.maxMessageBytes && r.descriptionChars <= limits.maxDescriptionChars;
}

function pieces(d: Digest, sorted: readonly BackupNotice[], opts: RenderOptions): Piece[] {
  return sorted.map((b, i) => ({
    backup: b,
    email: emailBlock(b, i + 1, d.alert.nowMs),
    slack: slackLine(b, d.alert.nowMs, d.style),
    text: defaultLine(b),
    resource: resource(b, opts),
  }));
}

function renderPart(d: Digest, run: readonly Piece[], part: PartInfo | undefined, opts: RenderOptions) {
  return build(
    d.headline,
    part ? `(${partLabel(part)})` : "",
    defaultForList(d, run, part),
    emailForList(d, run, part, opts),
    chatbotForList(d, run, part),
    run.map((p) => p.backup.backupId),
    opts,
  );
}

function renderSingle(alert: SingleAlert, opts: RenderOptions) {
  const ids = alert.kind === "restored" ? [alert.backup.backupId] : [];
  return build(headline(alert), "", defaultForSingle(alert), emailForSingle(alert, opts), chatbotForSingle(alert, opts), ids, opts);
}

/**
 * Renders one alert as SNS messages (subject, `default`, `email`, Chatbot `https`). A
 * digest too large for one message (262,144 bytes as sent; the Chatbot description cap)
 * is split into parts, each marked `part i of n` in subject and body and listing its
 * `backupIds`; every backup appears in exactly one part, oldest first. A digest with no
 * backups renders to no message. Pure: all times come from the alert.
 *
 * Throws AlertRenderError rather than cut a restore link or drop a backup.
 *
 * @example
 * for (const m of renderAlert(alert)) await sns.publish({ Subject: m.subject, Message: snsMessageJson(m), MessageStructure: "json" });
 */
export function renderAlert(alert: Alert, opts: RenderOptions = {}): RenderedMessage[] {
  const limits = limitsOf(opts);
  if (!isListAlert(alert)) return [checked(renderSingle(alert, opts), limits)];
  if (alert.backups.length === 0) return [];
  const d = digestOf(alert);
  const all = pieces(d, sortBackups<BackupNotice>(alert.backups), opts);
  // The backup lines alone past the description cap: no need to render the whole digest to know.
  let slackChars = 0;
  for (const p of all) slackChars += p.slack.length + 1;
  if (slackChars <= limits.maxDescriptionChars) {
    const whole = renderPart(d, all, undefined, opts);
    if (fitsLimits(whole, limits)) return [checked(whole, limits)];
  }
  // While packing, the part numbers are not known yet: measure with the widest they can
  // be (as many parts as backups), so the real, shorter labels can only make parts smaller.
  const widest = (start: number): PartInfo => ({ index: all.length, total: all.length, firstNumber: start + 1, of: all.length });
  const runs = packRuns(all, (start, run) => fitsLimits(renderPart(d, run, widest(start), opts), limits));
  if (!runs) {
    throw new AlertRenderError(`alert for ${d.headline}: one backup alone exceeds the message limits (${limits.maxMessageBytes} bytes, ${limits.maxDescriptionChars} description characters)`);
  }
  let start = 0;
  return runs.map((run, i) => {
    const part: PartInfo = { index: i + 1, total: runs.length, firstNumber: start + 1, of: all.length };
    start += run.length;
    return checked(renderPart(d, run, part, opts), limits);
  });
}

/** Every message leaves here within the limits, or not at all. */
function checked(r: { message: RenderedMessage; descriptionChars: number }, limits: Limits): RenderedMessage {
  const subject = r.message.subject;
  if (subject.length > SUBJECT_MAX_CHARS || /[\u0000-\u001f\u007f-\u009f]/.test(subject) || !fitsLimits(r, limits)) {
    throw new AlertRenderError(`rendered alert "${subject.slice(0, 60)}" exceeds the SNS or Chatbot limits`);
  }
  return r.message;
}
