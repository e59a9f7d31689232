import type { Backup } from "../domain/types.js";
import { toAwsBackup } from "../inventory/convert.js";
import { makeFleet } from "./fleet.js";

/** When examples/inventory.json was captured (scripts/make-example-inventory.ts). */
export const EXAMPLE_CAPTURED_AT = "2026-11-28T06:00:00Z";

/** The regions the example fleet spans, and `npm start` sweeps. */
export const EXAMPLE_REGIONS = ["us-east-1", "eu-central-1", "us-west-2"];

/**
 * The demo fleet behind `npm start` and examples/inventory.json: two clusters in
 * us-east-1, one in eu-central-1, 120 days of daily backups, weekly DR copies in
 * us-west-2, a NeverExpires pin, a legal hold, one pending deletion, one in progress.
 */
export function exampleFleet(endMs: number): Backup[] {
  return makeFleet({
    endMs,
    days: 120,
    clusters: [
      { region: "us-east-1", count: 2 },
      { region: "eu-central-1", count: 1 },
    ],
    copyTo: { region: "us-west-2", everyDays: 7 },
    seed: 2026,
  });
}

/** The name that seeds the example fleet: `emulator --seed example`, `POST /_emulator/seed?fleet=example`. */
export const EXAMPLE_FLEET = "example";

/** The example fleet ending at `endMs`, as `describe-backups` JSON (what seeding reads). */
export function exampleInventory(endMs: number): string {
  return JSON.stringify({ Backups: exampleFleet(endMs).map((b) => toAwsBackup(b)) });
}
