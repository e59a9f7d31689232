import { Option } from "commander";
import { collect, once } from "./args.js";

/**
 * Option definitions the commands share, spelled once. This module is loaded for every
 * start (even `--help`), so it imports nothing but commander and the flag parsers: a
 * command's own dependencies (the AWS SDK, zod, yaml) load only when that command runs.
 */

export const policyOption = () =>
  new Option("--policy <file-or-dir>", "policy file or directory (repeatable)").argParser(collect).makeOptionMandatory();
export const nowOption = () => new Option("--now <iso-8601>", "plan as of this time (default: now)").argParser(once("--now"));
export const formatOption = (formats: readonly string[] = ["table", "json"]) => {
  const option = new Option("--format <format>", "output format").choices(formats).default("table");
  return option.argParser(once("--format", option.parseArg));
};
/** A flag that takes one value: given twice, it is refused (see `once`). */
export const single = (flags: string, description: string) => new Option(flags, description).argParser(once(flags.split(" ")[0]!));
export const endpointOption = () =>
  single("--endpoint-url <url>", "send every AWS call to this endpoint (default: AWS_ENDPOINT_URL_CLOUDHSM_V2, then AWS_ENDPOINT_URL)");
export const maxAttemptsOption = () => single("--max-attempts <n>", "attempts per AWS call on throttling and 5xx (default 10)");
export const verboseOption = () => new Option("--verbose", "list every backup with its reasons (default: what changes, and a summary of what is kept)");

/**
 * Where a CLI run's alerts go (see alerts-setup.ts). Flags first, then the environment
 * the Lambdas use (ALERT_TOPIC_ARN, EVENT_BUS_NAME, LEDGER_TABLE, RESTORE_BASE_URL).
 */
export interface AlertFlags {
  topicArn?: string | undefined;
  eventBus?: string | undefined;
  ledgerTable?: string | undefined;
  restoreBaseUrl?: string | undefined;
  revision?: string | undefined;
  /** false with --no-alerts. */
  alerts?: boolean | undefined;
}

export const ledgerTableOption = (description: string) => new Option("--ledger-table <name>", description).argParser(once("--ledger-table"));

/** The alert path's flags; `--no-alerts` only where it makes sense (a deleting run). */
export function alertOptions(opts: { noAlerts?: boolean } = {}): Option[] {
  const options = [
    new Option("--topic-arn <arn>", "SNS topic for alerts (default: ALERT_TOPIC_ARN)").argParser(once("--topic-arn")),
    new Option("--event-bus <name>", "EventBridge bus for events (default: EVENT_BUS_NAME; none: no events)").argParser(once("--event-bus")),
    ledgerTableOption("DynamoDB ledger table (default: LEDGER_TABLE)"),
    new Option("--restore-base-url <url>", "base of restore links (default: RESTORE_BASE_URL)").argParser(once("--restore-base-url")),
    new Option("--revision <rev>", "policy revision recorded in the ledger (default: POLICY_REVISION, else git)").argParser(once("--revision")),
  ];
  if (opts.noAlerts) {
    options.push(new Option("--no-alerts", "send no alert from this run; the ledger is still kept when configured, and the next reminder run announces the deletions (not recommended)"));
  }
  return options;
}
