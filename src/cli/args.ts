import { REGION_PATTERN } from "../domain/settings.js";
import { isValidEpochMs, parseIsoInstant } from "../domain/time.js";
import { UsageError } from "../errors.js";


/** `--now` takes ISO-8601 with an explicit zone, so a plan never depends on the laptop's zone. */
export function parseNow(value: string | undefined, fallbackMs: () => number): number {
  if (value === undefined) return fallbackMs();
  const ms = parseIsoInstant(value);
  if (!isValidEpochMs(ms)) throw new UsageError(`--now: "${value}" is not an ISO-8601 time with a zone, e.g. 2026-11-28T06:00:00Z`);
  return ms;
}

export function parseRegion(value: string): string {
  if (!REGION_PATTERN.test(value)) throw new UsageError(`--region: "${value}" is not an AWS region name, e.g. us-east-1`);
  return value;
}

export function parseFormat<F extends string = "table" | "json">(value: string, formats: readonly F[] = ["table", "json"] as unknown as F[]): F {
  if (!formats.includes(value as F)) {
    const list = formats.length === 2 ? formats.join(" or ") : `${formats.slice(0, -1).join(", ")} or ${formats.at(-1)}`;
    throw new UsageError(`--format: expected ${list}, got "${value}"`);
  }
  return value as F;
}

/**
 * Commander argParser for a flag that takes one value. Commander keeps the last of a
 * repeated flag without a word, so `--now a --now b` (a script appending flags) would
 * quietly ignore one; this refuses the second. A closure, not `previous`, tells a repeat
 * from a default (commander passes the default as `previous`). `inner` is an existing
 * parser to keep, such as the one `.choices()` installs. Build one per parse.
 */
export function once<T = string>(flag: string, inner?: (value: string, previous: T) => T): (value: string, previous: T) => T {
  let first: string | undefined;
  return (value, previous) => {
    if (first !== undefined) throw new UsageError(`${flag}: given more than once ("${first}", then "${value}"); it takes one value`);
    first = value;
    return inner ? inner(value, previous) : (value as T);
  };
}

/** Commander helper for repeatable options (`--policy a --policy b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
