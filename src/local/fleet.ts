import type { Backup } from "../domain/types.js";

/**
 * A realistic, deterministic fleet of CloudHSM backups for demos, the example
 * inventory and benchmarks: daily backups (plus the odd extra one after an HSM was
 * added), cross-region DR copies, a NeverExpires pin and an in-progress backup.
 * Local mode only: production code never imports this folder.
 */
export interface FleetOptions {
  /** The newest backups are taken shortly before this instant. */
  endMs: number;
  /** Days of daily backups per cluster. */
  days: number;
  /** Clusters per region. */
  clusters: Array<{ region: string; count: number }>;
  /** Copy each Nth backup of the first cluster to this region (DR copies). */
  copyTo?: { region: string; everyDays: number } | undefined;
  seed?: number | undefined;
}

const DAY_MS = 86_400_000;
const ID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz";

/** mulberry32: tiny, seedable, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** IDs follow the real pattern `backup-[2-7a-zA-Z]{11,16}` so SDKs and the CLI accept them. */
export function makeId(prefix: "backup" | "cluster", rand: () => number): string {
  // Built from char codes in one go: repeated `+=` would leave a rope of 11 cons-strings
  // per ID, three times the memory of the flat strings JSON.parse gives real inputs.
  const codes: number[] = [];
  for (let i = 0; i < 11; i++) codes.push(ID_ALPHABET.charCodeAt(Math.floor(rand() * ID_ALPHABET.length)));
  return `${prefix}-${String.fromCharCode(...codes)}`;
}

export function makeFleet(opts: FleetOptions): Backup[] {
  const rand = prng(opts.seed ?? 1);
  const out: Backup[] = [];
  let firstClusterId: string | undefined;
  for (const { region, count } of opts.clusters) {
    for (let c = 0; c < count; c++) {
      const clusterId = makeId("cluster", rand);
      firstClusterId ??= clusterId;
      // Each cluster backs up at its own time of day, as real clusters do.
      const offsetMs = Math.floor(rand() * 6 * 3_600_000) + 3_600_000;
      for (let d = opts.days - 1; d >= 0; d--) {
        const createdAtMs = startOfUtcDay(opts.endMs) - d * DAY_MS + offsetMs - DAY_MS;
        if (createdAtMs >= opts.endMs) continue;
        const b = backup(rand, region, clusterId, createdAtMs);
        out.push(b);
        // Adding an HSM triggers an extra backup now and then.
        if (rand() < 0.03) out.push(backup(rand, region, clusterId, createdAtMs + 5 * 3_600_000));
      }
      const newest = out[out.length - 1];
      if (c === 0 && newest && region === opts.clusters[0]?.region) {
        // The backup being taken right now, and an old one pinned by an operator.
        out.push({ ...backup(rand, region, clusterId, opts.endMs - 600_000), state: "CREATE_IN_PROGRESS" });
        const pinned = out[out.length - Math.min(out.length, Math.floor(opts.days * 0.6))];
        if (pinned) pinned.neverExpires = true;
        // One held for an investigation, and one someone deleted four days ago (still restorable).
        const held = out[out.length - Math.min(out.length, Math.floor(opts.days * 0.8))];
        if (held) held.tags = { "legal-hold": "case-1234" };
        const deleted = out[out.length - Math.min(out.length, 20)];
        if (deleted) Object.assign(deleted, { state: "PENDING_DELETION", deleteAtMs: opts.endMs + 3 * DAY_MS });
      }
    }
  }
  if (opts.copyTo) {
    const sources = out.filter((b) => b.clusterId === firstClusterId && b.state === "READY");
    // Counted back from the newest daily backup (yesterday's), not from the epoch: the
    // fleet then looks the same whatever day it is generated on, and the newest copy is
    // never more than a day or so old (a DR policy's requireBackupWithin stays quiet).
    const newestDay = Math.floor(startOfUtcDay(opts.endMs) / DAY_MS) - 1;
    for (const src of sources) {
      const day = Math.floor(src.createdAtMs / DAY_MS);
      if ((newestDay - day) % opts.copyTo.everyDays !== 0) continue;
      out.push({
        ...backup(rand, opts.copyTo.region, src.clusterId ?? "", src.createdAtMs),
        clusterId: undefined,
        copiedAtMs: src.createdAtMs + 1_800_000,
        sourceRegion: src.region,
        sourceBackupId: src.backupId,
        sourceClusterId: src.clusterId,
      });
    }
  }
  return out;
}

function backup(rand: () => number, region: string, clusterId: string, createdAtMs: number): Backup {
  return {
    backupId: makeId("backup", rand),
    clusterId,
    region,
    state: "READY",
    createdAtMs,
    neverExpires: false,
    tags: {},
    hsmType: "hsm2m.medium",
    mode: "FIPS",
  };
}

function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}
