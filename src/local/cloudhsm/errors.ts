import { type LocalResponse, jsonResponse } from "../http.js";

export const JSON_11 = "application/x-amz-json-1.1";

/**
 * A CloudHSM error as it travels: `__type` with the bare shape name and `Message`
 * (capital M, as every CloudHSM error shape spells it). The model has no httpError
 * traits, so client faults are 400 (even not-found) and only InternalFailure is 500.
 */
export class CloudHsmError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }

  toResponse(): LocalResponse {
    return jsonResponse(this.status, { __type: this.type, Message: this.message }, JSON_11);
  }
}

export const invalidRequest = (message: string) => new CloudHsmError("CloudHsmInvalidRequestException", message);
export const notFound = (message: string) => new CloudHsmError("CloudHsmResourceNotFoundException", message);
export const internalFailure = (message: string) => new CloudHsmError("CloudHsmInternalFailureException", message, 500);
/** Not in the CloudHSM model; the protocol-level error AWS JSON services send for a bad target. */
export const unknownOperation = (message: string) => new CloudHsmError("UnknownOperationException", message);
/** Likewise protocol-level: the body is not a JSON object. */
export const serialization = (message: string) => new CloudHsmError("SerializationException", message);
