import type { Alert, BackupNotice, ReminderNotice } from "../../src/alerts/model.js";

/** Epoch ms of an ISO instant written in a test (hand-chosen values, not computed by the code under test). */
export function at(iso: string): number {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`not an ISO instant: ${iso}`);
  return t;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A restore link of the real shape: base URL, `/restore/`, a ~90-character base64url token. */
export function link(backupId: string): string {
  return `https://restore.example.com/restore/cnx1cy1lYXN0LTF8${backupId.replace(/^backup-/, "")}fG12YWVzZ2QwLWHk3Ns1gHq2Qm9y7Zc_Jp1XwA`;
}

export function notice(backupId: string, overrides: Partial<BackupNotice> = {}): BackupNotice {
  return {
    backupId,
    region: "us-east-1",
    clusterId: "cluster-abc",
    group: "us-east-1/cluster-abc",
    createdAtMs: at("2026-11-20T03:13:00Z"),
    deleteAtMs: at("2026-12-04T06:15:00Z"),
    policy: "production",
    timezone: "Europe/Berlin",
    reason: "no keep rule matched; policy production keeps the last 3, 7 daily, 4 weekly",
    outsidePolicy: false,
    restoreUrl: link(backupId),
    ...overrides,
  };
}

export function deletion(backups: BackupNotice[], nowMs = at("2026-11-27T06:16:00Z")): Extract<Alert, { kind: "deletion" }> {
  return { kind: "deletion", nowMs, runId: "run-20261127-0615", region: "us-east-1", group: "us-east-1/cluster-abc", clusterId: "cluster-abc", backups };
}

export function reminder(backups: ReminderNotice[], nowMs: number): Extract<Alert, { kind: "reminder" }> {
  return { kind: "reminder", nowMs, runId: "remind-20261203-0615", region: "us-east-1", group: "us-east-1/cluster-abc", clusterId: "cluster-abc", backups };
}

export const halt: Extract<Alert, { kind: "halt" }> = {
  kind: "halt",
  nowMs: at("2026-11-27T06:16:00Z"),
  runId: "run-20261127-0615",
  policy: "production",
  group: "us-east-1/cluster-abc",
  guard: "maxDeletePercent",
  message: "this run would delete 40 of 60 backups (67%), more than maxDeletePercent 25",
  advice: "If the policy change is intended, raise guards.maxDeletePercent for one run; otherwise fix the keep rules.",
};

export const stopped: Extract<Alert, { kind: "backups-stopped" }> = {
  kind: "backups-stopped",
  nowMs: at("2026-11-27T06:16:00Z"),
  region: "us-east-1",
  group: "us-east-1/cluster-abc",
  clusterId: "cluster-abc",
  newestReadyMs: at("2026-11-24T03:13:00Z"),
  thresholdMs: 48 * HOUR,
  policy: "production",
};

export const resumed: Extract<Alert, { kind: "backups-resumed" }> = {
  kind: "backups-resumed",
  nowMs: at("2026-11-28T06:16:00Z"),
  region: "us-east-1",
  group: "us-east-1/cluster-abc",
  clusterId: "cluster-abc",
  newestReadyMs: at("2026-11-28T03:13:00Z"),
  stoppedSinceMs: at("2026-11-24T03:13:00Z"),
  policy: "production",
};

export function restored(heldUntilMs: number | undefined): Extract<Alert, { kind: "restored" }> {
  return { kind: "restored", nowMs: at("2026-11-28T09:00:00Z"), backup: notice("backup-abcdefghijk"), via: "the restore link", heldUntilMs };
}
