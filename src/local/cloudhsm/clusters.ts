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
/**
 * DescribeClusters over the clusters that seeded backups name, each ACTIVE with its
 * retention policy (90 days unless ModifyCluster changed it). Network details (VPC, subnets, HSMs) are derived from the
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
 * ModifyCluster: sets the cluster's BackupRetentionPolicy, `{Type: "DAYS", Value: "7".."379"}`
 * as the user guide says (the model only checks 1-3 digits). Value is a string in the
 * model, but the CLI's example shows a number, so both are accepted. HsmType (the hsm1 to
 * hsm2m migration of newer models) is accepted only as the cluster's current type. The
 * change applies at once (no MODIFY_IN_PROGRESS), and the cluster's retention, when the
 * emulator runs it, acts on it from now on.
 */
export function modifyCluster(input: Input, ctx: OpContext): Record<string, unknown> {
  const clusterId = requireString(input, "ClusterId");
  const policy = input.BackupRetentionPolicy;
  const hsmType = input.HsmType;
  if ((policy === undefined || policy === null) && (hsmType === undefined || hsmType === null)) {
    throw invalidRequest("BackupRetentionPolicy is required.");
  }
  let days: number | undefined;
  if (policy !== undefined && policy !== null) {
    if (typeof policy !== "object" || Array.isArray(policy)) throw invalidRequest("BackupRetentionPolicy must be an object with Type and Value.");
    const { Type, Value } = policy as Record<string, unknown>;
    if (Type !== "DAYS") throw invalidRequest(`BackupRetentionPolicy.Type must be DAYS; got ${JSON.stringify(Type)}.`);
    const text = typeof Value === "number" ? String(Value) : Value;
    if (typeof text !== "string" || !/^[0-9]{1,3}$/.test(text) || Number(text) < 7 || Number(text) > 379) {
      throw invalidRequest(`BackupRetentionPolicy.Value must be a number of days from 7 to 379; got ${JSON.stringify(Value)}.`);
    }
    days = Number(text);
  }
  const known = ctx.store.clusters(ctx.region, ctx.nowMs).find((c) => c.clusterId === clusterId);
  if (!known) throw notFound(`Cluster ${clusterId} was not found in ${ctx.region}.`);
  if (hsmType !== undefined && hsmType !== null && hsmType !== known.hsmType) {
    throw invalidRequest(`Changing HsmType (${known.hsmType} to ${JSON.stringify(hsmType)}) is not emulated.`);
  }
  const updated = days === undefined ? known : ctx.store.configureCluster(ctx.region, clusterId, ctx.nowMs, { retentionDays: days });
  return { Cluster: toAwsCluster(updated ?? known) };
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
    // The model types Value as a string; a cluster opted out of managed retention has none.
    ...(c.retentionDays === undefined ? {} : { BackupRetentionPolicy: { Type: "DAYS", Value: String(c.retentionDays) } }),
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
