import escapeHtml from "escape-html";
import { formatDuration, isZeroDuration } from "../../../domain/duration.js";
import { WITHIN_BUCKET_RULES, type Decision, type RetentionPolicy, type WithinBucketRule } from "../../../domain/types.js";
import { type Bucket, bucketStarts } from "../../../retention/buckets.js";
import { subtractCalendar } from "../../../retention/calendar.js";
import { outcomeOf } from "../../../retention/outcome.js";
import { ruleOf } from "../summary.js";
import { isoUtcSeconds } from "../time.js";
import { LANES, markShape } from "./shapes.js";

/**
 * One group's timeline as inline SVG: a lane per outcome with a mark per backup (its
 * reasons in a <title>, shown on hover), and under it a band per calendar rule of the
 * policy, with the rule's bucket boundaries in the policy's zone (as the engine buckets)
 * and the buckets holding a backup the rule keeps shaded; `within` rules shade their
 * window. A dashed line marks the plan's "now".
 */

const W = 960;
const LEFT = 130;
const RIGHT = 16;
const LANE_H = 22;
const BAND_H = 16;
const AXIS_H = 34;
const PLOT_W = W - LEFT - RIGHT;
/** Boundaries closer than this many pixels are not drawn (the band would be a grey smear). */
const MIN_TICK_PX = 3;

export interface TimelineInput {
  id: string;
  group: string;
  decisions: readonly Decision[];
  policy: RetentionPolicy | undefined;
  nowMs: number;
}

interface Band {
  label: string;
  rule: string;
  buckets: Bucket[] | undefined;
  /** A `within` window, shaded whole. */
  window?: [number, number] | undefined;
  /** When the backups this rule keeps were made. */
  kept: number[];
}

const e = (s: string) => escapeHtml(s);
const r1 = (v: number) => Math.round(v * 10) / 10;

export function timelineSvg(input: TimelineInput): string {
  const { decisions, policy, nowMs } = input;
  const tz = policy?.timezone ?? "UTC";
  const times = decisions.map((d) => d.createdAtMs);
  const lo = Math.min(times.reduce((a, b) => Math.min(a, b), Infinity), nowMs);
  const hi = Math.max(times.reduce((a, b) => Math.max(a, b), -Infinity), nowMs);
  const span = Math.max(hi - lo, 86_400_000);
  const t0 = lo - span * 0.02;
  const t1 = lo + span * 1.02;
  const x = (ms: number) => LEFT + ((ms - t0) / (t1 - t0)) * PLOT_W;

  const lanes = LANES.filter((l) => decisions.some((d) => outcomeOf(d) === l.outcome));
  const bands = policy ? bandsOf(policy, decisions, t0, t1, nowMs) : [];
  const axisY = lanes.length * LANE_H + bands.length * BAND_H + 8;
  const height = axisY + AXIS_H;
  const out: string[] = [];
  const summary = lanes.map((l) => `${decisions.filter((d) => outcomeOf(d) === l.outcome).length} ${l.label}`).join(", ");
  out.push(
    `<svg class="timeline" viewBox="0 0 ${W} ${height}" width="100%" role="img" aria-labelledby="${input.id}-t ${input.id}-d">`,
    `<title id="${input.id}-t">Timeline of ${decisions.length} backups in ${e(input.group)}</title>`,
    `<desc id="${input.id}-d">${e(summary)}, from ${isoUtcSeconds(lo)} to ${isoUtcSeconds(hi)}. The table below lists every backup with its reasons.</desc>`,
  );
  lanes.forEach((l, i) => {
    const y = i * LANE_H;
    out.push(`<rect class="lane" x="${LEFT}" y="${y + 1}" width="${PLOT_W}" height="${LANE_H - 2}"/>`, `<text class="label" x="${LEFT - 8}" y="${y + LANE_H / 2 + 4}">${l.label}</text>`);
  });
  bands.forEach((b, i) => out.push(...bandSvg(b, lanes.length * LANE_H + i * BAND_H, x, t0, t1)));
  out.push(...axis(tz, t0, t1, x, axisY));
  const nowX = r1(x(nowMs));
  out.push(`<line class="now" x1="${nowX}" y1="0" x2="${nowX}" y2="${axisY}"/><text class="now-label" x="${nowX}" y="${axisY + 28}">now</text>`);
  // Marks last, so they sit on top of the bands and the now line.
  for (const d of decisions) {
    const o = outcomeOf(d);
    const lane = lanes.findIndex((l) => l.outcome === o);
    const tip = `${d.backupId} · ${isoUtcSeconds(d.createdAtMs)} · ${o === "delete" ? "deleted" : LANES[lane]!.label}: ${d.reasons.join("; ")}`;
    out.push(`<g class="mark ${o}"><title>${e(tip)}</title>${markShape(o, x(d.createdAtMs), lane * LANE_H + LANE_H / 2)}</g>`);
  }
  out.push("</svg>");
  return out.join("\n");
}

