import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { alertExamplesMarkdown, BEGIN, END } from "../../scripts/alert-examples.js";

describe("README.md's alert examples", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

  it("are what the renderers produce today (run `npm run docs:alerts` after a change)", () => {
    const block = readme.slice(readme.indexOf(BEGIN), readme.indexOf(END) + END.length);
    expect(block).toBe(alertExamplesMarkdown());
  });

  it("show every detail-type", () => {
    for (const t of [
      "Backup Deletion Scheduled", "Backup Deletion Reminder", "Backup Restored", "Backup Expired",
      "Backups Stopped", "Backups Resumed", "Retention Run Completed", "Retention Run Halted",
    ]) {
      expect(readme).toContain(`#### ${t}\n`);
    }
  });
});
