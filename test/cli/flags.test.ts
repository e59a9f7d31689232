import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

const policy = "policies/example.yml";
const inventory = "examples/inventory.json";
const plan = ["plan", "--policy", policy, "--inventory", inventory];
const apply = ["apply", "--policy", policy, "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9", "--dry-run"];

/**
 * Commander keeps the last of a repeated single-valued flag and says nothing: in
 * `--now 2026-01-01T00:00:00Z ... --now 2027-01-01T00:00:00Z` (a script that appends
 * flags) one of them is silently ignored. Those are refused; repeatable ones collect.
 */
describe("a single-valued flag given twice", () => {
  it.each([
    ["plan --now", [...plan, "--now", "2026-11-28T06:00:00Z", "--now", "2026-11-29T06:00:00Z"], "--now"],
    ["plan --format", [...plan, "--format", "json", "--format", "table"], "--format"],
    ["plan --inventory", [...plan, "--inventory", inventory], "--inventory"],
    ["plan --region", [...plan, "--region", "us-east-1", "--region", "us-west-2"], "--region"],
    ["apply --concurrency", [...apply, "--concurrency", "4", "--concurrency", "8"], "--concurrency"],
    ["apply --max-attempts", [...apply, "--max-attempts", "4", "--max-attempts", "8"], "--max-attempts"],
    ["apply --endpoint-url", [...apply, "--endpoint-url", "http://127.0.0.1:10"], "--endpoint-url"],
    ["apply --format", [...apply, "--format", "json", "--format", "json"], "--format"],
    ["emulator --port", ["emulator", "--port", "0", "--port", "1"], "--port"],
    ["emulator --now", ["emulator", "--port", "0", "--now", "2026-11-28T06:00:00Z", "--now", "2026-11-28T06:00:00Z"], "--now"],
  ])("%s is refused with exit 2, naming the flag", async (_, argv, flag) => {
    const run = await runCli(argv);
    expect(run).toMatchObject({ code: 2, stdout: "" });
    expect(run.stderr).toMatch(new RegExp(`^${flag}: given more than once`));
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("repeatable flags still collect: --policy and apply's --region", async () => {
    const run = await runCli(["apply", "--policy", policy, "--policy", "test/fixtures/policies/other-region.yml", "--region", "us-east-1", "--region", "us-west-2", "--endpoint-url", "http://127.0.0.1:9", "--dry-run", "--max-attempts", "1", "--format", "json"]);
    // Nothing listens on port 9: both regions are tried (and fail), which shows both were kept.
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout).listings.map((l: { region: string }) => l.region)).toEqual(["us-east-1", "us-west-2"]);
  });

  it("the default of --format is not mistaken for a first value", async () => {
    const run = await runCli([...plan, "--now", "2026-11-28T06:00:00Z", "--format", "json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).now).toBe("2026-11-28T06:00:00Z");
  });
});
