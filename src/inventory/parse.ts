import { LineCounter, parseDocument } from "yaml";
import { BACKUP_STATES, type Backup } from "../domain/types.js";
import { InventoryError, type SourceIssue } from "../errors.js";
import { type AwsBackupLike, readEpochMs, regionFromArn, toDomainBackup } from "./convert.js";

type Path = Array<string | number>;
interface PathIssue {
  path: Path;
  message: string;
  /** Point at the key of the last path element rather than at its value. */
  atKey?: boolean;
}

/**
 * Reads what `aws cloudhsmv2 describe-backups` prints (`{"Backups": [...]}`).
 * Timestamps may be ISO-8601 strings or epoch seconds. A backup's region comes from
 * its `BackupArn` when present, otherwise from `defaultRegion`.
 *
 * JSON.parse does the work on the fast path; only when something is wrong is the text
 * parsed again with positions, so that every problem is reported as file:line:col.
 */
export function parseInventory(text: string, file: string, defaultRegion?: string): Backup[] {
  // A UTF-8 byte-order mark (Windows editors, PowerShell's `>`) is not content.
  if (text.startsWith("\uFEFF")) text = text.slice(1);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InventoryError([syntaxIssue(text, file, (err as Error).message)]);
  }
  const issues = checkInventory(data, defaultRegion);
  if (issues.length > 0) {
    const located = inFileOrder(locate(text, file, issues));
    throw new InventoryError(located.slice(0, MAX_REPORTED_ISSUES), Math.max(0, located.length - MAX_REPORTED_ISSUES));
  }
  const backups = (data as { Backups: AwsBackupLike[] }).Backups;
  return backups.map((raw) => toDomainBackup(raw, defaultRegion as string));
}

function checkInventory(data: unknown, defaultRegion: string | undefined): PathIssue[] {
  if (!isObject(data) || !Array.isArray(data.Backups)) {
    return [{ path: [], message: 'expected {"Backups": [...]} as printed by "aws cloudhsmv2 describe-backups"' }];
  }
  const issues: PathIssue[] = [];
  // `describe-backups --max-items N` prints one page and a NextToken to resume from.
  // A plan from one page would be wrong (a group's newest or oldest backups missing),
  // as `apply` plans nothing in a region whose listing failed part-way.
  if (data.NextToken !== undefined && data.NextToken !== null && data.NextToken !== "") {
    issues.push({
      path: ["NextToken"],
      atKey: true,
      message:
        "NextToken: this is one page of an incomplete listing, and a plan from it would be wrong; " +
        "run aws cloudhsmv2 describe-backups without --max-items (it fetches every page) and plan again",
    });
  }
  const seen = new Map<string, number>();
  data.Backups.forEach((raw: unknown, i: number) => {
    const at = (key?: string): Path => (key === undefined ? ["Backups", i] : ["Backups", i, key]);
    if (!isObject(raw)) return issues.push({ path: at(), message: `Backups[${i}]: expected an object` });
    const b = raw as AwsBackupLike & Record<string, unknown>;
    const name = `Backups[${i}]`;
    if (typeof b.BackupId !== "string" || b.BackupId === "") {
      issues.push({ path: at("BackupId"), message: `${name}.BackupId: expected a backup ID string` });
    }
    if (b.BackupState === undefined || b.BackupState === null) {
      issues.push({ path: at(), message: `${name}: missing BackupState (one of ${BACKUP_STATES.join(", ")})` });
    } else if (typeof b.BackupState !== "string" || !(BACKUP_STATES as readonly string[]).includes(b.BackupState)) {
      issues.push({ path: at("BackupState"), message: `${name}.BackupState: expected one of ${BACKUP_STATES.join(", ")}` });
    }
    for (const key of ["CreateTimestamp", "DeleteTimestamp", "CopyTimestamp"] as const) {
      const value = b[key];
      if ((value === undefined || value === null) && key !== "CreateTimestamp") continue;
      const reading = typeof value === "number" || typeof value === "string" ? readEpochMs(value) : undefined;
      if (reading?.ok !== true) {
        const problem = reading?.problem ?? "expected an ISO-8601 time with a zone or epoch seconds, within the range of a date";
        issues.push({ path: at(key), message: `${name}.${key}: ${problem}` });
      }
    }
    if (b.NeverExpires != null && typeof b.NeverExpires !== "boolean") {
      issues.push({ path: at("NeverExpires"), message: `${name}.NeverExpires: expected true or false` });
    }
    // Both optional in the API: ClusterId is absent once the cluster is gone, and a
    // cross-region copy may lack SourceCluster. The engine keeps such backups out of every
    // group; here they are read, and only a value that is there but wrong is refused.
    for (const key of ["ClusterId", "SourceCluster"] as const) {
      const value = b[key];
      if (value != null && (typeof value !== "string" || value === "")) {
        issues.push({ path: at(key), message: `${name}.${key}: expected a cluster ID string` });
      }
    }
    if (b.TagList != null && !validTags(b.TagList)) {
      issues.push({ path: at("TagList"), message: `${name}.TagList: expected [{"Key": "...", "Value": "..."}]` });
    }
    const region = regionFromArn(b.BackupArn) ?? defaultRegion;
    if (region === undefined) {
      issues.push({ path: at(), message: `${name}: no region: pass --region, or include BackupArn in the inventory` });
    }
    // Backup IDs are unique across regions (a cross-region copy gets a new ID): the same
    // ID twice, in any regions, is one backup listed twice, as concatenated files give.
    if (typeof b.BackupId === "string") {
      const first = seen.get(b.BackupId);
      if (first !== undefined) {
        issues.push({ path: at("BackupId"), message: `${name}.BackupId: ${b.BackupId} already appears at Backups[${first}]` });
      } else seen.set(b.BackupId, i);
    }
  });
  return issues;
}

