import type { AlertSettings } from "../domain/types.js";

/** The schema's alert defaults, for backups no policy selects (deleted by hand in an unmanaged cluster). */
export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  remindersMs: [72, 24, 2].map((h) => h * 3_600_000),
  backupsStoppedAfterMs: 48 * 3_600_000,
};
