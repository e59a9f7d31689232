import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { SecretParameter } from "../../src/aws/ssm-parameter.js";
import { SILENT } from "../../src/jobs/logger.js";
import { type CustomResourceEvent, type CustomResourceResponse, createLinkSecretResource, respondToCloudFormation } from "../../src/lambda/link-secret-resource.js";

/**
 * The custom resource's decisions, on an in-memory parameter store: what CloudFormation is
 * told for each request, and what is written or deleted. The packaged function against SSM's
 * wire protocol is tested in test/stack/iam.test.ts.
 */

const NAME = "/cloudhsm-retention/prod/restore-link-secret";

function store(existing: Record<string, string> = {}) {
  const values = new Map(Object.entries(existing));
  const calls: string[] = [];
  const parameter: SecretParameter = {
    async create(name, value) {
      calls.push(`create ${name}`);
      if (values.has(name)) return "exists";
      values.set(name, value);
      return "created";
    },
    async delete(name) {
      calls.push(`delete ${name}`);
      return values.delete(name) ? "deleted" : "absent";
    },
  };
  return { values, calls, parameter };
}

function event(type: CustomResourceEvent["RequestType"], props: { ParameterName?: unknown }, physicalId?: string): CustomResourceEvent {
  return { RequestType: type, ResponseURL: "https://cfn.example/response", StackId: "arn:aws:cloudformation:us-east-1:111122223333:stack/s/1", RequestId: "r1", LogicalResourceId: "LinkSecret", ResourceProperties: props, ...(physicalId ? { PhysicalResourceId: physicalId } : {}) };
}

function resource(s: ReturnType<typeof store>, secrets = ["secret-one-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "secret-two-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]) {
  const answered: CustomResourceResponse[] = [];
  const handler = createLinkSecretResource({ parameter: s.parameter, respond: async (_url, r) => void answered.push(r), log: SILENT, newSecret: () => secrets.shift()! });
  return { handler, answered };
}

describe("the link secret custom resource", () => {
  it("Create writes a new secret and answers with the parameter's name as the physical ID", async () => {
    const s = store();
    const { handler, answered } = resource(s);
    await handler(event("Create", { ParameterName: NAME }));
    expect(s.values.get(NAME)).toBe("secret-one-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    expect(answered).toEqual([expect.objectContaining({ Status: "SUCCESS", PhysicalResourceId: NAME, Data: { ParameterName: NAME } })]);
  });

  it("Update with the same name keeps the secret and writes nothing", async () => {
    const s = store({ [NAME]: "kept" });
    const { handler, answered } = resource(s);
    await handler(event("Update", { ParameterName: NAME }, NAME));
    expect([s.values.get(NAME), s.calls]).toEqual(["kept", []]);
    expect(answered[0]).toMatchObject({ Status: "SUCCESS", PhysicalResourceId: NAME });
  });

  it("Update to a new name makes a new parameter under it (CloudFormation then deletes the old one)", async () => {
    const other = "/cloudhsm-retention/prod2/restore-link-secret";
    const s = store({ [NAME]: "old" });
    const { handler, answered } = resource(s);
    await handler(event("Update", { ParameterName: other }, NAME));
    expect([s.values.get(NAME), s.values.get(other)]).toEqual(["old", "secret-one-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]);
    expect(answered[0]).toMatchObject({ Status: "SUCCESS", PhysicalResourceId: other });
  });

  it("Create over an existing parameter fails, says how to fix it, and its rollback's Delete deletes nothing", async () => {
    const s = store({ [NAME]: "someone else's" });
    const { handler, answered } = resource(s);
    await handler(event("Create", { ParameterName: NAME }));
    expect(answered[0]).toMatchObject({ Status: "FAILED", PhysicalResourceId: "nothing-created" });
    expect(answered[0]!.Reason).toBe(
      `SetupError: SSM parameter ${NAME} already exists and was not made by this stack: delete it (aws ssm delete-parameter --name ${NAME}) if it is a leftover, or deploy another --stage`,
    );
    await handler(event("Delete", { ParameterName: NAME }, answered[0]!.PhysicalResourceId));
    expect(s.values.get(NAME)).toBe("someone else's");
    expect(s.calls).toEqual([`create ${NAME}`]);
    expect(answered[1]).toMatchObject({ Status: "SUCCESS", PhysicalResourceId: "nothing-created" });
  });

  it("refuses a name that is not an SSM parameter path, creating nothing", async () => {
    const s = store();
    const { handler, answered } = resource(s);
    await handler(event("Create", { ParameterName: "restore link secret" }));
    expect(s.calls).toEqual([]);
    expect(answered[0]).toMatchObject({ Status: "FAILED", PhysicalResourceId: "nothing-created", Reason: expect.stringContaining('got "restore link secret"') });
  });

  it("Delete deletes the parameter it made, and succeeds when it is already gone", async () => {
    const s = store({ [NAME]: "x" });
    const { handler, answered } = resource(s);
    await handler(event("Delete", { ParameterName: NAME }, NAME));
    await handler(event("Delete", { ParameterName: NAME }, NAME));
    expect(s.values.has(NAME)).toBe(false);
    expect(answered.map((a) => a.Status)).toEqual(["SUCCESS", "SUCCESS"]);
  });

  it("a failed SSM call is reported to CloudFormation, not thrown (a resource that never answers holds the stack for an hour)", async () => {
    const s = store();
    s.parameter.create = async () => {
      throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    };
    const { handler, answered } = resource(s);
    await handler(event("Create", { ParameterName: NAME }));
    expect(answered[0]).toMatchObject({ Status: "FAILED", Reason: "ThrottlingException: Rate exceeded" });
  });
});

describe("respondToCloudFormation", () => {
  it("PUTs the response with an empty Content-Type, trying again after a refusal", async () => {
    const seen: Array<{ method?: string; type?: string; body: string }> = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        seen.push({ method: req.method, type: req.headers["content-type"], body });
        res.writeHead(seen.length === 1 ? 503 : 200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const response: CustomResourceResponse = { Status: "SUCCESS", PhysicalResourceId: NAME, StackId: "s", RequestId: "r", LogicalResourceId: "LinkSecret" };
      await respondToCloudFormation(`http://127.0.0.1:${(server.address() as AddressInfo).port}/cfn?sig=1`, response);
      expect(seen).toHaveLength(2);
      expect(seen[1]).toEqual({ method: "PUT", type: "", body: JSON.stringify(response) });
    } finally {
      server.close();
    }
  });
});
