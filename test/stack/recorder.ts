import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ACCOUNT } from "./support.js";

/**
 * Stands between the packaged functions and the local endpoint and writes down every AWS
 * call: the IAM action (`dynamodb:Query`) and the resource IAM checks it against (the
 * table's ARN, the backup's, `*` where the action has no resource-level permissions), read
 * from the request itself, in the region of its SigV4 scope. CloudHSM, SNS, EventBridge and
 * DynamoDB calls go on to the local endpoint; SSM, which it does not emulate, is answered
 * here for the one parameter the stack makes (GetParameters, PutParameter, DeleteParameter).
 */

export interface RecordedCall {
  action: string;
  resources: string[];
  region: string;
}

/** CloudHSM actions without resource-level permissions (the Service Authorization Reference). */
const NO_RESOURCE_LEVEL = new Set(["cloudhsm:DescribeBackups", "cloudhsm:DescribeClusters"]);

const JSON_TARGETS: Record<string, string> = { BaldrApiService: "cloudhsm", DynamoDB_20120810: "dynamodb", AWSEvents: "events", AmazonSSM: "ssm" };

export interface Recorder {
  url: string;
  calls: RecordedCall[];
  /** The SSM stand-in's parameters (name → value). */
  parameters: Map<string, string>;
  close(): Promise<void>;
}

export async function startRecorder(endpointUrl: string): Promise<Recorder> {
  const calls: RecordedCall[] = [];
  const parameters = new Map<string, string>();
  const upstream = new URL(endpointUrl);

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      try {
        const call = identify(req, body);
        calls.push(call);
        if (call.action.startsWith("ssm:")) return answerSsm(call.action, JSON.parse(body.toString("utf8") || "{}"), res);
      } catch (err) {
        res.writeHead(500, { "content-type": "text/plain" }).end(`recorder: ${(err as Error).message}`);
        return;
      }
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (up: IncomingMessage) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forward.on("error", (err) => res.writeHead(502).end(String(err)));
      forward.end(body);
    });
  });

  function answerSsm(action: string, input: Record<string, any>, res: ServerResponse): void {
    const reply = (status: number, payload: unknown): void => {
      res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "recorder" }).end(JSON.stringify(payload));
    };
    const arn = (name: string) => `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter${name}`;
    switch (action) {
      case "ssm:GetParameters": {
        const names: string[] = input.Names ?? [];
        const found = names.filter((n) => parameters.has(n));
        return reply(200, {
          Parameters: found.map((n) => ({ Name: n, Type: "SecureString", Value: parameters.get(n), Version: 1, ARN: arn(n), DataType: "text" })),
          InvalidParameters: names.filter((n) => !parameters.has(n)),
        });
      }
      case "ssm:PutParameter":
        if (parameters.has(input.Name) && !input.Overwrite) return reply(400, { __type: "ParameterAlreadyExists", message: "The parameter already exists." });
        parameters.set(input.Name, input.Value);
        return reply(200, { Version: 1, Tier: "Standard" });
      case "ssm:DeleteParameter":
        if (!parameters.delete(input.Name)) return reply(400, { __type: "ParameterNotFound", message: "" });
        return reply(200, {});
      default:
        return reply(400, { __type: "UnsupportedOperation", message: `the recorder does not answer ${action}` });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    parameters,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The IAM action and resources of one request, from its headers and body. */
function identify(req: IncomingMessage, body: Buffer): RecordedCall {
  const scope = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\//.exec(String(req.headers.authorization ?? ""));
  if (!scope) throw new Error("an unsigned request");
  const region = scope[1]!;
  const target = String(req.headers["x-amz-target"] ?? "");
  let service: string;
  let operation: string;
  let input: Record<string, any>;
  if (target) {
    const [prefix, op] = target.split(".") as [string, string];
    service = JSON_TARGETS[prefix] ?? `unknown(${prefix})`;
    operation = op;
    input = JSON.parse(body.toString("utf8") || "{}");
  } else {
    // SNS: the query protocol, a form.
    const form = new URLSearchParams(body.toString("utf8"));
    service = "sns";
    operation = form.get("Action") ?? "";
    input = Object.fromEntries(form);
  }
  const action = `${service}:${operation}`;
  const arn = (svc: string, rest: string) => `arn:aws:${svc}:${region}:${ACCOUNT}:${rest}`;
  let resources: string[];
  if (NO_RESOURCE_LEVEL.has(action)) resources = ["*"];
  else if (service === "cloudhsm") resources = [arn("cloudhsm", `backup/${input.BackupId}`)];
  else if (service === "dynamodb") resources = (input.TableName ? [input.TableName] : Object.keys(input.RequestItems ?? {})).map((t: string) => arn("dynamodb", `table/${t}`));
  else if (service === "sns") resources = [String(input.TopicArn)];
  else if (service === "events") resources = [...new Set((input.Entries ?? []).map((e: { EventBusName?: string }) => (String(e.EventBusName).startsWith("arn:") ? String(e.EventBusName) : arn("events", `event-bus/${e.EventBusName}`))))] as string[];
  else if (service === "ssm") resources = (input.Names ?? [input.Name]).map((n: string) => arn("ssm", `parameter${n}`));
  else resources = ["?"];
  return { action, resources, region };
}
