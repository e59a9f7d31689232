// The human outputs of a plan, sized and timed: the pull-request comment (markdown), the
// timeline page (HTML) and the table, for 1,000 backups (10 clusters, 100 daily backups
// each) and for 10,000 (100 clusters), under a GFS policy in Europe/Berlin. Each render
// is timed as the median of 5 after one warm-up. Numbers are printed, never asserted;
// renderBench() returns them as figures (bench/figures.ts) for the unified bench table.
import { pathToFileURL } from "node:url";
import { renderPlanHtml } from "../src/cli/render/html/page.js";
import { renderPlanMarkdown } from "../src/cli/render/markdown.js";
import { renderPlanTable } from "../src/cli/render/table.js";
import type { Backup, RetentionPolicy } from "../src/domain/types.js";
import { makeId, prng } from "../src/local/fleet.js";
import { planRetention } from "../src/retention/plan.js";
import { printSection, type Section } from "./figures.js";

const nowMs = Date.parse("2026-11-28T06:00:00Z");
const zero = { years: 0, months: 0, days: 0, hours: 0 };
const policy: RetentionPolicy = {
  name: "bench",
  mode: "enforce",
  select: { clusters: ["*"], copies: "exclude" },
  timezone: "Europe/Berlin",
  keep: {
    last: 3, hourly: 0, daily: 7, weekly: 4, monthly: 12, yearly: Infinity,
    within: zero, withinHourly: zero, withinDaily: zero, withinWeekly: zero, withinMonthly: zero, withinYearly: zero,
    tags: [["legal-hold"]],
  },
  guards: { keepNewest: 1, minAge: zero, maxDeletionsPerRun: Infinity, maxDeletePercent: 100 },
  alerts: { remindersMs: [], backupsStoppedAfterMs: 48 * 3_600_000 },
};

function fleet(clusters: number, perCluster: number): Backup[] {
  const rand = prng(7);
  const out: Backup[] = [];
  for (let c = 0; c < clusters; c++) {
    const clusterId = makeId("cluster", rand);
    for (let d = 0; d < perCluster; d++) {
      out.push({ backupId: makeId("backup", rand), clusterId, region: "us-east-1", state: "READY", createdAtMs: nowMs - (d + 1) * 86_400_000 + Math.floor(rand() * 86_400_000), neverExpires: false, tags: {} });
    }
  }
  return out;
}

function timed(render: () => string): { ms: number; bytes: number; chars: number } {
  let text = render();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    text = render();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ms: Math.round(times[2]! * 10) / 10, bytes: Buffer.byteLength(text), chars: text.length };
}

/** The render section: for 1,000 and 10,000 backups, each output's size and median time. */
export function renderBench(): Section[] {
  const sections: Section[] = [];
  for (const [clusters, perCluster] of [[10, 100], [100, 100]] as const) {
    const plan = planRetention({ backups: fleet(clusters, perCluster), policies: [policy], nowMs });
    const deletions = plan.decisions.filter((d) => d.action === "delete").length;
    const md = timed(() => renderPlanMarkdown(plan));
    const leftOut = Number(/\*\*Truncated:\*\* (\d+) rows/.exec(renderPlanMarkdown(plan))?.[1] ?? 0);
    const html = timed(() => renderPlanHtml(plan, [policy]));
    const table = timed(() => renderPlanTable(plan));
    const verbose = timed(() => renderPlanTable(plan, undefined, { verbose: true }));
    // GitHub refuses a comment longer than 65,536 characters (the renderer's own limit is lower).
    const fits = md.chars <= 65_536;
    sections.push({
      bench: `render a plan of ${(clusters * perCluster).toLocaleString("en-US")} backups (${deletions} deletions, ${clusters} clusters)`,
      figures: [
        { name: "markdown comment: size", value: md.chars, unit: "characters", goal: "<= 65,536, GitHub's comment limit", met: fits },
        { name: "markdown comment: time", value: md.ms, unit: "ms" },
        { name: "markdown comment: rows left out", value: leftOut, unit: "rows" },
        { name: "HTML page: size", value: html.bytes, unit: "bytes" },
        { name: "HTML page: time", value: html.ms, unit: "ms" },
        { name: "table: size", value: table.bytes, unit: "bytes" },
        { name: "table: time", value: table.ms, unit: "ms" },
        { name: "verbose table: size", value: verbose.bytes, unit: "bytes" },
        { name: "verbose table: time", value: verbose.ms, unit: "ms" },
      ],
    });
  }
  return sections;
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) for (const section of renderBench()) printSection(section);
