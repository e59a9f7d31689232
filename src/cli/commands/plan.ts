import { writeFile } from "node:fs/promises";
import type { Backup, Plan, RetentionPolicy } from "../../domain/types.js";
import { PolicyValidationError, UsageError } from "../../errors.js";
import { parseInventory } from "../../inventory/parse.js";
import { type LedgerFacts, ledgerFacts, listAndPlan, type RegionListing } from "../../jobs/list.js";
import { SILENT } from "../../jobs/logger.js";
import type { Ledger } from "../../ledger/port.js";
import { loadPolicyFiles } from "../../policy/index.js";
import { diffPlans } from "../../retention/diff.js";
import { planRetention } from "../../retention/plan.js";
import { parseFormat, parseNow, parseRegion } from "../args.js";
import { loadComparePolicies } from "../compare-source.js";
import { readUserFile } from "../files.js";
import { type CliIo, useColor } from "../io.js";
import type { LiveFlags } from "../live.js";
import type { AlertFlags } from "../options.js";
import { progressLine, reportingStore } from "../progress.js";
import type { CompareInput } from "../render/compare.js";
import { COLOR, PLAIN } from "../render/table.js";
import { renderPlanOutput } from "../render/plan-output.js";

export const PLAN_FORMATS = ["table", "json", "markdown", "html"] as const;

export interface PlanOptions extends LiveFlags, Pick<AlertFlags, "ledgerTable"> {
  policy: string[];
  inventory?: string | undefined;
  now?: string | undefined;
  compare?: string | undefined;
  format: string;
  out?: string | undefined;
  verbose?: boolean | undefined;
}

/** The backups to plan and where they came from. */
interface Source {
  backups: Backup[];
  nowMs: number;
  /** Live: the regions listed successfully (the plan covers those only). */
  regions?: string[] | undefined;
  listings?: RegionListing[] | undefined;
  /** Live, with a ledger: the holds of restored backups and the day's deletions, as apply reads them. */
  ledger?: Ledger | undefined;
  facts?: LedgerFacts | undefined;
}

/**
 * `plan`: what the policies would do, with a reason for every backup; changes nothing.
 * Plans an inventory file (`--inventory`), or lists the regions live as `apply` does.
 * `--compare` plans the same backups under other policies too and shows the difference.
 * Exit 0; 3 a region could not be listed; 4 a guard halted an enforce-mode policy.
 */
