import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/**
 * The restore function's bundle, built as serverless-esbuild builds the others (bundle,
 * ESM, node): nothing of the local endpoint, the CLI or the test browser may reach it,
 * since the page's code is shared with `cloudhsm-retention serve`.
 */
describe("functions/restore.ts bundle", () => {
  it("holds the page and its middlewares, and nothing of src/local, src/cli or playwright", { timeout: 60_000 }, async () => {
    const out = await build({ entryPoints: ["functions/restore.ts"], bundle: true, platform: "node", format: "esm", target: "node22", write: false, metafile: true, logLevel: "silent" });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs).toContain("src/restore/http.ts");
    expect(inputs.some((p) => p.includes("@middy/http-router"))).toBe(true);
    expect(inputs.some((p) => p.includes("escape-html"))).toBe(true);
    expect(inputs.filter((p) => /^src\/(local|cli)\//.test(p) || p.includes("playwright"))).toEqual([]);
    const text = out.outputFiles.map((f) => f.text).join("");
    for (const marker of ["/_emulator/", "UnknownOperationException", "No emulated service handles"]) expect(text).not.toContain(marker);
  });
});
