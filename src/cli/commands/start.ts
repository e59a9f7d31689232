import { join } from "node:path";
import type { CliIo } from "../io.js";
import { packageRoot } from "../package-root.js";
import { signalled } from "../signals.js";
import { applyCommand } from "./apply.js";
import { DEFAULT_SERVE_PORT, type RestoreServer, startRestoreServer } from "./serve.js";

const examplePolicy = () => join(packageRoot(), "policies", "example.yml");

/** The embedded endpoint accepts any keys; these keep the SDK from looking for real ones. */
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/**
 * `npm start`: the main job on the embedded default. Starts the local AWS endpoint on a
 * free port, seeds the example fleet, runs `apply` with policies/example.yml through the
 * same code path as production, prints the plan and the outcome. `--serve` keeps the
 * endpoint up afterwards for the AWS CLI or SDK, and serves the restore page that the
 * alerts' links open (port 8787), printing one of those links.
 */
export async function startCommand(opts: { serve?: boolean; verbose?: boolean }, io: CliIo, stopped?: Promise<unknown>): Promise<number> {
  // Dynamic on purpose: production code never imports src/local statically.
  const { startLocalEndpoint } = await import("../../local/index.js");
  const { exampleFleet, EXAMPLE_REGIONS } = await import("../../local/example.js");
  const backups = exampleFleet(io.nowMs());
  const endpoint = await startLocalEndpoint({ port: 0, seeds: [{ backups }] });
  let page: RestoreServer | undefined;
  try {
    io.stderr(`Local AWS endpoint at ${endpoint.url} with ${backups.length} backups in ${EXAMPLE_REGIONS.join(", ")}.\n\n`);
    // The restore page starts first, so that the alerts' links point at it.
    if (opts.serve) page = await restorePageFor(endpoint.url, EXAMPLE_REGIONS[0]!, io);
    const code = await applyCommand(
      {
        policy: [examplePolicy()],
        region: EXAMPLE_REGIONS,
        endpointUrl: endpoint.url,
        format: "table",
        credentials: LOCAL_CREDENTIALS,
        verbose: opts.verbose,
        ...(page ? { restoreBaseUrl: page.url } : {}),
      },
      io,
    );
    io.stdout(renderSentAlerts(endpoint.sns.published(), opts.verbose ? 3 : 1));
    if (!opts.serve && endpoint.sns.published().length > 0) {
      io.stdout("\nThe restore links above point at a page that is not running now: `npm start -- --serve` runs the same and keeps the page up to open them.\n");
    }
    if (opts.serve) {
      io.stdout(
        `\nThe local endpoint stays up at ${endpoint.url} (Ctrl-C to stop). Try:\n` +
          `  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws cloudhsmv2 describe-backups --endpoint-url ${endpoint.url} --region us-east-1\n` +
          `  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local npx cloudhsm-retention apply --policy policies/example.yml --region us-east-1 --endpoint-url ${endpoint.url} --dry-run\n`,
      );
      if (page) io.stdout(restorePageText(page.url, endpoint.sns.published()));
      await (stopped ?? signalled());
    }
    return code;
  } finally {
    await page?.close();
    await endpoint.close();
  }
}

/** The restore page on port 8787, where local links point by default; on a free port when that one is taken. */
async function restorePageFor(endpointUrl: string, region: string, io: CliIo): Promise<RestoreServer> {
  const opts = { endpointUrl, region, policy: [examplePolicy()], credentials: LOCAL_CREDENTIALS };
  try {
    return await startRestoreServer({ ...opts, port: String(DEFAULT_SERVE_PORT) }, io);
  } catch (err) {
    if ((err as { cause?: NodeJS.ErrnoException }).cause?.code !== "EADDRINUSE") throw err;
    const page = await startRestoreServer({ ...opts, port: "0" }, io);
    io.stderr(`Port ${DEFAULT_SERVE_PORT} is taken: the restore page is at ${page.url}, and this run's links point there.\n`);
    return page;
  }
}

