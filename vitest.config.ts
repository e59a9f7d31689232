import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    // The plain "N passed, N failed" line is what CI reads; vitest's own summary is not.
    reporters: ["default", "./test/support/plain-summary-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests talk only to the local endpoint: fake keys, and no profile or instance
    // metadata lookups that could reach a real account.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      NO_COLOR: "1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_CONFIG_FILE: "/nonexistent/aws-config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
      AWS_EC2_METADATA_DISABLED: "true",
    },
  },
});
