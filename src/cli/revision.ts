import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { stat } from "node:fs/promises";

/**
 * The git revision of the policies, for the ledger: the short commit, with `+dirty` when
 * the policy files differ from it. null outside a git work tree or without git.
 */
export async function policyRevision(paths: readonly string[]): Promise<string | null> {
  const first = paths[0];
  if (first === undefined) return null;
  const full = resolve(first);
  const dir = (await stat(full).catch(() => undefined))?.isDirectory() ? full : dirname(full);
  const commit = await git(dir, ["rev-parse", "--short=12", "HEAD"]);
  if (commit === undefined) return null;
  const status = await git(dir, ["status", "--porcelain", "--", ...paths.map((p) => resolve(p))]);
  return status ? `${commit}+dirty` : commit;
}

function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise((done) => {
    execFile("git", args, { cwd, timeout: 5_000 }, (err, stdout) => done(err ? undefined : stdout.trim()));
  });
}
