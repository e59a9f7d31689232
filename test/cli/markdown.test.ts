import { describe, expect, it } from "vitest";
import type { Backup } from "../../src/domain/types.js";
import { MARKDOWN_LIMIT_BYTES, MARKDOWN_MARKER, renderPlanMarkdown } from "../../src/cli/render/markdown.js";
import { md } from "../../src/cli/render/markdown-text.js";
import { planRetention } from "../../src/retention/plan.js";
import { backup, ms, policy } from "../support/backup-factory.js";

const NOW = ms("2026-11-28T00:00:00Z");
const HOUR = 3_600_000;

/** `n` backups of one cluster, one an hour back from 2026-11-27T23:00Z. */
function hourly(n: number, cluster = "cluster-a"): Backup[] {
  return Array.from({ length: n }, (_, i) => backup({ id: `backup-${cluster.slice(-1)}${String(i).padStart(5, "0")}`, cluster, at: new Date(ms("2026-11-27T23:00:00Z") - i * HOUR).toISOString() }));
}

describe("plan --format markdown", () => {
  it("opens with the marker and says what is deleted and when the first backup is gone for good", () => {
    // keep the last 2 of 5: 3 deletions; gone for good 7 days after the plan's time.
    const text = renderPlanMarkdown(planRetention({ backups: hourly(5), policies: [policy({ keep: { last: 2 } })], nowMs: NOW }));
    const lines = text.split("\n");
    expect(lines[0]).toBe(MARKDOWN_MARKER);
    expect(text).toContain("**3 backups to delete** in 1 cluster, 2 to keep, 0 skipped; 5 backups planned at 2026-11-28T00:00:00Z.");
    expect(text).toContain("**The first backup is gone for good at 2026-12-05T00:00:00Z**");
    expect(text).toContain("| us-east-1/cluster-a | default (enforce) | **3** | 2 | 0 | 0 | 0 |");
    expect(text).toContain("<summary>3 backups to delete: no keep rule matched</summary>");
    expect(text).toContain("| `backup-a00004` | 2026-11-27T19:00:00Z |");
  });

  it("promises no deletion when only report-mode policies delete", () => {
    const text = renderPlanMarkdown(planRetention({ backups: hourly(5), policies: [policy({ mode: "report", keep: { last: 2 } })], nowMs: NOW }));
    expect(text).toContain("**0 backups to delete**");
    expect(text).not.toContain("gone for good at 2026-12-05");
    expect(text).toContain("3 more deletions are planned by report-mode policies: shown, never carried out.");
    expect(text).toContain("<summary>3 backups to delete (report mode: not carried out): no keep rule matched</summary>");
  });

  it("lists every deletion of 1,000 backups within GitHub's limit", () => {
    const plan = planRetention({ backups: [...hourly(500, "cluster-a"), ...hourly(500, "cluster-b")], policies: [policy({ keep: { last: 100 } })], nowMs: NOW });
    const text = renderPlanMarkdown(plan);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MARKDOWN_LIMIT_BYTES);
    for (const d of plan.decisions.filter((x) => x.action === "delete")) expect(text).toContain(`| \`${d.backupId}\` |`);
    expect(text).not.toContain("Truncated");
  });

  it("cuts long lists to stay under the limit, deletions last, and says how many rows are left out", () => {
    // 6,000 backups: 5,800 deletions cannot all be listed.
    const plan = planRetention({ backups: [...hourly(3000, "cluster-a"), ...hourly(3000, "cluster-b")], policies: [policy({ keep: { last: 100 } })], nowMs: NOW });
    const text = renderPlanMarkdown(plan);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MARKDOWN_LIMIT_BYTES);
    expect(Buffer.byteLength(text)).toBeGreaterThan(MARKDOWN_LIMIT_BYTES - 2_000);
    const shownRows = text.split("\n").filter((l) => /^\| `backup-/.test(l)).length;
    const notShown = Number(/\*\*Truncated:\*\* (\d+) rows left out/.exec(text)?.[1]);
    // Every backup is a row somewhere (kept ones too); those not shown are counted.
    expect(shownRows + notShown).toBe(6000);
    // Kept backups are listed only after every deletion: here none of them fits.
    expect(text).toContain("_100 of 100 not shown._");
    expect(text.trimEnd().split("\n").at(-1)).toMatch(/^\*\*Truncated:\*\* \d+ rows left out to stay within GitHub's comment limit; the full plan is in the workflow's artefact/);
    // Folded sections are all closed.
    expect(text.match(/<details>/g)?.length).toBe(text.match(/<\/details>/g)?.length);
  });

  it("escapes values: no markup, no mention, no link, no broken table", () => {
    const hostile = [backup({ id: "backup-1|<img src=x>@org/team", at: "2026-11-27T03:00:00Z", cluster: "cluster-</details>" }), backup({ id: "b2", at: "2026-11-26T03:00:00Z", cluster: "cluster-</details>" })];
    const text = renderPlanMarkdown(planRetention({ backups: hostile, policies: [policy({ keep: { last: 1 } })], nowMs: NOW }));
    expect(text).not.toContain("<img");
    expect(text).not.toContain("@org");
    expect(text).toContain("backup-1\\|&lt;img src=x&gt;@<!-- -->org/team");
    // The only </details> are ours: as many as <details>.
    expect(text.match(/<\/details>/g)?.length).toBe(text.match(/<details>/g)?.length);
    expect(md("see https://evil.example/x and www.evil.example #1 `code` *b*")).toBe("see https&#58;//evil.example/x and www&#46;evil.example #<!-- -->1 \\`code\\` \\*b\\*");
  });
});
