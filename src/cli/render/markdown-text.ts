import escapeHtml from "escape-html";

/**
 * Text for a GitHub comment. Values come from AWS (backup IDs, tags quoted in reasons)
 * and from people; none of them may add markup, links, mentions or table cells:
 * - HTML is escaped (escape-html), so `<img>` or `</details>` stays text;
 * - Markdown's emphasis, code, link and table punctuation is backslash-escaped (`|` would
 *   split a cell);
 * - `@` and `#` are followed by an empty HTML comment, so no one is mentioned and nothing is
 *   cross-referenced (GitHub decodes entities such as `&#64;` before its mention filter, but an
 *   element between `@` and the name splits the text it looks at; what readers see is unchanged);
 * - `://` and `www.` are broken with an entity, so no URL turns into a link;
 * - line breaks become spaces.
 */
export function md(text: string): string {
  return escapeHtml(text.replace(/[\r\n\u2028\u2029]+/g, " "))
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/@/g, "@<!-- -->")
    // escape-html writes ' as &#39;: only a # of the text itself is preceded by something else.
    .replace(/(?<!&)#/g, "#<!-- -->")
    .replace(/:\/\//g, "&#58;//")
    .replace(/www\./gi, (w) => `${w.slice(0, 3)}&#46;`);
}

/**
 * Text inside raw HTML (a `<summary>` line): GitHub passes an HTML block through as it is, so
 * a Markdown backslash escape would show; HTML escaping and the mention breaks are enough.
 */
export function htmlText(text: string): string {
  return escapeHtml(text.replace(/[\r\n\u2028\u2029]+/g, " "))
    .replace(/@/g, "@<!-- -->")
    .replace(/(?<!&)#/g, "#<!-- -->")
    .replace(/:\/\//g, "&#58;//")
    .replace(/www\./gi, (w) => `${w.slice(0, 3)}&#46;`);
}

/** A backup ID in a code span when it is a plain ID; anything odd is escaped text instead. */
export function mdId(id: string): string {
  return /^[A-Za-z0-9-]+$/.test(id) ? `\`${id}\`` : md(id);
}

/** UTF-8 bytes: GitHub's limit is 65,536 characters; counting bytes is never more lenient. */
export const bytes = (text: string): number => Buffer.byteLength(text, "utf8");

/**
 * Room left in a comment. Lists are allotted rows in priority order (deletions before
 * kept backups), each list's opening and closing lines reserved before its first row,
 * and a line at the end says how many rows were left out.
 */
export class Budget {
  #left: number;
  constructor(limitBytes: number) {
    this.#left = limitBytes;
  }
  take(text: string): boolean {
    const n = bytes(text) + 1;
    if (n > this.#left) return false;
    this.#left -= n;
    return true;
  }
  get left(): number {
    return this.#left;
  }
}
