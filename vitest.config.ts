import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Temporal's native worker and the workflow bundler need real processes, not worker threads.
    pool: 'forks',
    globalSetup: ['test/setup/temporal-dev-server.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
