import { isoUtc, localAndUtc, relativeText, spanText } from "../alerts/time-text.js";
import type { Backup } from "../domain/types.js";
import type { RestoreResult, RestoreView } from "../jobs/restore.js";
import { layout, text } from "./html.js";
import type { LinkClaims } from "./token.js";

/** A rendered page: its status and HTML (the handler adds the headers). */
export interface Page {
  statusCode: number;
  html: string;
  headers?: Record<string, string> | undefined;
}

const DAY_MS = 86_400_000;

/** "Restore and keep for 30 days": the hold as a person reads it. */
export function holdWords(holdMs: number): string {
  return holdMs % DAY_MS === 0 ? `${holdMs / DAY_MS} ${holdMs === DAY_MS ? "day" : "days"}` : spanText(holdMs);
}

function stateWords(b: Backup): string {
  switch (b.state) {
    case "PENDING_DELETION":
      return "PENDING_DELETION: deleted, still restorable";
    case "READY":
      return b.neverExpires ? "READY, kept forever (NeverExpires)" : "READY: it is back";
    default:
      return b.state;
  }
}

function row(label: string, valueHtml: string): string {
  return `<dt>${label}</dt><dd>${valueHtml}</dd>`;
}

/** The facts of a backup, every value escaped. */
function details(b: Backup, opts: { timezone: string; nowMs: number; reason?: string | undefined; policy?: string | undefined; keptHtml?: string | undefined }): string {
  const rows = [
    row("Backup", `<code>${text(b.backupId, 64)}</code>`),
    b.sourceRegion !== undefined
      ? row("Copy of", `<code>${text(b.sourceClusterId ?? "an unknown cluster", 64)}</code> in <code>${text(b.sourceRegion, 32)}</code> (a cross-region copy)`)
      : row("Cluster", b.clusterId ? `<code>${text(b.clusterId, 64)}</code>` : "(none: its cluster is gone)"),
    row("Region", `<code>${text(b.region, 32)}</code>`),
  ];
  if (b.sourceRegion) rows.push(row("Copied from", `<code>${text(b.sourceBackupId ?? "", 64)}</code> in <code>${text(b.sourceRegion, 32)}</code>`));
  rows.push(row("Created", text(localAndUtc(b.createdAtMs, opts.timezone))));
  rows.push(row("State now", `<span class="state">${text(stateWords(b))}</span>`));
  if (opts.reason !== undefined || opts.policy !== undefined) {
    rows.push(row("Why it was deleted", `${text(opts.reason ?? "(not recorded)", 500)}${opts.policy ? ` (policy <code>${text(opts.policy, 100)}</code>)` : ""}`));
  }
  if (b.deleteAtMs !== undefined && b.state === "PENDING_DELETION") {
    rows.push(row("Gone for good", `${text(isoUtc(b.deleteAtMs))} (${text(relativeText(b.deleteAtMs, opts.nowMs))})`));
  }
  if (opts.keptHtml) rows.push(row("Kept", opts.keptHtml));
  const tags = Object.entries(b.tags).slice(0, 20);
  if (tags.length > 0) {
    const more = Object.keys(b.tags).length - tags.length;
    rows.push(row("Tags", `<ul class="tags">${tags.map(([k, v]) => `<li><code>${text(k, 128)}</code> = <code>${text(v, 256)}</code></li>`).join("")}${more > 0 ? `<li>… and ${more} more</li>` : ""}</ul>`));
  }
  return `<dl>${rows.join("")}</dl>`;
}

