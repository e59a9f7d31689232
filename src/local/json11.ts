import type { LocalRequest } from "./http.js";

/**
 * What every AWS JSON 1.1 service of the local endpoint reads from a request the same way:
 * the operation (`X-Amz-Target`) and the body as one JSON object. Each service passes its
 * own SerializationException, since services spell their error shapes differently.
 */

export function target(req: LocalRequest): string {
  const value = req.headers["x-amz-target"];
  return typeof value === "string" ? value : "";
}

/** The protocol requires servers to accept an empty body as `{}`. */
export function parseJsonObject(body: Buffer, serialization: (message: string) => Error): Record<string, unknown> {
  const text = body.toString("utf8").trim();
  if (text === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw serialization("The request body is not valid JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw serialization("The request body must be a JSON object.");
  return value as Record<string, unknown>;
}
