import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

/**
 * `plan --format html` in a real browser: Debian's Chromium through playwright-core
 * (never a downloaded browser). The page must make no request at all, break no rule of
 * its own Content-Security-Policy, draw every backup, and keep hostile values as text.
 * A screenshot is saved to test-artifacts/ (git-ignored) for people to look at.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const ARTIFACTS = resolve("test-artifacts");

let context: BrowserContext;
let profile: string;
const out = mkdtempSync(join(tmpdir(), "plan-html-"));

beforeAll(async () => {
  profile = mkdtempSync(join(tmpdir(), "chromium-profile-"));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1100, height: 900 } });
}, 60_000);

afterAll(async () => {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

/** The browser's getComputedStyle, as the tsconfig (no DOM types) can see it. */
type Styled = { getComputedStyle(e: unknown): { fill: string; stroke: string } };

/** Opens a page, recording every request it makes and every console error (CSP violations land there). */
async function open(file: string) {
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  return { page, requests, errors };
}

describe("plan --format html in Chromium", () => {
  it("draws every backup of the example fleet with distinct shapes, lists it in a table, and makes no request", async () => {
    // Prepare
    const file = join(out, "plan.html");
    const run = await runCli(["plan", "--policy", "policies/example.yml", "--inventory", "examples/inventory.json", "--now", "2026-11-28T06:00:00Z", "--format", "html", "--out", file]);
    expect(run.code).toBe(0);
    // Act
    const { page, requests, errors } = await open(file);
    // Assess: nothing fetched but the file itself, nothing refused by the CSP.
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(errors).toEqual([]);
    // 389 backups (examples/inventory.json) in 4 groups, each a mark with a title and a table row.
    expect(await page.locator("svg.timeline").count()).toBe(4);
    expect(await page.locator("svg.timeline g.mark").count()).toBe(389);
    expect(await page.locator("section table tbody tr").count()).toBe(389);
    expect(await page.locator("svg.timeline g.mark > title").count()).toBe(389);
    // Readable without colour: each outcome has its own shape element.
    expect(await page.locator("svg.timeline g.mark.keep > circle").count()).toBeGreaterThan(0);
    expect(await page.locator("svg.timeline g.mark.delete > path").count()).toBeGreaterThan(0);
    expect(await page.locator("svg.timeline g.mark.defer > path").count()).toBeGreaterThan(0);
    expect(await page.locator("svg.timeline g.mark.skip > rect").count()).toBe(2);
    // ...and its own colour, from the page's (hashed) style sheet.
    const keepFill = await page.locator("svg.timeline g.mark.keep > circle").first().evaluate((el) => (globalThis as unknown as Styled).getComputedStyle(el).fill);
    const deleteStroke = await page.locator("svg.timeline g.mark.delete > path").first().evaluate((el) => (globalThis as unknown as Styled).getComputedStyle(el).stroke);
    expect(keepFill).toBe("rgb(26, 127, 55)");
    expect(deleteStroke).toBe("rgb(207, 34, 46)");
    // The reason on hover: a kept backup's title says which rule keeps it.
    const titles = await page.locator("svg.timeline g.mark.keep > title").allTextContents();
    expect(titles.some((t) => /daily 2026-11-2\d/.test(t))).toBe(true);
    // Bucket bands for the production policy's rules, with kept buckets shaded.
    expect(await page.locator("text.band-label", { hasText: /^daily 7$/ }).count()).toBe(2);
    expect(await page.locator("rect.kept-bucket").count()).toBeGreaterThan(10);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "plan-timeline.png"), fullPage: true });
    await page.close();
  });

  it("keeps hostile backup IDs, cluster IDs and tags as text: no element, no request", async () => {
    const file = join(out, "hostile.html");
    const args = ["plan", "--policy", "test/fixtures/hostile/policy.yml", "--inventory", "test/fixtures/hostile/inventory.json", "--region", "us-east-1"];
    const run = await runCli([...args, "--now", "2026-11-28T00:00:00Z", "--format", "html", "--out", file]);
    expect(run.code).toBe(0);
    const { page, requests, errors } = await open(file);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(errors).toEqual([]);
    expect(await page.locator("img, script, body b").count()).toBe(0);
    expect(await page.locator("h2").allTextContents()).toContain("us-east-1/cluster-</title><script>alert(1)</script>");
    expect(await page.locator("td code").allTextContents()).toContain('backup-2<img src="http://127.0.0.1:9/pwned.png">"\'&<x>@team #1');
    await page.close();
  });
});
