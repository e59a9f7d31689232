import { backupArn } from "./arn.js";
import { CAP, deletedClause, type Digest, eventTypeOf, goneText, hasLink, headline, isOutside, noLinkText, type LineStyle, type PartInfo, partLabel, type Piece, type RenderOptions, type SingleAlert, threadId } from "./facts.js";
import type { Alert, BackupNotice } from "./model.js";
import { count, oneLine, slackEscape, slackLink, slackText, truncate } from "./text.js";
import { isoUtc, localTime, relativeText, spanText, stageText } from "./time-text.js";

/**
 * The `https` value: an AWS Chatbot (Amazon Q Developer in chat applications) custom
 * notification, as documented (../shared/reference/cloudhsm-api.md §5.2). Slack renders
 * title, description and next steps as mrkdwn, so every value put into them is cut to
 * one line and escaped (`&`, `<`, `>`): a tag or a reason cannot break a link, and a
 * `<!channel>` in a policy name pings nobody. Formatting marks (`*bold*`) wrap only our
 * own fixed words, never values, since Slack has no escape for `*`, `_` or backticks.
 *
 * Chatbot documents no length limits. These caps are conservative choices: Slack shows
 * a message's text up to 40,000 characters but a section block only up to 3,000, and we
 * do not know which Chatbot uses. A title of 250 and a description of 8,000 characters
 * (a digest that would need more is split into parts, each its own notification in the
 * cluster's thread), next steps of 300, at most 10 keywords of 60.
 */
export interface ChatbotNotification {
  version: "1.0";
  source: "custom";
  id?: string;
  content: { textType: "client-markdown"; title: string; description: string; nextSteps: string[]; keywords: string[] };
  metadata: { threadId: string; summary: string; eventType: string; relatedResources: string[]; additionalContext: Record<string, string> };
}

export const CHATBOT_CAPS = {
  title: 250,
  description: 8_000,
  nextStep: 300,
  keywords: 10,
  keyword: 60,
  summary: 250,
  id: 256,
  contextValue: 250,
  /** A reason on a backup's line; the email carries the full one (up to 1,000 characters). */
  lineReason: 300,
} as const;

const EMOJI: Record<Alert["kind"], string> = {
  deletion: ":wastebasket:",
  reminder: ":alarm_clock:",
  halt: ":octagonal_sign:",
  "backups-stopped": ":warning:",
  "backups-resumed": ":white_check_mark:",
  restored: ":recycle:",
};

const id = (value: string | null | undefined) => slackText(value, CAP.id);

/** Kind, region, cluster, policies (or `outside-policy`): at most 10, each short. */
function keywords(alert: Alert): string[] {
  const words: Array<string | null | undefined> = [alert.kind];
  if (alert.kind === "restored") words.push(alert.backup.region, alert.backup.clusterId, isOutside(alert.backup) ? "outside-policy" : alert.backup.policy);
  else if (alert.kind === "halt") words.push(alert.policy, alert.guard);
  else words.push(alert.region, alert.clusterId);
  if (alert.kind === "backups-stopped" || alert.kind === "backups-resumed") words.push(alert.policy);
  if (alert.kind === "deletion" || alert.kind === "reminder") {
    const owners = new Set<string | null>();
    for (const b of alert.backups) if (owners.size < CHATBOT_CAPS.keywords) owners.add(isOutside(b) ? "outside-policy" : b.policy);
    words.push(...owners);
  }
  const unique = [...new Set(words.filter((w): w is string => typeof w === "string" && w.length > 0))];
  return [...new Set(unique.map((w) => slackText(w, CHATBOT_CAPS.keyword)))].slice(0, CHATBOT_CAPS.keywords);
}

function context(entries: Record<string, string | number | null | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(entries)) {
    if (value !== undefined && value !== null) out[k] = slackText(String(value), CHATBOT_CAPS.contextValue);
  }
  return out;
}

interface Body {
  head: string;
  description: string;
  nextSteps: string[];
  resources: string[];
  context: Record<string, string>;
  keywords: string[];
}

