import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DueQueue } from "../../src/local/cloudhsm/due-queue.js";

/** The queue's earliest item is always the least of each source's latest item, as a plain map would say. */
describe("DueQueue", () => {
  it("peek is the minimum over each source's latest item, through any sequence of sets and clears", () => {
    const op = fc.record({ source: fc.constantFrom("a", "b", "c", "d", "e"), item: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }), peek: fc.boolean() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const queue = new DueQueue<number>((x, y) => x < y);
        const model = new Map<string, number>();
        for (const { source, item, peek } of ops) {
          queue.set(source, item);
          if (item === undefined) model.delete(source);
          else model.set(source, item);
          if (peek) expect(queue.peek()).toBe(model.size === 0 ? undefined : Math.min(...model.values()));
        }
        expect(queue.peek()).toBe(model.size === 0 ? undefined : Math.min(...model.values()));
      }),
      { numRuns: 300 },
    );
  });
});
