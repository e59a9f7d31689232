import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { renderPlanMarkdown } from "../src/cli/render/markdown.js";
import { md } from "../src/cli/render/markdown-text.js";
import { planRetention } from "../src/retention/plan.js";
import { backup, ms, policy } from "./support/backup-factory.js";

/**
 * Review of issues 9 and 10 (branch review910): each test quotes the promise it checks and
 * fails while the promise is broken. None of the expected values comes from the code under
 * test: they come from GitHub's documented limits and behaviour, npm's packing rules, the
 * README and the example workflow.
 */

const ROOT = join(import.meta.dirname, "..");
const run = promisify(execFile);
const NOW = ms("2026-11-28T00:00:00Z");
const DAY = 86_400_000;

/**
 * What GitHub's post-processing filters (mentions, issue references) see: the text of the
 * rendered HTML, where every character reference is already decoded. GitHub runs its
 * @mention and #reference filters after cmark-gfm, on that text: `&#64;user` and `&#35;181`
 * still mention and still link (github/cmark-gfm#181, github/markup#1168; openjdk/skara#1548:
 * "I tried to escape @ with &#64;, but failed, the text would still mention").
 */
function renderedText(markdown: string): string {
  return markdown
    .replace(/\\([!-/:-@[-`{-~])/g, "$1")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

describe("review910: issue 10, plan --format markdown", () => {
  it("md(): '`@` and `#` become entities, so no one is mentioned and nothing is cross-referenced' (src/cli/render/markdown-text.ts:9)", () => {
    // A tag value or cluster name that reaches a reason: anyone who can tag a backup writes it.
    const text = md("owner @acme/security-team, see #1");
    // GitHub decodes &#64; before its mention filter runs: the team would be pinged.
    expect(renderedText(text)).not.toMatch(/(^|[^\w`])@acme\/security-team/);
    expect(renderedText(text)).not.toMatch(/(^|[^\w&])#1\b/);
  });

  it("a hostile cluster name in the plan comment mentions no one once GitHub renders it", () => {
    const hostile = [
      backup({ id: "b1", at: "2026-11-27T03:00:00Z", cluster: "cluster-@acme/security-team" }),
      backup({ id: "b2", at: "2026-11-26T03:00:00Z", cluster: "cluster-@acme/security-team" }),
    ];
    const comment = renderPlanMarkdown(planRetention({ backups: hostile, policies: [policy({ keep: { last: 1 } })], nowMs: NOW }));
    expect(renderedText(comment)).not.toContain("@acme/security-team");
  });

  it("'Readable for a thousand backups ... GitHub's 65,536-character comment limit respected': 1,000 backups in 200 clusters (issue 10, item 1)", () => {
    // 200 clusters of 5 daily backups each (a fleet whose clusters keep a week): 1,000 backups.
    const backups = [];
    for (let c = 0; c < 200; c++) {
      for (let i = 0; i < 5; i++) {
        backups.push(backup({ id: `backup-${c}x${i}`, cluster: `cluster-${String(c).padStart(4, "0")}`, at: new Date(ms("2026-11-27T23:00:00Z") - i * DAY).toISOString() }));
      }
    }
    const comment = renderPlanMarkdown(planRetention({ backups, policies: [policy({ keep: { last: 2 } })], nowMs: NOW }));
    // GitHub refuses a comment body over 65,536 characters (the workflow's updateComment then fails).
    expect(comment.length).toBeLessThanOrEqual(65_536);
  });
});

describe("review910: issue 10, the folded lists' <summary> lines", () => {
  it("a reason in a <summary> reads as the policy wrote it: 'tags legal_hold=true', not 'legal\\_hold' (raw HTML: no Markdown escape is undone there)", () => {
    // CommonMark 0.31 §4.6: a line starting with <details> or <summary> opens an HTML block
    // that runs to the next blank line; its content is passed through as raw HTML, so a
    // backslash escape in it is shown as a backslash. The browser decodes entities only.
    const backups = [1, 2, 3].map((i) => backup({ id: `b${i}`, at: `2026-11-2${i}T03:00:00Z`, tags: { legal_hold: "true" } }));
    const comment = renderPlanMarkdown(planRetention({ backups, policies: [policy({ keep: { tags: [["legal_hold=true"]] } })], nowMs: NOW }));
    const summaries = comment.split("\n").filter((l) => l.startsWith("<summary>"));
    expect(summaries.length).toBeGreaterThan(0);
    const shown = summaries.map((l) => l.replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d))).replace(/&amp;/g, "&"));
    expect(shown.join("\n")).toContain("tags legal_hold=true");
  });
});

describe("review910: issue 10, a fast CLI as shipped, and examples/policy-repo", () => {
  it("'ship the CLI as JavaScript built from the sources' (issue 10, item 6): the package npm builds (npm pack, as for the example's github: dependency) holds dist/", async () => {
    // npm installs a git dependency by running its `prepare` and then packing it as `npm pack`
    // does (files / .npmignore / .gitignore): what is not packed is not installed.
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, timeout: 60_000 });
    const files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toContain("bin/cloudhsm-retention.js");
    // Without dist/, bin/cloudhsm-retention.js falls back to tsx on every start (README "A fast CLI").
    expect(files).toContain("dist/cli.js");
    expect(files).toContain("dist/manifest.json");
  });

  it("README 'deploy on merge: npx serverless deploy --stage prod --param=\"policyRevision=$GITHUB_SHA\"': the example workflow's deploy passes policyRevision", () => {
    // serverless.yml reads ${param:policyRevision} ("the CI workflow passes it"); an environment
    // variable POLICY_REVISION on the deploy step never reaches the functions.
    const workflow = parse(readFileSync(join(ROOT, "examples/policy-repo/.github/workflows/retention.yml"), "utf8")) as {
      jobs: Record<string, { steps: Array<{ run?: string }> }>;
    };
    const deploy = workflow.jobs.deploy!.steps.map((s) => s.run ?? "").find((r) => r.includes("serverless deploy"));
    expect(deploy).toBeDefined();
    expect(deploy).toMatch(/--param[= ]"?policyRevision=/);
  });

  it("the workflow's guard 'Compared with the base branch, once it has policies (not on the first pull request)' holds for a base whose policies/ holds only a .gitkeep", async () => {
    // Prepare: a policy repository started with an empty policies/ folder (kept by .gitkeep),
    // and a first pull request that adds the first policy.
    const repo = mkdtempSync(join(tmpdir(), "review910-repo-"));
    try {
      const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
      git("init", "-q", "-b", "main");
      git("config", "user.email", "review@example.com");
      git("config", "user.name", "review");
      mkdirSync(join(repo, "policies"));
      writeFileSync(join(repo, "policies", ".gitkeep"), "");
      git("add", "-A");
      git("commit", "-qm", "empty policies folder");
      git("checkout", "-qb", "first-policy");
      writeFileSync(join(repo, "policies", "example.yml"), readFileSync(join(ROOT, "policies", "example.yml")));
      git("add", "-A");
      git("commit", "-qm", "first policy");
      // The workflow's own guard (retention.yml, "Plan, compared with the base branch").
      const guardPasses = (() => {
        try {
          git("cat-file", "-e", "main:policies");
          return true;
        } catch {
          return false;
        }
      })();
      // Act: what the workflow then runs (with a saved listing instead of AWS).
      const args = [join(ROOT, "bin/cloudhsm-retention.js"), "plan", "--policy", "policies/", "--inventory", join(ROOT, "examples/inventory.json"), "--region", "us-east-1", "--now", "2026-11-28T06:00:00Z", "--format", "markdown"];
      if (guardPasses) args.push("--compare", "main:policies/");
      const code = await run(process.execPath, args, { cwd: repo, timeout: 60_000 }).then(
        () => 0,
        (err: { code: number }) => err.code,
      );
      // Assess: the first pull request gets its plan (exit 0), not "no policy files ... at main" (exit 2).
      expect(code).toBe(0);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});

describe("review910: issue 9, the alarms on Retention Run Halted", () => {
  /**
   * CloudWatch's documented evaluation (Using Amazon CloudWatch alarms, "Configuring how
   * alarms treat missing data"): each period the alarm looks at the last EvaluationPeriods
   * datapoints; with TreatMissingData notBreaching a missing datapoint counts as good, so
   * the alarm is OK again one period after the last event. IncomingLogEvents has no
   * datapoint for a period in which nothing arrived. Returns how many times the alarm went
   * into ALARM (each time its AlarmActions notify the topic).
   */
  function alarmNotifications(alarm: Record<string, any>, eventMinutes: number[], horizonMinutes: number): number {
    const periodMin = Number(alarm.Period) / 60;
    const n = Number(alarm.EvaluationPeriods);
    const m = Number(alarm.DatapointsToAlarm ?? n);
    const periods = Math.ceil(horizonMinutes / periodMin);
    const sums = new Array<number | undefined>(periods).fill(undefined);
    for (const t of eventMinutes) {
      const p = Math.floor(t / periodMin);
      sums[p] = (sums[p] ?? 0) + 1;
    }
    type State = "OK" | "ALARM" | "INSUFFICIENT_DATA";
    let state = "INSUFFICIENT_DATA" as State;
    let notifications = 0;
    for (let p = 0; p < periods; p++) {
      const window = sums.slice(Math.max(0, p - n + 1), p + 1);
      const breaching = window.filter((v) => v !== undefined && v >= Number(alarm.Threshold)).length;
      const missing = window.filter((v) => v === undefined).length;
      let next: State = state;
      if (breaching >= m) next = "ALARM";
      else if (missing === window.length) next = alarm.TreatMissingData === "notBreaching" ? "OK" : alarm.TreatMissingData === "breaching" ? "ALARM" : state;
      else next = "OK";
      if (next === "ALARM" && state !== "ALARM") notifications++;
      state = next;
    }
    return notifications;
  }

  it("serverless.yml: 'the alarm is the state on-call tools follow (one notification while it lasts ...), not a second copy of every event': a halt lasting 3 daily sweeps", () => {
    // A guard halts the same enforce-mode group for three days: the daily sweep puts one
    // Retention Run Halted event each day (src/jobs/apply-alerts.ts tellHalt, every run;
    // also when the halt was "told once, by the backups-stopped alert").
    const config = parse(readFileSync(join(ROOT, "serverless.yml"), "utf8"), { merge: true }) as { resources: { Resources: Record<string, { Properties: Record<string, any> }> } };
    const alarm = config.resources.Resources.RunHaltedAlarm!.Properties;
    const sweepAt = 6 * 60 + 15;
    const events = [0, 1, 2].map((day) => day * 24 * 60 + sweepAt);
    // One notification while the halt lasts, as the comment promises.
    expect(alarmNotifications(alarm, events, 3 * 24 * 60)).toBeLessThanOrEqual(1);
  });
});

describe("review910: issue 10 item 7, examples/policy-repo README", () => {
  it("the deploy role's list names every service the stack creates resources in (README 'Prerequisites': an API Gateway HTTP API, CloudWatch alarms and log groups)", () => {
    // The main README's prerequisites list what deploying the stack creates; a deploy role
    // written from the example's README alone must be allowed the same, or the deploy fails.
    const readme = readFileSync(join(ROOT, "examples/policy-repo/README.md"), "utf8");
    const deployRole = readme.slice(readme.indexOf("**deploy role**"), readme.indexOf("3. In the repository settings"));
    expect(deployRole.length).toBeGreaterThan(0);
    for (const service of ["API Gateway", "CloudWatch"]) expect(deployRole, service).toContain(service);
  });
});