function assemble(alert: Alert, part: PartInfo | undefined, body: Body): ChatbotNotification {
  const marker = part ? ` (${partLabel(part)})` : "";
  // Unique per message and the same on a retry: kind, run (or time), group, part.
  const runOrTime = "runId" in alert ? alert.runId : isoUtc(alert.nowMs);
  const partKey = part ? `/${part.index}-of-${part.total}` : "";
  const where = threadId(alert).slice("cloudhsm-retention/".length);
  return {
    version: "1.0",
    source: "custom",
    id: oneLine(`cloudhsm-retention/${alert.kind}/${runOrTime}/${where}${partKey}`, CHATBOT_CAPS.id),
    content: {
      textType: "client-markdown",
      title: `${EMOJI[alert.kind]} ${slackText(body.head, CHATBOT_CAPS.title - 40)}${marker}`,
      description: body.description,
      nextSteps: body.nextSteps.map((s) => truncate(s, CHATBOT_CAPS.nextStep)),
      keywords: body.keywords,
    },
    metadata: {
      threadId: threadId(alert),
      summary: slackText(body.head + marker, CHATBOT_CAPS.summary),
      eventType: eventTypeOf(alert),
      relatedResources: body.resources,
      additionalContext: body.context,
    },
  };
}

/** A backup's ARN when the account is known, else its ID. */
export function resource(b: BackupNotice, opts: RenderOptions): string {
  return opts.accountId ? oneLine(backupArn(b.region, opts.accountId, b.backupId), 300) : oneLine(b.backupId, CAP.id);
}

/** `• <url|Restore backup-abc> · created 2026-08-27 05:13 CEST · gone for good in 6 days 23 h` */
export function slackLine(b: BackupNotice, nowMs: number, style: LineStyle): string {
  const name = oneLine(b.backupId, CAP.id);
  const link = hasLink(b) ? slackLink(b.restoreUrl, `Restore ${name}`) : `${slackEscape(name)} (${slackEscape(noLinkText(b))})`;
  let line = `• ${link} · created ${slackEscape(localTime(b.createdAtMs, b.timezone))} · gone for good ${goneText(b.deleteAtMs, nowMs)}`;
  if (style.mixedOwners) line += isOutside(b) ? " · deleted outside policy" : ` · policy ${id(b.policy)}`;
  if (style.sharedReason === undefined) line += ` · ${slackText(b.reason, CHATBOT_CAPS.lineReason)}`;
  return line;
}

/** Deletion digests and reminders, one part of one. */
export function chatbotForList(d: Digest, pieces: readonly Piece[], part: PartInfo | undefined): ChatbotNotification {
  const alert = d.alert;
  const total = alert.backups.length;
  const group = slackText(alert.group, CAP.group);
  const lead =
    alert.kind === "deletion"
      ? `*Deleted:* ${count(total, "backup")} of ${group}${slackEscape(deletedClause(d.deletedBy))}. Each can be restored until it is gone for good (${d.deadlines}): open its link to keep it.`
      : `*Reminder:* ${count(total, "deleted backup")} of ${group} gone for good ${d.stagePhrase} (${d.deadlines}). Open a link to keep that backup.`;
  const first = part?.firstNumber ?? 1;
  const partLine = part ? [`_Part ${part.index} of ${part.total}: backups ${first} to ${first + pieces.length - 1} of ${total}, oldest first._`] : [];
  const why = d.style.sharedReason === undefined ? [] : [`*Why:* ${slackText(d.style.sharedReason, CHATBOT_CAPS.lineReason)}`];
  return assemble(alert, part, {
    head: d.headline,
    description: [lead, ...partLine, ...why, ...pieces.map((p) => p.slack)].join("\n"),
    nextSteps:
      alert.kind === "deletion"
        ? ["To keep a backup, open its Restore link and confirm on the page, before it is gone for good.", "If these deletions are expected, nothing needs doing."]
        : [`To keep a backup, open its Restore link and confirm on the page. This is the ${d.stageList} reminder.`, "If they are meant to go, nothing needs doing; each reminder stage is sent once."],
    resources: pieces.map((p) => p.resource),
    context: context({
      region: alert.region,
      group: alert.group,
      clusterId: alert.clusterId,
      runId: alert.runId,
      backups: total,
      part: part ? `${part.index}/${part.total}` : undefined,
    }),
    keywords: (d.keywords ??= keywords(alert)),
  });
}

