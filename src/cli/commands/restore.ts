import { CloudHsmBackupStore } from "../../aws/cloudhsm-store.js";
import { cloudHsmClients, endpointFromEnv, requireCredentials } from "../../aws/clients.js";
import { ServiceClock } from "../../aws/service-clock.js";
import { parseDuration } from "../../domain/duration.js";
import { isoSeconds } from "../../domain/time.js";
import { endpointUrlSetting } from "../../domain/settings.js";
import { SetupError, UsageError } from "../../errors.js";
import { SILENT } from "../../jobs/logger.js";
import { DEFAULT_HOLD_MS, runRestore } from "../../jobs/restore.js";
import { loadPolicyFiles } from "../../policy/index.js";
import { type AlertFlags, alertSetup } from "../alerts-setup.js";
import { parseFormat, parseRegion } from "../args.js";
import type { CliIo } from "../io.js";
import { hostname, userInfo } from "node:os";

export interface RestoreOptions extends AlertFlags {
  region: string;
  endpointUrl?: string | undefined;
  hold?: string | undefined;
  pin?: boolean | undefined;
  policy?: string[] | undefined;
  format: string;
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

const BACKUP_ID = /^backup-[2-7a-zA-Z]{11,16}$/;

/** `--hold 30d`: hours or days, at most a year (longer is what `--pin` is for). */
function holdMs(text: string | undefined): number {
  if (text === undefined) return DEFAULT_HOLD_MS;
  const parsed = parseDuration(text);
  if (!parsed.ok || parsed.value.years !== 0 || parsed.value.months !== 0) throw new UsageError(`--hold: expected hours or days such as 30d or 72h, got "${text}"`);
  const ms = (parsed.value.days * 24 + parsed.value.hours) * 3_600_000;
  if (ms < 3_600_000 || ms > 366 * 86_400_000) throw new UsageError(`--hold: from 1h to 366d, got "${text}" (to keep it forever, use --pin)`);
  return ms;
}

/**
 * `restore <backup-id>`: RestoreBackup, then a hold (default 30 days) or the NeverExpires
 * pin, recorded in the ledger and announced, as the restore page does. Exit 0 restored (or
 * already back), 2 bad input or set-up, 3 AWS refused, 4 gone for good,
 * 5 not in that region (another region, or gone for good long ago).
 */
export async function restoreCommand(backupId: string, opts: RestoreOptions, io: CliIo): Promise<number> {
  const format = parseFormat(opts.format);
  if (!BACKUP_ID.test(backupId)) throw new UsageError(`"${backupId}" is not a backup ID (backup-` + "followed by 11 to 16 letters and digits 2-7)");
  if (opts.pin && opts.hold !== undefined) throw new UsageError("--hold and --pin: choose one (a pinned backup is kept forever)");
  const hold = holdMs(opts.hold);
  const region = parseRegion(opts.region);
  const endpointUrl = opts.endpointUrl !== undefined ? endpointUrlSetting("--endpoint-url", opts.endpointUrl) : endpointFromEnv(io.env);
  const policies = opts.policy?.length ? await loadPolicyFiles(opts.policy) : [];
  const clock = new ServiceClock();
  const clientFor = cloudHsmClients({ endpointUrl, credentials: opts.credentials, clock });
  await requireCredentials(clientFor(region), io.env.AWS_PROFILE || undefined);
  const alerts = await alertSetup(opts, { env: io.env, endpointUrl, credentials: opts.credentials, clock, regions: [region], policyPaths: opts.policy ?? [], log: SILENT, warn: (l) => io.stderr(`${l}\n`), purpose: "a restore" });
  if (!alerts) throw new SetupError("restore: the alert path is not configured");
  const store = new CloudHsmBackupStore({ clientFor });
  const actor = `cli:${safeUser()}@${hostname()}`;
  const result = await runRestore({ region, backupId, mode: opts.pin ? "pin" : "hold", holdMs: hold, via: "through the CLI", actor }, { store, alerts, policies });
  if (format === "json") {
    const iso = (ms: number | undefined) => (ms === undefined ? null : isoSeconds(ms));
    io.stdout(`${JSON.stringify({ formatVersion: 1, status: result.status, backupId, region, heldUntil: iso(result.heldUntilMs), pinned: result.pinned, message: result.message, warning: result.nativeRetentionWarning ?? null, delivery: result.delivery }, null, 2)}\n`);
  } else {
    io.stdout(`${result.message}\n`);
    if (result.nativeRetentionWarning) io.stdout(`warning: ${result.nativeRetentionWarning}\n`);
    const failures = result.delivery.failedMessages + result.delivery.failedEvents + result.delivery.ledgerFailures;
    if (failures > 0) io.stdout(`${failures} failure(s) on the alert path: ${result.delivery.errors.join("; ")}\n`);
  }
  if (result.status === "gone") return 4;
  if (result.status === "not-found") return 5;
  if (result.status === "failed") return 3;
  return result.delivery.ledgerFailures > 0 ? 3 : 0;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