/** GET: what the link is about, and the two buttons. Shown without changing anything. */
export function confirmPage(view: RestoreView & { backup: Backup }, formTokenValue: string, holdMs: number): Page {
  const b = view.backup;
  const pending = b.state === "PENDING_DELETION";
  const id = text(b.backupId, 64);
  const heading = pending ? `Restore <code>${id}</code>?` : b.state === "READY" ? `<code>${id}</code> is back already` : `<code>${id}</code> is ${text(b.state, 40)}`;
  const lead = pending
    ? `This backup was deleted. It can still be restored until ${text(isoUtc(b.deleteAtMs ?? Number.NaN))}; after that AWS deletes it for good.`
    : b.state === "READY"
      ? "Someone restored it already (or pressed a button here before). The buttons make sure it stays: a hold, or kept forever."
      : "Only a backup pending deletion can be restored.";
  const canAct = pending || (b.state === "READY" && !b.neverExpires);
  const warning = view.nativeRetentionWarning ? `<p class="note warn" role="note"><strong>Note:</strong> ${text(view.nativeRetentionWarning, 600)}</p>` : "";
  const form = canAct
    ? `<form method="post">
<input type="hidden" name="form_token" value="${text(formTokenValue, 64)}">
<button class="primary" type="submit" name="keep" value="hold">Restore and keep for ${holdWords(holdMs)}</button>
<button type="submit" name="keep" value="pin">Restore and keep forever</button>
</form>
<p class="fine">Keep for ${holdWords(holdMs)}: no retention policy deletes it before then; afterwards policy applies again, and a deletion is announced again.
Keep forever: it gets AWS's <code>NeverExpires</code> flag, which policies and CloudHSM's own retention leave alone until someone clears it.</p>`
    : "";
  return {
    statusCode: 200,
    html: layout(
      pending ? `Restore ${id}? · cloudhsm-retention` : `${id} · cloudhsm-retention`,
      `<h1>${heading}</h1>
<p>${lead}</p>
${details(b, { timezone: view.timezone, nowMs: view.nowMs, reason: view.reason, policy: view.policy })}
${warning}${form}
<p class="fine">Opening this page changed nothing: only a button restores. Restoring is announced to the alert's recipients and recorded in the ledger.</p>`,
    ),
  };
}

/** POST: what happened. */
export function resultPage(result: RestoreResult, timezone: string, nowMs: number): Page {
  const b = result.backup;
  const done = result.status === "restored" || result.status === "already-restored";
  const heading = result.status === "restored" ? "Restored" : result.status === "already-restored" ? "Already restored" : "Not restored";
  const kept = result.pinned
    ? "forever (NeverExpires)"
    : result.heldUntilMs !== undefined
      ? `held until ${text(localAndUtc(result.heldUntilMs, timezone))}, ${text(relativeText(result.heldUntilMs, nowMs))}; then policy applies again`
      : undefined;
  const ledger = result.delivery.ledgerFailures > 0
    ? `<p class="note bad" role="alert"><strong>The hold could not be recorded</strong>, so the next run could delete this backup again. Press the button again in a minute, or keep it forever. (${text(result.delivery.errors.join("; "), 300)})</p>`
    : "";
  const notice = result.delivery.failedMessages > 0 ? `<p class="note warn" role="note">The "restored" notice could not be sent; the next reminder run sends it.</p>` : "";
  const warning = result.nativeRetentionWarning ? `<p class="note warn" role="note"><strong>Note:</strong> ${text(result.nativeRetentionWarning, 600)}</p>` : "";
  return {
    statusCode: done ? 200 : 502,
    html: layout(
      `${heading} · cloudhsm-retention`,
      `<h1>${heading}</h1>
<p class="note ${done ? "ok" : "bad"}" role="status">${text(result.message, 600)}</p>
${b ? details({ ...b, ...(done ? { state: "READY" as const, deleteAtMs: undefined } : {}), neverExpires: result.pinned || b.neverExpires }, { timezone, nowMs, keptHtml: done ? kept : undefined }) : ""}
${ledger}${notice}${warning}
${done ? `<p class="fine">The alert's recipients get a "restored" notice, and the ledger records the restore, who asked for it and how long it is kept.</p>` : ""}`,
    ),
  };
}

/** What AWS says of a link's backup once the link has expired. */
export type AfterExpiry = { state: "gone" } | { state: "ready" } | { state: "pending"; deleteAtMs: number | undefined };

/**
 * A genuine link past its expiry. 410 when the backup is gone for good (past DeleteTimestamp,
 * or AWS no longer has it) or READY (brought back meanwhile: nothing to do). 200 when it was
 * restored and later deleted again: it is restorable, just not through this old link, whose
 * signature names the first DeleteTimestamp.
 */