function validTags(value: unknown): boolean {
  return Array.isArray(value) && value.every((t) => isObject(t) && typeof t.Key === "string" && (t.Value === undefined || typeof t.Value === "string"));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Positions for path issues: JSON is YAML 1.2, so the yaml package can point into it. */
function locate(text: string, file: string, issues: PathIssue[]): SourceIssue[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return issues.map(({ path, message, atKey }) => {
    let node: unknown;
    if (atKey) {
      type MapNode = { items?: Array<{ key?: { value?: unknown } }> } | undefined;
      const parent = (path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true)) as MapNode;
      node = parent?.items?.find((pair) => pair.key?.value === path.at(-1))?.key;
    }
    for (let depth = path.length; depth >= 0 && !node; depth--) node = doc.getIn(path.slice(0, depth), true);
    const offset = (node as { range?: [number, number, number] } | undefined)?.range?.[0] ?? 0;
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col, message };
  });
}

/** Problems reported at once; a file that is wrong throughout says so in one screen. */
export const MAX_REPORTED_ISSUES = 20;

/** By position in the file (Array.sort is stable: one position keeps the checks' order). */
function inFileOrder(issues: SourceIssue[]): SourceIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.col - b.col);
}

/** Node's JSON.parse messages carry "position N"; turn that into line and column. */
function syntaxIssue(text: string, file: string, message: string): SourceIssue {
  // YAML or text output (`--output yaml|text`) fails at its first character, or its last.
  const first = text.replace(/^\uFEFF/, "").trimStart()[0];
  if (first !== undefined && first !== "{" && first !== "[") {
    return { file, line: 1, col: 1, message: 'not JSON: an inventory is what `aws cloudhsmv2 describe-backups --output json` prints ({"Backups": [...]})' };
  }
  const pos = Number(/position (\d+)/.exec(message)?.[1] ?? text.length);
  const before = text.slice(0, pos).split("\n");
  const line = before.length;
  const col = (before[before.length - 1]?.length ?? 0) + 1;
  return { file, line, col, message: `invalid JSON: ${message.replace(/ in JSON at position \d+.*$/, "")}` };
}
