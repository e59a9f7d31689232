import { CAP, deletedClause, type Digest, goneText, hasLink, isOutside, noLinkText, type PartInfo, type Piece, type RenderOptions, type SingleAlert } from "./facts.js";
import type { BackupNotice } from "./model.js";
import { count, oneLine, safeUrl } from "./text.js";
import { isoUtc, localAndUtc, relativeText, spanText, stageText } from "./time-text.js";

/**
 * The `email` body: plain text (SNS email is text/plain), short paragraphs, one labelled
 * fact per line, and each restore link alone on its own line with nothing before or
 * after it, so every mail client makes it clickable and none wraps it into other text.
 * Lines are not hard-wrapped: clients wrap prose themselves, and a wrapped link breaks.
 */

const id = (value: string | null | undefined) => oneLine(value, CAP.id);
const LABEL_WIDTH = 15;
const field = (label: string, value: string) => `${`${label}:`.padEnd(LABEL_WIDTH - 1)} ${value}`;

function footer(opts: RenderOptions): string {
  const lines = [
    "-- ",
    "Sent by cloudhsm-retention, which applies the CloudHSM backup retention policies kept in git.",
    "Its SNS topic's subscriptions decide who receives them; each policy's alerts: block sets when reminders are sent.",
  ];
  if (opts.footer) lines.push(oneLine(opts.footer, 300));
  return lines.join("\n");
}

/** `cluster-abc in us-east-1`, with the group when it says more (copies, unknown cluster). */
function where(b: { clusterId: string | undefined; region: string; group: string }): string {
  // A cross-region copy: its group names the source (`us-west-2/copy:us-east-1/cluster-abc`).
  const copy = /^[^/]+\/copy:([^/]+)\/(.+)$/.exec(b.group);
  if (copy) return `copy in ${id(b.region)} of ${id(copy[2])} (${id(copy[1])})`;
  const base = `${b.clusterId === undefined ? "unknown cluster" : id(b.clusterId)} in ${id(b.region)}`;
  return b.clusterId !== undefined && b.group === `${b.region}/${b.clusterId}` ? base : `${base} (group ${oneLine(b.group, CAP.group)})`;
}

/** For sentences: `cluster cluster-abc in us-east-1`, or `an unknown cluster in ...`. */
function clusterPhrase(b: { clusterId: string | undefined; region: string; group: string }): string {
  if (/^[^/]+\/copy:/.test(b.group)) return `the ${where(b)}`;
  return b.clusterId === undefined ? `an ${where(b)}` : `cluster ${where(b)}`;
}

/** One backup, numbered `n` in the whole digest. */
export function emailBlock(b: BackupNotice, n: number, nowMs: number): string {
  const outside = isOutside(b);
  return [
    `${n}. ${id(b.backupId)}`,
    field("Cluster", where(b)),
    field("Created", localAndUtc(b.createdAtMs, b.timezone)),
    field("Deleted", outside ? "outside policy (not by cloudhsm-retention)" : `by policy ${id(b.policy)}`),
    field("Why", oneLine(b.reason, CAP.reason)),
    field("Gone for good", `${localAndUtc(b.deleteAtMs, b.timezone)}, ${goneText(b.deleteAtMs, nowMs)}`),
    ...(hasLink(b) ? ["Restore link (opens a page that asks you to confirm):", safeUrl(b.restoreUrl)] : [field("Restore", noLinkText(b))]),
  ].join("\n");
}

function partNote(part: PartInfo | undefined): string[] {
  if (!part) return [];
  return [`This is part ${part.index} of ${part.total} of one digest; each part lists different backups, oldest first.`, ""];
}