export async function planCommand(opts: PlanOptions, io: CliIo): Promise<number> {
  const format = parseFormat(opts.format, PLAN_FORMATS);
  const compared = opts.compare !== undefined;
  if (opts.inventory !== undefined) {
    for (const [flag, value] of [["--endpoint-url", opts.endpointUrl], ["--max-attempts", opts.maxAttempts], ["--ledger-table", opts.ledgerTable]] as const) {
      if (value !== undefined) throw new UsageError(`${flag}: only for a live plan; with --inventory nothing is listed`);
    }
    const [first, second] = opts.region ?? [];
    if (second !== undefined) {
      throw new UsageError(`--region: given more than once ("${first}", then "${second}"); with --inventory it takes the one region the inventory was listed in`);
    }
  }
  // The AWS SDK (CloudHSM, and DynamoDB for the ledger) loads only for a live plan: a plan of
  // an inventory file, as in a pre-commit hook, starts without it.
  const live = opts.inventory === undefined ? await import("../live.js") : undefined;
  const settings = live?.liveSettings(opts, io, "plan");
  const givenNowMs = opts.now === undefined ? undefined : parseNow(opts.now, io.nowMs);
  const policies = await validated("--policy", opts.policy.join(", "), "the policies", compared, () => loadPolicyFiles(opts.policy));
  const old = opts.compare === undefined ? undefined : await loadComparePolicies(opts.compare, process.cwd());

  let source: Source;
  let plan: Plan;
  if (opts.inventory !== undefined) {
    const region = opts.region?.[0] === undefined ? undefined : parseRegion(opts.region[0]);
    const backups = parseInventory(await readUserFile(opts.inventory, "inventory"), opts.inventory, region);
    source = { backups, nowMs: givenNowMs ?? io.nowMs() };
    plan = planRetention({ backups, policies, nowMs: source.nowMs });
  } else {
    // What apply --dry-run does (src/jobs/list.ts): list, read the ledger when there is one,
    // plan; "now" is the endpoint's clock unless --now.
    const { clock, store: awsStore } = await live!.connect(settings!, io);
    const { regions, endpointUrl } = settings!;
    const setup = { env: io.env, endpointUrl, credentials: opts.credentials, clock, regions, policyPaths: opts.policy, log: SILENT, warn: (line: string) => io.stderr(`${line}\n`) };
    const ledger = await live!.previewLedger(opts, setup, io);
    const progress = progressLine(io);
    const listed = await listAndPlan({ policies, regions, store: reportingStore(awsStore, progress).store, nowMs: () => givenNowMs ?? clock.nowMs(), ledger, log: SILENT });
    progress.done();
    if (listed.facts.error !== undefined) io.stderr(live!.ledgerUnreadNote(listed.facts.error));
    source = { backups: listed.backups, nowMs: listed.nowMs, regions: listed.listedRegions, listings: listed.listings, ledger, facts: listed.facts };
    plan = listed.plan;
    // Said in the plan itself, not only on stderr: a pull-request comment would otherwise list
    // restored (held) backups as deletions that apply will not make.
    if (ledger === undefined || listed.facts.error !== undefined) {
      const why = ledger === undefined ? "no ledger is configured (--ledger-table, LEDGER_TABLE)" : `the ledger could not be read (${listed.facts.error})`;
      plan.warnings.push({ kind: "no-ledger", backupIds: [], message: `This plan cannot see the holds of restored backups nor the deletions already made today (maxDeletionsPerDay): ${why}. A backup listed here for deletion may be held, and apply would keep it.` });
    }
  }

  const compare = old && (await comparison(opts.compare!, old, policies, plan, source));
  const style = useColor(io) && opts.out === undefined ? COLOR : PLAIN;
  const text = renderPlanOutput(format, { plan, policies, compare, listings: source.listings, style, verbose: opts.verbose });
  if (opts.out === undefined) io.stdout(text);
  else await writeOut(opts.out, text, io);

  const failed = source.listings?.some((l) => l.error !== undefined) ?? false;
  // As `apply --dry-run`: 4 when a guard halted an enforce-mode policy, so CI can tell.
  const enforced = new Set(policies.filter((p) => p.mode === "enforce").map((p) => p.name));
  return failed ? 3 : plan.halts.some((h) => enforced.has(h.policy)) ? 4 : 0;
}

/** The same backups, "now" and ledger facts, planned under the old policies. */
async function comparison(base: string, old: RetentionPolicy[], policies: RetentionPolicy[], after: Plan, source: Source): Promise<CompareInput> {
  const facts = source.ledger && source.facts?.error === undefined ? await ledgerFacts(source.ledger, old, source.regions ?? [], source.backups, source.nowMs) : source.facts;
  const before = planRetention({ backups: source.backups, policies: old, nowMs: source.nowMs, regions: source.regions, deletedInLastDay: facts?.deletedInLastDay, holds: facts?.holds });
  return { base, before, after, diff: diffPlans(before, after, old, policies) };
}

/** With --compare, invalid policies on either side are said to be on that side. */
async function validated<T>(flag: string, what: string, side: string, compared: boolean, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (!compared || !(err instanceof PolicyValidationError)) throw err;
    throw new UsageError(`${flag} ${what}: ${side} are not valid, so the change cannot be shown:\n${err.message}`);
  }
}

async function writeOut(path: string, text: string, io: CliIo): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (err) {
    throw new UsageError(`--out ${path}: cannot write it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  io.stderr(`wrote ${path} (${Math.ceil(Buffer.byteLength(text) / 1024)} KB)\n`);
}
