import { CloudHsmBackupStore } from "../../aws/cloudhsm-store.js";
import { cloudHsmClients, endpointFromEnv, requireCredentials } from "../../aws/clients.js";
import { ServiceClock } from "../../aws/service-clock.js";
import { endpointUrlSetting } from "../../domain/settings.js";
import { SetupError, UsageError } from "../../errors.js";
import { jsonLinesLogger, SILENT } from "../../jobs/logger.js";
import { newRunId } from "../../jobs/run-id.js";
import { loadPolicyFiles } from "../../policy/index.js";
import { restorePage } from "../../restore/http.js";
import { type AlertFlags, alertSetup } from "../alerts-setup.js";
import { parseRegion } from "../args.js";
import { type LocalHttpServer, serveHttpApi } from "../http-adapter.js";
import type { CliIo } from "../io.js";
import { localLinkSecrets } from "../link-secret.js";
import { isLocalEndpoint, LOCAL_NAMES } from "../local-resources.js";
import { signalled } from "../signals.js";

export interface ServeOptions extends AlertFlags {
  /** Default 8787, where local restore links point (LOCAL_NAMES.restoreBaseUrl). */
  port?: string | undefined;
  endpointUrl?: string | undefined;
  policy?: string[] | undefined;
  /** The region whose credentials are checked at start; each link names its backup's own region. */
  region?: string | undefined;
  log?: boolean | undefined;
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

export interface RestoreServer extends LocalHttpServer {
  /** Where the links point (RESTORE_BASE_URL, or the local default), when known. */
  publicBaseUrl: string | undefined;
}

export const DEFAULT_SERVE_PORT = 8787;

function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) throw new UsageError(`--port: "${value}" is not a TCP port (0-65535; 0 picks a free one)`);
  return port;
}

/**
 * The restore page (src/restore/http.ts, the handler the Lambda runs) on 127.0.0.1, with
 * the CLI's alert path: against the local endpoint the topic, bus and ledger are created on
 * first use and the link secret is the generated local one (so links printed by `npm start`
 * and `apply` against the same endpoint open here); against AWS, the stack's settings.
 */
export async function startRestoreServer(opts: ServeOptions, io: CliIo): Promise<RestoreServer> {
  const port = parsePort(opts.port ?? String(DEFAULT_SERVE_PORT));
  const region = parseRegion(opts.region ?? "us-east-1");
  const endpointUrl = opts.endpointUrl !== undefined ? endpointUrlSetting("--endpoint-url", opts.endpointUrl) : endpointFromEnv(io.env);
  if (opts.alerts === false) throw new UsageError("serve: --no-alerts would restore without the hold that keeps the next run from deleting it again");
  const policies = opts.policy?.length ? await loadPolicyFiles(opts.policy) : [];
  const clock = new ServiceClock();
  const clientFor = cloudHsmClients({ endpointUrl, credentials: opts.credentials, clock });
  await requireCredentials(clientFor(region), io.env.AWS_PROFILE || undefined);
  const log = opts.log ? jsonLinesLogger(io.stderr, () => clock.nowMs()) : SILENT;
  const warn = (line: string) => io.stderr(`${line}\n`);
  const alerts = await alertSetup(opts, { env: io.env, endpointUrl, credentials: opts.credentials, clock, regions: [region], policyPaths: opts.policy ?? [], log, warn });
  if (!alerts) throw new SetupError("serve: the alert path is not configured");
  const local = endpointUrl !== undefined && (await isLocalEndpoint(endpointUrl));
  // Both the current and the previous secret open links, as in the Lambda.
  const keys = await localLinkSecrets(io.env, { local });
  const publicBaseUrl = opts.restoreBaseUrl ?? (io.env.RESTORE_BASE_URL || undefined) ?? (local ? LOCAL_NAMES.restoreBaseUrl : undefined);
  const page = restorePage({
    store: new CloudHsmBackupStore({ clientFor }),
    // One long-lived process: a run ID per request, as each Lambda invocation has.
    alerts: () => ({ ...alerts, path: { ...alerts.path, runId: newRunId(clock.nowMs()) } }),
    policies: async () => policies,
    clock,
    log,
    publicBaseUrl,
  });
  let server: LocalHttpServer;
  try {
    server = await serveHttpApi(page, { port, context: () => ({ linkSecrets: keys }), accessLog: (line) => io.stderr(`${line}\n`) });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new UsageError(`--port ${port}: address already in use`, { cause: err });
    if (code === "EACCES") throw new UsageError(`--port ${port}: permission denied`, { cause: err });
    throw err;
  }
  return { ...server, publicBaseUrl };
}

/** `serve`: the restore page on 127.0.0.1 until Ctrl-C (or SIGTERM); `stopped` lets tests end it. */
export async function serveCommand(opts: ServeOptions, io: CliIo, stopped?: Promise<unknown>): Promise<number> {
  const server = await startRestoreServer(opts, io);
  try {
    io.stdout(`Restore page at ${server.url} (Ctrl-C to stop): open a restore link from an alert; only its buttons act.\n`);
    if (server.publicBaseUrl && new URL(server.publicBaseUrl).origin !== new URL(server.url).origin) {
      io.stderr(
        `note: restore links point at ${server.publicBaseUrl} (RESTORE_BASE_URL or --restore-base-url), not here; ` +
          `open one by replacing its start with ${server.url}, or run apply with --restore-base-url ${server.url}\n`,
      );
    }
    await (stopped ?? signalled());
  } finally {
    await server.close();
  }
  return 0;
}
