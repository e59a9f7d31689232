import { describe, expect, it } from "vitest";
import { UserInputError } from "../../src/errors.js";
import { sweepConfigFromEnv } from "../../src/lambda/config.js";

describe("sweepConfigFromEnv", () => {
  it("reads every setting, trimming lists", () => {
    // Prepare
    const env = {
      RETENTION_REGIONS: " us-east-1, us-west-2 ,",
      RETENTION_POLICY_PATH: "policies, extra/prod.yml",
      AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
      RETENTION_CONCURRENCY: "16",
      RETENTION_MAX_ATTEMPTS: "3",
      RETENTION_DRY_RUN: "true",
    };
    // Act
    const config = sweepConfigFromEnv(env);
    // Assess
    expect(config).toEqual({
      policyPaths: ["policies", "extra/prod.yml"],
      regions: ["us-east-1", "us-west-2"],
      endpointUrl: "http://127.0.0.1:4566",
      concurrency: 16,
      maxAttempts: 3,
      dryRun: true,
    });
  });

  it("defaults to the bundled policies/, the adapter's retries, and deleting for real", () => {
    // Act
    const config = sweepConfigFromEnv({ RETENTION_REGIONS: "eu-central-1" });
    // Assess
    expect(config).toStrictEqual({
      policyPaths: ["policies"],
      regions: ["eu-central-1"],
      endpointUrl: undefined,
      concurrency: undefined,
      maxAttempts: undefined,
      dryRun: false,
    });
  });

  it("falls back to the function's own AWS_REGION, and accepts GovCloud regions", () => {
    expect(sweepConfigFromEnv({ AWS_REGION: "us-gov-west-1" }).regions).toEqual(["us-gov-west-1"]);
    expect(sweepConfigFromEnv({ RETENTION_REGIONS: "us-east-1", AWS_REGION: "eu-west-1" }).regions).toEqual(["us-east-1"]);
  });

  it("prefers the CloudHSM-specific endpoint variable over AWS_ENDPOINT_URL", () => {
    const env = { RETENTION_REGIONS: "us-east-1", AWS_ENDPOINT_URL: "http://a:1", AWS_ENDPOINT_URL_CLOUDHSM_V2: "http://b:2" };
    expect(sweepConfigFromEnv(env).endpointUrl).toBe("http://b:2");
  });

  it.each([
    ["AWS_ENDPOINT_URL", "garbage"],
    ["AWS_ENDPOINT_URL", "127.0.0.1:4566"],
    ["AWS_ENDPOINT_URL_CLOUDHSM_V2", "ftp://example.com"],
  ])("refuses %s=%j at cold start, naming the variable", (name, value) => {
    expect(() => sweepConfigFromEnv({ RETENTION_REGIONS: "us-east-1", [name]: value })).toThrow(UserInputError);
    expect(() => sweepConfigFromEnv({ RETENTION_REGIONS: "us-east-1", [name]: value })).toThrow(`${name}: "${value}" is not an http(s) URL with a host`);
  });

  it.each([
    ["true", true], ["TRUE", true], ["True", true], ["1", true],
    ["false", false], ["FALSE", false], ["0", false], ["", false],
  ])("reads RETENTION_DRY_RUN=%j as %s", (value, dryRun) => {
    expect(sweepConfigFromEnv({ RETENTION_REGIONS: "us-east-1", RETENTION_DRY_RUN: value as string }).dryRun).toBe(dryRun);
  });

  it.each(["yes", "ture", "on"])("refuses RETENTION_DRY_RUN=%j rather than reading it as false (a deleting run)", (value) => {
    expect(() => sweepConfigFromEnv({ RETENTION_REGIONS: "us-east-1", RETENTION_DRY_RUN: value })).toThrow(
      `RETENTION_DRY_RUN: expected true or false, got "${value}"`,
    );
  });

  it.each([
    { case: "no regions at all", env: {}, message: 'RETENTION_REGIONS: expected a comma-separated list of AWS regions, got ""' },
    { case: "only commas", env: { RETENTION_REGIONS: " , " }, message: 'RETENTION_REGIONS: expected a comma-separated list of AWS regions, got " , "' },
    { case: "a misspelt region", env: { RETENTION_REGIONS: "us-east-1,us-west" }, message: 'got "us-east-1,us-west"' },
    { case: "an upper-case region", env: { RETENTION_REGIONS: "US-EAST-1" }, message: 'got "US-EAST-1"' },
    { case: "concurrency 0", env: { RETENTION_CONCURRENCY: "0" }, message: 'RETENTION_CONCURRENCY: expected a whole number from 1 to 64, got "0"' },
    { case: "concurrency 65", env: { RETENTION_CONCURRENCY: "65" }, message: 'got "65"' },
    { case: "fractional concurrency", env: { RETENTION_CONCURRENCY: "2.5" }, message: 'got "2.5"' },
    { case: "non-numeric concurrency", env: { RETENTION_CONCURRENCY: "eight" }, message: 'got "eight"' },
    { case: "max attempts 0", env: { RETENTION_MAX_ATTEMPTS: "0" }, message: 'RETENTION_MAX_ATTEMPTS: expected a whole number from 1 to 50, got "0"' },
    { case: "max attempts 51", env: { RETENTION_MAX_ATTEMPTS: "51" }, message: 'RETENTION_MAX_ATTEMPTS: expected a whole number from 1 to 50, got "51"' },
    { case: "non-numeric max attempts", env: { RETENTION_MAX_ATTEMPTS: "three" }, message: 'RETENTION_MAX_ATTEMPTS: expected a whole number from 1 to 50, got "three"' },
  ])("refuses $case with a UserInputError naming the variable", ({ env, message }) => {
    // Prepare
    const withRegion = "RETENTION_REGIONS" in env || Object.keys(env).length === 0 ? env : { RETENTION_REGIONS: "us-east-1", ...env };
    // Act
    const attempt = () => sweepConfigFromEnv(withRegion);
    // Assess
    expect(attempt).toThrow(UserInputError);
    expect(attempt).toThrow(message);
  });
});
