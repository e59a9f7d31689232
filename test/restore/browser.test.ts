import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { makeFleet } from "../../src/local/fleet.js";
import { NOW_MS } from "../local/support.js";
import { applyJson, stage, stateOf, writesSinceReset } from "./support.js";

/**
 * A person's path through the restore page, in a real browser: playwright-core driving
 * Debian's Chromium. Skipped with a message where /usr/bin/chromium is missing, unless
 * REQUIRE_BROWSER=1 (CI sets it, after `.ci/run` installs chromium), where that fails.
 * Screenshots land in test-artifacts/ (git-ignored).
 */

const CHROMIUM = "/usr/bin/chromium";
const HAVE_BROWSER = existsSync(CHROMIUM);
const REQUIRED = process.env.REQUIRE_BROWSER === "1";
const ARTIFACTS = join(import.meta.dirname, "..", "..", "test-artifacts");
/** The flags that work for Debian's Chromium here (../shared/reference/toolchain.md). */
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const REGION = "us-east-1";

if (!HAVE_BROWSER && !REQUIRED) {
  console.warn(`skipping the browser test: ${CHROMIUM} is missing (apt-get install chromium); set REQUIRE_BROWSER=1 to make that a failure`);
}

describe.skipIf(!HAVE_BROWSER && !REQUIRED)("the restore page in a real browser", () => {
  it("open the link, see the backup (unchanged), press 'Restore and keep for 30 days', see READY; the next sweep keeps it", { timeout: 120_000 }, async () => {
    expect(HAVE_BROWSER, `REQUIRE_BROWSER=1 but ${CHROMIUM} is missing`).toBe(true);
    const s = await stage(makeFleet({ endMs: NOW_MS, days: 40, clusters: [{ region: REGION, count: 1 }], seed: 21 }), [REGION]);
    const profile = await mkdtemp(join(tmpdir(), "cloudhsm-retention-chromium-"));
    // A fresh profile: launchPersistentContext, since a --user-data-dir argument is refused.
    const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1000, height: 900 } });
    try {
      await mkdir(ARTIFACTS, { recursive: true });
      const [backupId, link] = [...s.links].find(([id]) => stateOf(s.endpoint, REGION, id)?.state === "PENDING_DELETION")!;
      const page = browser.pages()[0] ?? (await browser.newPage());
      const cspViolations: string[] = [];
      page.on("console", (m) => {
        if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
      });

      s.endpoint.calls.reset();
      const shown = await page.goto(link);
      expect(shown?.status()).toBe(200);
      await expect.poll(() => page.locator("h1").textContent()).toContain(backupId);
      expect(await page.locator("dl").textContent()).toContain("PENDING_DELETION");
      // The style is applied (its hash is in the CSP): the primary button has the accent colour.
      expect(await page.locator("button.primary").evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor)).toBe("rgb(10, 86, 166)");
      await page.screenshot({ path: join(ARTIFACTS, "restore-page-confirm.png"), fullPage: true });
      // Opening the page changed nothing.
      expect(stateOf(s.endpoint, REGION, backupId)?.state).toBe("PENDING_DELETION");
      expect(writesSinceReset(s.endpoint)).toEqual({});

      const [post] = await Promise.all([
        page.waitForRequest((r) => r.method() === "POST"),
        page.getByRole("button", { name: "Restore and keep for 30 days" }).click(),
      ]);
      await page.waitForLoadState();
      await expect.poll(() => page.locator("h1").textContent()).toBe("Restored");
      expect(await page.locator("dl").textContent()).toContain("READY");
      expect(await page.locator("dl").textContent()).toMatch(/held until/);
      await page.screenshot({ path: join(ARTIFACTS, "restore-page-restored.png"), fullPage: true });
      // What the browser said about where the post came from: Chromium sends Origin: null
      // under the page's no-referrer policy, and Sec-Fetch-Site: same-origin.
      const sent = await post.allHeaders();
      expect(sent["sec-fetch-site"]).toBe("same-origin");
      expect(["null", s.server.url]).toContain(sent.origin);
      expect(cspViolations).toEqual([]);
      expect(stateOf(s.endpoint, REGION, backupId)?.state).toBe("READY");

      // The sweep right after keeps it: held.
      const sweep = await applyJson(s.endpoint, [REGION]);
      expect(sweep.code).toBe(0);
      const decision = sweep.report.decisions.find((d: { backupId: string }) => d.backupId === backupId);
      expect(decision.action).toBe("keep");
      expect(decision.reasons[0]).toMatch(/^held until .*: restored through the restore link$/);
      expect(stateOf(s.endpoint, REGION, backupId)?.state).toBe("READY");
      // Opened again later, the link says the backup is back.
      await page.goto(link);
      await expect.poll(() => page.locator("h1").textContent()).toContain("is back already");
    } finally {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
      await s.close();
    }
  });
});
