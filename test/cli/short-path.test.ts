import { describe, expect, it } from "vitest";
import { shortPath } from "../../src/cli/http-adapter.js";
import { signToken } from "../../src/restore/token.js";

/** Trial 78: serve's access log cut each token to its first six characters, the same for every link of a region. */
describe("serve's access log path", () => {
  const secret = Buffer.from("0123456789abcdef0123456789abcdef", "utf8");
  const token = (backupId: string) => signToken({ action: "restore", region: "us-east-1", backupId, expiresAtMs: Date.parse("2026-12-05T06:00:00Z") }, secret);

  it("tells two links of one region apart, and never shows the token", () => {
    const [a, b] = [token("backup-abcdefghijk"), token("backup-bcdefghijkl")];
    const [sa, sb] = [shortPath(`/restore/${a}`), shortPath(`/restore/${b}`)];
    expect(sa).not.toBe(sb);
    expect(sa).not.toContain(a.slice(0, 12));
    expect(sa).toMatch(/^\/restore\/#[0-9a-f]{8}$/);
    expect(shortPath("/favicon.ico")).toBe("/favicon.ico");
  });
});
