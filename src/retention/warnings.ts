import type { Backup, PlanWarning, RetentionPolicy } from "../domain/types.js";

/**
 * Warnings about inputs the plan handles safely but that a person should see. They never
 * change a decision.
 */

/** AWS tag keys and values are case-sensitive: these are compared only to warn. */
function loose(text: string): string {
  return text.trim().toLowerCase();
}

interface TagEntry {
  key: string;
  value: string | undefined;
  text: string;
}

function entriesOf(policy: RetentionPolicy): TagEntry[] {
  const entries: TagEntry[] = [];
  for (const list of policy.keep.tags) {
    for (const text of list) {
      if (text === "") continue;
      const eq = text.indexOf("=");
      entries.push(eq < 0 ? { key: text, value: undefined, text } : { key: text.slice(0, eq), value: text.slice(eq + 1), text });
    }
  }
  return entries;
}

/** The tag of `b` that nearly matches `entry` without matching it, as `key` or `key=value`. */
function nearMiss(b: Backup, entry: TagEntry): string | undefined {
  const exact = Object.hasOwn(b.tags, entry.key);
  if (exact && (entry.value === undefined || b.tags[entry.key] === entry.value)) return undefined;
  if (exact && entry.value !== undefined && loose(b.tags[entry.key]!) === loose(entry.value)) {
    return `${entry.key}=${b.tags[entry.key]}`;
  }
  if (exact) return undefined;
  for (const [key, value] of Object.entries(b.tags)) {
    if (loose(key) !== loose(entry.key)) continue;
    if (entry.value === undefined || loose(value) === loose(entry.value)) return entry.value === undefined ? key : `${key}=${value}`;
  }
  return undefined;
}

/**
 * The tag of `b` that nearly matches one of the policy's keep-tags, with that keep-tag, if
 * any: the near-miss guard (plan.ts) keeps such a backup rather than delete it.
 */
export function nearKeepTag(policy: RetentionPolicy, b: Backup): { tag: string; keepTag: string } | undefined {
  for (const entry of entriesOf(policy)) {
    const tag = nearMiss(b, entry);
    if (tag !== undefined) return { tag, keepTag: entry.text };
  }
  return undefined;
}

/**
 * Backups with a tag that differs from one of the policy's keep-tags only in case or
 * surrounding spaces (`Legal-Hold` for `legal-hold`). The tag rule does not match them,
 * since AWS compares tags exactly, but a person probably meant it: the plan keeps them
 * (a guard) and warns, one warning per (keep-tag, tag as found).
 */
export function nearTagWarnings(policy: RetentionPolicy, groupBackups: Iterable<readonly Backup[]>): PlanWarning[] {
  const entries = entriesOf(policy);
  if (entries.length === 0) return [];
  const found = new Map<string, { entry: TagEntry; tag: string; backupIds: string[] }>();
  for (const backups of groupBackups) {
    for (const b of backups) {
      for (const entry of entries) {
        const tag = nearMiss(b, entry);
        if (tag === undefined) continue;
        const key = JSON.stringify([entry.text, tag]);
        const seen = found.get(key);
        if (seen) seen.backupIds.push(b.backupId);
        else found.set(key, { entry, tag, backupIds: [b.backupId] });
      }
    }
  }
  return [...found.values()].map(({ entry, tag, backupIds }) => ({
    kind: "near-tag" as const,
    policy: policy.name,
    backupIds,
    message:
      `${backupIds.length} ${backupIds.length === 1 ? "backup has" : "backups have"} the tag ${JSON.stringify(tag)}, which is not the keep-tag ` +
      `${JSON.stringify(entry.text)} of policy "${policy.name}" (AWS tags are case-sensitive): the tag rule does not match, but nothing with a near miss ` +
      "is deleted; fix the tag or the policy",
  }));
}
