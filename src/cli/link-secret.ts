import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { SetupError } from "../errors.js";
import { MIN_SECRET_BYTES } from "../restore/token.js";

/**
 * The secret restore links are signed with, for CLI runs: RESTORE_LINK_SECRET (and, during
 * a rotation, RESTORE_LINK_SECRET_PREVIOUS), or for local runs a file generated once and
 * reused, so that links from `npm start` still open after a restart of `serve`. In AWS the
 * Lambdas read the stack's SSM parameter instead.
 */
export interface LinkSecrets {
  current: Uint8Array;
  previous?: Uint8Array | undefined;
}

export function secretFile(env: Readonly<Record<string, string | undefined>>): string {
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state");
  return join(state, "cloudhsm-retention", "restore-link-secret");
}

function fromEnv(name: string, value: string): Uint8Array {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length < MIN_SECRET_BYTES) throw new SetupError(`${name}: at least ${MIN_SECRET_BYTES} characters (e.g. \`openssl rand -base64 32\`)`);
  return bytes;
}

export async function localLinkSecrets(env: Readonly<Record<string, string | undefined>>, opts: { local: boolean }): Promise<LinkSecrets> {
  if (env.RESTORE_LINK_SECRET) {
    return {
      current: fromEnv("RESTORE_LINK_SECRET", env.RESTORE_LINK_SECRET),
      previous: env.RESTORE_LINK_SECRET_PREVIOUS ? fromEnv("RESTORE_LINK_SECRET_PREVIOUS", env.RESTORE_LINK_SECRET_PREVIOUS) : undefined,
    };
  }
  if (!opts.local) {
    throw new SetupError(
      "RESTORE_LINK_SECRET: set it to the stack's restore link secret (its SSM parameter), so that links in alerts open the deployed restore page",
    );
  }
  const file = secretFile(env);
  try {
    return { current: fromEnv(file, (await readFile(file, "utf8")).trim()) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const secret = randomBytes(32).toString("base64url");
  await mkdir(join(file, ".."), { recursive: true, mode: 0o700 });
  // wx: two runs starting at once must not each write their own secret.
  try {
    await writeFile(file, `${secret}\n`, { flag: "wx", mode: 0o600 });
    await chmod(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return { current: fromEnv(file, (await readFile(file, "utf8")).trim()) };
  }
  return { current: Buffer.from(secret, "utf8") };
}
