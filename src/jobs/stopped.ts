import type { Alert } from "../alerts/model.js";
import type { Plan, RetentionPolicy } from "../domain/types.js";
import { noticeId } from "../ledger/port.js";
import { addStats, type AlertPath, deliverOne, type DeliveryStats, emptyStats } from "./deliver.js";

/**
 * CloudHSM promises a backup per cluster at least every 24 hours. A selected group whose
 * newest READY backup is older than its policy's `alerts.backupsStoppedAfter` (default
 * 48h) opens an episode in the ledger, told once; when backups resume, that is told once
 * more and the episode closes. A backup dated after now does not count as recent.
 */
export async function checkBackupsStopped(
  path: AlertPath,
  plan: Plan,
  policies: readonly RetentionPolicy[],
  listedRegions: readonly string[],
): Promise<{ stats: DeliveryStats; stopped: Set<string> }> {
  const stats = emptyStats();
  const stoppedGroups = new Set<string>();
  const nowMs = plan.nowMs;
  const newest = new Map<string, number>();
  const anyNewest = new Map<string, number>();
  for (const d of plan.decisions) {
    anyNewest.set(d.group, Math.max(anyNewest.get(d.group) ?? -Infinity, d.createdAtMs));
    if (d.state === "READY" && d.createdAtMs <= nowMs) newest.set(d.group, Math.max(newest.get(d.group) ?? -Infinity, d.createdAtMs));
  }
  const byName = new Map(policies.map((p) => [p.name, p]));
  for (const summary of plan.policies) {
    const policy = byName.get(summary.name);
    if (!policy) continue;
    for (const group of summary.groups) {
      const region = group.split("/")[0]!;
      if (!listedRegions.includes(region)) continue;
      // CloudHSM's promise of a daily backup is about clusters. Copies arrive when a copy
      // job of the user's makes them (weekly, say): no alarm on their rhythm.
      if (group.includes("/copy:")) continue;
      const newestReadyMs = newest.get(group);
      const stopped = newestReadyMs === undefined || nowMs - newestReadyMs > policy.alerts.backupsStoppedAfterMs;
      if (stopped) stoppedGroups.add(group);
      try {
        addStats(stats, await checkGroup(path, { policy, group, region, nowMs, newestReadyMs, stopped, sinceFallbackMs: anyNewest.get(group) ?? nowMs }));
      } catch (err) {
        stats.ledgerFailures++;
        stats.errors.push((err as Error).message);
        path.log.error("backups-stopped check failed", { group, error: (err as Error).message });
      }
    }
  }
  return { stats, stopped: stoppedGroups };
}

interface GroupCheck {
  policy: RetentionPolicy;
  group: string;
  region: string;
  nowMs: number;
  newestReadyMs: number | undefined;
  stopped: boolean;
  sinceFallbackMs: number;
}

async function checkGroup(path: AlertPath, c: GroupCheck): Promise<DeliveryStats> {
  const clusterId = c.group.split("/").at(-1);
  let episode = await path.ledger.episode(c.group);
  const keepMs = c.nowMs + path.retentionMs;
  if (c.stopped) {
    if (!episode) {
      const opened = { group: c.group, sinceMs: c.newestReadyMs ?? c.sinceFallbackMs, openedAtMs: c.nowMs, runId: path.runId };
      if (!(await path.ledger.openEpisode(opened, keepMs))) episode = await path.ledger.episode(c.group);
      episode ??= opened;
    }
    const alert: Alert = {
      kind: "backups-stopped",
      nowMs: c.nowMs,
      region: c.region,
      group: c.group,
      clusterId,
      newestReadyMs: c.newestReadyMs,
      thresholdMs: c.policy.alerts.backupsStoppedAfterMs,
      policy: c.policy.name,
    };
    return deliverOne(path, alert, noticeId.stopped(c.group, episode.sinceMs), keepMs);
  }
  if (!episode || c.newestReadyMs === undefined) return emptyStats();
  const id = noticeId.resumed(c.group, episode.sinceMs);
  const alert: Alert = { kind: "backups-resumed", nowMs: c.nowMs, region: c.region, group: c.group, clusterId, newestReadyMs: c.newestReadyMs, stoppedSinceMs: episode.sinceMs, policy: c.policy.name };
  const stats = await deliverOne(path, alert, id, keepMs);
  // Closed only once the resumption was told, so a failed send is tried again next run.
  if ((await path.ledger.notices([id])).get(id)?.status === "sent") await path.ledger.closeEpisode(c.group, episode.sinceMs);
  return stats;
}
