// The run's short report: what happened, the invariants, and emulated days per second.
import type { InvariantResult } from "./invariants.js";
import { readMessage } from "./messages.js";
import type { SimRecord } from "./record.js";
import { RESTORE_BASE_URL } from "./world.js";

export function daysPerSecond(r: SimRecord): number {
  return r.options.days / (r.realMs / 1000);
}

export function summarize(r: SimRecord, results: InvariantResult[]): string {
  const ok = (op: string, who: (key: string | null) => boolean) => r.callLog.filter((c) => c.operation === op && c.outcome === "ok" && who(c.accessKeyId)).length;
  const service = (k: string | null) => r.lambdaKeys.includes(k ?? "");
  const kinds = new Map<string, number>();
  for (const m of r.messages) {
    const k = readMessage(m, RESTORE_BASE_URL).kind;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  const o = r.options;
  const lines = [
    `simulated ${o.days} days, ${o.clusters} clusters, seed ${o.seed}${o.faults ? ", with faults" : ""}`,
    `  backups created by CloudHSM     ${r.lifecycle.filter((e) => e.action === "created").length}`,
    `  deleted by the sweep            ${ok("DeleteBackup", service)}`,
    `  deleted by a person             ${ok("DeleteBackup", (k) => k === r.personKey)}`,
    `  deleted by CloudHSM retention   ${r.lifecycle.filter((e) => e.action === "retention-delete").length}`,
    `  restored through the link       ${r.linkRestores.filter((l) => l.status === "restored").length} (${r.linkRestores.filter((l) => l.status === "restored" && l.mode === "pin").length} pinned) in ${r.linkRestores.length} visits (${r.linkRestores.filter((l) => l.status !== "restored").length} not held or not restored)`,
    `  restored by hand                ${r.handRestores.length}`,
    `  gone for good                   ${r.lifecycle.filter((e) => e.action === "gone").length}`,
    `  messages sent                   ${r.messages.length} (${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")})`,
    `  sweeps                          ${r.sweeps.length} (${r.sweeps.filter((s) => s.outcome !== "ok").length} failed or killed); reminder runs ${r.remindRuns.length} (${r.remindRuns.filter((x) => !x.ok).length} failed)`,
    `  fault episodes                  ${r.episodes.length}; watcher events dropped after retries ${r.watchDropped.length}`,
    "invariants",
    ...results.flatMap((x) => [
      `  ${x.breaches.length === 0 ? "ok    " : "BREACH"} ${x.name} (${x.checked} checked${x.breaches.length ? `, ${x.breaches.length} breaches` : ""})`,
      ...x.breaches.slice(0, 10).map((b) => `         ${b}`),
      ...(x.breaches.length > 10 ? [`         ... and ${x.breaches.length - 10} more`] : []),
    ]),
    `${daysPerSecond(r).toFixed(2)} emulated days per second (${(r.realMs / 1000).toFixed(1)} s; ${Object.entries(r.spentMs ?? {}).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(", ")})`,
  ];
  return `${lines.join("\n")}\n`;
}
