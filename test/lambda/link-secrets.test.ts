import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { linkSecretsMiddleware, parseLinkSecrets } from "../../src/lambda/alerts.js";
import type { AlertConfig } from "../../src/lambda/config.js";

/** The link secret from SSM through @middy/ssm (an adapter: aws-sdk-client-mock stands in for SSM). */
const config = (over: Partial<AlertConfig> = {}): AlertConfig => ({
  region: "us-east-1",
  topicArn: "arn:aws:sns:us-east-1:111122223333:t",
  eventBus: undefined,
  ledgerTable: "ledger",
  restoreBaseUrl: "https://x",
  linkSecretParameter: "/cloudhsm-retention/dev/restore-link-secret",
  linkSecret: undefined,
  revision: null,
  retentionMs: 1,
  ownRoleArns: [],
  ...over,
});
const CURRENT = "c".repeat(40);
const PREVIOUS = "p".repeat(40);

describe("link secrets", () => {
  it("reads the SecureString with decryption, current and previous on two lines (a rotation)", async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(GetParametersCommand).resolves({ Parameters: [{ Name: "/cloudhsm-retention/dev/restore-link-secret", Value: `${CURRENT}\n${PREVIOUS}\n` }] });
    const request = { event: {}, context: {} as Record<string, unknown>, response: undefined, error: undefined, internal: {} };
    await linkSecretsMiddleware(config(), { region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } }).before!(request as never);
    const secrets = request.context.linkSecrets as { current: Uint8Array; previous: Uint8Array };
    expect(Buffer.from(secrets.current).toString()).toBe(CURRENT);
    expect(Buffer.from(secrets.previous).toString()).toBe(PREVIOUS);
    const call = ssm.commandCalls(GetParametersCommand)[0]!.args[0].input;
    expect(call).toEqual({ Names: ["/cloudhsm-retention/dev/restore-link-secret"], WithDecryption: true });
    ssm.restore();
  });

  it("refuses a secret that is too short, naming where it came from", () => {
    expect(() => parseLinkSecrets("short", "/p")).toThrow("/p: expected a secret of at least 32 characters");
    expect(() => parseLinkSecrets(`${CURRENT}\nshort`, "/p")).toThrow("/p:");
  });

  it("uses RESTORE_LINK_SECRET where there is no SSM parameter", async () => {
    const request = { context: {} as Record<string, unknown> };
    await linkSecretsMiddleware(config({ linkSecretParameter: undefined, linkSecret: CURRENT })).before!(request as never);
    expect(Buffer.from((request.context.linkSecrets as { current: Uint8Array }).current).toString()).toBe(CURRENT);
  });
});
