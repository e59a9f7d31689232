import { fileURLToPath } from "node:url";
import { EXAMPLE_CAPTURED_AT } from "../../local/example.js";
import type { CliIo } from "../io.js";
import { planCommand } from "./plan.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));


/** `npm start`: plan the bundled example fleet with policies/example.yml, as of its capture time. */
export async function startCommand(io: CliIo): Promise<number> {
  return planCommand(
    {
      policy: [`${root}policies/example.yml`],
      inventory: `${root}examples/inventory.json`,
      region: "us-east-1",
      now: EXAMPLE_CAPTURED_AT,
      format: "table",
    },
    io,
  );
}
