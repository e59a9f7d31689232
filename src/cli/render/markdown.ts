import type { Decision, Plan } from "../../domain/types.js";
import { RESTORE_WINDOW_MS } from "../../domain/time.js";
import { changeText, type CompareInput, diffSentence, haltLines, policyLines } from "./compare.js";
import { Budget, bytes, htmlText, md, mdId } from "./markdown-text.js";
import { countOutcomes, describeKept, enforcedPolicies, groupBy, keptSummary, type Outcome, outcomeOf } from "./summary.js";
import { isoUtcSeconds } from "./time.js";
import { plural } from "./words.js";

/** The first line of every comment: the workflow finds its own comment by it, to update it. */
export const MARKDOWN_MARKER = "<!-- cloudhsm-retention:plan -->";
/** GitHub refuses a comment over 65,536 characters; this leaves room whatever it counts. */
export const MARKDOWN_LIMIT_BYTES = 65_000;

/**
 * `plan --format markdown`: a pull-request comment that says what merging deletes. The
 * head (counts per cluster, the first moment a backup is gone for good, halts, warnings,
 * and with --compare what the change does) always fits; the lists of backups fold into
 * `<details>` and are filled in priority order (changes, deletions, deferrals, skips,
 * kept backups) while the comment stays under MARKDOWN_LIMIT_BYTES; what is left out is
 * counted on a last line that points to the full output.
 */
export function renderPlanMarkdown(
  plan: Plan,
  opts: { compare?: CompareInput | undefined; listingErrors?: readonly string[] | undefined; limitBytes?: number } = {},
): string {
  const head: string[] = [MARKDOWN_MARKER];
  for (const error of opts.listingErrors ?? []) head.push("> [!CAUTION]", `> ${md(error)}`, "");
  const compare = opts.compare;
  if (compare) head.push(...compareHead(compare));
  const planIntro: Section = { intro: ["", ...planHead(plan, compare !== undefined)], summary: "", header: [], rows: [], priority: 0 };
  const sections = [...(compare ? changeSections(compare) : []), planIntro, ...groupSections(plan)];
  return assemble(head, sections, opts.limitBytes ?? MARKDOWN_LIMIT_BYTES);
}

interface Section {
  /** Lines before the list (a heading, a summary); always shown with the section. */
  intro: string[];
  /** `<summary>` text of the folded list. */
  summary: string;
  header: string[];
  rows: string[];
  /** Lower is filled first. */
  priority: number;
  /** The cluster (group and policy) it belongs to: a cluster's sections are shown or left out together. */
  unit?: string;
}

function compareHead({ base, diff, after }: CompareInput): string[] {
  const out = ["### What merging changes", ""];
  out.push(`**${md(diffSentence(diff))}** Compared with ${md(base)}: the same ${plural(after.decisions.length, "backup")}, planned at ${isoUtcSeconds(after.nowMs)}.`);
  if (diff.reportOnly.deletesMore + diff.reportOnly.keepsMore > 0) {
    out.push("", `In report-mode policies (shown, never carried out): ${diff.reportOnly.deletesMore} more to delete, ${diff.reportOnly.keepsMore} fewer.`);
  }
  const lines = [...policyLines(diff), ...haltLines(diff)];
  if (lines.length > 0) out.push("", ...lines.map((l) => `- ${md(l)}`));
  if (diff.reasonOnly > 0) out.push("", `${plural(diff.reasonOnly, "other backup")} ${diff.reasonOnly === 1 ? "ends" : "end"} up the same, kept by other rules.`);
  return out;
}

function planHead(plan: Plan, compared: boolean): string[] {
  const out = [compared ? "### The plan after merging" : "### cloudhsm-retention plan", ""];
  const enforced = enforcedPolicies(plan);
  const n = countOutcomes(plan.decisions);
  const carriedOut = plan.decisions.filter((d) => d.action === "delete" && d.policy !== null && enforced.has(d.policy));
  const clusters = new Set(carriedOut.map((d) => d.group)).size;
  const parts = [`**${plural(carriedOut.length, "backup")} to delete**${carriedOut.length ? ` in ${plural(clusters, "cluster")}` : ""}`, `${n.keep + n.held} to keep`];
  if (n.defer) parts.push(`${n.defer} deferred to later runs`);
  parts.push(`${n.skip} skipped`);
  out.push(`${parts.join(", ")}; ${plural(plan.decisions.length, "backup")} planned at ${isoUtcSeconds(plan.nowMs)}.`);
  if (carriedOut.length > 0) {
    out.push(
      "",
      `**The first backup is gone for good at ${isoUtcSeconds(plan.nowMs + RESTORE_WINDOW_MS)}** if \`apply\` runs at the plan's time: ` +
        "a deleted backup stays restorable (PENDING_DELETION) for 7 days, then AWS deletes it for good.",
    );
  }
  const reportOnly = n.delete - carriedOut.length;
  if (reportOnly > 0) out.push("", `${plural(reportOnly, "more deletion")} ${reportOnly === 1 ? "is" : "are"} planned by report-mode policies: shown, never carried out.`);
  const pending = plan.decisions.filter((d) => d.state === "PENDING_DELETION" && d.deleteAtMs !== undefined);
  if (pending.length > 0) {
    const first = pending.reduce((m, d) => Math.min(m, d.deleteAtMs!), Infinity);
    out.push("", `${plural(pending.length, "backup")} ${pending.length === 1 ? "is" : "are"} already pending deletion; the first is gone for good at ${isoUtcSeconds(first)}.`);
  }
  for (const h of plan.halts) {
    const mode = plan.policies.find((p) => p.name === h.policy)?.mode === "report" ? " (report mode)" : "";
    out.push("", "> [!CAUTION]", `> **Halted by ${h.guard}**: policy ${md(h.policy)}${mode}${h.group ? `, ${md(h.group)}` : ""}. ${md(h.message)}`);
  }
  if (plan.warnings.length > 0) out.push("", "> [!WARNING]", ...plan.warnings.map((w) => `> - ${md(w.message)}`));
  out.push("", ...summaryTable(plan));
  return out;
}

