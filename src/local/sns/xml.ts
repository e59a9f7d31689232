/**
 * The little XML the SNS query protocol needs, built by hand: a handful of fixed element
 * names with text inside, no attributes but the namespace. Text is escaped here and only
 * here; markup is a distinct type, so a string can never slip in unescaped.
 */
export interface Markup {
  readonly markup: string;
}

export const SNS_XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/";

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  // A parser turns a raw CR (or CRLF) into LF; the reference keeps it.
  "\r": "&#13;",
};

/**
 * Characters XML 1.0 cannot carry at all, not even as references, and lone surrogates.
 * They become U+FFFD so that a reply always parses.
 */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  return text.replace(NOT_XML, "\uFFFD").replace(/[&<>"'\r]/g, (c) => ESCAPES[c] as string);
}

/** `<name>children</name>`; strings are text (escaped), undefined children are left out. */
export function el(name: string, ...children: Array<Markup | string | undefined>): Markup {
  const inner = children.map((c) => (c === undefined ? "" : typeof c === "string" ? escapeXml(c) : c.markup)).join("");
  return { markup: `<${name}>${inner}</${name}>` };
}

/** The document element, in the SNS namespace. */
export function document(name: string, ...children: Array<Markup | undefined>): string {
  return `<${name} xmlns="${SNS_XMLNS}">${children.map((c) => c?.markup ?? "").join("")}</${name}>`;
}
