import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { RetentionPolicy } from "../domain/types.js";
import { PolicyValidationError, type SourceIssue, UsageError } from "../errors.js";
import { toRetentionPolicy } from "./convert.js";
import { overlapIssues, type PolicySite } from "./overlap.js";
import { policyFileSchema } from "./schema.js";
import { byPosition, keyNodeAt, offsetOf, type YamlSource, yamlErrors, zodIssues } from "./yaml-issues.js";

/** Where a policy name is written, for the duplicate-name check across files. */
interface NameSite {
  name: string;
  index: number;
  file: string;
  line: number;
  col: number;
}

interface FileCheck {
  policies: RetentionPolicy[];
  /** Where each policy's `select` is written, for the overlap check; one per policy. */
  sites: PolicySite[];
  issues: SourceIssue[];
  names: NameSite[];
}

/** Everything one file says, good and bad; the duplicate-name check is left to the caller. */
function checkPolicyText(text: string, file: string): FileCheck {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const src: YamlSource = { file, text, doc, lines };
  const syntax = yamlErrors(src);
  if (syntax.fatal) return { policies: [], sites: [], issues: syntax.issues, names: [] };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // e.g. an alias to an anchor that does not exist
    const issue: SourceIssue = { file, line: 1, col: 1, message: `invalid YAML: ${(err as Error).message}` };
    return { policies: [], sites: [], issues: [...syntax.issues, issue], names: [] };
  }

  const issues = [...syntax.issues];
  const names = nameSites(src, data);
  const parsed = policyFileSchema.safeParse(data);
  if (!parsed.success) issues.push(...zodIssues(src, data, policyFileSchema, parsed.error.issues));
  const policies =
    parsed.success && issues.length === 0
      ? parsed.data.policies.map((policy, i) => toRetentionPolicy(policy, positionText(src, ["policies", i])))
      : [];
  const sites = policies.map((policy, i) => {
    const offset = keyNodeAt(src, ["policies", i], "select")?.range?.[0] ?? offsetOf(src, ["policies", i]);
    const { line, col } = offset === undefined ? { line: 1, col: 1 } : src.lines.linePos(offset);
    return { policy, index: i, file, line, col };
  });
  return { policies, sites, issues: issues.sort(byPosition), names };
}

function positionText(src: YamlSource, path: PropertyKey[]): string {
  const offset = offsetOf(src, path);
  const { line, col } = offset === undefined ? { line: 1, col: 1 } : src.lines.linePos(offset);
  return `${src.file}:${line}:${col}`;
}

/** Names as written, even in files that fail validation, so every duplicate is reported at once. */
function nameSites(src: YamlSource, data: unknown): NameSite[] {
  const list = (data as { policies?: unknown } | null)?.policies;
  if (!Array.isArray(list)) return [];
  const sites: NameSite[] = [];
  list.forEach((entry: unknown, index) => {
    const name = (entry as { name?: unknown } | null)?.name;
    if (typeof name !== "string") return;
    const offset = offsetOf(src, ["policies", index, "name"]);
    const { line, col } = offset === undefined ? { line: 1, col: 1 } : src.lines.linePos(offset);
    sites.push({ name, index, file: src.file, line, col });
  });
  return sites;
}

function duplicateNameIssues(sites: readonly NameSite[]): SourceIssue[] {
  const first = new Map<string, NameSite>();
  const issues: SourceIssue[] = [];
  for (const site of sites) {
    const earlier = first.get(site.name);
    if (!earlier) {
      first.set(site.name, site);
      continue;
    }
    const message = `policies[${site.index}].name: duplicate policy name "${site.name}", first defined at ${earlier.file}:${earlier.line}`;
    issues.push({ file: site.file, line: site.line, col: site.col, message });
  }
  return issues;
}

/**
 * Reads one policy file's text. Pure: no file system access.
 * Each policy's `source` is `file:line:col` of its list entry.
 *
 * @throws PolicyValidationError with every problem in the text, sorted by position.
 * @example
 * const policies = parsePolicyText(readFileSync("policies/prod.yml", "utf8"), "policies/prod.yml");
 */
