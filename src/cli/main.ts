import { createRequire } from "node:module";
import { Command, CommanderError, Option } from "commander";
import { isUserInputError } from "../errors.js";
import { collect, once } from "./args.js";
import { alertOptions } from "./alerts-setup.js";
import { applyCommand } from "./commands/apply.js";
import { remindCommand } from "./commands/remind.js";
import { restoreCommand } from "./commands/restore.js";
import { serveCommand } from "./commands/serve.js";
import { emulatorCommand } from "./commands/emulator.js";
import { planCommand } from "./commands/plan.js";
import { startCommand } from "./commands/start.js";
import { validateCommand } from "./commands/validate.js";
import type { CliIo } from "./io.js";

const VERSION = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

// Options several commands share, spelled once.
const policyOption = () => new Option("--policy <file-or-dir>", "policy file or directory (repeatable)").argParser(collect).makeOptionMandatory();
const nowOption = () => new Option("--now <iso-8601>", "plan as of this time (default: now)").argParser(once("--now"));
const formatOption = () => {
  const option = new Option("--format <format>", "output format").choices(["table", "json"]).default("table");
  return option.argParser(once("--format", option.parseArg));
};
/** A flag that takes one value: given twice, it is refused (see `once`). */
const single = (flags: string, description: string) => new Option(flags, description).argParser(once(flags.split(" ")[0]!));

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command("cloudhsm-retention")
    .description("Policy-as-code retention and recovery for AWS CloudHSM V2 backups.")
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError(true);

  program
    .command("validate")
    .description("check policy files; every problem is reported as file:line:col (exit 2)")
    .argument("<file-or-dir...>", "policy files, or directories of them")
    .action(async (paths: string[]) => setExit(await validateCommand(paths, io)));

  program
    .command("plan")
    .description("show what the policies would keep and delete, and why; changes nothing")
    .addOption(policyOption())
    .addOption(single("--inventory <file>", "output of `aws cloudhsmv2 describe-backups`").makeOptionMandatory())
    .addOption(single("--region <region>", "region of backups that carry no BackupArn"))
    .addOption(nowOption())
    .addOption(formatOption())
    .action(async (opts) => setExit(await planCommand(opts, io)));

  program
    .command("start")
    .description("the main job on the embedded local AWS endpoint: seed an example fleet, apply policies/example.yml")
    .option("--serve", "keep the local endpoint and the restore page (port 8787) up afterwards, and print a restore link to try")
    .action(async (opts) => setExit(await startCommand(opts, io)));

  const apply = program
    .command("apply")
    .description("list backups, plan, and delete what enforce-mode policies plan to delete")
    .addOption(policyOption())
    .requiredOption("--region <region>", "region to sweep (repeatable)", collect)
    .addOption(single("--endpoint-url <url>", "send every AWS call to this endpoint (default: AWS_ENDPOINT_URL_CLOUDHSM_V2, then AWS_ENDPOINT_URL)"))
    .addOption(nowOption())
    .option("--dry-run", "plan and report, delete nothing")
    .addOption(single("--concurrency <n>", "parallel DeleteBackup calls (default 8)"))
    .addOption(single("--max-attempts <n>", "attempts per AWS call on throttling and 5xx (default 10)"))
    .option("--log", "write JSON log lines to stderr")
    .addOption(formatOption());
  for (const option of alertOptions({ noAlerts: true })) apply.addOption(option);
  apply.action(async (opts) => setExit(await applyCommand(opts, io)));

  const remind = program
    .command("remind")
    .description("announce deletions not yet announced, and send each reminder stage once before DeleteTimestamp")
    .addOption(policyOption())
    .requiredOption("--region <region>", "region to look at (repeatable)", collect)
    .addOption(single("--endpoint-url <url>", "send every AWS call to this endpoint (default: AWS_ENDPOINT_URL_CLOUDHSM_V2, then AWS_ENDPOINT_URL)"))
    .addOption(new Option("--now <iso-8601>", "preview as of this time (with --dry-run)").argParser(once("--now")))
    .option("--dry-run", "say what would be sent; send and record nothing")
    .addOption(single("--max-attempts <n>", "attempts per AWS call on throttling and 5xx (default 10)"))
    .option("--log", "write JSON log lines to stderr")
    .addOption(formatOption());
  for (const option of alertOptions()) remind.addOption(option);
  remind.action(async (opts) => setExit(await remindCommand(opts, io)));

  const restore = program
    .command("restore")
    .description("bring a deleted backup back, held for 30 days (or --hold) or kept forever (--pin), recorded and announced")
    .argument("<backup-id>", "the backup to restore")
    .addOption(single("--region <region>", "the backup's region").makeOptionMandatory())
    .addOption(single("--endpoint-url <url>", "send every AWS call to this endpoint (default: AWS_ENDPOINT_URL_CLOUDHSM_V2, then AWS_ENDPOINT_URL)"))
    .addOption(single("--hold <duration>", "keep it from policy this long, e.g. 30d (default 30d)"))
    .option("--pin", "keep it forever (NeverExpires)")
    .option("--policy <file-or-dir>", "policy files, to name the backup's policy in the notice (repeatable)", collect)
    .addOption(formatOption());
  for (const option of alertOptions()) restore.addOption(option);
  restore.action(async (backupId: string, opts) => setExit(await restoreCommand(backupId, opts, io)));

  const serve = program
    .command("serve")
    .description("serve the restore page (the links in alerts) on 127.0.0.1 until Ctrl-C; GET shows, only its buttons restore")
    .addOption(single("--port <port>", "TCP port (default 8787, where local restore links point; 0 = any free port)"))
    .addOption(single("--endpoint-url <url>", "send every AWS call to this endpoint (default: AWS_ENDPOINT_URL_CLOUDHSM_V2, then AWS_ENDPOINT_URL)"))
    .option("--policy <file-or-dir>", "policy files, to name a backup's policy and time zone (repeatable)", collect)
    .addOption(single("--region <region>", "region for the credentials check (default us-east-1); each link names its backup's own region, and the alert path's region is the topic's (see README)"))
    .option("--log", "write JSON log lines to stderr");
  for (const option of alertOptions()) serve.addOption(option);
  serve.action(async (opts) => setExit(await serveCommand(opts, io)));

  program
    .command("emulator")
    .description("serve a local CloudHSM V2 endpoint (AWS JSON 1.1) and admin API on 127.0.0.1 until Ctrl-C")
    .addOption(single("--port <port>", "TCP port (0 = any free port)").makeOptionMandatory())
    .option("--seed <inventory.json>", "backups to load (repeatable); \"example\" seeds the example fleet as of the emulator's clock", collect)
    .addOption(single("--region <region>", "region of unsigned requests and of seeds without BackupArn").default("us-east-1"))
    .addOption(single("--now <iso-8601>", "start the emulated clock at this time (default: now)"))
    .action(async (opts) => setExit(await emulatorCommand(opts, io)));

  return program;
}

/**
 * Runs the CLI and returns the exit code: 0 done, 2 invalid input (nothing changed).
 * User mistakes print one clear message and never a stack trace.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end through here too; their code is 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (isUserInputError(err)) {
      io.stderr(`${err.message}\n`);
      return err.exitCode;
    }
    io.stderr(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
