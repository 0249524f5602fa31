import { defineConfig } from 'vitest/config';

// vitest 5's failure summary calls Map.groupBy (Node 21+); on the Node 20 here it would crash instead of showing
// which test failed. The config loads in the main process, where the reporter runs.
if (!('groupBy' in Map)) {
  Object.defineProperty(Map, 'groupBy', {
    value: <T, K>(items: Iterable<T>, key: (item: T, index: number) => K): Map<K, T[]> => {
      const groups = new Map<K, T[]>();
      let index = 0;
      for (const item of items) {
        const k = key(item, index++);
        groups.set(k, [...(groups.get(k) ?? []), item]);
      }
      return groups;
    },
  });
}

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
    // The handlers' own Powertools logger is silenced; a test that reads the logs passes a logger of its own.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT' },
  },
});
