import { describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { progressLine, reportingStore } from "../../src/cli/progress.js";
import type { BackupStore } from "../../src/domain/ports.js";

function io(stderrIsTTY: boolean): { io: CliIo; err: string[] } {
  const err: string[] = [];
  return { err, io: { stdout: () => undefined, stderr: (t) => void err.push(t), env: {}, isTTY: false, stderrIsTTY, nowMs: () => 0 } };
}

/** A store whose listing comes in two pages (50, then 70 backups) and whose deletions succeed. */
const pages: BackupStore = {
  async listBackups(_region, options) {
    options?.onPage?.(50);
    options?.onPage?.(70);
    return { backups: [], calls: 2, retries: {} };
  },
  lookUpBackups: async () => ({ backups: [], calls: 0, retries: {} }),
  deleteBackup: async (region, backupId) => ({ backupId, region, status: "deleted", attempts: 1, retries: {} }),
};

describe("progress on stderr", () => {
  it("draws one overwritten line on a terminal, and erases it when done", async () => {
    const { io: tty, err } = io(true);
    let t = 0;
    const { store, expectDeletions } = reportingStore(pages, progressLine(tty, () => (t += 1000)));
    await store.listBackups("us-east-1");
    expectDeletions(2);
    await store.deleteBackup("us-east-1", "b-1");
    await store.deleteBackup("us-east-1", "b-2");
    expect(err).toEqual([
      "\r\x1b[Klisting us-east-1: 0 backups…",
      "\r\x1b[Klisting us-east-1: 50 backups…",
      "\r\x1b[Klisting us-east-1: 70 backups…",
      "\r\x1b[K",
      "\r\x1b[Kdeleting: 1 of 2 done…",
      "\r\x1b[Kdeleting: 2 of 2 done…",
      "\r\x1b[K",
    ]);
  });

  it("redraws at most every 100 ms", async () => {
    const { io: tty, err } = io(true);
    const { store } = reportingStore(pages, progressLine(tty, () => 5));
    await store.listBackups("us-east-1");
    expect(err).toEqual(["\r\x1b[Klisting us-east-1: 0 backups…", "\r\x1b[K"]);
  });

  it("writes nothing when stderr is not a terminal (CI logs, pipes)", async () => {
    const { io: pipe, err } = io(false);
    const { store } = reportingStore(pages, progressLine(pipe));
    await store.listBackups("us-east-1");
    await store.deleteBackup("us-east-1", "b-1");
    expect(err).toEqual([]);
  });
});
