import { describe, expect, it } from "vitest";
import { el, escapeXml } from "../../src/local/sns/xml.js";

describe("escapeXml", () => {
  it("escapes the five XML characters and keeps a CR as a reference", () => {
    expect(escapeXml(`a & b < c > d " e ' f\r\n`)).toBe("a &amp; b &lt; c &gt; d &quot; e &apos; f&#13;\n");
  });

  it("replaces what XML 1.0 cannot carry (NUL, other C0 controls, lone surrogates) and keeps the rest", () => {
    expect(escapeXml("x\u0000y\u0007z\tok\uD800!")).toBe("x\uFFFDy\uFFFDz\tok\uFFFD!");
    expect(escapeXml("🔐 ünï")).toBe("🔐 ünï");
  });

  it("escapes text children once and inserts markup children as they are", () => {
    expect(el("A", el("B", "<&>"), "x&y", undefined).markup).toBe("<A><B>&lt;&amp;&gt;</B>x&amp;y</A>");
  });
});
