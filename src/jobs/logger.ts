/**
 * The structured-log port the jobs write to: a message plus attributes with stable
 * keys (backupId, clusterId, region, policy, status...). The Lambda passes a Powertools
 * Logger, which matches this shape and prints JSON; the CLI passes SILENT or a JSON
 * writer.
 */
export interface JobLogger {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export const SILENT: JobLogger = { info() {}, warn() {}, error() {} };

/** One JSON object per line, Powertools-compatible keys, for `--log-format json` and local runs. */
export function jsonLinesLogger(write: (line: string) => void, nowMs: () => number, service = "cloudhsm-retention"): JobLogger {
  const emit = (level: string) => (message: string, attributes: Record<string, unknown> = {}) =>
    write(`${JSON.stringify({ level, message, timestamp: new Date(nowMs()).toISOString(), service, ...attributes })}\n`);
  return { info: emit("INFO"), warn: emit("WARN"), error: emit("ERROR") };
}
