import type { BackupStore, RetryCounts } from "../domain/ports.js";
import type { Backup, Plan, RetentionPolicy } from "../domain/types.js";
import type { Ledger } from "../ledger/port.js";
import { planRetention } from "../retention/plan.js";
import { deletionsInLastDay } from "./apply-alerts.js";
import { DEFAULT_HOLD_MS } from "./restore.js";
import type { JobLogger } from "./logger.js";

/**
 * Listing every region, reading the ledger's facts and planning: one code path for `apply`,
 * `apply --dry-run`, the live `plan` and the sweep Lambda, so that a preview shows what a
 * run would do. A region whose listing fails is reported and planned not at all (a partial
 * listing could delete a kept backup).
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

/** What the ledger says a plan must respect: each policy's deletions in the last 24 hours, and holds of restored backups. */
export interface LedgerFacts {
  deletedInLastDay?: Map<string, number> | undefined;
  holds?: Map<string, { untilMs: number; via: string }> | undefined;
  /** Set when the ledger could not be read. */
  error?: string | undefined;
}

export interface ListedPlan {
  listings: RegionListing[];
  backups: Backup[];
  /** The regions listed successfully: the plan covers those only. */
  listedRegions: string[];
  nowMs: number;
  facts: LedgerFacts;
  plan: Plan;
}

/**
 * List every region, read the ledger's facts (when there is a ledger), and plan: the first
 * half of `apply`, and all of `apply --dry-run` and of the live `plan`. `nowMs` is asked
 * for after the listing, so that a service clock has seen the endpoint's Date header.
 */
export async function listAndPlan(input: {
  policies: readonly RetentionPolicy[];
  regions: readonly string[];
  store: BackupStore;
  nowMs: () => number;
  ledger?: Ledger | undefined;
  log: JobLogger;
}): Promise<ListedPlan> {
  const listed = await listRegions(input.store, [...new Set(input.regions)], input.log);
  const backups = listed.flatMap((l) => l.backups);
  const listedRegions = listed.filter((l) => l.listing.error === undefined).map((l) => l.listing.region);
  const nowMs = input.nowMs();
  const facts = input.ledger ? await ledgerFacts(input.ledger, input.policies, listedRegions, backups, nowMs) : {};
  const plan = planRetention({ backups, policies: input.policies, nowMs, regions: listedRegions, deletedInLastDay: facts.deletedInLastDay, holds: facts.holds });
  return { listings: listed.map((l) => l.listing), backups, listedRegions, nowMs, facts, plan };
}

/**
 * The ledger's facts for a plan; a ledger that cannot be read is reported in `error`, not
 * thrown. The holds are the ledger's, and one more kind: a backup this ledger tracks as
 * pending deletion that is READY again was restored by some path other than the link (the
 * console, the AWS CLI). The next reminder run records its hold and announces it; until
 * then every run, and every preview, holds it as if that were done, so that a person's
 * restore is never undone by an apply that happens to run first.
 */
export async function ledgerFacts(ledger: Ledger, policies: readonly RetentionPolicy[], regions: readonly string[], backups: readonly Backup[], nowMs: number): Promise<LedgerFacts> {
  try {
    const deletedInLastDay = await deletionsInLastDay(ledger, policies, nowMs);
    const holds = new Map<string, { untilMs: number; via: string }>();
    const ready = new Set(backups.filter((b) => b.state === "READY").map((b) => `${b.region}/${b.backupId}`));
    for (const region of regions) {
      for (const h of await ledger.holds(region, nowMs)) holds.set(h.backupId, { untilMs: h.untilMs, via: h.via });
      for (const t of await ledger.tracked(region)) {
        // Only a deletion known to have been made (confirmed): a write-ahead entry of a run
        // killed before its DeleteBackup is READY because it was never deleted, and the next
        // run must finish that deletion, not hold it.
        if (t.confirmed && !holds.has(t.backupId) && ready.has(`${region}/${t.backupId}`)) holds.set(t.backupId, { untilMs: nowMs + DEFAULT_HOLD_MS, via: "outside the link (the console, the AWS CLI or an SDK)" });
      }
    }
    return { deletedInLastDay, holds };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
