import { UserInputError } from "../errors.js";

/**
 * Settings the CLI flags and the Lambda's environment share, with one range and one
 * message each, so `--concurrency 0` and `RETENTION_CONCURRENCY=0` are refused alike.
 */

/** An AWS region name such as us-east-1 or us-gov-west-1. */
export const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export interface WholeNumberRange {
  min: number;
  max: number;
}

/** Parallel DeleteBackup calls. */
export const CONCURRENCY_RANGE: WholeNumberRange = { min: 1, max: 64 };
/** Attempts per AWS call, first try included. */
export const MAX_ATTEMPTS_RANGE: WholeNumberRange = { min: 1, max: 50 };

/**
 * A whole number within `range`, or undefined when not given; `label` names the setting
 * in the message (`--concurrency`, `RETENTION_CONCURRENCY`). Plain decimal digits only:
 * Number() would also read "1e1", "0x10", "+8" and " 8", and a value that says something
 * other than what it looks like has no place in a setting that bounds deletions.
 */
export function wholeNumberSetting(label: string, raw: string | undefined, range: WholeNumberRange): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < range.min || n > range.max) {
    throw new UserInputError(`${label}: expected a whole number from ${range.min} to ${range.max}, got "${raw}"`);
  }
  return n;
}
