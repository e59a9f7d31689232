import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";

/** Reads a user-named file; a missing or unreadable one is the user's mistake, not a crash. */
export async function readUserFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (err as Error).message;
    throw new UsageError(`cannot read ${what} ${path}: ${why}`);
  }
}
