import { describe, expect, it } from "vitest";
import type { Alert } from "../../src/alerts/model.js";
import { renderAlert } from "../../src/alerts/render.js";
import { chatbotNotification } from "./chatbot-schema.js";
import { at, deletion, HOUR, halt, link, notice, reminder, restored, resumed, stopped } from "./fixtures.js";

const kinds: Array<[string, Alert]> = [
  ["deletion", deletion([notice("backup-abcdefghijk"), notice("backup-bcdefghijkl")])],
  ["reminder", reminder([{ ...notice("backup-abcdefghijk"), stageMs: 24 * HOUR }], at("2026-12-03T06:16:00Z"))],
  ["halt", halt],
  ["halt of a whole policy", { ...halt, group: undefined }],
  ["backups-stopped", stopped],
  ["backups-stopped, none ever", { ...stopped, newestReadyMs: undefined }],
  ["backups-resumed", resumed],
  ["restored and held", restored(at("2026-12-28T00:00:00Z"))],
  ["restored and pinned", restored(undefined)],
];

function chat(alert: Alert, opts = {}) {
  return renderAlert(alert, opts).map((m) => chatbotNotification.parse(JSON.parse(m.https)));
}

describe("the https message (AWS Chatbot custom notification)", () => {
  it.each(kinds)("has the documented shape for %s", (_, alert) => {
    const all = chat(alert);
    expect(all.length).toBe(1);
    const n = all[0]!;
    expect(n.content.title.length).toBeGreaterThan(0);
    expect(n.content.title.length).toBeLessThanOrEqual(250);
    expect(n.content.description.length).toBeGreaterThan(0);
    expect(n.content.description.length).toBeLessThanOrEqual(8000);
    expect(n.content.nextSteps.length).toBeGreaterThan(0);
    expect(n.content.keywords).toContain(alert.kind);
  });

  it("threads updates about one cluster together, and apart from another cluster's", () => {
    const abc = chat(deletion([notice("backup-abcdefghijk")]))[0]!;
    const abcLater = chat(stopped)[0]!;
    const other = chat({ ...stopped, group: "us-east-1/cluster-xyz", clusterId: "cluster-xyz" })[0]!;
    expect(abc.metadata.threadId).toBe("cloudhsm-retention/us-east-1/cluster-abc");
    expect(abcLater.metadata.threadId).toBe("cloudhsm-retention/us-east-1/cluster-abc");
    expect(other.metadata.threadId).toBe("cloudhsm-retention/us-east-1/cluster-xyz");
  });

  it("links each backup's restore page with Slack's <url|text>", () => {
    const n = chat(deletion([notice("backup-abcdefghijk"), notice("backup-bcdefghijkl")]))[0]!;
    expect(n.content.description).toContain(`<${link("backup-abcdefghijk")}|Restore backup-abcdefghijk>`);
    expect(n.content.description).toContain(`<${link("backup-bcdefghijkl")}|Restore backup-bcdefghijkl>`);
  });

  it("gives each message its own id, the same when rendered again", () => {
    const a = deletion([notice("backup-abcdefghijk")]);
    expect(chat(a)[0]!.id).toBe("cloudhsm-retention/deletion/run-20261127-0615/us-east-1/cluster-abc");
    expect(chat(a)[0]!.id).toBe(chat(a)[0]!.id);
    expect(chat(halt)[0]!.id).toBe("cloudhsm-retention/halt/run-20261127-0615/us-east-1/cluster-abc");
    expect(chat(stopped)[0]!.id).toBe("cloudhsm-retention/backups-stopped/2026-11-27T06:16:00Z/us-east-1/cluster-abc");
  });

  it("names backups by ARN when the account is known", () => {
    const n = chat(deletion([notice("backup-abcdefghijk")]), { accountId: "111122223333" })[0]!;
    expect(n.metadata.relatedResources).toEqual(["arn:aws:cloudhsm:us-east-1:111122223333:backup/backup-abcdefghijk"]);
    expect(n.metadata.eventType).toBe("Backup Deletion Scheduled");
    expect(n.content.keywords).toEqual(expect.arrayContaining(["us-east-1", "cluster-abc", "production"]));
  });

  it("escapes &, < and > in values, so a tag or reason cannot add a link or ping a channel", () => {
    const hostile = notice("backup-abcdefghijk", {
      reason: "kept by tag <https://evil.example|click here> & <!channel>",
      restoreUrl: "https://restore.example.com/restore/tok|en>x&y",
    });
    const n = chat({ ...deletion([hostile]), group: "us-east-1/<b>&co" })[0]!;
    const d = n.content.description;
    expect(d).toContain("kept by tag &lt;https://evil.example|click here&gt; &amp; &lt;!channel&gt;");
    expect(d).toContain("us-east-1/&lt;b&gt;&amp;co");
    expect(d).toContain("<https://restore.example.com/restore/tok%7Cen%3Ex&amp;y|Restore backup-abcdefghijk>");
    // The only unescaped `<` in the whole description opens our one link.
    expect(d.split("<").length - 1).toBe(1);
    expect(n.content.title).toContain("&lt;b&gt;&amp;co");
    expect(n.content.title).not.toContain("<");
  });

  it("escapes a halt's message and advice", () => {
    const n = chat({ ...halt, message: "a <b> & c", advice: "raise <limit> & retry" })[0]!;
    expect(n.content.description).toContain("a &lt;b&gt; &amp; c");
    expect(n.content.nextSteps).toEqual(["raise &lt;limit&gt; &amp; retry"]);
  });
});
