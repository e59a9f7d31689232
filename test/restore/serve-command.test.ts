import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startCommand } from "../../src/cli/commands/start.js";
import { serveCommand } from "../../src/cli/commands/serve.js";
import type { CliIo } from "../../src/cli/io.js";
import type { LocalEndpoint } from "../../src/local/index.js";
import { runCli } from "../support/cli.js";
import { start } from "../local/support.js";
import { backupIdOf, ENV, formTokenIn, postForm, raw } from "./support.js";

/** An io whose output can be awaited: `until(re)` resolves with the first match in stdout. */
function watchedIo(env: Record<string, string>) {
  let out = "";
  let err = "";
  const waiters: Array<{ re: RegExp; resolve: (m: RegExpExecArray) => void }> = [];
  const io: CliIo = {
    stdout: (t) => {
      out += t;
      for (const w of waiters) {
        const m = w.re.exec(out);
        if (m) w.resolve(m);
      }
    },
    stderr: (t) => void (err += t),
    env,
    isTTY: false,
    nowMs: () => Date.now(),
  };
  return { io, out: () => out, err: () => err, until: (re: RegExp) => new Promise<RegExpExecArray>((resolve) => waiters.push({ re, resolve })) };
}

describe("npm start -- --serve", () => {
  it("keeps its output, serves the restore page, and prints a demo link that opens it; pressing its button restores", { timeout: 120_000 }, async () => {
    const w = watchedIo({ XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "cloudhsm-retention-start-")) });
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const run = startCommand({ serve: true }, w.io, stopped);
    const [, link] = await Promise.race([w.until(/brings back the newest backup deleted:\n {2}(http:\/\/127\.0\.0\.1:\d+\/restore\/[A-Za-z0-9_-]+)\n/), run.then(() => [])]);
    expect(link, w.out() + w.err()).toBeDefined();
    try {
      const page = await raw(link!);
      expect(page.status).toBe(200);
      expect(page.body).toContain(`Restore <code>${backupIdOf(link!)}</code>?`);
      const restored = await postForm(link!, { form_token: formTokenIn(page.body), keep: "hold" });
      expect(restored.status).toBe(200);
      expect(restored.body).toContain("<h1>Restored</h1>");
    } finally {
      stop();
    }
    expect(await run).toBe(0);
    // What npm start printed before stays: the plan, the alerts, how to reach the endpoint.
    expect(w.out()).toMatch(/^Plan: \d+ to delete/m);
    expect(w.out()).toContain("Alerts sent to the SNS topic");
    expect(w.out()).toMatch(/The local endpoint stays up at http:\/\/127\.0\.0\.1:\d+ \(Ctrl-C to stop\)/);
    expect(w.out()).toMatch(/The restore page is up at http:\/\/127\.0\.0\.1:\d+\./);
    // The page's access log names the request without the token.
    expect(w.err()).toMatch(/^GET \/restore\/#[0-9a-f]{8} 200 \d+ ms$/m);
    expect(w.err()).not.toContain(link!.slice(-30));
  });
});

describe("cloudhsm-retention serve", () => {
  it("serves until stopped, and says so", async () => {
    const endpoint: LocalEndpoint = await start();
    try {
      const w = watchedIo({ ...ENV });
      let stop!: () => void;
      const run = serveCommand({ port: "0", endpointUrl: endpoint.url }, w.io, new Promise<void>((r) => (stop = r)));
      const [, url] = await w.until(/^Restore page at (http:\/\/127\.0\.0\.1:\d+) \(Ctrl-C to stop\)/m);
      expect((await raw(`${url}/restore/x`)).status).toBe(404);
      stop();
      expect(await run).toBe(0);
      // Links point at 8787 by default; this one runs elsewhere, and says how to open them.
      expect(w.err()).toContain(`note: restore links point at http://127.0.0.1:8787`);
    } finally {
      await endpoint.close();
    }
  });

  it("refuses a port in use or not a port, with one line and exit 2", async () => {
    const endpoint = await start();
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    try {
      const port = (busy.address() as { port: number }).port;
      const inUse = await runCli(["serve", "--port", String(port), "--endpoint-url", endpoint.url], { env: ENV });
      expect(inUse).toMatchObject({ code: 2, stderr: `--port ${port}: address already in use\n` });
      const notAPort = await runCli(["serve", "--port", "http", "--endpoint-url", endpoint.url], { env: ENV });
      expect(notAPort).toMatchObject({ code: 2, stderr: `--port: "http" is not a TCP port (0-65535; 0 picks a free one)\n` });
      const noAlerts = await runCli(["serve", "--no-alerts", "--endpoint-url", endpoint.url], { env: ENV });
      expect(noAlerts.code).toBe(2);
    } finally {
      busy.close();
      await endpoint.close();
    }
  });
});
