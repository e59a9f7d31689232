import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    // The plain "N passed, N failed" line is what CI reads; vitest's own summary is not.
    reporters: ["default", "./test/support/plain-summary-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", NO_COLOR: "1" },
  },
});
