/** Instants for people and scripts: ISO-8601 UTC to the second (see src/domain/time.ts). */
export { isoSeconds as isoUtcSeconds } from "../../domain/time.js";
