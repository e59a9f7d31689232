import { jsonResponse, type LocalResponse } from "../http.js";

export const JSON_11 = "application/x-amz-json-1.1";

/**
 * An EventBridge error as it travels over AWS JSON 1.1: `__type` with the bare shape
 * name and `message` (lower case, as EventBridge's shapes spell it). Client errors are
 * 400; InternalException is 500.
 */
export class EventsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }

  toResponse(): LocalResponse {
    return jsonResponse(this.status, { __type: this.type, message: this.message }, JSON_11);
  }
}

export const validation = (message: string) => new EventsError("ValidationException", message);
export const notFound = (message: string) => new EventsError("ResourceNotFoundException", message);
export const alreadyExists = (message: string) => new EventsError("ResourceAlreadyExistsException", message);
export const internal = (message: string) => new EventsError("InternalException", message, 500);
export const throttling = () => new EventsError("ThrottlingException", "Rate exceeded");
/** Protocol-level errors every AWS JSON service sends. */
export const unknownOperation = (message: string) => new EventsError("UnknownOperationException", message);
export const serialization = (message: string) => new EventsError("SerializationException", message);

/** The AWS style for a violated model constraint. */
export function constraint(value: string, member: string, rule: string): EventsError {
  return validation(`1 validation error detected: Value ${value} at '${member}' failed to satisfy constraint: ${rule}`);
}
