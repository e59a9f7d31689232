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

/**
 * An endpoint URL (`--endpoint-url`, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_CLOUDHSM_V2):
 * http or https with a host, checked here so a typo is blamed on the setting it came from
 * (`source`), not reported later as a failed listing.
 */
export function endpointUrlSetting(source: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
    throw new UserInputError(`${source}: "${raw}" is not an http(s) URL with a host, e.g. http://127.0.0.1:4566`);
  }
  return raw;
}
