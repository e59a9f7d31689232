import type { BackupStore } from "../domain/ports.js";
import type { CliIo } from "./io.js";

/**
 * One self-overwriting status line on stderr ("listing us-east-1: 1,250 backups…"), only
 * when stderr is a terminal: in CI logs and pipes it would be noise, and stdout (the plan,
 * the report) is never touched. Redrawn at most every 100 ms.
 */
export interface Progress {
  update(text: string): void;
  /** Erases the line, so the report that follows starts clean. */
  done(): void;
}

const SILENT: Progress = { update: () => undefined, done: () => undefined };
const REDRAW_MS = 100;

export function progressLine(io: CliIo, nowMs: () => number = () => performance.now()): Progress {
  if (!io.stderrIsTTY || io.env.TERM === "dumb") return SILENT;
  let shown = false;
  let lastMs = -Infinity;
  return {
    update(text) {
      const t = nowMs();
      if (t - lastMs < REDRAW_MS) return;
      lastMs = t;
      shown = true;
      io.stderr(`\r\x1b[K${text}`);
    },
    done() {
      if (shown) io.stderr("\r\x1b[K");
      shown = false;
      lastMs = -Infinity;
    },
  };
}

const count = new Intl.NumberFormat("en-US");

/**
 * The store, reporting progress: backups listed so far per region (page by page), and
 * deletions finished out of those planned. `inFlight` counts the DeleteBackup calls under
 * way, for the Ctrl-C message.
 */
export function reportingStore(inner: BackupStore, progress: Progress): { store: BackupStore; inFlight: () => number; expectDeletions: (n: number) => void } {
  const listed = new Map<string, number>();
  let inFlight = 0;
  let finished = 0;
  let planned = 0;
  const showListing = () => progress.update(`listing ${[...listed].map(([r, n]) => `${r}: ${count.format(n)}`).join(", ")} backups…`);
  const store: BackupStore = {
    async listBackups(region, options) {
      listed.set(region, 0);
      showListing();
      try {
        return await inner.listBackups(region, {
          ...options,
          onPage: (n) => {
            listed.set(region, n);
            showListing();
            options?.onPage?.(n);
          },
        });
      } finally {
        listed.delete(region);
        if (listed.size === 0) progress.done();
      }
    },
    lookUpBackups: (region, backupIds) => inner.lookUpBackups(region, backupIds),
    async deleteBackup(region, backupId) {
      inFlight++;
      try {
        return await inner.deleteBackup(region, backupId);
      } finally {
        inFlight--;
        finished++;
        progress.update(`deleting: ${count.format(finished)} of ${count.format(planned)} done…`);
        if (finished >= planned) progress.done();
      }
    },
  };
  return { store, inFlight: () => inFlight, expectDeletions: (n) => void (planned = n) };
}
