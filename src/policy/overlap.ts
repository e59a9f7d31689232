import type { RetentionPolicy } from "../domain/types.js";
import type { SourceIssue } from "../errors.js";

/**
 * Two policies whose selectors can pick the same group. The plan refuses a group that
 * two policies select, so such a pair is a mistake even before any backup exists: it
 * is reported by `validate` (and every command that loads policies), with the place of
 * the later policy's `select`.
 */

export interface PolicySite {
  policy: RetentionPolicy;
  /** Its index in its file's `policies` list. */
  index: number;
  /** Where the policy's `select` (or the policy itself, without one) is written. */
  file: string;
  line: number;
  col: number;
}

const KINDS = { exclude: ["own"], include: ["own", "copies"], only: ["copies"] } as const;

function common<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): T[] | "all" {
  if (a === undefined && b === undefined) return "all";
  if (a === undefined) return [...b!];
  if (b === undefined) return [...a];
  return a.filter((x) => b.includes(x));
}

/** What two selections share, in words, or undefined when they cannot share a group. */
export function sharedSelection(a: RetentionPolicy, b: RetentionPolicy): string | undefined {
  const regions = common(a.select.regions, b.select.regions);
  if (regions !== "all" && regions.length === 0) return undefined;
  const kinds = (KINDS[a.select.copies] as readonly string[]).filter((k) => (KINDS[b.select.copies] as readonly string[]).includes(k));
  if (kinds.length === 0) return undefined;
  const aAll = a.select.clusters.includes("*");
  const bAll = b.select.clusters.includes("*");
  const clusters = aAll && bAll ? "all" : common(aAll ? undefined : a.select.clusters, bAll ? undefined : b.select.clusters);
  if (clusters !== "all" && clusters.length === 0) return undefined;
  const what = kinds.length === 2 ? "backups and copies" : kinds[0] === "own" ? "backups" : "cross-region copies";
  const of = clusters === "all" ? "of every cluster" : `of ${clusters.join(", ")}`;
  const where = regions === "all" ? "in every region" : `in ${regions.join(", ")}`;
  return `${what} ${of} ${where}`;
}

export function overlapIssues(sites: readonly PolicySite[]): SourceIssue[] {
  const issues: SourceIssue[] = [];
  for (let j = 1; j < sites.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = sites[i]!;
      const b = sites[j]!;
      const shared = sharedSelection(a.policy, b.policy);
      if (shared === undefined) continue;
      issues.push({
        file: b.file,
        line: b.line,
        col: b.col,
        message:
          `policies[${b.index}].select: policy "${b.policy.name}" and policy "${a.policy.name}" (${a.file}:${a.line}) both select ${shared}; ` +
          "a cluster may have one policy only: narrow one policy's regions, clusters or copies",
      });
    }
  }
  return issues;
}
