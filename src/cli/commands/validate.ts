import { loadPolicyFiles } from "../../policy/index.js";
import { describeKeep } from "../../retention/describe.js";
import type { CliIo } from "../io.js";

/** `validate <file-or-dir>...`: every problem at once as file:line:col (exit 2), or a summary (exit 0). */
export async function validateCommand(paths: string[], io: CliIo): Promise<number> {
  const policies = await loadPolicyFiles(paths);
  for (const p of policies) {
    io.stdout(`ok  ${p.name}  ${p.mode}, ${p.timezone}  ${describeKeep(p.keep)}  (${p.source ?? "?"})\n`);
  }
  io.stdout(`${policies.length} ${policies.length === 1 ? "policy" : "policies"} valid.\n`);
  return 0;
}