/** Rows of the summary table at most: past it, clusters with deletions first, and a line for the rest. */
const SUMMARY_ROWS = 100;

function summaryTable(plan: Plan): string[] {
  const mode = new Map(plan.policies.map((p) => [p.name, p.mode]));
  const rows = ["| Cluster | Policy | Delete | Keep | Deferred | Held | Skipped |", "|---|---|--:|--:|--:|--:|--:|"];
  const groups = [...groupBy(plan.decisions, (d) => `${d.group}\n${d.policy ?? ""}`)];
  const deletes = (ds: readonly Decision[]) => ds.some((d) => d.action === "delete");
  const ordered = groups.length <= SUMMARY_ROWS ? groups : [...groups.filter(([, ds]) => deletes(ds)), ...groups.filter(([, ds]) => !deletes(ds))];
  const rest = ordered.slice(SUMMARY_ROWS);
  for (const [group, ds] of ordered.slice(0, SUMMARY_ROWS)) {
    const n = countOutcomes(ds);
    const policy = ds[0]!.policy;
    const who = policy === null ? "none (left alone)" : `${md(policy)} (${mode.get(policy)})`;
    const deleted = n.delete === 0 ? "0" : mode.get(policy ?? "") === "enforce" ? `**${n.delete}**` : `${n.delete} (not carried out)`;
    rows.push(`| ${md(group.split("\n")[0]!)} | ${who} | ${deleted} | ${n.keep} | ${n.defer} | ${n.held} | ${n.skip} |`);
  }
  if (rest.length > 0) {
    const n = countOutcomes(rest.flatMap(([, ds]) => ds));
    rows.push(`| _${plural(rest.length, "more cluster")}_ | | ${n.delete} | ${n.keep} | ${n.defer} | ${n.held} | ${n.skip} |`);
  }
  return rows;
}

const ROW_HEADER = ["| Backup | Created (UTC) | Why |", "|---|---|---|"];
const row = (d: Decision) => `| ${mdId(d.backupId)} | ${isoUtcSeconds(d.createdAtMs)} | ${md(d.reasons.join("; "))} |`;
/** When every backup of a list has the same reasons, they are said once, in its summary. */
const SAME_HEADER = ["| Backup | Created (UTC) |", "|---|---|"];
const sameRow = (d: Decision) => `| ${mdId(d.backupId)} | ${isoUtcSeconds(d.createdAtMs)} |`;

function groupSections(plan: Plan): Section[] {
  const sections: Section[] = [];
  const mode = new Map(plan.policies.map((p) => [p.name, p]));
  const lists: Array<[Outcome, string, number]> = [["delete", "to delete", 1], ["defer", "deferred to later runs", 2], ["held", "held by a guard halt", 3], ["skip", "skipped", 3], ["keep", "kept", 4]];
  for (const [group, ds] of groupBy(plan.decisions, (d) => `${d.group}\n${d.policy ?? ""}`)) {
    const policy = ds[0]!.policy === null ? undefined : mode.get(ds[0]!.policy);
    const title = `#### ${md(group.split("\n")[0]!)} · ${policy ? `${md(policy.name)} (${policy.mode}, ${md(policy.timezone)})` : "no policy"}`;
    const kept = keptSummary(ds);
    const intro = ["", title, ""];
    if (kept.count > 0) {
      const span = kept.count === 1 ? isoUtcSeconds(kept.newestMs!) : `${isoUtcSeconds(kept.oldestMs!)} … ${isoUtcSeconds(kept.newestMs!)}`;
      intro.push(`Keeps ${plural(kept.count, "backup")} (${span}) by ${md(describeKept(kept))}.`, "");
    }
    let first = true;
    for (const [outcome, words, priority] of lists) {
      const some = ds.filter((d) => outcomeOf(d) === outcome);
      if (some.length === 0) continue;
      const reasons = new Set(some.map((d) => d.reasons.join("; ")));
      const same = reasons.size === 1 ? `: ${htmlText([...reasons][0]!)}` : "";
      const notDone = outcome === "delete" && policy?.mode === "report" ? " (report mode: not carried out)" : "";
      sections.push({
        intro: first ? intro : [],
        summary: `${plural(some.length, "backup")} ${words}${notDone}${same}`,
        header: same ? SAME_HEADER : ROW_HEADER,
        rows: some.map(same ? sameRow : row),
        priority,
        unit: group,
      });
      first = false;
    }
    if (first) sections.push({ intro, summary: "", header: [], rows: [], priority: 0, unit: group });
  }
  return sections;
}

