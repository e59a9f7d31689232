import { execFile } from "node:child_process";
import { posix } from "node:path";
import { UsageError } from "../errors.js";
import { loadPolicyTexts, POLICY_FILE, type PolicyText } from "./load.js";
import type { RetentionPolicy } from "../domain/types.js";

/**
 * Policies as they were at a git revision (`plan --compare main:policies/`), read with
 * git itself and picked as `loadPolicyFiles` picks them from disk: a file named directly
 * whatever its name, else every `*.yml`/`*.yaml` (any case) under the folder, recursively,
 * by name, hidden entries skipped, symbolic links followed (inside the repository) and a
 * folder reached twice read once. Messages name files as `main:policies/prod.yml`.
 *
 * `path` follows git's `rev:path` rule: from the repository's top (whatever folder git runs in:
 * `ls-tree --full-tree`), or from `cwd` when it
 * starts with `./` or `../`.
 */
export async function loadPoliciesAtRevision(rev: string, path: string, cwd: string): Promise<RetentionPolicy[]> {
  return loadPolicyTexts(await policyTextsAtRevision(rev, path, cwd));
}

interface Entry {
  mode: string;
  type: string;
  object: string;
  name: string;
}

export async function policyTextsAtRevision(rev: string, path: string, cwd: string): Promise<PolicyText[]> {
  const spec = `${rev}:${path}`;
  const run = (args: string[]) => git(args, cwd, spec);
  // First, so that outside a repository the message says so.
  const prefix = (await run(["rev-parse", "--show-prefix"])).trim();
  const commit = (await run(["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`]).catch(() => "")).trim();
  if (!commit) throw new UsageError(`--compare ${spec}: "${rev}" is not a commit in the git repository at ${cwd}`);
  const top = inRepo(/^\.\.?(\/|$)/.test(path) ? posix.join(prefix, path) : path, spec);

  const seen = new Set<string>();
  const files: Array<{ name: string; object: string }> = [];
  const walk = async (dir: string, tree: string): Promise<void> => {
    // A folder reached twice (through a link) is read once, as on disk.
    if (seen.has(tree)) return;
    seen.add(tree);
    const entries = parseTree(await run(["ls-tree", "--full-tree", "-z", tree]));
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const full = dir ? `${dir}/${e.name}` : e.name;
      const target = e.mode === "120000" ? await followLink(full, e.object) : { path: full, ...e };
      if (target.type === "tree") await walk(target.path, target.object);
      else if (target.type === "blob" && POLICY_FILE.test(e.name)) files.push({ name: full, object: target.object });
    }
  };
  const followLink = async (linkPath: string, object: string, hops = 0): Promise<{ path: string; type: string; object: string }> => {
    if (hops > 40) throw new UsageError(`--compare ${spec}: too many symbolic links at ${linkPath}`);
    const target = await run(["cat-file", "blob", object]);
    if (posix.isAbsolute(target)) throw new UsageError(`--compare ${spec}: ${linkPath} links to ${target}, outside the repository; git cannot read it at ${rev}`);
    const resolved = inRepo(posix.join(posix.dirname(linkPath), target), spec, linkPath);
    const entry = await entryAt(commit, resolved, run);
    if (!entry) throw new UsageError(`--compare ${spec}: ${linkPath} links to ${resolved}, which does not exist at ${rev}`);
    if (entry.mode === "120000") return followLink(resolved, entry.object, hops + 1);
    return { path: resolved, type: entry.type, object: entry.object };
  };

  const root = top === "" ? { mode: "040000", type: "tree", object: (await run(["rev-parse", `${commit}^{tree}`])).trim(), name: "" } : await entryAt(commit, top, run);
  if (!root) throw new UsageError(`--compare ${spec}: ${top} does not exist at ${rev}`);
  const start = root.mode === "120000" ? await followLink(top, root.object) : { path: top, type: root.type, object: root.object };
  if (start.type === "blob") files.push({ name: top, object: start.object });
  else await walk(start.path, start.object);
  // A folder with no policy yet (a first pull request on a repository whose policies/ holds a
  // .gitkeep) compares as no policies: every policy of the change is new.
  if (files.length === 0) return [];
  return Promise.all(files.map(async (f) => ({ file: `${rev}:${f.name}`, text: await run(["cat-file", "blob", f.object]) })));
}

/** The tree entry at `path` (not following a final symbolic link), or undefined. */
async function entryAt(commit: string, path: string, run: (args: string[]) => Promise<string>): Promise<Entry | undefined> {
  const out = await run(["ls-tree", "--full-tree", "-z", commit, "--", path]).catch(() => "");
  return parseTree(out).find((e) => e.name === path);
}

/** A repository-relative path, normalised; refused when it climbs out of the repository. */
function inRepo(path: string, spec: string, via?: string): string {
  const p = posix.normalize(path).replace(/\/+$/, "");
  if (p === "." || p === "") return "";
  if (p === ".." || p.startsWith("../")) {
    throw new UsageError(`--compare ${spec}: ${via ? `${via} links to ${p}, ` : `${p} is `}outside the repository`);
  }
  return p;
}

/** `git ls-tree -z` lines: `<mode> <type> <object>\t<name>`. */
function parseTree(out: string): Entry[] {
  return out
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf("\t");
      const [mode = "", type = "", object = ""] = line.slice(0, tab).split(" ");
      return { mode, type, object, name: line.slice(tab + 1) };
    });
}

function git(args: string[], cwd: string, spec: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("git", args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 30_000 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return reject(new UsageError(`--compare ${spec}: git is not installed (it reads policies at a revision)`));
      const why = stderr.trim().split("\n")[0] || err.message;
      if (/not a git repository/i.test(why)) return reject(new UsageError(`--compare ${spec}: ${cwd} is not in a git repository`));
      reject(new Error(why));
    });
  });
}