export function parsePolicyText(text: string, file: string): RetentionPolicy[] {
  const check = checkPolicyText(text, file);
  const duplicates = duplicateNameIssues(check.names);
  // Overlaps only among valid policies: a broken or ambiguous file's selectors mean little.
  const overlaps = check.issues.length + duplicates.length > 0 ? [] : overlapIssues(check.sites);
  const issues = [...check.issues, ...duplicates, ...overlaps].sort(byPosition);
  if (issues.length > 0) throw new PolicyValidationError(issues);
  return check.policies;
}

/** Policy files by name, in any case (`PROD.YML` too), as the sweep Lambda's loader picks them. */
export const POLICY_FILE = /\.ya?ml$/i;

/**
 * Policy files under a directory, recursively, in a stable order (hidden entries skipped).
 * Symbolic links are followed, as `serverless package` follows them when it bundles
 * `policies/**`: what the CLI validates must be exactly what the Lambda enforces. A link
 * back into a folder already being read is read once.
 */
async function policyFilesIn(dir: string, seen = new Set<string>()): Promise<string[]> {
  const real = await realpath(dir);
  if (seen.has(real)) return [];
  seen.add(real);
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    const isDir = entry.isSymbolicLink() ? (await stat(path).catch(() => undefined))?.isDirectory() : entry.isDirectory();
    if (isDir) files.push(...(await policyFilesIn(path, seen)));
    else if (POLICY_FILE.test(entry.name)) files.push(path);
  }
  return files;
}

async function expand(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UsageError(`policy path not found: ${path}`);
  if (!info.isDirectory()) return [path];
  const files = await policyFilesIn(path);
  if (files.length === 0) throw new UsageError(`no policy files (*.yml, *.yaml) in directory ${path}`);
  return files;
}

/**
 * Loads policies from files and directories (every `*.yml`/`*.yaml` inside,
 * recursively, sorted). Validates everything before throwing, so one run shows
 * every problem in every file, including names repeated across files and policies
 * whose selectors can pick the same group.
 *
 * @throws UsageError for a missing path or a directory without policy files.
 * @throws PolicyValidationError with every issue, ordered by file then position.
 * @example
 * const policies = await loadPolicyFiles(["policies"]);
 */
export async function loadPolicyFiles(paths: readonly string[]): Promise<RetentionPolicy[]> {
  if (paths.length === 0) throw new UsageError("no policy files given");
  const files: string[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    for (const file of await expand(path)) {
      // the same file named twice (`policies` and `policies/prod.yml`) is read once
      if (!seen.has(resolve(file))) files.push(file);
      seen.add(resolve(file));
    }
  }

  const texts: PolicyText[] = [];
  for (const file of files) {
    const text = await readFile(file, "utf8").catch((err: Error) => {
      throw new UsageError(`cannot read policy file ${file}: ${err.message}`);
    });
    texts.push({ file, text });
  }
  return loadPolicyTexts(texts);
}

/** One policy file's name (as messages show it) and text. */
export interface PolicyText {
  file: string;
  text: string;
}

/**
 * The checks of `loadPolicyFiles` on texts already read (from git, for `plan --compare
 * main:policies/`): each file, then names repeated across files and overlapping selectors.
 * Pure: no file system access.
 *
 * @throws PolicyValidationError with every issue, ordered by file then position.
 */
export function loadPolicyTexts(texts: readonly PolicyText[]): RetentionPolicy[] {
  const checks = texts.map(({ file, text }) => checkPolicyText(text, file));
  const duplicates = duplicateNameIssues(checks.flatMap((check) => check.names));
  // Overlaps only among valid policies: a broken or ambiguous file's selectors mean little.
  const valid = duplicates.length === 0 && checks.every((check) => check.issues.length === 0);
  const overlaps = valid ? overlapIssues(checks.flatMap((check) => check.sites)) : [];
  const issues = texts.flatMap(({ file }, i) =>
    [...(checks[i]?.issues ?? []), ...[...duplicates, ...overlaps].filter((issue) => issue.file === file)].sort(byPosition),
  );
  if (issues.length > 0) throw new PolicyValidationError(issues);
  return checks.flatMap((check) => check.policies);
}