function changeSections({ diff }: CompareInput): Section[] {
  return [...groupBy(diff.changes, (c) => c.group)].map(([group, changes]) => ({
    intro: [],
    summary: `${htmlText(group)}: ${plural(changes.length, "backup")} change`,
    header: ["| Backup | Created (UTC) | Before → after | Why |", "|---|---|---|---|"],
    rows: changes.map((c) => {
      const t = changeText(c);
      return `| ${mdId(c.backupId)} | ${isoUtcSeconds(c.createdAtMs)} | ${md(t.transition)} | ${md(t.why)} |`;
    }),
    priority: 0,
  }));
}

const TRUNCATED = (n: number) =>
  `**Truncated:** ${plural(n, "row")} left out to stay within GitHub's comment limit; the full plan is in the workflow's artefact (or run \`plan --format markdown --out plan.md\`).`;

const NOT_SHOWN = (n: number, of: number) => `_${n} of ${of} not shown._`;

const CLUSTERS_LEFT = (n: number, rows: number) =>
  `**${plural(n, "cluster")} left out** (${plural(rows, "backup")}) to stay within GitHub's comment limit: clusters with deletions are shown first; the full plan is in the workflow's artefact.`;

/** What a section costs before any of its rows: its intro and its folding. */
const frame = (s: Section) => [...s.intro, ...(s.summary ? [...fold(s, []), "", NOT_SHOWN(1e6, 1e6)] : [])];

function assemble(head: string[], sections: Section[], limitBytes: number): string {
  // Clusters are shown whole (heading and folded lists), those with deletions first, while
  // their frames fit: with hundreds of clusters the frames alone would pass the limit.
  const units = new Map<string, Section[]>();
  for (const s of sections) if (s.unit !== undefined) units.set(s.unit, [...(units.get(s.unit) ?? []), s]);
  const loose = sections.filter((s) => s.unit === undefined);
  let room = limitBytes - bytes([...head, ...loose.flatMap(frame), TRUNCATED(1e6), CLUSTERS_LEFT(1e6, 1e6)].join("\n")) - 2;
  const order = [...units.values()].sort((a, b) => Math.min(...a.map((x) => x.priority)) - Math.min(...b.map((x) => x.priority)));
  const dropped = new Set<Section>();
  let unitsLeft = 0;
  let rowsOfUnitsLeft = 0;
  for (const unit of order) {
    const cost = bytes(unit.flatMap(frame).join("\n")) + 1;
    if (cost <= room) room -= cost;
    else {
      for (const x of unit) dropped.add(x);
      unitsLeft++;
      rowsOfUnitsLeft += unit.reduce((n, x) => n + x.rows.length, 0);
    }
  }
  const budget = new Budget(room);
  const shown = new Map<Section, number>();
  for (const s of [...sections].sort((a, b) => a.priority - b.priority)) {
    let n = 0;
    if (!dropped.has(s) && s.rows.length > 0 && budget.take(s.header.join("\n"))) while (n < s.rows.length && budget.take(s.rows[n]!)) n++;
    shown.set(s, n);
  }
  const out = [...head];
  let left = 0;
  for (const s of sections) {
    if (dropped.has(s)) continue;
    out.push(...s.intro);
    const n = shown.get(s) ?? 0;
    left += s.rows.length - n;
    if (s.summary) out.push(...fold(s, n > 0 ? [...s.header, ...s.rows.slice(0, n)] : []), "");
    if (n < s.rows.length) out.splice(out.length - 1, 0, NOT_SHOWN(s.rows.length - n, s.rows.length));
  }
  if (unitsLeft > 0) out.push("", CLUSTERS_LEFT(unitsLeft, rowsOfUnitsLeft));
  if (left > 0) out.push("", TRUNCATED(left));
  return `${out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}

function fold(s: Section, rows: string[]): string[] {
  return ["", "<details>", `<summary>${s.summary}</summary>`, "", ...rows, "", "</details>"];
}