/** Deletion digests and reminders: a lead that says what happened and what to do, then each backup. */
export function emailForList(d: Digest, pieces: readonly Piece[], part: PartInfo | undefined, opts: RenderOptions): string {
  const alert = d.alert;
  const total = alert.backups.length;
  const one = total === 1;
  const group = oneLine(alert.group, CAP.group);
  const lead =
    alert.kind === "deletion"
      ? [
          `${count(total, "backup")} of ${group} ${one ? "was" : "were"} deleted${deletedClause(d.deletedBy)}.`,
          `${one ? "It" : "Each"} can still be restored until the time shown below; after that AWS deletes it for good.`,
          "To keep a backup, open its restore link: the page shows the backup and asks you to confirm.",
          "If these deletions are expected, nothing needs doing.",
        ]
      : [
          `Reminder: ${count(total, "deleted backup")} of ${group} will be gone for good ${d.stagePhrase}.`,
          `${one ? "It" : "Each"} can still be restored until the time shown below. To keep a backup, open its restore link and confirm on the page.`,
          `If ${one ? "it is" : "they are"} meant to go, nothing needs doing. This is the ${d.stageList} reminder; each stage is sent once.`,
        ];
  const first = part?.firstNumber ?? 1;
  const range = part ? ` (${first} to ${first + pieces.length - 1} of ${total})` : "";
  return [
    ...lead,
    "",
    ...partNote(part),
    `${alert.kind === "deletion" ? "Deleted" : "Still restorable"}${range}, as of ${isoUtc(alert.nowMs)}, run ${id(alert.runId)}:`,
    "",
    pieces.map((p) => p.email).join("\n\n"),
    "",
    footer(opts),
  ].join("\n");
}

/** Halts, backups stopped or resumed, and restores: one short story each. */
export function emailForSingle(alert: SingleAlert, opts: RenderOptions): string {
  return [...singleBody(alert), "", footer(opts)].join("\n");
}

function singleBody(alert: SingleAlert): string[] {
  switch (alert.kind) {
    case "halt": {
      const scope = alert.group === undefined ? "" : ` for group ${oneLine(alert.group, CAP.group)}`;
      const what = alert.group === undefined ? "nothing under this policy" : "nothing in that group";
      return [
        `Policy ${id(alert.policy)} was halted${scope} by its ${id(alert.guard)} guard: ${what} was deleted by this run.`,
        "",
        field("Why", oneLine(alert.message, CAP.message)),
        field("What to do", oneLine(alert.advice, CAP.message)),
        field("Run", `${id(alert.runId)}, ${isoUtc(alert.nowMs)}`),
      ];
    }
    case "backups-stopped": {
      const tz = alert.timezone ?? "UTC";
      const limit = `policy ${id(alert.policy)} alerts after ${stageText(alert.thresholdMs)} without one (alerts.backupsStoppedAfter)`;
      const story =
        alert.newestReadyMs === undefined
          ? [`Backups stopped: ${clusterPhrase(alert)} has no READY backup at all; ${limit}.`]
          : [
              `Backups stopped: ${clusterPhrase(alert)} has made no READY backup for ${spanText(alert.nowMs - alert.newestReadyMs)}; ${limit}.`,
              `The newest is from ${localAndUtc(alert.newestReadyMs, tz)}.`,
            ];
      return [
        ...story,
        "CloudHSM backs up each active cluster at least once every 24 hours.",
        "",
        field("What to do", "check the cluster's state and its HSMs in the CloudHSM console or with aws cloudhsmv2 describe-clusters; a cluster without an active HSM makes no backups."),
        "You get this alert once per episode, and one more when backups resume.",
      ];
    }
    case "backups-resumed":
      return [
        `Backups resumed: ${clusterPhrase(alert)} makes backups again. Nothing needs doing.`,
        "",
        field("Newest backup", localAndUtc(alert.newestReadyMs, alert.timezone ?? "UTC")),
        field("Stopped since", `${localAndUtc(alert.stoppedSinceMs, alert.timezone ?? "UTC")}, ${relativeText(alert.stoppedSinceMs, alert.nowMs)}`),
        field("Policy", id(alert.policy)),
      ];
    case "restored": {
      const b = alert.backup;
      const hold =
        alert.heldUntilMs === undefined
          ? "It is pinned (NeverExpires): nothing deletes it, neither a policy nor CloudHSM's own retention, until someone unpins it."
          : `It is held until ${localAndUtc(alert.heldUntilMs, b.timezone)}, ${relativeText(alert.heldUntilMs, alert.nowMs)}; no policy deletes it before then.`;
      return [
        `Backup ${id(b.backupId)} of ${clusterPhrase(b)} was restored and is READY again.`,
        hold,
        "",
        field("Restored", oneLine(alert.via, 200)),
        field("Created", localAndUtc(b.createdAtMs, b.timezone)),
        field("Was deleted", isOutside(b) ? "outside policy (not by cloudhsm-retention)" : `by policy ${id(b.policy)}`),
        field("Deleted because", oneLine(b.reason, CAP.reason)),
      ];
    }
  }
}
