import { Command, CommanderError, Option } from "commander";
import { isUserInputError } from "../errors.js";
import { collect } from "./args.js";
import { EXAMPLES } from "./help.js";
import type { CliIo } from "./io.js";
import { packageVersion } from "./package-root.js";
import {
  alertOptions,
  ledgerTableOption,
  endpointOption,
  formatOption,
  maxAttemptsOption,
  nowOption,
  policyOption,
  single,
  verboseOption,
} from "./options.js";

/**
 * The command line. Only commander, the option definitions and this file load at start:
 * each command's module (and with it zod, yaml or the AWS SDK) is imported when that
 * command runs, so `--version` and `--help` answer about as fast as Node starts.
 */

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command("cloudhsm-retention")
    .description("Policy-as-code retention and recovery for AWS CloudHSM V2 backups.")
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError(true)
    .addHelpText("after", EXAMPLES.program);

  program
    .command("validate")
    .description("check policy files; every problem is reported as file:line:col (exit 2)")
    .argument("<file-or-dir...>", "policy files, or directories of them")
    .addHelpText("after", EXAMPLES.validate)
    .action(async (paths: string[]) => setExit(await (await import("./commands/validate.js")).validateCommand(paths, io)));

  const plan = program
    .command("plan")
    .description("show what the policies would keep and delete, and why; changes nothing (lists AWS live unless --inventory)")
    .addOption(policyOption())
    .addOption(single("--inventory <file>", "plan this output of `aws cloudhsmv2 describe-backups` instead of listing AWS"))
    .addOption(new Option("--region <region>", "region to list (repeatable); with --inventory, the region of backups that carry no BackupArn").argParser(collect))
    .addOption(endpointOption())
    .addOption(maxAttemptsOption())
    .addOption(nowOption())
    .addOption(single("--compare <old-policies>", "also plan under these policies and show the difference: a file, a directory, or a git revision as rev:path (main:policies/)"))
    .addOption(formatOption(["table", "json", "markdown", "html"]))
    .addOption(single("--out <file>", "write the output to this file instead of stdout"))
    .addOption(verboseOption())
    // A live plan respects the ledger's holds of restored backups and daily caps, as apply does.
    .addOption(ledgerTableOption("DynamoDB ledger table whose holds of restored backups a live plan respects (default: LEDGER_TABLE; local: the local ledger)"))
    .addHelpText("after", EXAMPLES.plan);
  plan.action(async (opts) => setExit(await (await import("./commands/plan.js")).planCommand(opts, io)));

  program
    .command("start")
    .description("the main job on the embedded local AWS endpoint: seed an example fleet, apply policies/example.yml")
    .option("--serve", "keep the local endpoint and the restore page (port 8787) up afterwards, and print a restore link to try")
    .addOption(verboseOption())
    .addHelpText("after", EXAMPLES.start)
    .action(async (opts) => setExit(await (await import("./commands/start.js")).startCommand(opts, io)));

  const apply = program
    .command("apply")
    .description("list backups, plan, and delete what enforce-mode policies plan to delete")
    .addOption(policyOption())
    .requiredOption("--region <region>", "region to sweep (repeatable)", collect)
    .addOption(endpointOption())
    .addOption(nowOption())
    .option("--dry-run", "plan and report, delete nothing (as `plan` without --inventory)")
    .addOption(single("--concurrency <n>", "parallel DeleteBackup calls (default 8)"))
    .addOption(maxAttemptsOption())
    .option("--log", "write JSON log lines to stderr")
    .addOption(formatOption())
    .addOption(verboseOption());
  for (const option of alertOptions({ noAlerts: true })) apply.addOption(option);
  apply.addHelpText("after", EXAMPLES.apply);
  apply.action(async (opts) => setExit(await (await import("./commands/apply.js")).applyCommand(opts, io)));

  const remind = program
    .command("remind")
    .description("announce deletions not yet announced, and send each reminder stage once before DeleteTimestamp")
    .addOption(policyOption())
    .requiredOption("--region <region>", "region to look at (repeatable)", collect)
    .addOption(endpointOption())
    .addOption(single("--now <iso-8601>", "preview as of this time (with --dry-run)"))
    .option("--dry-run", "say what would be sent; send and record nothing")
    .addOption(maxAttemptsOption())
    .option("--log", "write JSON log lines to stderr")
    .addOption(formatOption());
  for (const option of alertOptions()) remind.addOption(option);
  remind.addHelpText("after", EXAMPLES.remind);
  remind.action(async (opts) => setExit(await (await import("./commands/remind.js")).remindCommand(opts, io)));

  const restore = program
    .command("restore")
    .description("bring a deleted backup back, held for 30 days (or --hold) or kept forever (--pin), recorded and announced")
    .argument("<backup-id>", "the backup to restore")
    .addOption(single("--region <region>", "the backup's region").makeOptionMandatory())
    .addOption(endpointOption())
    .addOption(single("--hold <duration>", "keep it from policy this long, e.g. 30d (default 30d)"))
    .option("--pin", "keep it forever (NeverExpires)")
    .option("--policy <file-or-dir>", "policy files, to name the backup's policy in the notice (repeatable)", collect)
    .addOption(formatOption());
  for (const option of alertOptions()) restore.addOption(option);
  restore.addHelpText("after", EXAMPLES.restore);
  restore.action(async (backupId: string, opts) => setExit(await (await import("./commands/restore.js")).restoreCommand(backupId, opts, io)));

  const serve = program
    .command("serve")
    .description("serve the restore page (the links in alerts) on 127.0.0.1 until Ctrl-C; GET shows, only its buttons restore")
    .addOption(single("--port <port>", "TCP port (default 8787, where local restore links point; 0 = any free port)"))
    .addOption(endpointOption())
    .option("--policy <file-or-dir>", "policy files, to name a backup's policy and time zone (repeatable)", collect)
    .addOption(single("--region <region>", "region for the credentials check (default us-east-1); each link names its backup's own region, and the alert path's region is the topic's (see README)"))
    .option("--log", "write JSON log lines to stderr");
  for (const option of alertOptions()) serve.addOption(option);
  serve.addHelpText("after", EXAMPLES.serve);
  serve.action(async (opts) => setExit(await (await import("./commands/serve.js")).serveCommand(opts, io)));

  program
    .command("emulator")
    .description("serve a local CloudHSM V2 endpoint (AWS JSON 1.1) and admin API on 127.0.0.1 until Ctrl-C")
    .addOption(single("--port <port>", "TCP port (0 = any free port)").makeOptionMandatory())
    .option("--seed <inventory.json>", "backups to load (repeatable); \"example\" seeds the example fleet as of the emulator's clock", collect)
    .addOption(single("--region <region>", "region of unsigned requests and of seeds without BackupArn").default("us-east-1"))
    .addOption(single("--now <iso-8601>", "start the emulated clock at this time (default: now)"))
    .addHelpText("after", EXAMPLES.emulator)
    .action(async (opts) => setExit(await (await import("./commands/emulator.js")).emulatorCommand(opts, io)));

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
