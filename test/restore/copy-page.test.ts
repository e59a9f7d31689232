import { describe, expect, it } from "vitest";
import type { Backup } from "../../src/domain/types.js";
import { confirmPage } from "../../src/restore/pages.js";

/** Trial 78: the page of a cross-region copy said "Cluster (none: its cluster is gone)". */
describe("the restore page of a cross-region copy", () => {
  it("names the source cluster and region, not a missing cluster", () => {
    const nowMs = Date.parse("2026-11-28T06:00:00Z");
    const copy: Backup = {
      backupId: "backup-abcdefghijk",
      region: "us-west-2",
      clusterId: undefined,
      sourceRegion: "us-east-1",
      sourceClusterId: "cluster-srcsrcsrc2",
      sourceBackupId: "backup-srcsrcsrc23",
      state: "PENDING_DELETION",
      createdAtMs: nowMs - 10 * 86_400_000,
      copiedAtMs: nowMs - 9 * 86_400_000,
      deleteAtMs: nowMs + 6 * 86_400_000,
      neverExpires: false,
      tags: {},
    } as Backup;
    const { html } = confirmPage({ backup: copy, reason: undefined, policy: undefined, timezone: "UTC", nativeRetentionWarning: undefined, nowMs }, "t", 30 * 86_400_000);
    expect(html).not.toContain("its cluster is gone");
    expect(html).toContain("<code>cluster-srcsrcsrc2</code> in <code>us-east-1</code>");
  });
});
