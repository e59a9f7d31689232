import { createHash } from "node:crypto";
import type { Backup } from "../../domain/types.js";
import type { OpContext } from "./backups.js";
import { invalidRequest, notFound } from "./errors.js";
import { pageOf } from "./paging.js";
import { checkValues, filters, type Input, maxResults, requireString } from "./params.js";
import type { ClusterRecord } from "./store.js";

const CLUSTER_FILTERS = ["clusterIds", "states", "vpcIds"] as const;
const CLUSTER_STATES = [
  "CREATE_IN_PROGRESS", "UNINITIALIZED", "INITIALIZE_IN_PROGRESS", "INITIALIZED", "ACTIVE", "UPDATE_IN_PROGRESS",
  "MODIFY_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "DELETE_IN_PROGRESS", "DELETED", "DEGRADED",
] as const;
/** The console's default retention, which every emulated cluster has. The model types Value as a string. */
export const DEFAULT_RETENTION = { Type: "DAYS", Value: "90" } as const;

/**
 * DescribeClusters over the clusters that seeded backups name, each ACTIVE with the
 * default retention policy. Network details (VPC, subnets, HSMs) are derived from the
 * cluster ID so they are stable across runs and filterable by `vpcIds`.
 */
export function describeClusters(input: Input, ctx: OpContext): Record<string, unknown> {
  const max = maxResults(input, 25);
  const f = filters(input, CLUSTER_FILTERS);
  checkValues(f.get("states"), "states", CLUSTER_STATES);
  const clusters = ctx.store
    .clusters(ctx.region, ctx.nowMs)
    .map(toAwsCluster)
    .filter(
      (c) =>
        (!f.has("clusterIds") || f.get("clusterIds")?.has(c.ClusterId)) &&
        (!f.has("states") || f.get("states")?.has(c.State)) &&
        (!f.has("vpcIds") || f.get("vpcIds")?.has(c.VpcId)),
    )
    .sort((a, b) => a.CreateTimestamp - b.CreateTimestamp || (a.ClusterId < b.ClusterId ? -1 : 1));
  const page = pageOf(clusters, (c) => [c.CreateTimestamp, c.ClusterId], {
    op: "DescribeClusters",
    asc: true,
    token: input.NextToken,
    maxResults: max,
  });
  const out: Record<string, unknown> = { Clusters: page.items };
  if (page.nextToken) out.NextToken = page.nextToken;
  return out;
}

/**
 * ListTags for a backup or a cluster ID (the model's ResourceId pattern allows both).
 * Tags are listed by key so that the key can serve as the paging position.
 */
export function listTags(input: Input, ctx: OpContext): Record<string, unknown> {
  const id = requireString(input, "ResourceId");
  const max = maxResults(input, 100);
  let tags: Backup["tags"];
  if (id.startsWith("backup-")) {
    const b = ctx.store.get(ctx.region, id, ctx.nowMs);
    if (!b) throw notFound(`Backup ${id} was not found in ${ctx.region}.`);
    tags = b.tags;
  } else if (id.startsWith("cluster-")) {
    if (!ctx.store.clusters(ctx.region, ctx.nowMs).some((c) => c.clusterId === id)) {
      throw notFound(`Cluster ${id} was not found in ${ctx.region}.`);
    }
    tags = {};
  } else {
    throw invalidRequest(`ResourceId must be a cluster ID or a backup ID; got "${id}".`);
  }
  const list = Object.entries(tags)
    .map(([Key, Value]) => ({ Key, Value }))
    .sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0));
  const page = pageOf(list, (t) => [t.Key], { op: "ListTags", asc: true, token: input.NextToken, maxResults: max });
  const out: Record<string, unknown> = { TagList: page.items };
  if (page.nextToken) out.NextToken = page.nextToken;
  return out;
}

/** Hex and base32-ish strings derived from the cluster ID: stable fake network IDs. */
function derived(clusterId: string, salt: string, length: number, alphabet?: string): string {
  const digest = createHash("sha256").update(`${salt}:${clusterId}`).digest();
  if (!alphabet) return digest.toString("hex").slice(0, length);
  return [...digest.subarray(0, length)].map((byte) => alphabet[byte % alphabet.length]).join("");
}

const ID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz";

function toAwsCluster(c: ClusterRecord) {
  const vpcId = `vpc-${derived(c.clusterId, "vpc", 17)}`;
  const zones = ["a", "b"].map((z) => `${c.region}${z}`);
  const subnets = Object.fromEntries(zones.map((az) => [az, `subnet-${derived(c.clusterId, az, 17)}`]));
  return {
    BackupPolicy: "DEFAULT",
    BackupRetentionPolicy: { ...DEFAULT_RETENTION },
    ClusterId: c.clusterId,
    CreateTimestamp: c.createdAtMs / 1000,
    Hsms: zones.map((az, i) => ({
      AvailabilityZone: az,
      ClusterId: c.clusterId,
      SubnetId: subnets[az],
      EniId: `eni-${derived(c.clusterId, `eni${i}`, 17)}`,
      EniIp: `10.0.${i}.${10 + (derived(c.clusterId, `ip${i}`, 2).charCodeAt(0) % 200)}`,
      HsmId: `hsm-${derived(c.clusterId, `hsm${i}`, 11, ID_ALPHABET)}`,
      HsmType: c.hsmType,
      State: "ACTIVE",
      StateMessage: "HSM created.",
    })),
    HsmType: c.hsmType,
    SecurityGroup: `sg-${derived(c.clusterId, "sg", 17)}`,
    State: "ACTIVE",
    StateMessage: "The cluster is active.",
    SubnetMapping: subnets,
    VpcId: vpcId,
    NetworkType: "IPV4",
    TagList: [] as Array<{ Key: string; Value: string }>,
    Mode: c.mode,
  };
}
