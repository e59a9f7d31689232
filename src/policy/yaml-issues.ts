import { type Document, isMap, isScalar, type LineCounter, type Node, visit } from "yaml";
import type { z } from "zod";
import type { SourceIssue } from "../errors.js";

/**
 * Turns YAML parse errors and zod issues into `SourceIssue`s that point at the
 * offending text: the value for a bad value, the key for an unknown key, the
 * enclosing map for a missing key.
 */

export type IssuePath = readonly PropertyKey[];

/** A located YAML document: what every function here needs to place a message. */
export interface YamlSource {
  file: string;
  text: string;
  doc: Document;
  lines: LineCounter;
}

/** `policies[0].keep.daily`; empty for the top level. */
export function formatPath(path: IssuePath): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

function issueAt(src: YamlSource, offset: number | undefined, message: string): SourceIssue {
  const { line, col } = offset === undefined ? { line: 1, col: 1 } : src.lines.linePos(offset);
  return { file: src.file, line, col, message };
}

function withPath(path: IssuePath, message: string): string {
  const where = formatPath(path);
  return where ? `${where}: ${message}` : message;
}

/** The start offset of the node at `path`, or of the nearest ancestor that exists. */
export function offsetOf(src: YamlSource, path: IssuePath): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = src.doc.getIn(path.slice(0, depth), true) as Node | null | undefined;
    const empty = isScalar(node) && node.range?.[0] === node.range?.[1];
    if (node?.range && !empty) return node.range[0];
    // `key:` with no value has no value node: point at the key instead.
    const keyNode = depth > 0 ? keyNodeAt(src, path.slice(0, depth - 1), path[depth - 1]) : undefined;
    if (keyNode?.range) return keyNode.range[0];
  }
  return undefined;
}

/** The key node of `key` in the map at `mapPath`, if both exist. */
export function keyNodeAt(src: YamlSource, mapPath: IssuePath, key: PropertyKey | undefined): Node | undefined {
  const map = src.doc.getIn(mapPath, true);
  if (!isMap(map)) return undefined;
  for (const pair of map.items) {
    if (isScalar(pair.key) && String(pair.key.value) === String(key)) return pair.key;
  }
  return undefined;
}

/** YAML syntax errors, with duplicate keys named. `fatal` is false when only keys repeat. */
export function yamlErrors(src: YamlSource): { issues: SourceIssue[]; fatal: boolean } {
  const issues = src.doc.errors.map((err) => {
    // yaml may point at the indentation before the culprit; point at the culprit
    let offset = err.pos[0];
    while (src.text[offset] === " ") offset++;
    if (err.code === "DUPLICATE_KEY") return issueAt(src, offset, `duplicate key ${duplicateKeyName(src, offset)}`);
    if (err.code === "MULTIPLE_DOCS") {
      return issueAt(src, offset, 'a policy file holds one YAML document; remove the "---" separator');
    }
    return issueAt(src, offset, `invalid YAML: ${err.message}`);
  });
  return { issues, fatal: src.doc.errors.some((err) => err.code !== "DUPLICATE_KEY") };
}

