import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BackupNotice } from "../../src/alerts/model.js";
import { renderAlert, snsMessageJson } from "../../src/alerts/render.js";
import { packRuns } from "../../src/alerts/split.js";
import { AlertRenderError } from "../../src/errors.js";
import { at, DAY, deletion, link, notice } from "./fixtures.js";

const SNS_LIMIT = 262_144;

/** The bytes SNS measures: the JSON envelope as published, UTF-8 (computed here, not by the code under test). */
function envelopeBytes(m: { default: string; email: string; https: string }): number {
  return new TextEncoder().encode(JSON.stringify({ default: m.default, email: m.email, https: m.https })).length;
}

/** `n` backups, one a day, listed newest first with two swapped, to check the sort. */
function fleet(n: number): BackupNotice[] {
  const backups = Array.from({ length: n }, (_, i) =>
    notice(`backup-${String(i).padStart(11, "0")}`, { createdAtMs: at("2021-01-01T03:13:00Z") + i * DAY }),
  );
  const out = backups.reverse();
  if (n > 10) [out[1], out[n - 2]] = [out[n - 2]!, out[1]!];
  return out;
}

describe("a digest too large for one message", () => {
  const backups = fleet(2000);
  const parts = renderAlert(deletion(backups));

  it("is split into several parts, each within SNS's 262,144 bytes as serialised", () => {
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(envelopeBytes(p)).toBeLessThanOrEqual(SNS_LIMIT);
      expect(snsMessageJson(p)).toBe(JSON.stringify({ default: p.default, email: p.email, https: p.https }));
      expect(JSON.parse(p.https).content.description.length).toBeLessThanOrEqual(8000);
    }
  });

  it("puts every backup in exactly one part", () => {
    const seen = parts.flatMap((p) => p.backupIds);
    expect(seen).toHaveLength(backups.length);
    expect(new Set(seen)).toEqual(new Set(backups.map((b) => b.backupId)));
  });

  it("lists the oldest first, across parts", () => {
    const seen = parts.flatMap((p) => p.backupIds);
    const created = new Map(backups.map((b) => [b.backupId, b.createdAtMs]));
    for (let i = 1; i < seen.length; i++) expect(created.get(seen[i]!)!).toBeGreaterThan(created.get(seen[i - 1]!)!);
  });

  it("says `part i of n` in subject and body, and which backups each part covers", () => {
    parts.forEach((p, i) => {
      const label = `part ${i + 1} of ${parts.length}`;
      expect(p.subject).toBe(`[cloudhsm-retention] us-east-1/cluster-abc: 2000 backups deleted (${label})`);
      expect(p.email).toContain(`This is ${label} of one digest`);
      expect(p.default.split("\n")[0]).toContain(`(${label})`);
      expect(JSON.parse(p.https).content.title).toContain(`(${label})`);
      for (const id of p.backupIds) {
        expect(p.email.split("\n")).toContain(link(id));
        expect(p.default).toContain(id);
        expect(p.https).toContain(`Restore ${id}`);
      }
    });
  });

  it("splits the same way every time", () => {
    expect(renderAlert(deletion(fleet(2000))).map((p) => p.backupIds)).toEqual(parts.map((p) => p.backupIds));
  });
});

describe("limits given by the caller", () => {
  it("splits further under a smaller byte limit, still losing nothing", () => {
    const backups = fleet(120);
    const parts = renderAlert(deletion(backups), { maxMessageBytes: 20_000 });
    expect(parts.length).toBeGreaterThan(3);
    for (const p of parts) expect(envelopeBytes(p)).toBeLessThanOrEqual(20_000);
    expect(parts.flatMap((p) => p.backupIds).sort()).toEqual(backups.map((b) => b.backupId).sort());
  });

  it("never raises the limits above SNS's", () => {
    const parts = renderAlert(deletion(fleet(2000)), { maxMessageBytes: 10_000_000, maxDescriptionChars: 1_000_000 });
    for (const p of parts) {
      expect(envelopeBytes(p)).toBeLessThanOrEqual(SNS_LIMIT);
      expect(JSON.parse(p.https).content.description.length).toBeLessThanOrEqual(8000);
    }
  });

  it("fails loudly when one backup alone cannot fit, rather than drop it", () => {
    expect(() => renderAlert(deletion(fleet(3)), { maxMessageBytes: 500 })).toThrow(AlertRenderError);
  });

  it("sends a small digest as one message without part markers", () => {
    const [only, ...rest] = renderAlert(deletion(fleet(3)));
    expect(rest).toEqual([]);
    expect(only!.subject).not.toContain("part");
    expect(only!.email).not.toContain("part 1");
  });

  it("renders an empty digest as no message", () => {
    expect(renderAlert(deletion([]))).toEqual([]);
  });
});

describe("packRuns", () => {
  const weights = [5, 1, 1, 3, 4, 2, 2, 2, 6, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 6];
  const cap = 6;
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const runs = packRuns(weights, (_, run) => sum(run) <= cap)!;

  it("keeps every item, in order, each once", () => {
    expect(runs.flat()).toEqual(weights);
  });

  it("fills each run as far as it fits (greedy)", () => {
    // Worked by hand: [5,1] [1,3] [4,2] [2,2] [6] [1,1,1,1,1,1] [1,1,1,1] [6]
    expect(runs).toEqual([[5, 1], [1, 3], [4, 2], [2, 2], [6], [1, 1, 1, 1, 1, 1], [1, 1, 1, 1], [6]]);
  });

  it("agrees with the obvious one-item-at-a-time greedy split, for any weights", () => {
    // The oracle: add items while the sum stays within the cap.
    const greedy = (ws: number[], c: number): number[][] | undefined => {
      const out: number[][] = [];
      let cur: number[] = [];
      for (const w of ws) {
        if (w > c) return undefined;
        if (sum(cur) + w > c) {
          out.push(cur);
          cur = [];
        }
        cur.push(w);
      }
      if (cur.length) out.push(cur);
      return out;
    };
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 200 }), fc.integer({ min: 1, max: 60 }), (ws, c) => {
        expect(packRuns(ws, (_, run) => sum(run) <= c)).toEqual(greedy(ws, c));
      }),
    );
  });

  it("says so when one item alone does not fit", () => {
    expect(packRuns([1, 9, 1], (_, run) => sum(run) <= cap)).toBeUndefined();
  });

  it("tells `fits` where each run starts", () => {
    const starts = new Set<number>();
    packRuns(weights, (start, run) => (starts.add(start), sum(run) <= cap));
    expect([...starts]).toEqual([0, 2, 4, 6, 8, 9, 15, 19]);
  });
});
