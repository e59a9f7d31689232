import { invalidRequest } from "./errors.js";

/**
 * Opaque NextTokens that hold a position, not an offset: the sort key of the last item
 * returned. The next page starts strictly after that key, so items deleted (or purged)
 * between pages never shift the rest and nothing is skipped or repeated.
 *
 * A token names its operation and sort direction, so a token replayed against another
 * operation or the opposite order is rejected instead of silently misread.
 */
export type SortKey = ReadonlyArray<string | number>;

interface TokenBody {
  v: 1;
  op: string;
  asc: boolean;
  k: SortKey;
}

export function encodeToken(op: string, asc: boolean, key: SortKey): string {
  const body: TokenBody = { v: 1, op, asc, k: key };
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

export function decodeToken(token: unknown, op: string, asc: boolean): SortKey {
  const garbled = () => invalidRequest("The NextToken is not valid. Pass the NextToken from the previous response unchanged.");
  if (typeof token !== "string" || token.length === 0 || token.length > 256) throw garbled();
  let body: TokenBody;
  try {
    body = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as TokenBody;
  } catch {
    throw garbled();
  }
  const keyOk = Array.isArray(body?.k) && body.k.every((p) => typeof p === "string" || typeof p === "number");
  if (body?.v !== 1 || body.op !== op || typeof body.asc !== "boolean" || !keyOk) throw garbled();
  if (body.asc !== asc) throw invalidRequest("The NextToken was issued for the other SortAscending order.");
  return body.k;
}

export function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export interface Page<T> {
  items: T[];
  /** The token for the next page; absent on the last page. */
  nextToken?: string | undefined;
}

/**
 * One page of `sorted` (ascending by `keyOf`, or descending when `asc` is false) after
 * the position in `token`. Binary search, so paging a large seeded fleet stays cheap.
 */
export function pageOf<T>(
  sorted: readonly T[],
  keyOf: (item: T) => SortKey,
  opts: { op: string; asc: boolean; token: unknown; maxResults: number },
): Page<T> {
  let start = 0;
  if (opts.token !== undefined && opts.token !== null) {
    const after = decodeToken(opts.token, opts.op, opts.asc);
    const dir = opts.asc ? 1 : -1;
    // First index whose key lies strictly after `after` in this direction.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (dir * compareKeys(keyOf(sorted[mid] as T), after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const items = sorted.slice(start, start + opts.maxResults);
  const more = start + items.length < sorted.length;
  const last = items[items.length - 1];
  return { items, nextToken: more && last !== undefined ? encodeToken(opts.op, opts.asc, keyOf(last)) : undefined };
}
