import { signalled } from "../signals.js";
import { UsageError } from "../../errors.js";
import { parseInventory } from "../../inventory/parse.js";
import type { Backup } from "../../domain/types.js";
import { parseNow, parseRegion } from "../args.js";
import { readUserFile } from "../files.js";
import type { CliIo } from "../io.js";
import { plural } from "../render/words.js";

/** Kept in step with src/local/example.ts's EXAMPLE_FLEET (that module loads only on demand). */
const EXAMPLE_SEED = "example";

export interface EmulatorOptions {
  port: string;
  seed?: string[] | undefined;
  region: string;
  now?: string | undefined;
}

/**
 * `emulator`: serves CloudHSM V2 (and the admin API) on 127.0.0.1 until SIGINT or
 * SIGTERM, then closes and exits 0. `stopped` is injectable so tests can stop it
 * without signals.
 */
export async function emulatorCommand(opts: EmulatorOptions, io: CliIo, stopped?: Promise<unknown>): Promise<number> {
  const port = parsePort(opts.port);
  const region = parseRegion(opts.region);
  const nowMs = opts.now === undefined ? undefined : parseNow(opts.now, io.nowMs);
  // `--seed example` is the example fleet, generated as of the emulator's clock (a file
  // with fixed dates goes stale: requireBackupWithin halts a few days later). A file
  // named "example" is still reachable as ./example.
  const seeds: Array<{ backups: Backup[] }> = [];
  let seedExample = false;
  for (const file of opts.seed ?? []) {
    if (file === EXAMPLE_SEED) seedExample = true;
    else seeds.push({ backups: parseInventory(await readUserFile(file, "seed inventory"), file, region) });
  }

  // Dynamic on purpose: production code never imports src/local statically, so the
  // emulator can never end up in a Lambda bundle.
  const { startLocalEndpoint, EmulatorClock } = await import("../../local/index.js");
  const clock = new EmulatorClock(nowMs === undefined ? {} : { startMs: nowMs });
  if (seedExample) {
    const { exampleFleet } = await import("../../local/example.js");
    seeds.push({ backups: exampleFleet(clock.nowMs()) });
  }
  let endpoint: Awaited<ReturnType<typeof startLocalEndpoint>>;
  try {
    endpoint = await startLocalEndpoint({ port, defaultRegion: region, clock, seeds });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new UsageError(`--port ${port}: address already in use`);
    if (code === "EACCES") throw new UsageError(`--port ${port}: permission denied`);
    throw err;
  }
  // The example fleet goes on as CloudHSM would: a backup per cluster per day as the clock
  // moves (at each cluster's usual time), so advancing the clock gives new backups to keep.
  const scheduled = seedExample ? endpoint.schedules.set({}).length : 0;
  io.stdout(`listening on ${endpoint.url}\n`);
  // Seeds upsert by BackupId: the same backup from two seeds is one backup.
  const count = new Set(seeds.flatMap((s) => s.backups.map((b) => `${b.region}/${b.backupId}`))).size;
  io.stderr(
    `Local AWS endpoint (CloudHSM V2, SNS, EventBridge, DynamoDB): ${plural(count, "seeded backup")}, default region ${region}, ` +
      `clock at ${clock.toISOString()}${scheduled > 0 ? `; daily backups on for ${plural(scheduled, "cluster")} (POST /_emulator/schedule/stop to stop them)` : ""}; ` +
      `admin API at ${endpoint.url}/_emulator/health. Ctrl-C to stop.\n`,
  );
  // Signal handlers go in only now, so a bad flag never leaves them behind.
  await (stopped ?? signalled());
  await endpoint.close();
  return 0;
}

function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) throw new UsageError(`--port: "${value}" is not a TCP port (0-65535; 0 picks a free one)`);
  return port;
}
