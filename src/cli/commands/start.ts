import { fileURLToPath } from "node:url";
import type { CliIo } from "../io.js";
import { signalled } from "../signals.js";
import { applyCommand } from "./apply.js";

const examplePolicy = fileURLToPath(new URL("../../../policies/example.yml", import.meta.url));

/** The embedded endpoint accepts any keys; these keep the SDK from looking for real ones. */
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/**
 * `npm start`: the main job on the embedded default. Starts the local AWS endpoint on a
 * free port, seeds the example fleet, runs `apply` with policies/example.yml through the
 * same code path as production, prints the plan and the outcome. `--serve` keeps the
 * endpoint up afterwards for the AWS CLI or SDK.
 */
export async function startCommand(opts: { serve?: boolean }, io: CliIo, stopped?: Promise<unknown>): Promise<number> {
  // Dynamic on purpose: production code never imports src/local statically.
  const { startLocalEndpoint } = await import("../../local/index.js");
  const { exampleFleet, EXAMPLE_REGIONS } = await import("../../local/example.js");
  const backups = exampleFleet(io.nowMs());
  const endpoint = await startLocalEndpoint({ port: 0, seeds: [{ backups }] });
  try {
    io.stderr(`Local AWS endpoint at ${endpoint.url} with ${backups.length} backups in ${EXAMPLE_REGIONS.join(", ")}.\n\n`);
    const code = await applyCommand(
      { policy: [examplePolicy], region: EXAMPLE_REGIONS, endpointUrl: endpoint.url, format: "table", credentials: LOCAL_CREDENTIALS },
      io,
    );
    if (opts.serve) {
      io.stdout(
        `\nThe local endpoint stays up at ${endpoint.url} (Ctrl-C to stop). Try:\n` +
          `  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws cloudhsmv2 describe-backups --endpoint-url ${endpoint.url} --region us-east-1\n` +
          `  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local npx cloudhsm-retention apply --policy policies/example.yml --region us-east-1 --endpoint-url ${endpoint.url} --dry-run\n`,
      );
      await (stopped ?? signalled());
    }
    return code;
  } finally {
    await endpoint.close();
  }
}