export function goneForGoodPage(claims: LinkClaims, nowMs: number, now: AfterExpiry): Page {
  const id = text(claims.backupId, 64);
  const region = text(claims.region, 32);
  const ended = Number.isFinite(claims.expiresAtMs) && claims.expiresAtMs <= nowMs;
  const when = ended ? ` on ${text(isoUtc(claims.expiresAtMs))} (${text(relativeText(claims.expiresAtMs, nowMs))})` : "";
  if (now.state === "pending") {
    const until = now.deleteAtMs !== undefined ? ` until ${text(isoUtc(now.deleteAtMs))} (${text(relativeText(now.deleteAtMs, nowMs))})` : "";
    return {
      statusCode: 200,
      html: layout(
        `This restore link has expired · cloudhsm-retention`,
        `<h1>This restore link has expired</h1>
<p>Its window ended${when}, but <code>${id}</code> in <code>${region}</code> was brought back and has since been deleted again. It can still be restored${until}.</p>
<p>Use the link in the latest alert about it, or run <code>cloudhsm-retention restore ${id} --region ${region}</code>.</p>`,
      ),
    };
  }
  if (now.state === "ready") {
    return {
      statusCode: 410,
      html: layout(
        `This restore link has expired · cloudhsm-retention`,
        `<h1>This restore link has expired</h1>
<p>Its window ended${when}. <code>${id}</code> in <code>${region}</code> is READY: it was brought back before then. There is nothing to do here.</p>
<p class="fine">To keep it forever: <code>cloudhsm-retention restore ${id} --region ${region} --pin</code>.</p>`,
      ),
    };
  }
  return {
    statusCode: 410,
    html: layout(
      `${id} is gone for good · cloudhsm-retention`,
      `<h1><code>${id}</code> is gone for good</h1>
<p>Its restore window ended${when}. AWS keeps a deleted CloudHSM backup for 7 days; after that it is deleted for good, and nothing can bring it back.</p>
<p class="fine">Region <code>${region}</code>. Other backups of the cluster are not affected; <code>aws cloudhsmv2 describe-backups</code> lists them.</p>`,
    ),
  };
}

/**
 * 404: one page for every link that is not genuine (malformed, altered, signed with another
 * secret) and every unknown path. It names nothing from the request.
 */
export function notFoundPage(): Page {
  return {
    statusCode: 404,
    html: layout(
      "Not a valid restore link · cloudhsm-retention",
      `<h1>This is not a valid restore link</h1>
<p>It may have been cut short or changed on its way (some mail programs break long links). Open it again from the alert, copying all of it.</p>
<p class="fine">Or restore from a terminal: <code>cloudhsm-retention restore &lt;backup-id&gt; --region &lt;region&gt;</code>, or <code>aws cloudhsmv2 restore-backup --backup-id &lt;backup-id&gt;</code>.</p>`,
    ),
  };
}

/** 403: a POST that did not come from the page (another site, a robot, a client that does not say). Nothing changed. */
export function refusedPage(): Page {
  return {
    statusCode: 403,
    html: layout(
      "Refused · cloudhsm-retention",
      `<h1>Refused: nothing was changed</h1>
<p>The restore buttons work only on the page the link opens, in a browser that says where a request comes from. Open the link again and press a button there.</p>
<p class="fine">If your browser is old or strips those headers, restore from a terminal: <code>cloudhsm-retention restore &lt;backup-id&gt; --region &lt;region&gt;</code>.</p>`,
    ),
  };
}

const STATUS_TEXT: Record<number, [string, string]> = {
  400: ["Bad request", "The form was not understood. Open the link again and press one of its buttons."],
  405: ["Method not allowed", "This page answers GET (the confirmation page) and POST (its buttons) only."],
  413: ["Too large", "The request was larger than the restore form ever sends."],
  415: ["Unsupported form", "The restore form is sent as application/x-www-form-urlencoded; this request was not."],
  500: ["Something went wrong", "The page could not be shown. Nothing was restored by this request unless a restored notice says otherwise. Try again in a minute."],
  502: ["AWS did not answer as expected", "Try again in a minute."],
  503: ["AWS could not be reached", "The backup's state could not be read. Nothing was changed. Try again in a minute."],
  504: ["Timed out", "Try again in a minute; check the backup's state first."],
};

/** Any other status, as a plain page. */
export function statusPage(statusCode: number): Page {
  if (statusCode === 404) return notFoundPage();
  const [title, body] = STATUS_TEXT[statusCode] ?? [`Error ${statusCode}`, "Open the link again from the alert."];
  return { statusCode, html: layout(`${title} · cloudhsm-retention`, `<h1>${title}</h1>\n<p>${body}</p>`) };
}
