import { invalidRequest } from "./errors.js";

/**
 * Input checks shared by the operations. Every bad parameter is a
 * CloudHsmInvalidRequestException (400) whose message names the member, as the SDK
 * surfaces `Message` to the caller verbatim.
 */
export type Input = Record<string, unknown>;

export function requireString(input: Input, member: string): string {
  const value = input[member];
  if (value === undefined || value === null) throw invalidRequest(`${member} is required.`);
  if (typeof value !== "string" || value.length === 0) throw invalidRequest(`${member} must be a non-empty string.`);
  return value;
}

export function requireBoolean(input: Input, member: string): boolean {
  const value = input[member];
  if (value === undefined || value === null) throw invalidRequest(`${member} is required.`);
  if (typeof value !== "boolean") throw invalidRequest(`${member} must be true or false.`);
  return value;
}

export function optionalBoolean(input: Input, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw invalidRequest(`${member} must be true or false.`);
  return value;
}

/** `MaxResults` within the model's range; the maximum when omitted. */
export function maxResults(input: Input, max: number): number {
  const value = input.MaxResults;
  if (value === undefined || value === null) return max;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw invalidRequest(`MaxResults must be an integer from 1 to ${max}; got ${JSON.stringify(value)}.`);
  }
  return value;
}

/**
 * `Filters`: a map of known keys to lists of strings (the model caps it at 30 entries).
 * An unknown key or an empty list is rejected rather than ignored, so a typo never
 * widens a query silently.
 */
export function filters(input: Input, known: readonly string[]): Map<string, Set<string>> {
  const raw = input.Filters;
  const out = new Map<string, Set<string>>();
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalidRequest("Filters must be a map of filter names to lists of strings.");
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > 30) throw invalidRequest("Filters can have at most 30 entries.");
  for (const [key, values] of entries) {
    if (!known.includes(key)) throw invalidRequest(`Unknown filter "${key}". Valid filters: ${known.join(", ")}.`);
    if (!Array.isArray(values) || !values.every((v) => typeof v === "string")) {
      throw invalidRequest(`Filter "${key}" must be a list of strings.`);
    }
    if (values.length === 0) throw invalidRequest(`Filter "${key}" needs at least one value.`);
    out.set(key, new Set(values));
  }
  return out;
}

/** Checks a filter's values against an enumeration. */
export function checkValues(filter: Set<string> | undefined, name: string, allowed: readonly string[]): void {
  for (const v of filter ?? []) {
    if (!allowed.includes(v)) throw invalidRequest(`Filter "${name}" value "${v}" is not one of ${allowed.join(", ")}.`);
  }
}
