import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { SecretParameter } from "../aws/ssm-parameter.js";
import { SetupError } from "../errors.js";
import type { JobLogger } from "../jobs/logger.js";

/**
 * The stack's custom resource for the restore-link secret. CloudFormation cannot create an
 * SSM SecureString (AWS::SSM::Parameter makes String and StringList only), so the stack
 * asks this function to: on Create it generates 32 random bytes and writes them, base64url,
 * as a SecureString; on Update it keeps the value (a deploy never rotates the secret:
 * rotating is a person's decision, see the README); on Delete it deletes the parameter.
 * It never overwrites a parameter it did not make: one that already exists (another
 * stack's, or one a person put there) fails the deployment with a message saying so,
 * and is left alone on the rollback. The secret is never logged or returned.
 */

/** What CloudFormation sends (the fields used here). */
export interface CustomResourceEvent {
  RequestType: "Create" | "Update" | "Delete";
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceProperties: { ParameterName?: unknown };
  OldResourceProperties?: { ParameterName?: unknown };
}

/** What CloudFormation expects back, PUT to the event's ResponseURL. */
export interface CustomResourceResponse {
  Status: "SUCCESS" | "FAILED";
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: { ParameterName: string };
}

export interface LinkSecretResourceDeps {
  parameter: SecretParameter;
  respond: (url: string, response: CustomResourceResponse) => Promise<void>;
  log: JobLogger;
  /** A new secret; 32 random bytes by default. */
  newSecret?: () => string;
}

/** SSM parameter names: a path of letters, digits and `_.-/`, as the stack names it. */
const PARAMETER_NAME = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;
/** The physical ID of a resource that made nothing: its Delete must delete nothing. */
const NOTHING = "nothing-created";

export const newLinkSecret = (): string => randomBytes(32).toString("base64url");

export function createLinkSecretResource(deps: LinkSecretResourceDeps): (event: CustomResourceEvent) => Promise<CustomResourceResponse> {
  const newSecret = deps.newSecret ?? newLinkSecret;

  async function make(name: string): Promise<void> {
    const made = await deps.parameter.create(name, newSecret(), "cloudhsm-retention restore link secret: `current`, or `current\\nprevious` during a rotation");
    if (made === "exists") {
      throw new SetupError(
        `SSM parameter ${name} already exists and was not made by this stack: delete it (aws ssm delete-parameter --name ${name}) if it is a leftover, or deploy another --stage`,
      );
    }
  }

  return async function linkSecretResource(event) {
    const base = { StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId };
    const name = event.ResourceProperties?.ParameterName;
    const previous = event.PhysicalResourceId;
    let response: CustomResourceResponse;
    try {
      if (event.RequestType === "Delete") {
        // Only a parameter this resource made: a failed Create answered NOTHING.
        const outcome = previous !== undefined && PARAMETER_NAME.test(previous) ? await deps.parameter.delete(previous) : "nothing to delete";
        deps.log.info("link secret: delete", { parameter: previous, outcome });
        response = { ...base, Status: "SUCCESS", PhysicalResourceId: previous ?? NOTHING };
      } else {
        if (typeof name !== "string" || !PARAMETER_NAME.test(name)) throw new SetupError(`ParameterName: expected an SSM parameter path such as /cloudhsm-retention/prod/restore-link-secret, got ${JSON.stringify(name)}`);
        // An Update that keeps the name keeps the secret; a new name makes a new parameter,
        // and CloudFormation then deletes the old one (its physical ID changed).
        if (event.RequestType === "Create" || previous !== name) await make(name);
        deps.log.info("link secret: ready", { parameter: name, requestType: event.RequestType, created: event.RequestType === "Create" || previous !== name });
        response = { ...base, Status: "SUCCESS", PhysicalResourceId: name, Data: { ParameterName: name } };
      }
    } catch (err) {
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      deps.log.error("link secret: failed", { requestType: event.RequestType, parameter: typeof name === "string" ? name : undefined, reason });
      // A failed Create made nothing; a failed Update keeps the parameter it had.
      response = { ...base, Status: "FAILED", Reason: reason.slice(0, 1000), PhysicalResourceId: event.RequestType === "Create" ? NOTHING : (previous ?? NOTHING) };
    }
    await deps.respond(event.ResponseURL, response);
    return response;
  };
}

/**
 * PUTs the response to CloudFormation's pre-signed URL, with an empty Content-Type (the
 * URL is signed without one), trying up to 3 times: without an answer, the stack would
 * wait an hour for this resource.
 */
export async function respondToCloudFormation(url: string, response: CustomResourceResponse, attempts = 3): Promise<void> {
  const body = JSON.stringify(response);
  for (let attempt = 1; ; attempt++) {
    try {
      await put(url, body);
      return;
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

function put(url: string, body: string): Promise<void> {
  const target = new URL(url);
  const request = target.protocol === "http:" ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = request(target, { method: "PUT", headers: { "content-type": "", "content-length": Buffer.byteLength(body) }, timeout: 10_000 }, (res) => {
      res.resume();
      res.on("end", () => ((res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`CloudFormation response URL answered ${res.statusCode}`))));
    });
    req.on("timeout", () => req.destroy(new Error("CloudFormation response URL timed out")));
    req.on("error", reject);
    req.end(body);
  });
}
