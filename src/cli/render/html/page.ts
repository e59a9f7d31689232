import { createHash } from "node:crypto";
import escapeHtml from "escape-html";
import type { Decision, Plan, RetentionPolicy } from "../../../domain/types.js";
import { RESTORE_WINDOW_MS } from "../../../domain/time.js";
import { outcomeOf } from "../../../retention/outcome.js";
import type { RegionListing } from "../../../jobs/list.js";
import { type CompareInput, changeText, diffSentence, haltLines, policyLines } from "../compare.js";
import { countOutcomes, enforcedPolicies, groupBy, OUTCOME_LABEL } from "../summary.js";
import { isoUtcSeconds } from "../time.js";
import { plural } from "../words.js";
import { legend } from "./shapes.js";
import { PAGE_CSS } from "./style.js";
import { timelineSvg } from "./timeline.js";

/**
 * `plan --format html`: one self-contained page (no script, no request: inline CSS and
 * SVG under a Content-Security-Policy that allows nothing else), a timeline per cluster
 * and an accessible table of every backup with its reasons. Every value is escaped.
 */
export function renderPlanHtml(plan: Plan, policies: readonly RetentionPolicy[], opts: { compare?: CompareInput | undefined; listings?: readonly RegionListing[] | undefined } = {}): string {
  const e = (s: string) => escapeHtml(s);
  const styleHash = createHash("sha256").update(PAGE_CSS).digest("base64");
  const csp = `default-src 'none'; style-src 'sha256-${styleHash}'; img-src 'none'; base-uri 'none'; form-action 'none'`;
  const byName = new Map(policies.map((p) => [p.name, p]));
  const n = countOutcomes(plan.decisions);
  const enforced = enforcedPolicies(plan);
  const carriedOut = plan.decisions.filter((d) => d.action === "delete" && d.policy !== null && enforced.has(d.policy)).length;
  const body: string[] = [];
  body.push(
    "<header>",
    `<h1>Retention plan at ${isoUtcSeconds(plan.nowMs)}</h1>`,
    `<p class="totals">${plural(plan.decisions.length, "backup")}: <strong>${carriedOut} to delete</strong>${n.delete > carriedOut ? ` (and ${n.delete - carriedOut} in report-mode policies, never carried out)` : ""}, ${n.keep + n.held} to keep, ${n.defer} deferred, ${n.skip} skipped.</p>`,
  );
  if (carriedOut > 0) body.push(`<p>If applied at the plan's time, the first deleted backup is gone for good at <strong>${isoUtcSeconds(plan.nowMs + RESTORE_WINDOW_MS)}</strong> (restorable for 7 days until then).</p>`);
  body.push(legend(), "</header>", "<main>");
  const notes = [
    ...(opts.listings ?? []).filter((l) => l.error).map((l) => `${l.region} could not be listed: ${l.error}`),
    ...plan.halts.map((h) => `Halted by ${h.guard}: policy ${h.policy}${h.group ? `, ${h.group}` : ""}. ${h.message}`),
    ...plan.warnings.map((w) => `Warning: ${w.message}`),
  ];
  if (notes.length > 0) body.push(`<ul class="notes">${notes.map((t) => `<li>${e(t)}</li>`).join("")}</ul>`);
  if (opts.compare) body.push(...compareSection(opts.compare));
  let id = 0;
  for (const [key, rows] of groupBy(plan.decisions, (d) => `${d.policy ?? ""}\n${d.group}`)) {
    const policy = rows[0]!.policy === null ? undefined : byName.get(rows[0]!.policy!);
    const group = key.split("\n")[1]!;
    const c = countOutcomes(rows);
    const gid = `g${++id}`;
    body.push(
      `<section aria-labelledby="${gid}-h">`,
      `<h2 id="${gid}-h">${e(group)}</h2>`,
      `<p>${policy ? `Policy <strong>${e(policy.name)}</strong> (${policy.mode}, buckets in ${e(policy.timezone)})` : "No policy selects these backups: left alone"}. ` +
        `${c.delete} to delete, ${c.keep} to keep${c.held ? `, ${c.held} held by a guard halt` : ""}${c.defer ? `, ${c.defer} deferred` : ""}, ${c.skip} skipped.</p>`,
      timelineSvg({ id: gid, group, decisions: rows, policy, nowMs: plan.nowMs }),
      table(gid, group, rows),
      "</section>",
    );
  }
  body.push("</main>");
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>cloudhsm-retention plan at ${isoUtcSeconds(plan.nowMs)}</title>`,
    `<style>${PAGE_CSS}</style>`,
    "</head>",
    "<body>",
    ...body,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function table(gid: string, group: string, rows: readonly Decision[]): string {
  const e = (s: string) => escapeHtml(s);
  const trs = rows.map((d) => {
    const o = outcomeOf(d);
    return `<tr class="${o}"><td>${OUTCOME_LABEL[o]}</td><td><code>${e(d.backupId)}</code></td><td>${isoUtcSeconds(d.createdAtMs)}</td><td>${e(d.reasons.join("; "))}</td></tr>`;
  });
  return [
    `<details${rows.length <= 40 ? " open" : ""}>`,
    `<summary>Every backup of ${e(group)} with its reasons (${rows.length})</summary>`,
    `<table aria-describedby="${gid}-h"><caption>${e(group)}: newest first</caption>`,
    '<thead><tr><th scope="col">Outcome</th><th scope="col">Backup</th><th scope="col">Created (UTC)</th><th scope="col">Why</th></tr></thead>',
    `<tbody>${trs.join("\n")}</tbody></table>`,
    "</details>",
  ].join("\n");
}

function compareSection({ base, diff }: CompareInput): string[] {
  const e = (s: string) => escapeHtml(s);
  const lines = [...policyLines(diff), ...haltLines(diff)];
  const rows = diff.changes.map((c) => {
    const t = changeText(c);
    return `<tr><td><code>${e(c.backupId)}</code></td><td>${e(c.group)}</td><td>${isoUtcSeconds(c.createdAtMs)}</td><td>${e(t.transition)}</td><td>${e(t.why)}</td></tr>`;
  });
  return [
    '<section aria-labelledby="compare-h">',
    `<h2 id="compare-h">Compared with ${e(base)}</h2>`,
    `<p><strong>${e(diffSentence(diff))}</strong></p>`,
    lines.length ? `<ul>${lines.map((l) => `<li>${e(l)}</li>`).join("")}</ul>` : "",
    rows.length
      ? `<table><caption>Backups whose outcome changes</caption><thead><tr><th scope="col">Backup</th><th scope="col">Cluster</th><th scope="col">Created (UTC)</th><th scope="col">Before → after</th><th scope="col">Why</th></tr></thead><tbody>${rows.join("\n")}</tbody></table>`
      : "",
    "</section>",
  ];
}