function duplicateKeyName(src: YamlSource, offset: number): string {
  let name = "";
  visit(src.doc, {
    Pair(_, pair) {
      const key = pair.key;
      if (isScalar(key) && key.range?.[0] === offset) {
        name = JSON.stringify(String(key.value));
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return name || JSON.stringify(src.text.slice(offset).split(/[:\n]/, 1)[0]?.trim() ?? "");
}

/** The value at `path` in plain data, with `has` telling a missing key from `null`. */
function lookup(data: unknown, path: IssuePath): { has: boolean; value: unknown } {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return { has: false, value: undefined };
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return { has: true, value };
}

type Def = {
  type: string;
  innerType?: Walk;
  in?: Walk;
  shape?: Record<string, Walk>;
  element?: Walk;
  entries?: Record<string, string | number>;
  values?: unknown[];
  options?: Walk[];
};
type Walk = { _zod: { def: Def } };

function unwrap(s: Walk): Walk {
  const def = s._zod.def;
  const inner = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
  return inner ? unwrap(inner) : s;
}

/** The schema node at `path` (object keys and array items), unwrapped; undefined off the schema. */
function nodeAt(schema: z.ZodType, path: IssuePath): Walk | undefined {
  let node: Walk = unwrap(schema as unknown as Walk);
  for (const key of path) {
    const def: Def = node._zod.def;
    const next: Walk | undefined = def.type === "object" ? def.shape?.[String(key)] : def.type === "array" ? def.element : undefined;
    if (!next) return undefined;
    node = unwrap(next);
  }
  return node;
}

/** The keys a strict object at `path` of `schema` accepts, for "did you mean". */
function knownKeys(schema: z.ZodType, path: IssuePath): string[] {
  const node = nodeAt(schema, path);
  return node?._zod.def.type === "object" ? Object.keys(node._zod.def.shape ?? {}) : [];
}

/** The words a value at `path` may be (enum members, literal words, IANA zones), for "did you mean". */
function knownWords(schema: z.ZodType, path: IssuePath): string[] {
  if (path.at(-1) === "timezone") return Intl.supportedValuesOf("timeZone");
  const words = (node: Walk | undefined): string[] => {
    const def = node && unwrap(node)._zod.def;
    if (!def) return [];
    if (def.type === "enum") return Object.values(def.entries ?? {}).map(String);
    if (def.type === "literal") return (def.values ?? []).filter((v): v is string => typeof v === "string");
    if (def.type === "union") return (def.options ?? []).flatMap(words);
    return [];
  };
  return words(nodeAt(schema, path));
}

/** Levenshtein distance, small strings only. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}

export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const key of candidates) {
    const distance = editDistance(word.toLowerCase(), key.toLowerCase());
    if (!best || distance < best.distance) best = { key, distance };
  }
  return best && best.distance <= Math.min(2, Math.floor(word.length / 2)) ? best.key : undefined;
}

/** One `SourceIssue` per zod issue (one per key for unknown keys). */
export function zodIssues(src: YamlSource, data: unknown, schema: z.ZodType, issues: readonly z.core.$ZodIssue[]): SourceIssue[] {
  const out: SourceIssue[] = [];
  // A map with an unknown key (often a typo) fails its map-wide checks too, e.g. "keep
  // sets no rule" for `keep: {dayly: 7}`; the typo is the news, so only it is reported.
  const withUnknownKeys = new Set(issues.filter((i) => i.code === "unrecognized_keys").map((i) => formatPath(i.path)));
  for (const issue of issues) {
    const path = issue.path;
    if (issue.code === "custom" && withUnknownKeys.has(formatPath(path))) continue;
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(schema, path);
      for (const key of issue.keys) {
        const guess = suggest(key, known);
        const hint = guess ? ` (did you mean "${guess}"?)` : "";
        const keyNode = keyNodeAt(src, path, key);
        out.push(issueAt(src, keyNode?.range?.[0] ?? offsetOf(src, path), withPath(path, `unknown key "${key}"${hint}`)));
      }
      continue;
    }
    const parentPath = path.slice(0, -1);
    const parent = lookup(data, parentPath);
    const isMissingKey =
      path.length > 0 &&
      parent.value !== null &&
      typeof parent.value === "object" &&
      !Array.isArray(parent.value) &&
      !lookup(data, path).has;
    if (isMissingKey) {
      const key = String(path[path.length - 1]);
      out.push(issueAt(src, offsetOf(src, parentPath), withPath(parentPath, `missing required key "${key}"`)));
      continue;
    }
    // A misspelled word (`mode: enforse`, `daily: unlimted`, `timezone: Europe/Berln`).
    const value = lookup(data, path).value;
    const guess = typeof value === "string" ? suggest(value, knownWords(schema, path)) : undefined;
    const hint = guess !== undefined && guess !== value ? ` (did you mean "${guess}"?)` : "";
    out.push(issueAt(src, offsetOf(src, path), withPath(path, `${issue.message}${hint}`)));
  }
  return out;
}

export function byPosition(a: SourceIssue, b: SourceIssue): number {
  return a.line - b.line || a.col - b.col;
}
