import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderAlert } from "../../src/alerts/render.js";
import { alert } from "./arbitraries.js";
import { chatbotNotification } from "./chatbot-schema.js";

const SNS_LIMIT = 262_144;
// Controls, line/paragraph separators, bidi controls: none may reach a subject.
const UNSAFE_IN_SUBJECT = /[\u0000-\u001f\u007f-\u009f\u2028-\u202e\u2066-\u2069]/;

const limits = fc.record({
  maxMessageBytes: fc.integer({ min: 40_000, max: SNS_LIMIT }),
  maxDescriptionChars: fc.integer({ min: 4_000, max: 8_000 }),
});

describe("any alert", () => {
  it("renders to messages within SNS's and Chatbot's limits, losing no backup and no link", () => {
    fc.assert(
      fc.property(alert, fc.option(limits, { nil: undefined }), (a, opts) => {
        const maxBytes = opts?.maxMessageBytes ?? SNS_LIMIT;
        const maxDescription = opts?.maxDescriptionChars ?? 8_000;
        const messages = renderAlert(a, opts);
        for (const m of messages) {
          expect(m.subject.length).toBeLessThan(100);
          expect(m.subject).not.toMatch(UNSAFE_IN_SUBJECT);
          const envelope = JSON.stringify({ default: m.default, email: m.email, https: m.https });
          expect(new TextEncoder().encode(envelope).length).toBeLessThanOrEqual(maxBytes);
          const chat = chatbotNotification.parse(JSON.parse(m.https));
          expect(chat.content.description.length).toBeLessThanOrEqual(maxDescription);
          expect(chat.content.title.length).toBeLessThanOrEqual(250);
          expect(m.email.length).toBeGreaterThan(0);
        }
        if (a.kind === "deletion" || a.kind === "reminder") {
          // Every backup in exactly one part; each part's email gives each of its backups
          // the link on a line of its own, one unbroken token.
          expect(messages.flatMap((m) => m.backupIds).sort()).toEqual(a.backups.map((b) => b.backupId).sort());
          const byId = new Map(a.backups.map((b) => [b.backupId, b]));
          for (const m of messages) {
            const lines = m.email.split("\n");
            for (const id of m.backupIds) {
              const url = byId.get(id)!.restoreUrl;
              if (url.trim() === "") expect(m.email).toContain("no restore link; restore it with");
              else expect(lines.some((l) => !/\s/.test(l) && decodeURI(l) === url)).toBe(true);
            }
          }
          if (messages.length > 1) messages.forEach((m, i) => expect(m.subject).toContain(`(part ${i + 1} of ${messages.length})`));
        } else {
          expect(messages).toHaveLength(1);
        }
      }),
      { numRuns: 150 },
    );
  });
});
