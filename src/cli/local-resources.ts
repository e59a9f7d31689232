/**
 * Names the alert path uses against the local endpoint, where the CLI creates what it
 * needs; `serve` answers restore links at the base URL.
 */
export const LOCAL_NAMES = {
  bus: "cloudhsm-retention",
  table: "cloudhsm-retention-ledger",
  restoreBaseUrl: "http://127.0.0.1:8787",
} as const;

/** Whether `url` is the local endpoint (its admin API answers); never true for AWS. */
export async function isLocalEndpoint(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url.replace(/\/+$/, "")}/_emulator/health`, { signal: AbortSignal.timeout(2_000) });
    if (!res.ok) return false;
    const body = (await res.json()) as { ok?: unknown };
    return body.ok === true;
  } catch {
    return false;
  }
}
