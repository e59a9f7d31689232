import { stat } from "node:fs/promises";
import type { RetentionPolicy } from "../domain/types.js";
import { PolicyValidationError, UsageError } from "../errors.js";
import { loadPoliciesAtRevision } from "../policy/git.js";
import { loadPolicyFiles } from "../policy/index.js";

/**
 * The old policies of `plan --compare <spec>`: a file or folder when one exists at that
 * path, else a git revision and path (`main:policies/`, `HEAD~1:policies/prod.yml`), read
 * with git. They must be valid on their own: a broken old side is said to be the old side.
 */
export async function loadComparePolicies(spec: string, cwd: string): Promise<RetentionPolicy[]> {
  const onDisk = await stat(spec).then(
    () => true,
    () => false,
  );
  const git = onDisk ? null : /^([^:]+):(.*)$/.exec(spec);
  if (!onDisk && !git) throw new UsageError(`--compare ${spec}: no such file or folder, and not a git revision and path such as main:policies/`);
  try {
    return git ? await loadPoliciesAtRevision(git[1]!, git[2]!, cwd) : await loadPolicyFiles([spec]);
  } catch (err) {
    if (!(err instanceof PolicyValidationError)) throw err;
    throw new UsageError(`--compare ${spec}: the policies to compare with are not valid, so the change cannot be shown:\n${err.message}`);
  }
}
