import { CloudHsmBackupStore } from "../aws/cloudhsm-store.js";
import { type CloudHsmClientFor, cloudHsmClients, endpointFromEnv, requireCredentials } from "../aws/clients.js";
import { ServiceClock } from "../aws/service-clock.js";
import { endpointUrlSetting, MAX_ATTEMPTS_RANGE, wholeNumberSetting } from "../domain/settings.js";
import { SetupError, UsageError } from "../errors.js";
import type { Ledger } from "../ledger/port.js";
import { type AlertContext, type AlertFlags, alertSetup, previewLedgerOnly } from "./alerts-setup.js";
import { parseRegion } from "./args.js";
import type { CliIo } from "./io.js";
import { isLocalEndpoint } from "./local-resources.js";

/**
 * The part of `apply`, `remind` and the live `plan` that reaches AWS: the regions, the
 * endpoint, one client per region whose responses set the run's clock (the endpoint's
 * Date header), credentials checked once, and the CloudHSM store. One code path, so a
 * live plan lists exactly as `apply` does.
 */

export interface LiveFlags {
  region?: string[] | undefined;
  endpointUrl?: string | undefined;
  maxAttempts?: string | undefined;
  /** Only for the embedded local endpoint (`npm start`); otherwise the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

export interface LiveSettings {
  regions: string[];
  endpointUrl: string | undefined;
  maxAttempts: number | undefined;
  credentials: LiveFlags["credentials"];
}

/** Checks the flags (no AWS call yet): a bad one is refused before anything is listed. */
export function liveSettings(flags: LiveFlags, io: CliIo, command: string): LiveSettings {
  const regions = [...new Set((flags.region ?? []).map(parseRegion))];
  if (regions.length === 0) throw new UsageError(`${command}: give the regions to list with --region (repeatable)`);
  return {
    regions,
    maxAttempts: wholeNumberSetting("--max-attempts", flags.maxAttempts, MAX_ATTEMPTS_RANGE),
    endpointUrl: flags.endpointUrl !== undefined ? endpointUrlSetting("--endpoint-url", flags.endpointUrl) : endpointFromEnv(io.env),
    credentials: flags.credentials,
  };
}

export interface Live {
  clock: ServiceClock;
  clientFor: CloudHsmClientFor;
  store: CloudHsmBackupStore;
}

/** Builds the clients and resolves credentials once (none: a one-line set-up error, exit 2). */
export async function connect(settings: LiveSettings, io: CliIo): Promise<Live> {
  const clock = new ServiceClock();
  const clientFor = cloudHsmClients({ endpointUrl: settings.endpointUrl, credentials: settings.credentials, clock });
  await requireCredentials(clientFor(settings.regions[0]!), io.env.AWS_PROFILE || undefined);
  const retry = settings.maxAttempts === undefined ? undefined : { maxAttempts: settings.maxAttempts };
  return { clock, clientFor, store: new CloudHsmBackupStore({ clientFor, retry }) };
}

/**
 * The ledger a preview (`apply --dry-run`, the live `plan`) reads the holds of restored
 * backups and the day's deletions from; never written to. Against the local endpoint it is
 * the local alert path's (created on first use, as `apply` does); against AWS the table
 * alone is enough (--ledger-table, LEDGER_TABLE). Without one the preview says on stderr
 * what it cannot see; a table that cannot be read is reported after the listing.
 */
export async function previewLedger(flags: AlertFlags, setup: AlertContext, io: CliIo): Promise<Ledger | undefined> {
  const local = setup.endpointUrl !== undefined && (await isLocalEndpoint(setup.endpointUrl));
  if (!local) {
    const ledger = previewLedgerOnly(flags, setup);
    if (ledger === undefined) io.stderr("note: no ledger configured (--ledger-table, LEDGER_TABLE): this preview cannot see the holds of restored backups\n");
    return ledger;
  }
  try {
    return (await alertSetup(flags, setup))?.path.ledger;
  } catch (err) {
    if (!(err instanceof SetupError)) throw err;
    io.stderr(`note: the local ledger could not be set up (${err.message}): this preview cannot see the holds of restored backups\n`);
    return undefined;
  }
}

/** The preview's line on stderr when its ledger could not be read (the plan is made without holds). */
export function ledgerUnreadNote(error: string): string {
  return `note: the ledger could not be read (${error}): this preview cannot see the holds of restored backups\n`;
}