/** Where the restore page is, and one of this run's restore links to open in a browser. */
function restorePageText(pageUrl: string, published: ReadonlyArray<{ message: string }>): string {
  const escaped = pageUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`${escaped}/restore/[A-Za-z0-9_-]+`);
  // The newest backup deleted: an old one may be past the cluster's own retention, and its
  // page would open with a warning that is not what a first look should be about.
  let link: string | undefined;
  let newestMs = -Infinity;
  for (const m of published) {
    const email = (JSON.parse(m.message) as { email?: string }).email ?? "";
    for (const block of email.split(/\n(?=\d+\. backup-)/)) {
      const found = pattern.exec(block)?.[0];
      const created = /^Created:.*\((\d{4}-\d\d-\d\dT[\d:]+Z)\)/m.exec(block)?.[1];
      const createdMs = created ? Date.parse(created) : -Infinity;
      if (found && (link === undefined || createdMs > newestMs)) [link, newestMs] = [found, createdMs];
    }
  }
  const lines = ["", `The restore page is up at ${pageUrl}.`];
  if (link) {
    lines.push(
      "Open a restore link from the alerts above in a browser; this one brings back the newest backup deleted:",
      `  ${link}`,
      "Opening it changes nothing: the page shows the backup, and only its buttons restore it.",
    );
  } else {
    lines.push("This run deleted nothing, so there is no restore link to open.");
  }
  return `${lines.join("\n")}\n`;
}

/**
 * What the run told people: every message's subject (the parts of one digest on one line),
 * then the first one as an email subscriber and as Slack (through AWS Chatbot) would see
 * it, with its first `shown` backups: the whole of `npm start` fits a screen or two.
 */
function renderSentAlerts(published: ReadonlyArray<{ subject: string | null; message: string }>, shown: number): string {
  if (published.length === 0) return "\nNo alerts were sent.\n";
  const out = ["", `Alerts sent to the SNS topic (${published.length === 1 ? "1 message" : `${published.length} messages`}):`];
  const subjects = new Map<string, number>();
  for (const m of published) {
    const subject = (m.subject ?? "(no subject)").replace(/ \(part \d+ of (\d+)\)$/, " ($1 parts)");
    subjects.set(subject, (subjects.get(subject) ?? 0) + 1);
  }
  for (const subject of subjects.keys()) out.push(`  ${subject}`);
  const first = JSON.parse(published[0]!.message) as { email: string; https: string };
  const slack = JSON.parse(first.https) as { content: { title: string; description: string; nextSteps?: string[] } };
  const which = shown === 1 ? "its first backup" : `its first ${shown} backups`;
  out.push("", `── The first, as an email subscriber reads it (on this screen, ${which}) ──`, "", `Subject: ${published[0]!.subject ?? ""}`, "");
  out.push(...firstBackups(first.email.trimEnd().split("\n"), /^\d+\. backup-/, shown));
  out.push("", `── The same, as Slack shows it through AWS Chatbot (${which}) ──`, "", `*${slack.content.title}*`);
  out.push(...firstBackups(slack.content.description.trimEnd().split("\n"), /^• </, shown));
  for (const step of slack.content.nextSteps ?? []) out.push(`• ${step}`);
  out.push("", "Every message in full: npm start -- --serve, then curl <endpoint>/_emulator/sns");
  return `${out.join("\n")}\n`;
}

/** The lines up to the `keep`th backup entry (entries start with `entry`), then a count of the rest and what follows them. */
function firstBackups(lines: string[], entry: RegExp, keep: number): string[] {
  const starts = lines.flatMap((l, i) => (entry.test(l) ? [i] : []));
  if (starts.length <= keep) return lines;
  // The entries end where the first line after the last one that is not part of an entry begins.
  const lastStart = starts[starts.length - 1]!;
  let end = lastStart + 1;
  while (end < lines.length && lines[end] !== "" && !entry.test(lines[end]!) && !/^(-- |• To )/.test(lines[end]!)) end++;
  const cut = starts[keep]!;
  return [...lines.slice(0, cut), `… and ${starts.length - keep} more backups in this message`, ...lines.slice(end)];
}
