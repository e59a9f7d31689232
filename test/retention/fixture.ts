import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Backup, CountRule } from "../../src/domain/types.js";
import type { KeepOutcome } from "../../src/retention/keep.js";
import { backup, type BackupSpec } from "../support/backup-factory.js";

const here = dirname(fileURLToPath(import.meta.url));

/** test/fixtures/backups.json: 100 hand-written backups of one cluster, 2022-08 .. 2027-01-18. */
export function loadFixture(): Backup[] {
  const specs = JSON.parse(readFileSync(join(here, "../fixtures/backups.json"), "utf8")) as BackupSpec[];
  return specs.map((s) => backup(s));
}

/** The count rule a reason comes from, if any (`daily 2026-11-27`, `oldest daily`, `last #2`). */
export function countRuleOf(reason: string): CountRule | undefined {
  const m = /^(?:oldest (last|hourly|daily|weekly|monthly|yearly)$|(last) #\d+$|(hourly|daily|weekly|monthly|yearly) \d{4})/.exec(reason);
  return (m?.[1] ?? m?.[2] ?? m?.[3]) as CountRule | undefined;
}

export const keptIds = (out: readonly KeepOutcome[]): string[] => out.filter((o) => o.keep).map((o) => o.backup.backupId);

export const keptAt = (out: readonly KeepOutcome[]): string[] =>
  out.filter((o) => o.keep).map((o) => new Date(o.backup.createdAtMs).toISOString());

export function reasonsOf(out: readonly KeepOutcome[], id: string): string[] {
  const o = out.find((x) => x.backup.backupId === id);
  if (!o) throw new Error(`no outcome for ${id}`);
  return o.reasons;
}
