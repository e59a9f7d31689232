import type { BackupStore, RetryCounts } from "../domain/ports.js";
import type { Backup } from "../domain/types.js";
import type { JobLogger } from "./logger.js";

/**
 * Listing every region before a plan: one code path for `apply`, `apply --dry-run`, the
 * live `plan` and the sweep Lambda. A region whose listing fails is reported and planned
 * not at all (a partial listing could delete a kept backup).
 */

export interface RegionListing {
  region: string;
  backups: number;
  calls: number;
  retries: RetryCounts;
  /** Set when the listing failed: nothing in this region was planned or deleted. */
  error?: string | undefined;
}

export interface Listed {
  listing: RegionListing;
  backups: Backup[];
}

/** Lists every region at once; failures become `listing.error`, never exceptions. */
export async function listRegions(store: BackupStore, regions: readonly string[], log: JobLogger): Promise<Listed[]> {
  return refuseCrossRegionTwins(await Promise.all(regions.map((region) => listRegion(store, region, log))), log);
}

async function listRegion(store: BackupStore, region: string, log: JobLogger): Promise<Listed> {
  try {
    const result = await store.listBackups(region);
    log.info("listed backups", { region, backups: result.backups.length, calls: result.calls, retries: result.retries });
    return { listing: { region, backups: result.backups.length, calls: result.calls, retries: result.retries }, backups: result.backups };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    // The adapter's error says how hard it tried; a plain error says nothing.
    const { calls = 0, retries = {} } = err as { calls?: number; retries?: RetryCounts };
    log.error("listing failed; nothing in this region is planned or deleted", { region, error, calls, retries });
    return { listing: { region, backups: 0, calls, retries, error }, backups: [] };
  }
}

/**
 * A backup ID lives in one region. Listed in two, the endpoint is answering for the wrong
 * region (or the listing is corrupt): planning either region could delete a kept backup,
 * so both listings count as failed.
 */
function refuseCrossRegionTwins(listings: Listed[], log: JobLogger): Listed[] {
  const regionsOf = new Map<string, string[]>();
  for (const l of listings) for (const b of l.backups) regionsOf.set(b.backupId, [...(regionsOf.get(b.backupId) ?? []), l.listing.region]);
  const bad = new Map<string, string>();
  for (const [id, regions] of regionsOf) {
    if (regions.length < 2) continue;
    const error = `backup ${id} was listed in ${regions.join(" and ")}: a backup lives in one region (is the endpoint ignoring the region?); nothing in these regions is planned`;
    for (const r of regions) if (!bad.has(r)) bad.set(r, error);
  }
  return listings.map((l) => {
    const error = bad.get(l.listing.region);
    if (error === undefined) return l;
    log.error("listing failed; nothing in this region is planned or deleted", { region: l.listing.region, error });
    return { listing: { ...l.listing, backups: 0, error }, backups: [] };
  });
}
