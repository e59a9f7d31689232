import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

describe("--help", () => {
  it.each(["validate", "plan", "start", "apply", "remind", "restore", "serve", "emulator"])("of %s ends with examples of that command", async (command) => {
    const run = await runCli([command, "--help"]);
    expect(run.code).toBe(0);
    const examples = run.stdout.split("\nExamples:\n")[1];
    expect(examples).toBeDefined();
    const lines = examples!.split("\n").filter((l) => l.trim().startsWith("$"));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(command === "start" ? /\$ npm start/ : new RegExp(`\\$ (AWS_\\S+ )*(cloudhsm-retention ${command}|aws )`));
  });

  it("of the program lists the commands and examples", async () => {
    const run = await runCli(["--help"]);
    expect(run.code).toBe(0);
    for (const command of ["validate", "plan", "start", "apply", "remind", "restore", "serve", "emulator"]) expect(run.stdout).toMatch(new RegExp(`^ {2}${command}\\b`, "m"));
    expect(run.stdout).toContain("Examples:\n  $ cloudhsm-retention validate policies/");
  });
});
