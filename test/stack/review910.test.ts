import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ofType, type PackagedStack, packageStack, type Template } from "./support.js";

/**
 * Review of issue 9 (branch review910), on the template `npx serverless package --stage ci`
 * builds offline: "a person with an AWS account could deploy from the README alone".
 */

let stack: PackagedStack;
let template: Template;

beforeAll(async () => {
  stack = await packageStack();
  template = stack.template;
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

/** Every resource a resource waits for in CloudFormation: DependsOn, Ref and Fn::GetAtt, transitively. */
function waitsFor(t: Template, id: string): Set<string> {
  const seen = new Set<string>();
  const direct = (rid: string): string[] => {
    const r = t.Resources[rid];
    if (!r) return [];
    const out = [r.DependsOn ?? []].flat();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          if (k === "Ref" && typeof x === "string") out.push(x);
          else if (k === "Fn::GetAtt") out.push(Array.isArray(x) ? String(x[0]) : String(x).split(".")[0]!);
          else walk(x);
        }
      }
    };
    walk(r.Properties);
    return out.filter((d) => d in t.Resources);
  };
  const stackOf = [...direct(id)];
  while (stackOf.length > 0) {
    const next = stackOf.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stackOf.push(...direct(next));
  }
  return seen;
}

describe("review910: issue 9, the HTTP API's throttling deploys", () => {
  it("the stage's RouteSettings name only routes CloudFormation creates before the stage (else: 'Unable to find Route by key ... within the provided RouteSettings')", () => {
    // API Gateway refuses a stage whose RouteSettings name a route that does not exist yet
    // (NotFoundException; aws/serverless-application-model#2479, terraform-aws-modules/
    // terraform-aws-apigateway-v2#80). CloudFormation creates resources in parallel unless
    // one waits for the other, so on the first deploy the stage must wait for those routes.
    const [stageId, stage] = ofType(template, "AWS::ApiGatewayV2::Stage")[0]!;
    const keys = Object.keys(stage.Properties.RouteSettings ?? {});
    expect(keys.length).toBeGreaterThan(0);
    const routeIdByKey = new Map(ofType(template, "AWS::ApiGatewayV2::Route").map(([id, r]) => [r.Properties.RouteKey as string, id]));
    const before = waitsFor(template, stageId);
    for (const key of keys) {
      expect(routeIdByKey.has(key), key).toBe(true);
      expect([...before], `${stageId} must wait for the route ${key}`).toContain(routeIdByKey.get(key));
    }
  });
});
