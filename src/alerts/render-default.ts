import { CAP, type Digest, hasLink, headline, noLinkText, type PartInfo, partLabel, type Piece, type SingleAlert } from "./facts.js";
import type { BackupNotice } from "./model.js";
import { oneLine, safeUrl } from "./text.js";
import { isoUtc, relativeText } from "./time-text.js";

/**
 * The `default` value: what every protocol without its own key gets (SMS, SQS, Lambda,
 * email-json). It starts with the headline, so the first 140 bytes of an SMS say what
 * happened; then one line per backup with its deadline and link, nothing else.
 */

const PRODUCT = "cloudhsm-retention";

function first(head: string, part: PartInfo | undefined): string {
  return `${PRODUCT}: ${head}${part ? ` (${partLabel(part)})` : ""}.`;
}

/** One line of free text, ending as a sentence does. */
function sentence(text: string): string {
  const t = oneLine(text, CAP.message);
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

export function defaultLine(b: BackupNotice): string {
  return `${oneLine(b.backupId, CAP.id)} restorable until ${isoUtc(b.deleteAtMs)}: ${hasLink(b) ? safeUrl(b.restoreUrl) : noLinkText(b)}`;
}

export function defaultForList(d: Digest, pieces: readonly Piece[], part: PartInfo | undefined): string {
  const action = d.alert.kind === "deletion" ? "Open a link to keep a backup." : "Open a link to keep a backup before it is gone for good.";
  return [`${first(d.headline, part)} ${action}`, ...pieces.map((p) => p.text)].join("\n");
}

export function defaultForSingle(alert: SingleAlert): string {
  const head = headline(alert);
  switch (alert.kind) {
    case "halt":
      return `${first(head, undefined)} Nothing was deleted there by run ${oneLine(alert.runId, CAP.id)}. Why: ${sentence(alert.message)} What to do: ${sentence(alert.advice)}`;
    case "backups-stopped":
      return `${first(head, undefined)} Check the cluster and its HSMs (aws cloudhsmv2 describe-clusters).`;
    case "backups-resumed":
      return `${first(head, undefined)} Newest READY backup ${isoUtc(alert.newestReadyMs)}; stopped since ${isoUtc(alert.stoppedSinceMs)}.`;
    case "restored":
      return alert.heldUntilMs === undefined
        ? `${first(head, undefined)} Nothing deletes it until someone unpins it (NeverExpires).`
        : `${first(head, undefined)} No policy deletes it before ${isoUtc(alert.heldUntilMs)} (${relativeText(alert.heldUntilMs, alert.nowMs)}).`;
  }
}
