import { restoreUrl, signToken } from "./token.js";

/** Builds the restore link of a backup deleted until `deleteAtMs` (the one shared function every message uses). */
export type LinkMaker = (region: string, backupId: string, deleteAtMs: number) => string;

/**
 * Links under `baseUrl` (RESTORE_BASE_URL), signed with the current secret.
 * @example linkMaker("https://x.execute-api.us-east-1.amazonaws.com", secret)("us-east-1", "backup-abc...", deleteAtMs)
 */
export function linkMaker(baseUrl: string, secret: Uint8Array): LinkMaker {
  return (region, backupId, deleteAtMs) => restoreUrl(baseUrl, signToken({ action: "restore", region, backupId, expiresAtMs: deleteAtMs }, secret));
}
