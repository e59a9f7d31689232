import { invalidParameter } from "./errors.js";

/**
 * Reading query-protocol parameters: flat `Name=value` pairs, lists as
 * `Tags.member.N.Key`, maps as `Attributes.entry.N.key` / `.value`. The body and the URL
 * query string both count, as AWS accepts either.
 */
export class QueryParams {
  constructor(private readonly params: URLSearchParams) {}

  static of(body: Buffer, query: URLSearchParams): QueryParams {
    const params = new URLSearchParams(body.toString("utf8"));
    for (const [k, v] of query) if (!params.has(k)) params.append(k, v);
    return new QueryParams(params);
  }

  get(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  /** A parameter the caller must send; SNS answers `Invalid parameter: <Name>` without it. */
  require(name: string): string {
    const value = this.get(name);
    if (value === undefined || value === "") throw invalidParameter(`Invalid parameter: ${name}`);
    return value;
  }

  /** `true`/`false` (any case); absent → undefined. */
  boolean(name: string): boolean | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    if (/^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
    throw invalidParameter(`Invalid parameter: ${name} Reason: expected true or false`);
  }

  /** A string map sent as `<prefix>.entry.N.key` / `.value`. */
  map(prefix: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const entry of this.structures(prefix, "entry")) {
      const key = entry.get("key");
      if (key === undefined) throw invalidParameter(`Invalid parameter: ${prefix} Reason: an entry has no key`);
      out.set(key, entry.get("value") ?? "");
    }
    return out;
  }

  /**
   * A list of structures sent as `<prefix>.member.N.<field>` (or `.entry.N.` for maps of
   * structures, as MessageAttributes are): each item's fields by name, in index order.
   */
  structures(prefix: string, kind: "member" | "entry" = "member"): Array<Map<string, string>> {
    return this.indexes(`${prefix}.${kind}.`).map((n) => {
      const start = `${prefix}.${kind}.${n}.`;
      const fields = new Map<string, string>();
      for (const [k, v] of this.params) if (k.startsWith(start)) fields.set(k.slice(start.length), v);
      return fields;
    });
  }

  /** The N of every `<start>N...` key, ascending. */
  private indexes(start: string): number[] {
    const seen = new Set<number>();
    for (const key of this.params.keys()) {
      if (!key.startsWith(start)) continue;
      const n = Number.parseInt(key.slice(start.length), 10);
      if (Number.isSafeInteger(n) && n > 0) seen.add(n);
    }
    return [...seen].sort((a, b) => a - b);
  }
}
