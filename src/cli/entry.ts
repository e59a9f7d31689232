/** What bin/cloudhsm-retention.js runs, from dist/ (built by scripts/build-cli.ts) or from the sources. */
export { main } from "./main.js";
export { processIo } from "./io.js";
