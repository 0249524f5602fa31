import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Tests import templates/compiled/*, generated from the MJML; build it so a clean clone runs as it is.
    globalSetup: ['tests/support/build-templates.setup.ts'],
    // The JSON report is what .ci/run counts; the default reporter is for people.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    // Two cores here: the store suites start their own servers, so keep the file-level parallelism modest.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Lambda runs Node 22 and the SDK is pinned: its warning about the Node 20 here is noise in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
