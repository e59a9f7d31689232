import type { Backup, RetentionPolicy } from "../domain/types.js";
import { DuplicateBackupError, type PolicyConflict, PolicyConflictError } from "../errors.js";

/**
 * Which backups are planned together, and by which policy. restic plans each group on
 * its own; here a group is one cluster in one region, and cross-region copies form
 * their own groups per (region, source cluster), since AWS gives copies no retention.
 */

/** Names the display group of backups whose cluster AWS did not report; never planned as a group. */
export const UNKNOWN_CLUSTER = "unknown-cluster";

export interface Group {
  key: string;
  region: string;
  /** The cluster a policy's `select.clusters` is matched against (the source cluster for copies). */
  cluster: string;
  isCopy: boolean;
  /** Newest first, once `groupBackups` returns. */
  backups: Backup[];
}

/**
 * `us-east-1/cluster-abc`, or for a cross-region copy `us-west-2/copy:us-east-1/cluster-abc`.
 * A backup without its cluster gets `.../unknown-cluster`, for display only.
 */
export function groupKeyOf(b: Backup): string {
  if (b.sourceRegion !== undefined) return `${b.region}/copy:${b.sourceRegion}/${b.sourceClusterId ?? UNKNOWN_CLUSTER}`;
  return `${b.region}/${b.clusterId ?? UNKNOWN_CLUSTER}`;
}

/** A backup whose cluster is unknown: it cannot be planned against any other backup. */
export function hasNoCluster(b: Backup): boolean {
  return (b.sourceRegion === undefined ? b.clusterId : b.sourceClusterId) === undefined;
}

export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export interface Grouping {
  /** By key. */
  groups: Map<string, Group>;
  /** Group keys in code-unit order: the plan's order. */
  keys: string[];
  /** Backups with no cluster, each left alone. */
  clusterless: Backup[];
}

/**
 * Groups the backups. Refuses a backup ID seen twice: IDs are unique across regions,
 * and a twin would be planned as a second backup whose day is already taken.
 */
export function groupBackups(backups: readonly Backup[], newestFirst: (a: Backup, b: Backup) => number): Grouping {
  const seen = new Set<string>();
  const repeated: string[] = [];
  // Indexed region → (copy source region →) cluster, so the hot loop looks up the strings
  // it already has instead of hashing a freshly concatenated key per backup.
  const groups = new Map<string, Group>();
  const own = new Map<string, Map<string, Group>>();
  const copies = new Map<string, Map<string, Map<string, Group>>>();
  const clusterless: Backup[] = [];
  for (const b of backups) {
    if (seen.has(b.backupId)) repeated.push(b.backupId);
    seen.add(b.backupId);
    if (hasNoCluster(b)) {
      clusterless.push(b);
      continue;
    }
    let byCluster: Map<string, Group> | undefined;
    if (b.sourceRegion === undefined) {
      byCluster = own.get(b.region);
      if (byCluster === undefined) own.set(b.region, (byCluster = new Map()));
    } else {
      let bySource = copies.get(b.region);
      if (bySource === undefined) copies.set(b.region, (bySource = new Map()));
      byCluster = bySource.get(b.sourceRegion);
      if (byCluster === undefined) bySource.set(b.sourceRegion, (byCluster = new Map()));
    }
    const cluster = (b.sourceRegion === undefined ? b.clusterId : b.sourceClusterId) as string;
    let g = byCluster.get(cluster);
    if (g === undefined) {
      const key = groupKeyOf(b);
      g = { key, region: b.region, cluster, isCopy: b.sourceRegion !== undefined, backups: [] };
      byCluster.set(cluster, g);
      groups.set(key, g);
    }
    g.backups.push(b);
  }
  if (repeated.length > 0) throw new DuplicateBackupError([...new Set(repeated)].sort(byCodeUnits));
  for (const g of groups.values()) g.backups.sort(newestFirst);
  return { groups, keys: [...groups.keys()].sort(byCodeUnits), clusterless };
}

function selects(p: RetentionPolicy, g: Group, runRegions: readonly string[] | undefined): boolean {
  if (p.select.regions !== undefined && !p.select.regions.includes(g.region)) return false;
  if (runRegions !== undefined && !runRegions.includes(g.region)) return false;
  if (g.isCopy ? p.select.copies === "exclude" : p.select.copies === "only") return false;
  return p.select.clusters.includes("*") || p.select.clusters.includes(g.cluster);
}

/**
 * The one policy of each group. Throws PolicyConflictError naming every group that two
 * policies select: which one would win is not the tool's to guess.
 */
export function assignPolicies(
  grouping: Grouping,
  policies: readonly RetentionPolicy[],
  runRegions: readonly string[] | undefined,
): { owned: Map<RetentionPolicy, Group[]>; unselected: Group[] } {
  const owned = new Map<RetentionPolicy, Group[]>(policies.map((p) => [p, []]));
  const unselected: Group[] = [];
  const conflicts: PolicyConflict[] = [];
  for (const key of grouping.keys) {
    const g = grouping.groups.get(key)!;
    const selecting = policies.filter((p) => selects(p, g, runRegions));
    if (selecting.length > 1) {
      for (let i = 1; i < selecting.length; i++) {
        const pair = [selecting[0]!.name, selecting[i]!.name].sort(byCodeUnits) as [string, string];
        conflicts.push({ group: key, policies: pair });
      }
      continue;
    }
    if (selecting[0] === undefined) unselected.push(g);
    else owned.get(selecting[0])!.push(g);
  }
  if (conflicts.length > 0) throw new PolicyConflictError(conflicts);
  return { owned, unselected };
}

/**
 * The policy whose selection holds this backup's group, if any (undefined as well for a
 * backup whose cluster is unknown: no policy plans it). Policies were checked not to
 * overlap when loaded; the first match is the only one.
 */
export function policyOf<P extends RetentionPolicy>(b: Backup, policies: readonly P[], runRegions?: readonly string[]): P | undefined {
  if (hasNoCluster(b)) return undefined;
  const isCopy = b.sourceRegion !== undefined;
  const g: Group = { key: groupKeyOf(b), region: b.region, cluster: (isCopy ? b.sourceClusterId : b.clusterId) as string, isCopy, backups: [] };
  return policies.find((p) => selects(p, g, runRegions));
}
