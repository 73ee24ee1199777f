import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global-redis.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Two cores: integration tests spawn servers and workers of their own.
    maxWorkers: 2,
  },
});