function bandsOf(policy: RetentionPolicy, decisions: readonly Decision[], t0: number, t1: number, nowMs: number): Band[] {
  const bands: Band[] = [];
  const tz = policy.timezone;
  const keptBy = (rule: string) => decisions.filter((d) => outcomeOf(d) === "keep" && d.reasons.some((r) => ruleOf(r) === rule)).map((d) => d.createdAtMs);
  const ready = decisions.filter((d) => d.state === "READY").map((d) => d.createdAtMs).sort((a, b) => b - a);
  // As the engine: windows count back from the newest READY backup before now.
  const latest = ready.find((t) => t < nowMs) ?? ready.at(-1);
  const withins = [policy.keep.withinHourly, policy.keep.withinDaily, policy.keep.withinWeekly, policy.keep.withinMonthly, policy.keep.withinYearly];
  WITHIN_BUCKET_RULES.forEach((rule: WithinBucketRule, i) => {
    const buckets = () => bucketStarts(rule, t0, t1, tz, 20_000);
    const count = policy.keep[rule];
    if (count !== 0) bands.push({ label: `${rule} ${count === Infinity ? "∞" : count}`, rule, buckets: buckets(), kept: keptBy(rule) });
    const d = withins[i]!;
    if (!isZeroDuration(d)) {
      const name = `${rule} within ${formatDuration(d)}`;
      bands.push({ label: name, rule: name, buckets: buckets(), kept: keptBy(name), window: latest === undefined ? undefined : [subtractCalendar(latest, d, tz), latest] });
    }
  });
  if (!isZeroDuration(policy.keep.within) && latest !== undefined) {
    const name = `within ${formatDuration(policy.keep.within)}`;
    bands.push({ label: name, rule: name, buckets: [], kept: [], window: [subtractCalendar(latest, policy.keep.within, tz), latest] });
  }
  return bands;
}

function bandSvg(band: Band, y: number, x: (ms: number) => number, t0: number, t1: number): string[] {
  const out = [`<text class="label band-label" x="${LEFT - 8}" y="${y + BAND_H / 2 + 4}">${e(band.label)}</text>`, `<rect class="band" x="${LEFT}" y="${y + 2}" width="${PLOT_W}" height="${BAND_H - 4}"/>`];
  if (band.window) {
    const [a, b] = band.window;
    out.push(`<rect class="bucket window" x="${r1(x(Math.max(a, t0)))}" y="${y + 2}" width="${r1(Math.max(2, x(b) - x(Math.max(a, t0))))}" height="${BAND_H - 4}"><title>${e(`${band.label}: ${isoUtcSeconds(a)} … ${isoUtcSeconds(b)}`)}</title></rect>`);
  }
  const starts = band.buckets;
  if (starts && starts.length > 0 && PLOT_W / (starts.length + 1) >= MIN_TICK_PX) {
    out.push(`<path class="tick" d="${starts.map((s) => `M${r1(x(s.startMs))} ${y + 2}v${BAND_H - 4}`).join("")}"/>`);
  }
  // Each bucket holding a kept backup, from its start to the next bucket's start.
  const shaded = new Set<number>();
  for (const t of band.kept) {
    if (!starts) {
      out.push(`<rect class="bucket kept-bucket" x="${r1(x(t) - 1)}" y="${y + 2}" width="2" height="${BAND_H - 4}"/>`);
      continue;
    }
    const i = lastAtOrBefore(starts, t);
    if (shaded.has(i)) continue;
    shaded.add(i);
    const a = i < 0 ? t0 : starts[i]!.startMs;
    const b = i + 1 < starts.length ? starts[i + 1]!.startMs : t1;
    const label = i < 0 ? "" : `${band.rule.split(" ")[0]} ${starts[i]!.label}: `;
    out.push(`<rect class="bucket kept-bucket" x="${r1(x(a))}" y="${y + 2}" width="${r1(Math.max(1.5, x(b) - x(a)))}" height="${BAND_H - 4}"><title>${e(`${label}${isoUtcSeconds(a)} … ${isoUtcSeconds(b)}`)}</title></rect>`);
  }
  return out;
}

function lastAtOrBefore(starts: readonly Bucket[], t: number): number {
  let lo = -1;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (starts[mid]!.startMs <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Ticks of the finest calendar unit that gives at most 12 labels, in the policy's zone. */
function axis(tz: string, t0: number, t1: number, x: (ms: number) => number, y: number): string[] {
  const out = [`<line class="axis" x1="${LEFT}" y1="${y}" x2="${LEFT + PLOT_W}" y2="${y}"/>`];
  for (const rule of WITHIN_BUCKET_RULES) {
    const ticks = bucketStarts(rule, t0, t1, tz, 12);
    if (ticks === undefined || ticks.length === 0) continue;
    for (const t of ticks) {
      const tx = r1(x(t.startMs));
      out.push(`<line class="axis" x1="${tx}" y1="${y}" x2="${tx}" y2="${y + 5}"/><text class="tick-label" x="${tx}" y="${y + 17}">${e(t.label)}</text>`);
    }
    out.push(`<text class="label" x="${LEFT - 8}" y="${y + 17}">${e(tz)}</text>`);
    break;
  }
  return out;
}
