import { randomBytes } from "node:crypto";

/**
 * A run's ID: its start time (sortable, readable in the ledger and logs) and 32 random
 * bits, e.g. `20261128T061500Z-9f3a2c1e`.
 */
export function newRunId(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
  return `${stamp}-${randomBytes(4).toString("hex")}`;
}
