import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the chaos suite runs for many minutes: `npm run test:chaos` (vitest.chaos.config.ts)
    exclude: ['test/chaos/**', 'node_modules/**'],
    globalSetup: ['test/global-redis.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
