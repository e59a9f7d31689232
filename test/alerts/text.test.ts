import { describe, expect, it } from "vitest";
import { fitSubject, MAX_URL_CHARS, oneLine, safeUrl, slackEscape, slackLink, slackText, truncate } from "../../src/alerts/text.js";
import { AlertRenderError } from "../../src/errors.js";

describe("oneLine", () => {
  it("turns line breaks, tabs and other controls into single spaces", () => {
    expect(oneLine("a\r\nb\tc\u0000d\u0085e\u2028f", 100)).toBe("a b c d e f");
  });

  it("removes bidi overrides and zero-width characters that make text display differently from what it is", () => {
    expect(oneLine("abc\u202edcba\u2066x\u200by\ufeff", 100)).toBe("abc dcba x y");
  });

  it("replaces a lone surrogate, which is not valid UTF-8", () => {
    expect(oneLine("a\ud800b", 100)).toBe("a\ufffdb");
  });

  it("cuts with an ellipsis, never inside a surrogate pair", () => {
    expect(oneLine("abcdef", 4)).toBe("abc…");
    expect(truncate("ab😀cd", 4)).toBe("ab…");
    expect(oneLine("", 10)).toBe("(none)");
  });
});

describe("fitSubject", () => {
  it("keeps the tag and the part marker, cuts the middle", () => {
    const s = fitSubject("[cloudhsm-retention]", `3 backups deleted in us-east-1/${"x".repeat(500)}`, "(part 2 of 5)");
    expect(s.length).toBeLessThan(100);
    expect(s.startsWith("[cloudhsm-retention] 3 backups deleted in us-east-1/xxx")).toBe(true);
    expect(s.endsWith("… (part 2 of 5)")).toBe(true);
  });

  it("leaves no line break or control character", () => {
    const s = fitSubject("[tag]\n", "a\r\nBcc: victim@example.com\u0007", "");
    expect(s).toBe("[tag] a Bcc: victim@example.com");
  });
});

describe("Slack escaping", () => {
  it("escapes exactly &, < and > (Slack's rule)", () => {
    expect(slackEscape("a & b <c> *d* _e_")).toBe("a &amp; b &lt;c&gt; *d* _e_");
  });

  it("keeps escaped text within the cap without cutting an entity", () => {
    const s = slackText("&".repeat(100), 50);
    expect(s.length).toBeLessThanOrEqual(50);
    expect(s).toMatch(/^(&amp;)+…$/);
  });

  it("builds a link that a `|` or `>` in the URL or text cannot end early", () => {
    expect(slackLink("https://x.example/restore/a|b>c&d", "Restore <b>")).toBe("<https://x.example/restore/a%7Cb%3Ec&amp;d|Restore &lt;b&gt;>");
  });
});

describe("safeUrl", () => {
  it("percent-encodes what could split or end a link, as UTF-8", () => {
    expect(safeUrl("https://x.example/r/a b\n<ü>\"")).toBe("https://x.example/r/a%20b%0A%3C%C3%BC%3E%22");
  });

  it("leaves a normal link untouched", () => {
    const url = "https://restore.example.com/restore/cnx1cy1lYXN0LTF8YWJj_-~.%20?x=1&y=2#f";
    expect(safeUrl(url)).toBe(url);
  });

  it("refuses to cut an overlong link", () => {
    expect(() => safeUrl(`https://x.example/${"a".repeat(MAX_URL_CHARS)}`)).toThrow(AlertRenderError);
  });
});