/** Halts, backups stopped or resumed, restores. */
export function chatbotForSingle(alert: SingleAlert, opts: RenderOptions): ChatbotNotification {
  const cap = Math.min(opts.maxDescriptionChars ?? CHATBOT_CAPS.description, CHATBOT_CAPS.description);
  const body = singleBody(alert, opts);
  return assemble(alert, undefined, { ...body, description: truncate(body.description, cap) });
}

function singleBody(alert: SingleAlert, opts: RenderOptions): Body {
  const common = { head: headline(alert), keywords: keywords(alert) };
  switch (alert.kind) {
    case "halt": {
      const scope = alert.group === undefined ? "" : ` in ${slackText(alert.group, CAP.group)}`;
      const what = alert.group === undefined ? "under this policy" : "in that group";
      return {
        ...common,
        description:
          `*Halted:* policy ${id(alert.policy)}${scope}, by its ${id(alert.guard)} guard. Nothing ${what} was deleted by run ${id(alert.runId)}.\n` +
          `*Why:* ${slackText(alert.message, CAP.message)}`,
        nextSteps: [slackText(alert.advice, CHATBOT_CAPS.nextStep)],
        resources: [],
        context: context({ policy: alert.policy, group: alert.group, guard: alert.guard, runId: alert.runId }),
      };
    }
    case "backups-stopped": {
      const since =
        alert.newestReadyMs === undefined
          ? "has no READY backup at all"
          : `has made no READY backup for ${spanText(alert.nowMs - alert.newestReadyMs)} (newest ${isoUtc(alert.newestReadyMs)})`;
      return {
        ...common,
        description:
          `*Backups stopped:* ${slackText(alert.group, CAP.group)} ${since}; policy ${id(alert.policy)} allows ${stageText(alert.thresholdMs)} without one.` +
          " CloudHSM backs up each active cluster at least every 24 hours.",
        nextSteps: ["Check the cluster's state and its HSMs: aws cloudhsmv2 describe-clusters.", "You get this alert once per episode, and one more when backups resume."],
        resources: [],
        context: context({ region: alert.region, group: alert.group, clusterId: alert.clusterId, policy: alert.policy }),
      };
    }
    case "backups-resumed":
      return {
        ...common,
        description:
          `*Backups resumed:* ${slackText(alert.group, CAP.group)} makes backups again; newest ${isoUtc(alert.newestReadyMs)}.` +
          ` Stopped since ${isoUtc(alert.stoppedSinceMs)} (${relativeText(alert.stoppedSinceMs, alert.nowMs)}).`,
        nextSteps: ["Nothing needs doing."],
        resources: [],
        context: context({ region: alert.region, group: alert.group, clusterId: alert.clusterId, policy: alert.policy }),
      };
    case "restored": {
      const b = alert.backup;
      const hold =
        alert.heldUntilMs === undefined
          ? "Pinned (NeverExpires): nothing deletes it until someone unpins it."
          : `Held until ${isoUtc(alert.heldUntilMs)} (${relativeText(alert.heldUntilMs, alert.nowMs)}): no policy deletes it before then.`;
      return {
        ...common,
        description: `*Restored:* ${id(b.backupId)} of ${slackText(b.group, CAP.group)} is READY again, restored ${slackText(alert.via, 200)}. ${hold}`,
        nextSteps: ["Nothing needs doing if this restore was intended."],
        resources: [resource(b, opts)],
        context: context({ region: b.region, group: b.group, clusterId: b.clusterId, policy: b.policy, backupId: b.backupId }),
      };
    }
  }
}
