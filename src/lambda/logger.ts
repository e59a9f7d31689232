import type { Logger } from "@aws-lambda-powertools/logger";
import type { JobLogger } from "../jobs/logger.js";

/** The jobs' log port over a Powertools Logger: JSON lines with Lambda context keys. */
export function jobLoggerFrom(logger: Logger): JobLogger {
  return {
    info: (message, attributes = {}) => logger.info(message, attributes),
    warn: (message, attributes = {}) => logger.warn(message, attributes),
    error: (message, attributes = {}) => logger.error(message, attributes),
  };
}
