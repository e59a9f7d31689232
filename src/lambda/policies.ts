import type { RetentionPolicy } from "../domain/types.js";
import { loadPolicyFiles } from "../policy/index.js";

/**
 * The bundled policies, read on first use and kept: they ship inside the bundle and cannot
 * change while the container lives. A failed read is not kept, so the next call retries.
 */
export function policiesOnce(paths: readonly string[]): () => Promise<RetentionPolicy[]> {
  let loaded: Promise<RetentionPolicy[]> | undefined;
  return () =>
    (loaded ??= loadPolicyFiles([...paths]).catch((err: unknown) => {
      loaded = undefined;
      throw err;
    }));
}
