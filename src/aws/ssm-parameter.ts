import { DeleteParameterCommand, ParameterAlreadyExists, ParameterNotFound, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";

/**
 * The link secret's SecureString parameter, written by the stack's custom resource
 * (CloudFormation cannot create a SecureString itself). The value is never returned,
 * logged or put in an error message.
 */
export interface SecretParameter {
  /** Creates the parameter with `value`; "exists" (and nothing written) when it is already there. */
  create(name: string, value: string, description: string): Promise<"created" | "exists">;
  /** Deletes the parameter; "absent" when there was none. */
  delete(name: string): Promise<"deleted" | "absent">;
}

export class SsmSecretParameter implements SecretParameter {
  readonly #ssm: SSMClient;

  constructor(options: { client: SSMClient }) {
    this.#ssm = options.client;
  }

  async create(name: string, value: string, description: string): Promise<"created" | "exists"> {
    try {
      // Overwrite false: a parameter someone put there (or a rotation) is never replaced.
      await this.#ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: "SecureString", Overwrite: false, Description: description }));
      return "created";
    } catch (err) {
      if (err instanceof ParameterAlreadyExists) return "exists";
      throw err;
    }
  }

  async delete(name: string): Promise<"deleted" | "absent"> {
    try {
      await this.#ssm.send(new DeleteParameterCommand({ Name: name }));
      return "deleted";
    } catch (err) {
      if (err instanceof ParameterNotFound) return "absent";
      throw err;
    }
  }
}

/**
 * Systems Manager in the function's region, with the SDK's default credentials; this
 * client honours AWS_ENDPOINT_URL itself (tests point it at a local stand-in).
 */
export function ssmParameterClient(): SSMClient {
  return new SSMClient({});
}
