import { createHash } from "node:crypto";
import escapeHtml from "escape-html";
import { oneLine } from "../alerts/text.js";

/**
 * The restore page's HTML frame: no script at all, no external resource, one inline
 * `<style>` allowed by its hash in the Content-Security-Policy (so no 'unsafe-inline').
 */

/**
 * Every value that did not come from this file goes through here: one line (controls,
 * bidi overrides and lone surrogates removed, see alerts/text.ts), cut to `maxChars`,
 * then HTML-escaped by escape-html. Tags and reasons can hold anything.
 */
export function text(value: string | null | undefined, maxChars = 300): string {
  return escapeHtml(oneLine(value, maxChars));
}

/** System fonts, light and dark, readable on a phone; AA contrast in both schemes. */
const CSS = `
:root{color-scheme:light dark;--bg:#f3f4f6;--card:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--accent:#0a56a6;--on-accent:#fff;--warn-bg:#fff8e1;--warn:#9a6700;--bad-bg:#ffebe9;--bad:#cf222e;--ok-bg:#dafbe1;--ok:#1a7f37}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#151b23;--fg:#e6edf3;--muted:#9ba6b2;--line:#3d444d;--accent:#4493f8;--on-accent:#0d1117;--warn-bg:#272115;--warn:#d29922;--bad-bg:#2d1517;--bad:#f85149;--ok-bg:#12261e;--ok:#3fb950}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:46rem;margin:2.5rem auto;padding:2rem 2.25rem;background:var(--card);border:1px solid var(--line);border-radius:12px}
.brand{margin:0 0 .25rem;color:var(--muted);font-size:.85rem;letter-spacing:.03em}
h1{margin:0 0 .75rem;font-size:1.45rem;line-height:1.3;overflow-wrap:anywhere}
p{margin:.75rem 0}
dl{display:grid;grid-template-columns:minmax(9rem,max-content) 1fr;gap:.45rem 1.25rem;margin:1.5rem 0;padding:1rem 0;border-top:1px solid var(--line);border-bottom:1px solid var(--line)}
dt{color:var(--muted)}
dd{margin:0;overflow-wrap:anywhere}
code{font:.92em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.state{font-weight:650}
.note{margin:1.25rem 0;padding:.8rem 1rem;border-left:4px solid var(--line);border-radius:6px}
.warn{background:var(--warn-bg);border-color:var(--warn)}
.bad{background:var(--bad-bg);border-color:var(--bad)}
.ok{background:var(--ok-bg);border-color:var(--ok)}
form{display:flex;flex-wrap:wrap;gap:.75rem;margin:1.75rem 0 1rem}
button{font:inherit;font-weight:600;padding:.7rem 1.15rem;border-radius:8px;border:2px solid var(--accent);background:var(--card);color:var(--accent);cursor:pointer}
button.primary{background:var(--accent);color:var(--on-accent)}
button:hover{filter:brightness(1.08)}
button:focus-visible{outline:3px solid var(--fg);outline-offset:2px}
.fine{color:var(--muted);font-size:.88rem}
ul.tags{margin:0;padding:0;list-style:none}
@media (max-width:40rem){main{margin:0;border:0;border-radius:0;padding:1.25rem}dl{grid-template-columns:1fr;gap:.1rem}dd{margin-bottom:.6rem}button{width:100%}}
`.trim();

/** `'sha256-…'` of the style element's text, for the CSP's style-src. */
export const STYLE_HASH = `'sha256-${createHash("sha256").update(CSS, "utf8").digest("base64")}'`;

/**
 * A whole page. `title` and `body` are HTML already (escape values with `text`). The
 * robots meta repeats the X-Robots-Tag header for crawlers that read only the page.
 */
export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<p class="brand">cloudhsm-retention · CloudHSM backup restore</p>
${body}
</main>
</body>
</html>
`;
}
