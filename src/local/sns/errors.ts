import type { LocalResponse } from "../http.js";
import { document, el } from "./xml.js";

export const XML_CONTENT_TYPE = "text/xml";

/**
 * An SNS error as the query protocol sends it: an `ErrorResponse` with `Type`
 * (Sender for the caller's mistakes, Receiver for the service's), the model's
 * `awsQueryError` code and HTTP status, and the message. The SDK maps the code back to
 * the modelled exception (`NotFound` → NotFoundException).
 */
export class SnsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }

  toResponse(requestId: string): LocalResponse {
    const type = this.status >= 500 ? "Receiver" : "Sender";
    const body = document("ErrorResponse", el("Error", el("Type", type), el("Code", this.code), el("Message", this.message)), el("RequestId", requestId));
    return { status: this.status, headers: { "content-type": XML_CONTENT_TYPE }, body };
  }
}

/** Messages follow SNS's `Invalid parameter: <Name>[ Reason: ...]` style. */
export const invalidParameter = (message: string) => new SnsError("InvalidParameter", message);
export const notFound = (message: string) => new SnsError("NotFound", message, 404);
export const internalError = (message: string) => new SnsError("InternalError", message, 500);
/** AWS's common query-protocol throttling error (SDKs retry it as throttling). */
export const throttling = () => new SnsError("Throttling", "Rate exceeded");
/** Common to every query API: an Action the service does not have (or we do not emulate). */
export const invalidAction = (action: string) => new SnsError("InvalidAction", `The action ${action} is not valid for this endpoint.`);
