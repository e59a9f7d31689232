/**
 * The page's only style sheet, inline; its SHA-256 is the one style source the page's
 * Content-Security-Policy allows. Colours follow GitHub's Primer palette, chosen to stay
 * apart for the common colour-vision deficiencies; shapes carry the meaning anyway.
 */
export const PAGE_CSS = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; }
body { margin: 0 auto; max-width: 1000px; padding: 16px; }
h1 { font-size: 1.4rem; margin: 0 0 4px; }
h2 { font-size: 1.1rem; margin: 28px 0 4px; font-family: ui-monospace, monospace; }
p { margin: 4px 0; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; list-style: none; padding: 0; margin: 10px 0; font-size: .9rem; }
.legend li { display: flex; align-items: center; gap: 6px; }
.notes { background: #fff8c5; border: 1px solid #d4a72c; padding: 8px 8px 8px 28px; }
svg.timeline { display: block; margin: 8px 0; overflow: visible; }
.lane { fill: #f6f8fa; }
.band { fill: #ffffff; stroke: #d0d7de; }
.tick { stroke: #afb8c1; stroke-width: .6; }
.kept-bucket { fill: #1a7f37; fill-opacity: .28; }
.window { fill: #0969da; fill-opacity: .16; }
.axis { stroke: #57606a; }
.now { stroke: #0969da; stroke-dasharray: 4 3; }
text { font-size: 11px; fill: #57606a; }
text.label { text-anchor: end; font-size: 12px; fill: #1f2328; }
text.tick-label, text.now-label { text-anchor: middle; }
.mark.keep { fill: #1a7f37; }
.mark.delete { fill: none; stroke: #cf222e; stroke-width: 2.2; }
.mark.defer { fill: #9a6700; }
.mark.held { fill: #8250df; }
.mark.skip { fill: #ffffff; stroke: #6e7781; stroke-width: 1.5; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; margin: 6px 0; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #d8dee4; vertical-align: top; }
tr.delete td:first-child { color: #cf222e; font-weight: 600; }
tr.keep td:first-child { color: #1a7f37; }
summary { cursor: pointer; margin: 6px 0; }
code { font-family: ui-monospace, monospace; }
`;
